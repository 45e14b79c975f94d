// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProverStaking
/// @notice What the aggregation market needs from prover staking: eligibility, stake-weighted
/// selection, per-job collateral locks and slashing. Implemented by {ProverStaking}.
interface IProverStaking {
    /// @notice The prover an account acts for in the market: the account itself when it has a stake,
    /// the prover whose registered operator (hot key) it is, or address(0) when neither.
    function proverOf(address account) external view returns (address prover);

    /// @notice True when `prover`'s active stake (staked - pendingUnstake) is at least `minStake`.
    function isEligible(address prover) external view returns (bool);

    /// @notice Stake-weighted draw among eligible provers, O(log n). Returns address(0) when no
    /// prover is eligible. `seed` is reduced modulo the total eligible weight.
    function selectProver(uint256 seed) external view returns (address prover);

    /// @notice Stake not locked and not queued for unstaking: staked - locked - pendingUnstake.
    function availableStake(address prover) external view returns (uint256);

    /// @notice Locks `amount` of `prover`'s available stake as collateral for a job. Market role only.
    function lockCollateral(address prover, uint256 amount) external;

    /// @notice Releases `amount` of `prover`'s locked collateral. Market role only.
    function unlockCollateral(address prover, uint256 amount) external;

    /// @notice Slashes `amount` of `prover`'s locked collateral: the burn share is burnt and the rest
    /// is transferred (NEX) to `beneficiary`. Market role only.
    /// @return burned NEX burnt.
    /// @return rewarded NEX sent to `beneficiary`.
    function slashCollateral(address prover, uint256 amount, address beneficiary)
        external
        returns (uint256 burned, uint256 rewarded);

    /// @notice Seconds between `requestUnstake` and the earliest `withdraw` of that entry.
    function unbondingPeriod() external view returns (uint64);
}
