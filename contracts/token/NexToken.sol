// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title NexToken
/// @notice The NEX work token. Provers stake it in {ProverStaking} to be eligible for (and be drawn
/// for) aggregation jobs; misbehaving provers are slashed, part of the slash is burnt.
/// @dev Fixed supply: the whole supply is minted once, at deployment, to the treasury. There is no
/// mint function afterwards, so `totalSupply` only ever decreases (through burns).
contract NexToken is ERC20, ERC20Permit, ERC20Burnable {
    /// @notice The treasury given to the constructor is the zero address.
    error NexTokenZeroTreasury();

    /// @notice The supply given to the constructor is zero.
    error NexTokenZeroSupply();

    /// @notice Deploys the NexToken.
    /// @param treasury Receives the whole fixed supply.
    /// @param supply The fixed total supply, in the smallest unit (18 decimals).
    constructor(address treasury, uint256 supply) ERC20("NEX Work Token", "NEX") ERC20Permit("NEX Work Token") {
        if (treasury == address(0)) revert NexTokenZeroTreasury();
        if (supply == 0) revert NexTokenZeroSupply();
        _mint(treasury, supply);
    }
}
