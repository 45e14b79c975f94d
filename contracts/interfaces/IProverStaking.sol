// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProverStaking
/// @notice What the aggregation market needs from prover staking: eligibility, stake-weighted
/// selection, per-job collateral locks and slashing; and the events and errors of {ProverStaking},
/// which implements it.
interface IProverStaking {
    // ===== EVENTS =====

    /// @notice `prover` staked `amount`; its total stake is now `staked`.
    /// @param prover The prover.
    /// @param amount NEX staked.
    /// @param staked Its total stake now.
    event Staked(address indexed prover, uint256 amount, uint256 staked);

    /// @notice `prover` queued `amount` for unstaking as entry `entryIndex`, withdrawable from `unlockAt`.
    /// @param prover The prover.
    /// @param entryIndex The entry's position in the prover's queue.
    /// @param amount NEX queued.
    /// @param unlockAt When the entry can be withdrawn.
    event UnstakeRequested(address indexed prover, uint256 indexed entryIndex, uint256 amount, uint64 unlockAt);

    /// @notice `prover` withdrew `amount` by settling `entries` matured queue entries.
    /// @param prover The prover.
    /// @param amount NEX sent to it.
    /// @param entries The number of entries settled.
    event Withdrawn(address indexed prover, uint256 amount, uint256 entries);

    /// @notice `prover`'s operator changed from `previousOperator` to `operator` (0 = none).
    /// @param prover The prover.
    /// @param previousOperator The operator before.
    /// @param operator The operator now.
    event OperatorSet(address indexed prover, address indexed previousOperator, address indexed operator);

    /// @notice The market locked `amount` of `prover`'s stake; `locked` is its new total.
    /// @param prover The prover.
    /// @param amount NEX locked.
    /// @param locked Its locked total now.
    event CollateralLocked(address indexed prover, uint256 amount, uint256 locked);

    /// @notice The market released `amount` of `prover`'s collateral; `locked` is its new total.
    /// @param prover The prover.
    /// @param amount NEX released.
    /// @param locked Its locked total now.
    event CollateralUnlocked(address indexed prover, uint256 amount, uint256 locked);

    /// @notice `amount` of `prover`'s stake was slashed: `burned` burnt, `rewarded` sent to `beneficiary`.
    /// @param prover The prover.
    /// @param amount NEX slashed.
    /// @param burned NEX burnt.
    /// @param rewarded NEX sent to `beneficiary`.
    /// @param beneficiary Who received the reward share.
    event Slashed(
        address indexed prover,
        uint256 amount,
        uint256 burned,
        uint256 rewarded,
        address indexed beneficiary
    );

    /// @notice The parameters now are (`minStake`, `unbondingPeriod`, `slashBurnBps`).
    /// @param minStake Minimum active stake to be eligible.
    /// @param unbondingPeriod Seconds between an unstake request and its withdrawal.
    /// @param slashBurnBps Burn share of slashes, in basis points.
    event ParamsUpdated(uint256 minStake, uint64 unbondingPeriod, uint16 slashBurnBps);

    /// @notice `market` was granted MARKET_ROLE and recorded as the market whose job lifetime bounds
    /// the unbonding period.
    /// @param market The market.
    event MarketSet(address indexed market);

    /// @notice `prover`'s selection weight changed to `weight`.
    /// @param prover The prover.
    /// @param weight Its weight now.
    event WeightUpdated(address indexed prover, uint256 weight);

    // ===== ERRORS =====
    // Prefixed with the contract's name (EIP-6093 style). Errors of OpenZeppelin's building blocks
    // (AccessControlUnauthorizedAccount, ReentrancyGuardReentrantCall, SafeERC20FailedOperation) keep
    // their names.

    /// @notice An amount of zero was given where a positive amount is required.
    error StakingZeroAmount();

    /// @notice A zero address was given for `what`.
    /// @param what The parameter: "token", "admin", "market" or "beneficiary".
    error StakingZeroAddress(string what);

    /// @notice `prover` has `available` NEX available (staked - locked - pendingUnstake); `requested` asked.
    /// @param prover The prover.
    /// @param available Its available stake.
    /// @param requested The amount asked for.
    error StakingInsufficientAvailableStake(address prover, uint256 available, uint256 requested);

    /// @notice `prover` has `locked` NEX locked; `requested` asked to unlock.
    /// @param prover The prover.
    /// @param locked Its locked collateral.
    /// @param requested The amount asked for.
    error StakingInsufficientLocked(address prover, uint256 locked, uint256 requested);

