// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProverStaking
/// @notice What the aggregation market needs from prover staking (version 2): eligibility, the
/// stake-weighted draw, per-job collateral locks and slashing capped at what is locked. Implemented by
/// {ProverStaking}, which also declares the events and errors below.
interface IProverStaking {
    // ===== EVENTS =====

    /// @notice `prover` staked `amount`; its total stake is now `staked`. The amount weighs in the draw
    /// from `warmAt` on.
    /// @param prover The prover.
    /// @param amount NEX added.
    /// @param staked Its total stake.
    /// @param warmAt When the amount starts to weigh in the draw (once refreshed).
    event StakingStaked(address indexed prover, uint256 amount, uint256 staked, uint64 warmAt);

    /// @notice `prover` queued `amount` for unstaking as entry `entryIndex`, withdrawable from `unlockAt`.
    /// @param prover The prover.
    /// @param entryIndex The queue entry.
    /// @param amount NEX queued.
    /// @param unlockAt When it can be withdrawn.
    event StakingUnstakeRequested(address indexed prover, uint256 indexed entryIndex, uint256 amount, uint64 unlockAt);

    /// @notice `prover` withdrew `amount` by settling `entries` matured queue entries.
    /// @param prover The prover.
    /// @param amount NEX sent.
    /// @param entries Entries settled.
    event StakingWithdrawn(address indexed prover, uint256 amount, uint256 entries);

    /// @notice `prover` proposed `operator` as its hot key (address(0): proposal withdrawn).
    /// @param prover The prover.
    /// @param operator The proposed operator.
    event StakingOperatorProposed(address indexed prover, address indexed operator);

    /// @notice `operator` accepted and now acts for `prover` in the market.
    /// @param prover The prover.
    /// @param operator The operator.
    event StakingOperatorAccepted(address indexed prover, address indexed operator);

    /// @notice `operator` no longer acts for `prover` (it resigned, or the prover removed it).
    /// @param prover The prover.
    /// @param operator The former operator.
    /// @param byOperator True when the operator resigned, false when the prover removed it.
    event StakingOperatorRemoved(address indexed prover, address indexed operator, bool byOperator);

    /// @notice The market locked `amount` of `prover`'s stake; `locked` is its new total.
    /// @param prover The prover.
    /// @param amount NEX locked.
    /// @param locked Its total locked collateral.
    event StakingCollateralLocked(address indexed prover, uint256 amount, uint256 locked);

    /// @notice The market released `amount` of `prover`'s collateral; `locked` is its new total.
    /// @param prover The prover.
    /// @param amount NEX released.
    /// @param locked Its total locked collateral.
    event StakingCollateralUnlocked(address indexed prover, uint256 amount, uint256 locked);

    /// @notice `amount` of `prover`'s locked collateral was slashed: `burned` burnt, `rewarded` sent to
    /// `beneficiary`.
    /// @param prover The prover.
    /// @param amount NEX slashed.
    /// @param burned NEX burnt.
    /// @param rewarded NEX sent to the beneficiary.
    /// @param beneficiary Who received the reward.
    event StakingSlashed(
        address indexed prover,
        uint256 amount,
        uint256 burned,
        uint256 rewarded,
        address indexed beneficiary
    );

    /// @notice The parameters changed.
    /// @param minStake Minimum active stake to be eligible.
    /// @param unbondingPeriod Seconds between an unstake request and its withdrawal.
    /// @param slashBurnBps Burn share of slashes.
    /// @param weightWarmup Seconds before added stake weighs in the draw.
    event StakingParamsUpdated(uint256 minStake, uint64 unbondingPeriod, uint16 slashBurnBps, uint32 weightWarmup);

    /// @notice `market` was granted MARKET_ROLE and recorded as the market whose job lifetime bounds
    /// the unbonding period.
    /// @param market The market.
    event StakingMarketSet(address indexed market);

    /// @notice `prover`'s draw weight changed to `weight`.
    /// @param prover The prover.
    /// @param weight Its new weight.
    event StakingWeightUpdated(address indexed prover, uint256 weight);

    // ===== ERRORS =====

    /// @notice An amount of zero was given where a positive amount is required.
    error StakingZeroAmount();

    /// @notice A zero address was given for `what`.
    /// @param what The argument's name.
    error StakingZeroAddress(string what);

    /// @notice `prover` has `available` NEX available (staked - locked - pendingUnstake); `requested` asked.
    /// @param prover The prover.
    /// @param available Its available stake.
    /// @param requested The amount asked for.
    error StakingInsufficientAvailableStake(address prover, uint256 available, uint256 requested);

