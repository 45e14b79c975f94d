// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IJobLifetime
/// @notice Implemented by the aggregation market so that {ProverStaking} can check that the
/// unbonding period outlasts every job: a prover must not be able to withdraw collateral that a
/// job it locked could still slash.
interface IJobLifetime {
    /// @notice The longest time, in seconds, between a lock and the last moment the job's collateral
    /// can be slashed (the market's provingWindow(maximum batch size) + secondaryWindow).
    function maxJobLifetime() external view returns (uint64);
}
