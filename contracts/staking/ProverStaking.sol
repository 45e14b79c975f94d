// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IJobLifetime} from "../interfaces/IJobLifetime.sol";
import {IProverStaking} from "../interfaces/IProverStaking.sol";
import {StakeSumTree} from "../libraries/StakeSumTree.sol";
import {INexToken} from "../token/INexToken.sol";

/// @title ProverStaking
/// @notice Provers stake NEX here to take aggregation jobs (version 2). The market locks part of a
/// prover's stake as collateral per job and unlocks or slashes it; a stake-weighted draw proposes the
/// prover assigned to each sealed batch.
///
/// Accounting, per prover:
/// - `staked`: every token of the prover held by this contract, including queued unstakes (tokens
///   stay here until withdrawn).
/// - `pendingUnstake`: the part of `staked` queued by {requestUnstake}, released by {withdraw} once
///   each entry's `unlockAt` has passed.
/// - `locked`: job collateral, at most `staked - pendingUnstake`. Only locked collateral can be slashed.
/// - available = `staked - locked - pendingUnstake`: what can be queued for unstaking or locked.
/// - `warming`: the part of `staked - pendingUnstake` added less than `weightWarmup` ago.
///
/// Draw weight = `staked - pendingUnstake - warming` when that is at least `minStake`, else 0, in a
/// Fenwick sum tree ({StakeSumTree}) so a draw is O(log n). Stake added by {stake} weighs only once
/// `weightWarmup` (default 1 hour, longer than the 256 blocks a seal's block hash stays readable) has
/// passed and the weight was refreshed (by any of the prover's own actions or the permissionless
/// {refreshWeights}): a staker who learns a batch's draw seed cannot add weight in time to win it.
/// Lowering a stake (unstake, slash) lowers the weight at once. A change of `minStake` re-weights
/// lazily: until refreshed, a prover that fell below a raised `minStake` keeps a stale weight, and
/// {selectProver} returns address(0) when it draws it (the market then draws again, up to 4 times).
///
/// Operators (hot keys) need the operator's consent: a staked prover proposes, the operator accepts,
/// either side can end it ({resignOperator}, {removeOperator}).
///
/// Roles: DEFAULT_ADMIN_ROLE sets the parameters and the market ({setMarket}); MARKET_ROLE
/// (granted by {setMarket}) locks, unlocks and slashes collateral.
contract ProverStaking is IProverStaking, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for INexToken;
    using StakeSumTree for StakeSumTree.Tree;

    // ============================================================ TYPES

    /// @notice A queued unstake: `amount` NEX withdrawable from `unlockAt` on.
    struct UnstakeEntry {
        uint128 amount;
        uint64 unlockAt;
    }

    /// @dev Per-prover state, four slots.
    struct Account {
        // Slot 0: all tokens of the prover held here, pending unstakes included; job collateral.
        uint128 staked;
        uint128 locked;
        // Slot 1: queued for unstaking (part of `staked`); sum-tree index (0 = never staked);
        // index of the oldest unwithdrawn queue entry.
        uint128 pendingUnstake;
        uint32 treeIndex;
        uint64 queueHead;
        // Slot 2: hot key that acts for the prover in the market; when `warming` starts to weigh.
        address operator;
        uint64 warmAt;
        // Slot 3: stake added less than `weightWarmup` ago (not in the draw weight yet).
        uint128 warming;
    }

    // ============================================================ CONSTANTS

    /// @notice Role of the aggregation market: lock, unlock and slash collateral.
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");

    /// @notice Basis-point denominator.
    uint16 public constant BPS = 10_000;

    /// @notice Upper bound for {setUnbondingPeriod}.
    uint64 public constant MAX_UNBONDING_PERIOD = 365 days;

    /// @notice Default unbonding period.
    uint64 public constant DEFAULT_UNBONDING_PERIOD = 7 days;

    /// @notice Default burn share of a slash (50%).
    uint16 public constant DEFAULT_SLASH_BURN_BPS = 5_000;

    /// @notice Default time before added stake weighs in the draw (longer than 256 blocks of 12 s).
    uint32 public constant DEFAULT_WEIGHT_WARMUP = 1 hours;

    /// @notice Upper bound for {setWeightWarmup}.
    uint32 public constant MAX_WEIGHT_WARMUP = 30 days;

    // ============================================================ STORAGE

    INexToken private immutable _TOKEN;

    uint256 private _minStake;
    uint64 private _unbondingPeriod;
    uint16 private _slashBurnBps;
    uint32 private _weightWarmup;
    address private _market;

    mapping(address prover => Account) private _accounts;
    mapping(address prover => UnstakeEntry[]) private _queues;
    mapping(address operator => address prover) private _operatorOwner;
    mapping(address prover => address operator) private _proposedOperator;
    mapping(uint256 treeIndex => address prover) private _proverAt;
    StakeSumTree.Tree private _tree;

    // ============================================================ CONSTRUCTOR

    /// @notice Deploys the ProverStaking.
    /// @param token_ The NEX token.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (the deploy code hands it to a timelock).
    /// @param minStake_ Minimum active stake to be eligible; positive.
    constructor(INexToken token_, address admin, uint256 minStake_) {
        if (address(token_) == address(0)) revert StakingZeroAddress("token");
        if (admin == address(0)) revert StakingZeroAddress("admin");
        if (minStake_ == 0) revert StakingInvalidMinStake(minStake_);
        _TOKEN = token_;
        _minStake = minStake_;
        _unbondingPeriod = DEFAULT_UNBONDING_PERIOD;
        _slashBurnBps = DEFAULT_SLASH_BURN_BPS;
        _weightWarmup = DEFAULT_WEIGHT_WARMUP;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _emitParams();
    }

    // ============================================================ STAKER ACTIONS

    /// @notice Stakes `amount` NEX from the caller (needs an allowance). The caller becomes a prover
    /// (gets a place in the draw tree) on its first stake. The amount counts for eligibility and
    /// collateral at once, and in the draw after `weightWarmup`.
    /// Requirements: `amount` > 0; the caller is not an operator.
    /// @param amount NEX to stake.
    function stake(uint256 amount) external nonReentrant {
        _stake(msg.sender, amount);
    }

    /// @notice {stake} with an EIP-2612 permit for this contract signed by the caller. The permit is
    /// tried and its failure ignored (OpenZeppelin's recommended pattern), so a permit front-run by a
    /// third party cannot grief the stake: the allowance it set is used instead.
    /// @param amount NEX to stake (also the permit value).
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        try _TOKEN.permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _stake(msg.sender, amount);
    }

    /// @notice Queues `amount` of the caller's available stake for unstaking. It stops counting
    /// towards eligibility and the draw at once, and can be withdrawn from
    /// `unlockAt = max(now + unbondingPeriod, unlockAt of the previous entry)` on.
    /// Requirements: 0 < `amount` <= available stake (staked - locked - pendingUnstake).
    /// @param amount NEX to unstake.
    /// @return entryIndex Position of the entry in the caller's queue (see {unstakeQueue}).
    function requestUnstake(uint256 amount) external returns (uint256 entryIndex) {
        if (amount == 0) revert StakingZeroAmount();
        Account storage a = _accounts[msg.sender];
        uint256 available = _available(a);
        if (amount > available) revert StakingInsufficientAvailableStake(msg.sender, available, amount);

        UnstakeEntry[] storage queue = _queues[msg.sender];
        uint64 unlockAt = uint64(block.timestamp) + _unbondingPeriod;
        entryIndex = queue.length;
        if (entryIndex > a.queueHead) {
            uint64 previous = queue[entryIndex - 1].unlockAt;
            if (previous > unlockAt) unlockAt = previous;
        }
        // Cannot overflow: amount <= available <= staked, a uint128.
        a.pendingUnstake += uint128(amount);
        queue.push(UnstakeEntry({amount: uint128(amount), unlockAt: unlockAt}));
        emit StakingUnstakeRequested(msg.sender, entryIndex, amount, unlockAt);
        _refreshWeight(msg.sender, a);
    }

    /// @notice Withdraws the caller's matured unstake entries, oldest first, settling at most
    /// `maxEntries` of them (bounds the gas).
    /// Requirements: `maxEntries` > 0; at least one entry has matured.
    /// @param maxEntries Most entries to settle in this call.
    /// @return amount NEX sent to the caller.
    function withdraw(uint256 maxEntries) external nonReentrant returns (uint256 amount) {
        if (maxEntries == 0) revert StakingZeroAmount();
        Account storage a = _accounts[msg.sender];
        UnstakeEntry[] storage queue = _queues[msg.sender];
        uint256 head = a.queueHead;
        uint256 end = queue.length;
        uint256 settled = 0;
        while (settled < maxEntries && head < end && queue[head].unlockAt <= block.timestamp) {
            amount += queue[head].amount;
            delete queue[head];
            ++head;
            ++settled;
        }
        if (settled == 0) {
            revert StakingNothingToWithdraw(msg.sender, head < end ? queue[head].unlockAt : 0);
        }
        a.queueHead = uint64(head);
        // Cannot underflow: the entries' amounts sum to pendingUnstake <= staked (slashing only takes
        // locked collateral, which is never queued).
        a.pendingUnstake -= uint128(amount);
        a.staked -= uint128(amount);
        emit StakingWithdrawn(msg.sender, amount, settled);
        _refreshWeight(msg.sender, a);
        if (amount > 0) _TOKEN.safeTransfer(msg.sender, amount);
    }

    // ============================================================ OPERATORS

    /// @notice Proposes `operator` as the caller's hot key (address(0) withdraws a proposal). It acts for
    /// the caller only once it accepts ({acceptOperator}).
    /// Requirements: the caller has a stake and is not an operator; `operator` is not the caller, has
    /// no stake and is nobody's operator.
    /// @param operator The proposed operator, or address(0).
    function proposeOperator(address operator) external {
        address owner = _operatorOwner[msg.sender];
        if (owner != address(0)) revert StakingAccountIsOperator(msg.sender, owner);
        if (_accounts[msg.sender].staked == 0) revert StakingNotStaked(msg.sender);
        if (operator != address(0)) _checkOperatorCandidate(operator, msg.sender);
        _proposedOperator[msg.sender] = operator;
        emit StakingOperatorProposed(msg.sender, operator);
    }

    /// @notice Accepts `prover`'s proposal: the caller becomes its operator ({proverOf} returns
    /// `prover` for the caller), replacing any previous operator of `prover`.
    /// Requirements: `prover` proposed the caller; the caller has no stake and is nobody's operator.
    /// @param prover The proposing prover.
    function acceptOperator(address prover) external {
        if (prover == address(0) || _proposedOperator[prover] != msg.sender) {
            revert StakingNotProposed(prover, msg.sender);
        }
        _checkOperatorCandidate(msg.sender, prover);
        delete _proposedOperator[prover];
        Account storage a = _accounts[prover];
        address previous = a.operator;
        if (previous != address(0)) {
            delete _operatorOwner[previous];
            emit StakingOperatorRemoved(prover, previous, false);
        }
        a.operator = msg.sender;
        _operatorOwner[msg.sender] = prover;
        emit StakingOperatorAccepted(prover, msg.sender);
    }

    /// @notice The caller stops being an operator.
    /// Requirements: the caller is an operator.
    function resignOperator() external {
        address prover = _operatorOwner[msg.sender];
        if (prover == address(0)) revert StakingNoOperator(msg.sender);
        delete _operatorOwner[msg.sender];
        delete _accounts[prover].operator;
        emit StakingOperatorRemoved(prover, msg.sender, true);
    }

    /// @notice Removes the caller's operator.
    /// Requirements: the caller has an operator.
    function removeOperator() external {
        Account storage a = _accounts[msg.sender];
        address operator = a.operator;
        if (operator == address(0)) revert StakingNoOperator(msg.sender);
        delete _operatorOwner[operator];
        a.operator = address(0);
        emit StakingOperatorRemoved(msg.sender, operator, false);
    }

    /// @notice Recomputes the draw weight of each listed prover against the current `minStake`, moving
    /// stake whose warm-up has passed into the weight. Permissionless; accounts that never staked are
    /// skipped.
    /// @param provers Provers to refresh.
    function refreshWeights(address[] calldata provers) external {
        for (uint256 i = 0; i < provers.length; ++i) {
            address prover = provers[i];
            Account storage a = _accounts[prover];
            if (a.treeIndex != 0) _refreshWeight(prover, a);
        }
    }

    // ============================================================ MARKET ACTIONS

    /// @inheritdoc IProverStaking
    /// @dev Requirements: MARKET_ROLE; `amount` <= available stake. An amount of 0 is a no-op that
    /// still emits the event.
    function lockCollateral(address prover, uint256 amount) external onlyRole(MARKET_ROLE) {
        Account storage a = _accounts[prover];
        uint256 available = _available(a);
        if (amount > available) revert StakingInsufficientAvailableStake(prover, available, amount);
        // Cannot overflow: locked + amount <= staked, a uint128.
        uint128 locked = a.locked + uint128(amount);
        a.locked = locked;
        emit StakingCollateralLocked(prover, amount, locked);
    }

    /// @inheritdoc IProverStaking
    /// @dev Requirements: MARKET_ROLE; `amount` <= locked.
    function unlockCollateral(address prover, uint256 amount) external onlyRole(MARKET_ROLE) {
        Account storage a = _accounts[prover];
        uint256 locked = a.locked;
        if (amount > locked) revert StakingInsufficientLocked(prover, locked, amount);
        // Cannot truncate: amount <= locked, a uint128.
        a.locked = uint128(locked - amount);
        emit StakingCollateralUnlocked(prover, amount, locked - amount);
    }

    /// @inheritdoc IProverStaking
    /// @dev Requirements: MARKET_ROLE; `amount` <= locked; `beneficiary` non-zero. Available stake and
    /// pending unstakes are never touched: the market can take only the collateral it locked.
    /// `burned = amount * slashBurnBps / 10000` is burnt through the token's `burn`, `rewarded =
    /// amount - burned` is transferred to `beneficiary`.
    function slashCollateral(
        address prover,
        uint256 amount,
        address beneficiary
    ) external onlyRole(MARKET_ROLE) nonReentrant returns (uint256 burned, uint256 rewarded) {
        if (beneficiary == address(0)) revert StakingZeroAddress("beneficiary");
        Account storage a = _accounts[prover];
        uint256 locked = a.locked;
        if (amount > locked) revert StakingInsufficientLocked(prover, locked, amount);
        // Cannot truncate or underflow: amount <= locked <= staked, both uint128.
        a.locked = uint128(locked - amount);
        a.staked -= uint128(amount);

        burned = (amount * _slashBurnBps) / BPS;
        rewarded = amount - burned;
        emit StakingSlashed(prover, amount, burned, rewarded, beneficiary);
        _refreshWeight(prover, a);

        if (burned != 0) _TOKEN.burn(burned);
        if (rewarded != 0) _TOKEN.safeTransfer(beneficiary, rewarded);
    }

    // ============================================================ ADMIN

    /// @notice Sets the minimum active stake for eligibility and draw weight. Weights refresh lazily
    /// (see the contract notes and {refreshWeights}).
    /// Requirements: DEFAULT_ADMIN_ROLE; `newMinStake` > 0.
    /// @param newMinStake The new minimum, in NEX wei.
    function setMinStake(uint256 newMinStake) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newMinStake == 0) revert StakingInvalidMinStake(newMinStake);
        _minStake = newMinStake;
        _emitParams();
    }

    /// @notice Sets the unbonding period for new unstake requests (queued entries keep their
    /// `unlockAt`).
    /// Requirements: DEFAULT_ADMIN_ROLE; 0 < `newPeriod` <= {MAX_UNBONDING_PERIOD}; when a market is
    /// set, `newPeriod` > `market.maxJobLifetime()`.
    /// @param newPeriod Seconds.
    function setUnbondingPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newPeriod == 0 || newPeriod > MAX_UNBONDING_PERIOD) revert StakingInvalidUnbondingPeriod(newPeriod);
        _checkOutlastsJobs(_market, newPeriod);
        _unbondingPeriod = newPeriod;
        _emitParams();
    }

    /// @notice Sets the burn share of slashes, in basis points (the rest goes to the beneficiary).
    /// Requirements: DEFAULT_ADMIN_ROLE; `newBps` <= 10000.
    /// @param newBps Burn share in bps.
    function setSlashBurnBps(uint16 newBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newBps > BPS) revert StakingInvalidBps(newBps);
        _slashBurnBps = newBps;
        _emitParams();
    }

    /// @notice Sets how long stake added from now on waits before it weighs in the draw (0: at once,
    /// for local devnets only; production keeps it above 256 blocks).
    /// Requirements: DEFAULT_ADMIN_ROLE; `newWarmup` <= {MAX_WEIGHT_WARMUP}.
    /// @param newWarmup Seconds.
    function setWeightWarmup(uint32 newWarmup) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newWarmup > MAX_WEIGHT_WARMUP) revert StakingInvalidWarmup(newWarmup);
        _weightWarmup = newWarmup;
        _emitParams();
    }

    /// @notice Grants MARKET_ROLE to `newMarket` and records it as the market whose
    /// `maxJobLifetime` bounds the unbonding period. A previous market keeps its role (it may still
    /// hold locks to release) until the admin revokes it with `revokeRole`.
    /// Requirements: DEFAULT_ADMIN_ROLE; `newMarket` non-zero; the current unbonding period exceeds
    /// `newMarket.maxJobLifetime()`.
    /// @param newMarket The aggregation market.
    function setMarket(address newMarket) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newMarket == address(0)) revert StakingZeroAddress("market");
        _checkOutlastsJobs(newMarket, _unbondingPeriod);
        _market = newMarket;
        _grantRole(MARKET_ROLE, newMarket);
        emit StakingMarketSet(newMarket);
    }

    // ============================================================ VIEWS

    /// @inheritdoc IProverStaking
    function proverOf(address account) external view returns (address prover) {
        if (_accounts[account].staked != 0) return account;
        return _operatorOwner[account];
    }

    /// @inheritdoc IProverStaking
    function isEligible(address prover) public view returns (bool) {
        Account storage a = _accounts[prover];
        return a.staked - a.pendingUnstake >= _minStake;
    }

    /// @inheritdoc IProverStaking
    function canLock(address prover, uint256 amount) external view returns (bool) {
        Account storage a = _accounts[prover];
        return a.staked - a.pendingUnstake >= _minStake && _available(a) >= amount;
    }

    /// @inheritdoc IProverStaking
    /// @dev Draws `seed % totalWeight()` in the sum tree. Returns address(0) when the total weight is
    /// 0, or when the drawn prover is not eligible under the current `minStake` (its weight is stale).
    function selectProver(uint256 seed) external view returns (address prover) {
        uint256 total = _tree.total;
        if (total == 0) return address(0);
        prover = _proverAt[_tree.find(seed % total)];
        if (!isEligible(prover)) return address(0);
    }

    /// @inheritdoc IProverStaking
    function availableStake(address prover) external view returns (uint256) {
        return _available(_accounts[prover]);
    }

    /// @inheritdoc IProverStaking
    function unbondingPeriod() external view returns (uint64) {
        return _unbondingPeriod;
    }

    /// @notice `prover`'s stake: `staked` (everything held, pending unstakes included), `locked`
    /// collateral and `pendingUnstake`.
    /// @param prover The prover.
    /// @return staked All its NEX held here.
    /// @return locked Its job collateral.
    /// @return pendingUnstake Its queued unstakes.
    function stakeOf(address prover) external view returns (uint256 staked, uint256 locked, uint256 pendingUnstake) {
        Account storage a = _accounts[prover];
        return (a.staked, a.locked, a.pendingUnstake);
    }

    /// @notice Stake of `prover` not yet in its draw weight, and when it starts to weigh (once refreshed).
    /// @param prover The prover.
    /// @return amount NEX warming up (0 once refreshed after `warmAt`).
    /// @return warmAt When it weighs.
    function warmingOf(address prover) external view returns (uint256 amount, uint64 warmAt) {
        Account storage a = _accounts[prover];
        return (a.warming, a.warmAt);
    }

    /// @notice `prover`'s accepted operator (address(0) when none).
    /// @param prover The prover.
    /// @return The operator.
    function operatorOf(address prover) external view returns (address) {
        return _accounts[prover].operator;
    }

    /// @notice The operator `prover` proposed and that has not accepted yet (address(0) when none).
    /// @param prover The prover.
    /// @return The proposed operator.
    function proposedOperatorOf(address prover) external view returns (address) {
        return _proposedOperator[prover];
    }

    /// @notice `prover`'s unwithdrawn unstake entries, oldest first; the first one has entry index
    /// {unstakeQueueHead}.
    /// @param prover The prover.
    /// @return entries The entries.
    function unstakeQueue(address prover) external view returns (UnstakeEntry[] memory entries) {
        UnstakeEntry[] storage queue = _queues[prover];
        uint256 head = _accounts[prover].queueHead;
        entries = new UnstakeEntry[](queue.length - head);
        for (uint256 i = 0; i < entries.length; ++i) {
            entries[i] = queue[head + i];
        }
    }

    /// @notice Entry index of the oldest unwithdrawn entry in `prover`'s unstake queue.
    /// @param prover The prover.
    /// @return The index.
    function unstakeQueueHead(address prover) external view returns (uint256) {
        return _accounts[prover].queueHead;
    }

    /// @notice Sum of all draw weights (the modulus of {selectProver}'s draw).
    /// @return The total weight.
    function totalWeight() external view returns (uint256) {
        return _tree.total;
    }

    /// @notice `prover`'s draw weight as last refreshed (0 for accounts that never staked).
    /// @param prover The prover.
    /// @return The weight.
    function weightOf(address prover) external view returns (uint256) {
        uint256 index = _accounts[prover].treeIndex;
        return index == 0 ? 0 : _tree.weightOf(index);
    }

    /// @notice Number of provers that ever staked (size of the draw tree).
    /// @return The count.
    function proverCount() external view returns (uint256) {
        return _tree.size();
    }

    /// @notice The prover at 1-based draw-tree `index`.
    /// @param index The tree index.
    /// @return The prover.
    function proverAt(uint256 index) external view returns (address) {
        return _proverAt[index];
    }

    /// @notice Minimum active stake (staked - pendingUnstake) to be eligible.
    /// @return The minimum.
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @notice Burn share of slashes, in basis points.
    /// @return The share.
    function slashBurnBps() external view returns (uint16) {
        return _slashBurnBps;
    }

    /// @notice Seconds before added stake weighs in the draw.
    /// @return The warm-up.
    function weightWarmup() external view returns (uint32) {
        return _weightWarmup;
    }

    /// @notice The market recorded by {setMarket} (address(0) before).
    /// @return The market.
    function market() external view returns (address) {
        return _market;
    }

    /// @notice The NEX token.
    /// @return The token.
    function token() external view returns (INexToken) {
        return _TOKEN;
    }

    // ============================================================ INTERNALS

    function _stake(address prover, uint256 amount) private {
        if (amount == 0) revert StakingZeroAmount();
        address owner = _operatorOwner[prover];
        if (owner != address(0)) revert StakingAccountIsOperator(prover, owner);
        Account storage a = _accounts[prover];
        if (a.treeIndex == 0) {
            uint256 index = _tree.append(0);
            a.treeIndex = SafeCast.toUint32(index);
            _proverAt[index] = prover;
        }
        uint128 staked = a.staked + SafeCast.toUint128(amount);
        a.staked = staked;
        uint64 warmAt = uint64(block.timestamp);
        uint32 warmup = _weightWarmup;
        if (warmup != 0) {
            // Stake whose warm-up passed joins the weight first; the new amount (with any still warming)
            // waits a full warm-up from now.
            if (a.warmAt <= block.timestamp) a.warming = 0;
            warmAt += warmup;
            a.warming += uint128(amount);
            a.warmAt = warmAt;
        }
        emit StakingStaked(prover, amount, staked, warmAt);
        _refreshWeight(prover, a);
        _TOKEN.safeTransferFrom(prover, address(this), amount);
    }

    /// @dev `operator` may act for `prover`: not `prover`, no stake, nobody else's operator.
    function _checkOperatorCandidate(address operator, address prover) private view {
        if (operator == prover || _accounts[operator].staked != 0) revert StakingInvalidOperator(operator);
        address owner = _operatorOwner[operator];
        if (owner != address(0) && owner != prover) revert StakingInvalidOperator(operator);
    }

    function _refreshWeight(address prover, Account storage a) private {
        uint256 index = a.treeIndex;
        if (index == 0) return; // never staked: nothing to weigh
        uint256 active = a.staked - a.pendingUnstake;
        uint256 warming = a.warming;
        if (warming != 0) {
            if (a.warmAt <= block.timestamp) warming = 0;
            else if (warming > active) warming = active; // an unstake or slash took part of it
            if (warming != a.warming) a.warming = uint128(warming);
        }
        uint256 basis = active - warming;
        uint256 weight = basis >= _minStake ? basis : 0;
        if (_tree.weightOf(index) != weight) {
            _tree.set(index, weight);
            emit StakingWeightUpdated(prover, weight);
        }
    }

    function _available(Account storage a) private view returns (uint256) {
        return a.staked - a.locked - a.pendingUnstake;
    }

    function _emitParams() private {
        emit StakingParamsUpdated(_minStake, _unbondingPeriod, _slashBurnBps, _weightWarmup);
    }

    function _checkOutlastsJobs(address market_, uint64 period) private view {
        if (market_ == address(0)) return;
        uint64 lifetime = IJobLifetime(market_).maxJobLifetime();
        if (period <= lifetime) revert StakingUnbondingPeriodTooShort(period, lifetime);
    }
}