    /// @notice `prover` has `locked` NEX locked; `requested` asked to unlock or slash.
    /// @param prover The prover.
    /// @param locked Its locked collateral.
    /// @param requested The amount asked for.
    error StakingInsufficientLocked(address prover, uint256 locked, uint256 requested);

    /// @notice `prover` has no matured unstake entry; the oldest pending one unlocks at `nextUnlockAt`
    /// (0 when the queue is empty).
    /// @param prover The prover.
    /// @param nextUnlockAt When the oldest entry matures.
    error StakingNothingToWithdraw(address prover, uint64 nextUnlockAt);

    /// @notice `account` is the operator of `prover`: operators may not stake nor appoint operators.
    /// @param account The operator.
    /// @param prover The prover it acts for.
    error StakingAccountIsOperator(address account, address prover);

    /// @notice `account` has no stake, and only a staked prover may appoint an operator.
    /// @param account The caller.
    error StakingNotStaked(address account);

    /// @notice `operator` cannot act for a prover: it has a stake, is the prover itself, or already
    /// operates for a prover.
    /// @param operator The rejected operator.
    error StakingInvalidOperator(address operator);

    /// @notice `prover` has not proposed `operator`.
    /// @param prover The prover.
    /// @param operator The caller.
    error StakingNotProposed(address prover, address operator);

    /// @notice `account` is not an operator (nothing to resign), or `prover` has no operator (nothing to
    /// remove).
    /// @param account The account.
    error StakingNoOperator(address account);

    /// @notice `minStake` must be positive.
    /// @param minStake The rejected value.
    error StakingInvalidMinStake(uint256 minStake);

    /// @notice `period` is zero or above the maximum.
    /// @param period The rejected period.
    error StakingInvalidUnbondingPeriod(uint64 period);

    /// @notice `period` does not exceed the market's longest job lifetime `maxJobLifetime`.
    /// @param period The rejected period.
    /// @param maxJobLifetime The market's longest job.
    error StakingUnbondingPeriodTooShort(uint64 period, uint64 maxJobLifetime);

    /// @notice `bps` exceeds 10000.
    /// @param bps The rejected share.
    error StakingInvalidBps(uint256 bps);

    /// @notice `warmup` exceeds the maximum.
    /// @param warmup The rejected warm-up.
    error StakingInvalidWarmup(uint256 warmup);

    // ===== MARKET-FACING FUNCTIONS =====

    /// @notice The prover an account acts for in the market: the account itself when it has a stake,
    /// the prover whose accepted operator (hot key) it is, or address(0) when neither.
    /// @param account The account.
    /// @return prover The prover it acts for.
    function proverOf(address account) external view returns (address prover);

    /// @notice True when `prover`'s active stake (staked - pendingUnstake) is at least `minStake`.
    /// @param prover The prover.
    /// @return Whether it may take jobs.
    function isEligible(address prover) external view returns (bool);

    /// @notice True when `prover` is eligible and can lock `amount` of collateral now.
    /// @param prover The prover.
    /// @param amount NEX of collateral.
    /// @return Whether a lock of `amount` would succeed.
    function canLock(address prover, uint256 amount) external view returns (bool);

    /// @notice Stake-weighted draw, O(log n): `seed % totalWeight` in the weight tree. Returns
    /// address(0) when the total weight is 0 or the drawn prover is not eligible now (a stale weight).
    /// @param seed The random seed.
    /// @return prover The drawn prover.
    function selectProver(uint256 seed) external view returns (address prover);

    /// @notice Stake not locked and not queued for unstaking: staked - locked - pendingUnstake.
    /// @param prover The prover.
    /// @return The available stake.
    function availableStake(address prover) external view returns (uint256);

    /// @notice Locks `amount` of `prover`'s available stake as collateral for a job. Market role only.
    /// @param prover The prover.
    /// @param amount NEX to lock.
    function lockCollateral(address prover, uint256 amount) external;

    /// @notice Releases `amount` of `prover`'s locked collateral. Market role only.
    /// @param prover The prover.
    /// @param amount NEX to release.
    function unlockCollateral(address prover, uint256 amount) external;

    /// @notice Slashes `amount` of `prover`'s locked collateral (reverts above `locked`): the burn share is
    /// burnt and the rest transferred to `beneficiary`. Market role only.
    /// @param prover The prover.
    /// @param amount NEX to slash (at most its locked collateral).
    /// @param beneficiary Who receives the reward share.
    /// @return burned NEX burnt.
    /// @return rewarded NEX sent to `beneficiary`.
    function slashCollateral(
        address prover,
        uint256 amount,
        address beneficiary
    ) external returns (uint256 burned, uint256 rewarded);

    /// @notice Seconds between `requestUnstake` and the earliest `withdraw` of that entry.
    /// @return The unbonding period.
    function unbondingPeriod() external view returns (uint64);
}
