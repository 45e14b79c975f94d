// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @notice Test-only hostile token: on every balance change it calls `target` with `payload`
/// (when armed) and bubbles up a revert, to prove that ProverStaking's token-moving functions
/// cannot be re-entered.
contract ReentrantNexToken is ERC20, ERC20Permit, ERC20Burnable {
    address public target;
    bytes public payload;

    constructor(address holder, uint256 supply) ERC20("Hostile", "HST") ERC20Permit("Hostile") {
        _mint(holder, supply);
    }

    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = target;
        if (t != address(0)) {
            target = address(0); // once
            (bool ok, bytes memory ret) = t.call(payload);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
    }
}
