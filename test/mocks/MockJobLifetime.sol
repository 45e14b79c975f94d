// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobLifetime} from "../../contracts/interfaces/IJobLifetime.sol";

/// @notice Test-only stand-in for the market's job-lifetime view, to test ProverStaking's
/// unbonding-period bound without the market.
contract MockJobLifetime is IJobLifetime {
    uint64 public maxJobLifetime;

    constructor(uint64 lifetime) {
        maxJobLifetime = lifetime;
    }
}
