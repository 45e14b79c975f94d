// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title INexToken
/// @notice What {ProverStaking} needs from the work token: ERC-20, EIP-2612 permit and burning
/// from the caller's own balance (ERC20Burnable's `burn`).
interface INexToken is IERC20, IERC20Permit {
    /// @notice Destroys `value` tokens from the caller's balance.
    /// @param value The amount to burn.
    function burn(uint256 value) external;
}