    /// @notice A slash of `requested` exceeds `prover`'s whole stake `staked`.
    /// @param prover The prover.
    /// @param staked Its whole stake.
    /// @param requested The slash asked for.
    error StakingSlashExceedsStake(address prover, uint256 staked, uint256 requested);

    /// @notice `prover` has no matured unstake entry; the oldest pending one unlocks at `nextUnlockAt`
    /// (0 when the queue is empty).
    /// @param prover The prover.
    /// @param nextUnlockAt When its oldest pending entry unlocks (0: none).
    error StakingNothingToWithdraw(address prover, uint64 nextUnlockAt);

    /// @notice `account` is the operator of `prover`, and operators may not stake or appoint operators.
    /// @param account The caller.
    /// @param prover The prover it operates for.
    error StakingAccountIsOperator(address account, address prover);

    /// @notice `operator` cannot be appointed: it has a stake, or an operator of its own.
    /// @param operator The rejected operator.
    error StakingOperatorIsProver(address operator);

    /// @notice `operator` is already the operator of `prover`.
    /// @param operator The rejected operator.
    /// @param prover The prover it already serves.
    error StakingOperatorTaken(address operator, address prover);

    /// @notice A prover cannot be its own operator.
    /// @param prover The prover.
    error StakingOperatorIsSelf(address prover);

    /// @notice `minStake` must be positive.
    /// @param minStake The rejected value.
    error StakingInvalidMinStake(uint256 minStake);

    /// @notice `period` is zero or above {ProverStaking-MAX_UNBONDING_PERIOD}.
    /// @param period The rejected period.
    error StakingInvalidUnbondingPeriod(uint64 period);

    /// @notice `period` does not exceed the market's longest job lifetime `maxJobLifetime`.
    /// @param period The rejected period.
    /// @param maxJobLifetime The market's longest job lifetime.
    error StakingUnbondingPeriodTooShort(uint64 period, uint64 maxJobLifetime);

    /// @notice `bps` exceeds 10000.
    /// @param bps The rejected value.
    error StakingInvalidBps(uint256 bps);

    // ===== FUNCTIONS =====

    /// @notice The prover an account acts for in the market: the account itself when it has a stake,
    /// the prover whose registered operator (hot key) it is, or address(0) when neither.
    /// @param account The account.
    /// @return prover The prover it acts for, or address(0).
    function proverOf(address account) external view returns (address prover);

    /// @notice True when `prover`'s active stake (staked - pendingUnstake) is at least `minStake`.
    /// @param prover The prover.
    /// @return Whether it is eligible.
    function isEligible(address prover) external view returns (bool);

    /// @notice Stake-weighted draw among eligible provers, O(log n). Returns address(0) when no
    /// prover is eligible. `seed` is reduced modulo the total eligible weight.
    /// @param seed A random number.
    /// @return prover The prover drawn, or address(0).
    function selectProver(uint256 seed) external view returns (address prover);

    /// @notice Stake not locked and not queued for unstaking: staked - locked - pendingUnstake.
    /// @param prover The prover.
    /// @return NEX available.
    function availableStake(address prover) external view returns (uint256);

    /// @notice Locks `amount` of `prover`'s available stake as collateral for a job. Market role only.
    /// @param prover The prover.
    /// @param amount NEX to lock.
    function lockCollateral(address prover, uint256 amount) external;

    /// @notice Releases `amount` of `prover`'s locked collateral. Market role only.
    /// @param prover The prover.
    /// @param amount NEX to release.
    function unlockCollateral(address prover, uint256 amount) external;

    /// @notice Slashes `amount` of `prover`'s locked collateral: the burn share is burnt and the rest
    /// is transferred (NEX) to `beneficiary`. Market role only.
    /// @param prover The prover.
    /// @param amount NEX to slash.
    /// @param beneficiary Receives the part not burnt.
    /// @return burned NEX burnt.
    /// @return rewarded NEX sent to `beneficiary`.
    function slashCollateral(
        address prover,
        uint256 amount,
        address beneficiary
    ) external returns (uint256 burned, uint256 rewarded);

    /// @notice Seconds between `requestUnstake` and the earliest `withdraw` of that entry.
    /// @return Seconds.
    function unbondingPeriod() external view returns (uint64);
}
