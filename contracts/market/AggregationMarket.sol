// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAggregationMarket} from "../interfaces/IAggregationMarket.sol";
import {IJobLifetime} from "../interfaces/IJobLifetime.sol";
import {INexCallback} from "../interfaces/INexCallback.sol";
import {IProverStaking} from "../interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../interfaces/IVerifierRouter.sol";
import {BatchCommitment} from "../libraries/BatchCommitment.sol";
import {SubmissionId} from "../libraries/SubmissionId.sol";

/// @title AggregationMarket
/// @notice Escrow and bookkeeping of the NEX proof-aggregation market. Rollups submit proofs (fee in
/// ETH) that fill batches of up to 32 slots; a staked prover locks a sealed batch, proves one recursive
/// proof of the batch root and is paid the fees (pull payment). Unverified submissions are refundable
/// when excluded from a fulfilment or when their batch expires; anyone may trigger a refund (the fee
/// always goes to the submitter), which frees the statement. See docs/protocol.md.
/// @dev Gas layout: `Pausable._paused` shares its slot with the open-batch pointer and the parameters
/// `submit` reads, so a submission touches one slot of market state, the program slot, the open
/// batch's first slot, its statement slot and its digest slot. A fulfilment touches, besides the
/// batch and its slots' digests and statements, one program-id slot per distinct program (with a
/// has-callback bit), the prover's earnings and the treasury slot (which accrues the protocol fee).
contract AggregationMarket is IAggregationMarket, AccessControl, Pausable, ReentrancyGuardTransient {
    /// @notice Role allowed to pause and unpause new registrations and submissions.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Upper bound on the protocol fee share (50%).
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 5_000;
    /// @notice Upper bound on the gas of one program callback.
    uint32 public constant MAX_CALLBACK_GAS_LIMIT = 500_000;
    /// @notice Gas kept back for the caller's own bookkeeping around each callback.
    uint256 private constant _CALLBACK_GAS_RESERVE = 10_000;
    uint256 private constant _BPS = 10_000;
    /// @dev The edges of the batch state machine (docs/protocol.md, "A batch"): bit `8 * from + to` is set
    /// for each edge, with None = 0, Open = 1, Sealed = 2, Locked = 3, Fulfilled = 4 (`Expired`, 5, is never
    /// stored: views derive it). Literal numbers: an enum conversion would not be a compile-time constant.
    uint256 private constant _BATCH_EDGES =
        (1 << (8 * 0 + 1)) // None -> Open: first submission
            | (1 << (8 * 1 + 2)) // Open -> Sealed: full, or timed out
            | (1 << (8 * 2 + 3)) // Sealed -> Locked: lock
            | (1 << (8 * 3 + 4)) // Locked -> Fulfilled: fulfill
            | (1 << (8 * 3 + 2)); // Locked -> Sealed: slash
    bytes32 private constant _HAS_CALLBACK = bytes32(uint256(1) << 255);
    /// @notice Public-input counts the version-1 aggregation circuits take (leaf circuits for 1, 2 and 4
    /// inputs): bit n - 1 set = count n. The initial value of {aggregatableInputCounts}.
    uint32 public constant DEFAULT_AGGREGATABLE_INPUT_COUNTS = (1 << 0) | (1 << 1) | (1 << 3);

    IProverStaking private immutable _STAKING;
    IVerifierRouter private immutable _ROUTER;

    // ----- slot shared with Pausable._paused (read by every submission) -----
    uint32 private _currentBatchId; // the batch being filled (or the next one when it is still empty)
    uint96 private _minFeePerProof;
    uint8 private _batchCapacity;
    uint32 private _batchTimeout;
    uint32 private _assignmentWindow;
    uint32 private _callbackGasLimit; // (also read by fulfilments that run callbacks)
    // ----- one slot: the rest of the parameters -----
    uint32 private _provingWindowBase;
    uint32 private _provingWindowPerProof;
    uint32 private _secondaryWindow;
    uint32 private _submissionTtl;
    uint96 private _collateralPerProof;
    uint24 private _programCount;
    // ----- one slot, read and written once per fulfilment -----
    address private _treasury;
    uint16 private _protocolFeeBps;
    uint80 private _treasuryAccrued; // protocol fees not yet claimed by the treasury (see _creditProtocolFee)
    // ----- one slot, read by registrations only -----
    uint32 private _aggregatableInputCounts; // bit n - 1 set = programs with n public inputs can register

    mapping(bytes32 programId => Program) private _programs;
    /// @dev programId | _HAS_CALLBACK when the program has a callback: a fulfilment learns both from the
    /// one slot it reads per program anyway (program ids are field elements, so bit 255 is free).
    mapping(uint24 index => bytes32 programIdAndFlag) private _programIds;
    mapping(bytes32 digest => Statement) private _statements;
    mapping(uint256 submissionId => bytes32 digest) private _digests;
    mapping(uint256 batchId => Batch) private _batches;
    mapping(address account => uint256) private _earnings;

    /// @dev What the fulfilment pass over a batch's slots returns (see _verifySlots).
    struct Verification {
        bytes32[] leaves; // the batch tree leaves (capacity entries)
        uint24[] programIndexes; // per slot, of included slots only
        uint32 included; // selected slots that still had a digest
        uint256 fees; // sum of the included statements' fees
        bool anyCallback; // some included submission's program has a callback
    }

    /// @notice Deploys the market; batch 1 is the first to fill.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (hand it to a TimelockController).
    /// @param pauser Receives PAUSER_ROLE (may be address(0)).
    /// @param staking_ The ProverStaking contract (this market needs its market role).
    /// @param router_ The VerifierRouter.
    /// @param treasury_ Receives the protocol fee (as claimable earnings).
    /// @param initialParams Market parameters, validated as in {setParams}.
    constructor(
        address admin,
        address pauser,
        IProverStaking staking_,
        IVerifierRouter router_,
        address treasury_,
        Params memory initialParams
    ) {
        if (address(staking_) == address(0) || address(router_) == address(0)) revert MarketZeroAddress();
        _STAKING = staking_;
        _ROUTER = router_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (pauser != address(0)) _grantRole(PAUSER_ROLE, pauser);
        _currentBatchId = 1;
        _setAggregatableInputCounts(DEFAULT_AGGREGATABLE_INPUT_COUNTS);
        _setTreasury(treasury_);
        _setParams(initialParams);
    }

    /// @notice The default parameters (docs/protocol.md, "Parameters").
    function defaultParams() external pure returns (Params memory) {
        return
            Params({
                minFeePerProof: 0.0001 ether,
                batchCapacity: 8,
                batchTimeout: 300,
                assignmentWindow: 120,
                provingWindowBase: 600,
                provingWindowPerProof: 120,
                secondaryWindow: 1800,
                submissionTtl: 86_400,
                collateralPerProof: 10e18,
                protocolFeeBps: 500,
                callbackGasLimit: 100_000
            });
    }

    // =====================================================================================
    // PROGRAMS
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function registerProgram(bytes32 vkHash, bytes calldata vk, uint32 publicInputCount) external whenNotPaused {
        if (!BatchCommitment.isCanonical(vkHash)) revert MarketNonCanonicalProgramId(vkHash);
        if (publicInputCount == 0 || publicInputCount > BatchCommitment.MAX_CAPACITY) {
            revert MarketInvalidPublicInputCount(publicInputCount);
        }
        uint32 aggregatable = _aggregatableInputCounts;
        if ((aggregatable >> (publicInputCount - 1)) & 1 == 0) {
            revert MarketUnsupportedPublicInputCount(publicInputCount, aggregatable);
        }
        if (vk.length == 0) revert MarketEmptyVerificationKey();
        Program storage program = _programs[vkHash];
        if (program.owner != address(0)) revert MarketProgramExists(vkHash);
        uint24 index = ++_programCount; // reverts (checked arithmetic) after 2^24 - 1 programs
        program.owner = msg.sender;
        program.publicInputCount = publicInputCount;
        program.index = index;
        _programIds[index] = vkHash;
        emit ProgramRegistered(vkHash, msg.sender, publicInputCount, index, vk);
    }

    /// @inheritdoc IAggregationMarket
    function setProgramCallback(bytes32 programId, address callback) external {
        Program storage program = _ownedProgram(programId);
        program.callback = callback;
        _programIds[program.index] = callback == address(0) ? programId : programId | _HAS_CALLBACK;
        emit ProgramCallbackSet(programId, callback);
    }

    /// @inheritdoc IAggregationMarket
    function transferProgramOwnership(bytes32 programId, address newOwner) external {
        if (newOwner == address(0)) revert MarketZeroAddress();
        _ownedProgram(programId).owner = newOwner;
        emit ProgramOwnershipTransferred(programId, msg.sender, newOwner);
    }

    // =====================================================================================
    // SUBMISSIONS
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function submit(
        bytes32 programId,
        bytes32[] calldata publicInputs,
        bytes calldata proof
    ) external payable whenNotPaused returns (uint256 submissionId) {
        return _submit(programId, publicInputs, proof, msg.value);
    }

    /// @inheritdoc IAggregationMarket
    function submitMany(
        bytes32[] calldata programIds,
        bytes32[][] calldata publicInputs,
        bytes[] calldata proofs,
        uint256[] calldata fees
    ) external payable whenNotPaused returns (uint256[] memory submissionIds) {
        uint256 n = programIds.length;
        if (n == 0 || publicInputs.length != n || proofs.length != n || fees.length != n) revert MarketLengthMismatch();
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            sum += fees[i];
        }
        if (sum != msg.value) revert MarketFeeMismatch(sum, msg.value);
        submissionIds = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            submissionIds[i] = _submit(programIds[i], publicInputs[i], proofs[i], fees[i]);
        }
    }

    /// @inheritdoc IAggregationMarket
    function refund(uint256 submissionId) external nonReentrant {
        uint256 amount = _takeRefund(submissionId);
        if (amount != 0) _sendValue(msg.sender, amount, true);
    }

    /// @inheritdoc IAggregationMarket
    function refundMany(uint256[] calldata submissionIds) external nonReentrant {
        uint256 total;
        for (uint256 i; i < submissionIds.length; ++i) {
            total += _takeRefund(submissionIds[i]);
        }
        if (total != 0) _sendValue(msg.sender, total, true);
    }

    // =====================================================================================
    // BATCHES
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function seal(uint256 batchId) external {
        Batch storage b = _batches[batchId];
        if (batchId != _currentBatchId || b.count == 0) revert MarketBatchNotOpen(batchId);
        uint64 sealableAt = uint64(b.openedAt) + _batchTimeout;
        if (block.timestamp < sealableAt) revert MarketBatchTimeoutNotReached(batchId, sealableAt);
        _seal(batchId);
    }

    /// @inheritdoc IAggregationMarket
    function lock(uint256 batchId) external nonReentrant {
        address prover = _STAKING.proverOf(msg.sender);
        if (prover == address(0)) revert MarketNotEligible(msg.sender);
        if (!_STAKING.isEligible(prover)) revert MarketNotEligible(prover);
        Batch storage b = _batches[batchId];
        if (b.state != BatchState.Sealed) revert MarketUnexpectedBatchState(batchId, b.state);
        address assigned = b.assigned;
        if (
            assigned != address(0) && assigned != prover && block.timestamp <= uint256(b.sealedAt) + _assignmentWindow
        ) {
            revert MarketNotAssignedProver(batchId, assigned);
        }
        uint32 version = b.version;
        if (!_ROUTER.isUsable(version)) revert MarketVersionNotUsable(version);
        uint256 count = b.count;
        if (b.refundedMask == _filledMask(count)) revert MarketNothingIncluded(batchId);
        uint64 lockDeadline = uint64(block.timestamp) + _provingWindow(count);
        uint64 finalDeadline = lockDeadline + _secondaryWindow;
        uint64 expiry = uint64(b.openedAt) + _submissionTtl;
        if (finalDeadline > expiry) revert MarketBatchTooCloseToExpiry(batchId, finalDeadline, expiry);
        // Cannot truncate: setParams bounds collateralPerProof * 32 by type(uint96).max.
        uint96 collateral = uint96(_collateralPerProof * count);

        _setState(batchId, b, BatchState.Locked);
        b.lockDeadline = uint40(lockDeadline);
        b.finalDeadline = uint40(finalDeadline);
        b.locker = prover;
        b.collateral = collateral;
        emit BatchLocked(batchId, prover, lockDeadline, finalDeadline, collateral);

        _STAKING.lockCollateral(prover, collateral);
    }

    /// @inheritdoc IAggregationMarket
    function fulfill(uint256 batchId, bytes calldata proof, uint32 excludedMask) external nonReentrant {
        Batch storage b = _batches[batchId];
        (address prover, bool late) = _authorizeFulfil(batchId, b);
        uint256 count = b.count;
        if (excludedMask & ~_filledMask(count) != 0) revert MarketInvalidExcludedMask(excludedMask);
        // One pass over the slots builds the leaves and applies the included statements' effects
        // (Verified, digest freed, events) before the proof is checked: an invalid proof reverts them
        // all, and the router call is a STATICCALL, so doing the effects first is safe and saves a
        // second pass. Refunded slots have no digest any more and are dropped from the included set.
        Verification memory v = _verifySlots(batchId, b.capacity, count, excludedMask);
        if (v.included == 0) revert MarketNothingIncluded(batchId);
        if (!_ROUTER.verifyAggregation(b.version, proof, BatchCommitment.root(v.leaves), prover)) {
            revert MarketInvalidProof(batchId);
        }

        // Remaining effects, then the trusted staking contract, then the untrusted callbacks.
        _setState(batchId, b, BatchState.Fulfilled);
        b.includedMask = v.included;
        _settle(batchId, b, prover, late, v.included, v.fees);
        if (v.anyCallback) _runCallbacks(batchId, v);
    }

    /// @inheritdoc IAggregationMarket
    function slash(uint256 batchId) external nonReentrant {
        Batch storage b = _batches[batchId];
        if (b.state != BatchState.Locked) revert MarketUnexpectedBatchState(batchId, b.state);
        uint64 finalDeadline = b.finalDeadline;
        if (block.timestamp <= finalDeadline) revert MarketSlashTooEarly(batchId, finalDeadline);
        address locker = b.locker;
        uint96 collateral = b.collateral;

        _setState(batchId, b, BatchState.Sealed);
        b.lockDeadline = 0;
        b.finalDeadline = 0;
        b.assigned = address(0);
        b.locker = address(0);
        b.collateral = 0;

        if (_ROUTER.isUsable(b.version)) {
            (uint256 burned, uint256 rewarded) = _STAKING.slashCollateral(locker, collateral, msg.sender);
            emit BatchSlashed(batchId, locker, msg.sender, burned, rewarded);
        } else {
            // The locker could not have fulfilled: its version was frozen or removed under it.
            emit LockReleased(batchId, locker, collateral);
            _STAKING.unlockCollateral(locker, collateral);
        }
    }

    // =====================================================================================
    // EARNINGS
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function claimEarnings() external nonReentrant {
        _claim(msg.sender);
    }

    /// @inheritdoc IAggregationMarket
    function claimEarnings(address to) external nonReentrant {
        if (to == address(0)) revert MarketZeroAddress();
        _claim(to);
    }

    // =====================================================================================
    // ADMIN
    // =====================================================================================

    /// @notice Replaces the market parameters. Admin only. Existing batches keep their capacity,
    /// version and deadlines; expiry follows the new `submissionTtl`.
    /// @param newParams The parameters (bounds in docs/protocol.md, "Parameters").
    function setParams(Params calldata newParams) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(newParams);
    }

    /// @notice Sets which public-input counts new programs may have (bit n - 1 set = count n), to match
    /// the leaf circuits of the router's current version: a program whose count no circuit aggregates
    /// would only ever see its submissions excluded and refunded. Already registered programs keep
    /// their count. Admin only; the mask must be non-zero.
    /// @param mask Bit n - 1 set = count n.
    function setAggregatableInputCounts(uint32 mask) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setAggregatableInputCounts(mask);
    }

    /// @notice Sets the account credited with the protocol fee. Admin only. Protocol fees accrued to the
    /// outgoing treasury stay claimable by it (moved to its earnings).
    /// @param treasury_ The new treasury (not zero).
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @notice Stops registerProgram, submit and submitMany. Pauser only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes registerProgram, submit and submitMany. Pauser only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // =====================================================================================
    // VIEWS
    // =====================================================================================

    /// @notice The ProverStaking contract.
    function staking() external view returns (IProverStaking) {
        return _STAKING;
    }

    /// @notice The VerifierRouter.
    function router() external view returns (IVerifierRouter) {
        return _ROUTER;
    }

    /// @notice Public-input counts new programs may have: bit n - 1 set = count n.
    function aggregatableInputCounts() external view returns (uint32) {
        return _aggregatableInputCounts;
    }

    /// @notice The account credited with the protocol fee.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IAggregationMarket
    function programs(
        bytes32 programId
    ) external view returns (address owner, uint32 publicInputCount, uint24 index, address callback) {
        Program storage p = _programs[programId];
        return (p.owner, p.publicInputCount, p.index, p.callback);
    }

    /// @inheritdoc IAggregationMarket
    function programIdAt(uint24 index) external view returns (bytes32) {
        return _programIds[index] & ~_HAS_CALLBACK;
    }

    /// @inheritdoc IAggregationMarket
    function getBatch(uint256 batchId) external view returns (Batch memory batch) {
        Batch storage stored = _batches[batchId];
        batch = stored;
        if (_isExpired(stored)) batch.state = BatchState.Expired;
    }

    /// @inheritdoc IAggregationMarket
    function openBatchId() external view returns (uint256) {
        uint256 batchId = _currentBatchId;
        return _batches[batchId].count == 0 ? 0 : batchId;
    }

    /// @inheritdoc IAggregationMarket
    function digestOf(uint256 submissionId) external view returns (bytes32) {
        return _digests[submissionId];
    }

    /// @inheritdoc IAggregationMarket
    function statementOf(bytes32 digest) external view returns (Statement memory) {
        return _statements[digest];
    }

    /// @inheritdoc IAggregationMarket
    function isVerified(bytes32 programId, bytes32[] calldata publicInputs) external view returns (bool) {
        return _statements[BatchCommitment.digest(programId, publicInputs)].status == StatementStatus.Verified;
    }

    /// @inheritdoc IAggregationMarket
    function isSubmissionVerified(uint256 submissionId) external view returns (bool) {
        uint256 slot = SubmissionId.slotOf(submissionId);
        Batch storage b = _batches[SubmissionId.batchOf(submissionId)];
        return b.state == BatchState.Fulfilled && (b.includedMask >> slot) & 1 == 1;
    }

    /// @inheritdoc IAggregationMarket
    function isRefundable(uint256 submissionId) external view returns (bool) {
        uint256 slot = SubmissionId.slotOf(submissionId);
        return _isRefundable(_batches[SubmissionId.batchOf(submissionId)], slot);
    }

    /// @inheritdoc IAggregationMarket
    function batchExpiry(uint256 batchId) external view returns (uint64) {
        uint40 openedAt = _batches[batchId].openedAt;
        return openedAt == 0 ? 0 : uint64(openedAt) + _submissionTtl;
    }

    /// @inheritdoc IAggregationMarket
    function provingWindow(uint256 size) external view returns (uint64) {
        return _provingWindow(size);
    }

    /// @inheritdoc IJobLifetime
    function maxJobLifetime() external view returns (uint64) {
        return _provingWindow(BatchCommitment.MAX_CAPACITY) + _secondaryWindow;
    }

    /// @inheritdoc IAggregationMarket
    function batchRoot(uint256 batchId, uint32 excludedMask) external view returns (bytes32) {
        Batch storage b = _batches[batchId];
        uint256 count = b.count;
        (bytes32[] memory leaves, ) = _leaves(batchId, b.capacity, count, _filledMask(count) & ~excludedMask);
        return BatchCommitment.root(leaves);
    }

    /// @inheritdoc IAggregationMarket
    function earnings(address account) external view returns (uint256) {
        if (account == _treasury) return _earnings[account] + _treasuryAccrued;
        return _earnings[account];
    }

    /// @inheritdoc IAggregationMarket
    function params() external view returns (Params memory) {
        return
            Params({
                minFeePerProof: _minFeePerProof,
                batchCapacity: _batchCapacity,
                batchTimeout: _batchTimeout,
                assignmentWindow: _assignmentWindow,
                provingWindowBase: _provingWindowBase,
                provingWindowPerProof: _provingWindowPerProof,
                secondaryWindow: _secondaryWindow,
                submissionTtl: _submissionTtl,
                collateralPerProof: _collateralPerProof,
                protocolFeeBps: _protocolFeeBps,
                callbackGasLimit: _callbackGasLimit
            });
    }

    // =====================================================================================
    // INTERNAL: submissions
    // =====================================================================================

    function _submit(
        bytes32 programId,
        bytes32[] calldata publicInputs,
        bytes calldata proof,
        uint256 fee
    ) private returns (uint256 submissionId) {
        (bytes32 digest, uint24 programIndex) = _checkSubmission(programId, publicInputs, proof, fee);
        (uint256 batchId, uint256 slot, bool full) = _claimSlot();
        submissionId = SubmissionId.pack(batchId, slot);
        _storeStatement(digest, fee, programIndex);
        _digests[submissionId] = digest;
        emit Submitted(submissionId, programId, msg.sender, digest, _calldataHash(proof), fee);
        if (full) _seal(batchId);
    }

    /// @dev `_statements[digest] = Statement(msg.sender, uint64(fee), programIndex, Pending)` as one SSTORE
    /// (the struct fills its slot; Solidity would read-modify-write it field by field). The layout is
    /// checked by the statementOf tests: submitter bits 0-159, fee 160-223, programIndex 224-247, status 248-255.
    function _storeStatement(bytes32 digest, uint256 fee, uint24 programIndex) private {
        // fee <= type(uint64).max is checked in _checkSubmission.
        uint256 packed =
            uint256(uint160(msg.sender))
                | (fee << 160)
                | (uint256(programIndex) << 224)
                | (uint256(uint8(StatementStatus.Pending)) << 248);
        assembly ("memory-safe") {
            mstore(0x00, digest)
            mstore(0x20, _statements.slot)
            sstore(keccak256(0x00, 0x40), packed)
        }
    }

    /// @dev Validates a submission and returns its statement digest and program index.
    function _checkSubmission(
        bytes32 programId,
        bytes32[] calldata publicInputs,
        bytes calldata proof,
        uint256 fee
    ) private view returns (bytes32 digest, uint24 programIndex) {
        uint256 minFee = _minFeePerProof;
        if (fee < minFee) revert MarketFeeBelowFloor(fee, minFee);
        if (fee > type(uint64).max) revert MarketFeeTooHigh(fee);
        if (proof.length == 0) revert MarketEmptyProof();
        Program storage program = _programs[programId];
        if (program.owner == address(0)) revert MarketUnknownProgram(programId);
        uint256 count = publicInputs.length;
        if (count != program.publicInputCount) {
            revert MarketPublicInputCountMismatch(programId, program.publicInputCount, count);
        }
        for (uint256 i; i < count; ++i) {
            if (!BatchCommitment.isCanonical(publicInputs[i])) revert MarketNonCanonicalPublicInput(i, publicInputs[i]);
        }
        digest = BatchCommitment.digest(programId, publicInputs);
        StatementStatus status = _statements[digest].status;
        if (status == StatementStatus.Pending) revert MarketStatementPending(digest);
        if (status == StatementStatus.Verified) revert MarketAlreadyVerified(digest);
        programIndex = program.index;
    }

    /// @dev Takes the next slot of the open batch, opening a batch when needed and sealing a timed-out
    /// one first. `full` tells the caller to seal after recording the submission.
    function _claimSlot() private returns (uint256 batchId, uint256 slot, bool full) {
        batchId = _currentBatchId;
        Batch storage b = _batches[batchId];
        slot = b.count;
        if (slot == 0) {
            _open(batchId, b);
        } else if (block.timestamp >= uint256(b.openedAt) + _batchTimeout) {
            _seal(batchId);
            ++batchId;
            b = _batches[batchId];
            _open(batchId, b);
            slot = 0;
        }
        // Cannot overflow: slot < capacity <= 32.
        b.count = uint8(slot + 1);
        full = slot + 1 == b.capacity;
    }

    function _open(uint256 batchId, Batch storage b) private {
        _setState(batchId, b, BatchState.Open);
        b.capacity = _batchCapacity;
        b.openedAt = uint40(block.timestamp);
    }

    function _seal(uint256 batchId) private {
        uint32 version = _ROUTER.currentVersion();
        uint256 seed = uint256(keccak256(abi.encode(blockhash(block.number - 1), batchId)));
        address assigned = _STAKING.selectProver(seed);
        Batch storage b = _batches[batchId];
        _setState(batchId, b, BatchState.Sealed);
        b.version = version;
        b.sealedAt = uint40(block.timestamp);
        b.assigned = assigned;
        _currentBatchId = uint32(batchId + 1); // 2^32 batches: centuries at one batch per second
        emit BatchSealed(batchId, version, b.count, assigned, uint64(block.timestamp) + _assignmentWindow);
    }

    /// @dev Checks and effects of a refund, by anyone. Frees the statement (so it can be posted again)
    /// and returns the amount to send to msg.sender: the fee when msg.sender is the submitter; otherwise
    /// 0, the fee being credited to the submitter's earnings (pull payment). This is what stops statement
    /// squatting: a squatter's excluded or expired submission is freed by whoever needs the statement,
    /// without sending ETH to the squatter or letting the caller take it.
    function _takeRefund(uint256 submissionId) private returns (uint256 toCaller) {
        (uint256 batchId, uint256 slot) = SubmissionId.unpack(submissionId);
        Batch storage b = _batches[batchId];
        if (slot >= b.count) revert MarketUnknownSubmission(submissionId);
        if (!_isRefundable(b, slot)) revert MarketNotRefundable(submissionId);
        bytes32 digest = _digests[submissionId];
        Statement storage statement = _statements[digest];
        address submitter = statement.submitter;
        uint256 amount = statement.fee;
        b.refundedMask |= uint32(1 << slot);
        delete _statements[digest];
        delete _digests[submissionId];
        emit Refunded(submissionId, submitter, amount);
        if (submitter == msg.sender) return amount;
        _earnings[submitter] += amount;
        emit RefundCredited(submissionId, submitter, msg.sender, amount);
    }

    // =====================================================================================
    // INTERNAL: fulfilment
    // =====================================================================================

    /// @dev Who may fulfil now: the locker (or its operator) up to lockDeadline, then any eligible
    /// prover up to finalDeadline. Returns the prover the proof must be bound to.
    function _authorizeFulfil(uint256 batchId, Batch storage b) private view returns (address prover, bool late) {
        prover = _STAKING.proverOf(msg.sender);
        if (prover == address(0)) revert MarketNotEligible(msg.sender);
        if (b.state != BatchState.Locked) revert MarketUnexpectedBatchState(batchId, b.state);
        late = block.timestamp > b.lockDeadline;
        if (!late) {
            address locker = b.locker;
            if (prover != locker) revert MarketNotLocker(batchId, locker);
        } else {
            uint64 finalDeadline = b.finalDeadline;
            if (block.timestamp > finalDeadline) revert MarketFulfilTooLate(batchId, finalDeadline);
            if (!_STAKING.isEligible(prover)) revert MarketNotEligible(prover);
        }
    }

    /// @dev Credits the fees (minus the protocol fee) and releases (or, when late, slashes) the
    /// locker's collateral.
    function _settle(
        uint256 batchId,
        Batch storage b,
        address prover,
        bool late,
        uint32 included,
        uint256 fees
    ) private {
        uint256 protocolFee = _creditProtocolFee(fees);
        _earnings[prover] += fees - protocolFee;
        emit BatchFulfilled(batchId, prover, included, fees - protocolFee, protocolFee, late);
        address locker = b.locker;
        uint96 collateral = b.collateral;
        if (late) {
            _STAKING.slashCollateral(locker, collateral, prover);
        } else {
            _STAKING.unlockCollateral(locker, collateral);
        }
    }

    /// @dev Takes the protocol fee share of `fees` and credits it to the treasury: into the accrual kept
    /// in the treasury's own slot (one SSTORE to a slot every fulfilment reads anyway), or, in the
    /// unreachable-in-practice case that the accrual would pass 2^80 wei, into its earnings.
    function _creditProtocolFee(uint256 fees) private returns (uint256 protocolFee) {
        protocolFee = (fees * _protocolFeeBps) / _BPS;
        if (protocolFee == 0) return 0;
        uint256 accrued = _treasuryAccrued + protocolFee;
        if (accrued <= type(uint80).max) _treasuryAccrued = uint80(accrued);
        else _earnings[_treasury] += protocolFee;
    }

    /// @dev The batch tree leaves: the stored digest of each selected slot, zero elsewhere. A selected
    /// slot without a digest (refunded) is dropped: `included` is the selection minus those slots.
    function _leaves(
        uint256 batchId,
        uint256 capacity,
        uint256 count,
        uint32 selected
    ) private view returns (bytes32[] memory leaves, uint32 included) {
        leaves = new bytes32[](capacity);
        included = selected;
        for (uint256 i; i < count; ++i) {
            if ((selected >> i) & 1 == 0) continue;
            bytes32 digest = _digests[SubmissionId.pack(batchId, i)];
            if (digest == bytes32(0)) included &= ~uint32(1 << i);
            else leaves[i] = digest;
        }
    }

    /// @dev The fulfilment pass over a batch's filled slots (see {fulfill}). For each slot: excluded
    /// -> `SubmissionExcluded`; no digest (refunded) -> dropped; else its digest is the leaf, the
    /// statement becomes Verified (its fee summed), the digest slot is freed and `SubmissionVerified`
    /// is emitted. The program id (and whether the program has a callback) is read only when the
    /// program differs from the previous included slot's.
    function _verifySlots(
        uint256 batchId,
        uint256 capacity,
        uint256 count,
        uint32 excludedMask
    ) private returns (Verification memory v) {
        v.leaves = new bytes32[](capacity);
        v.programIndexes = new uint24[](count);
        bytes32[] memory leaves = v.leaves;
        uint24[] memory programIndexes = v.programIndexes;
        uint32 included;
        uint256 fees;
        uint24 lastIndex;
        bytes32 programId;
        uint256 first = SubmissionId.pack(batchId, 0);
        // Cannot overflow: i < count <= 32 (so the array writes below are in bounds: count <= capacity, and
        // first + i = SubmissionId.pack(batchId, i), batch ids being uint32), and fees is a sum of at most 32
        // uint64 values.
        unchecked {
            for (uint256 i; i < count; ++i) {
                uint256 submissionId = first + i;
                if ((excludedMask >> i) & 1 == 1) {
                    emit SubmissionExcluded(submissionId);
                    continue;
                }
                bytes32 digest;
                uint24 index;
                assembly ("memory-safe") {
                    // digest = _digests[submissionId]
                    mstore(0x00, submissionId)
                    mstore(0x20, _digests.slot)
                    let digestSlot := keccak256(0x00, 0x40)
                    digest := sload(digestSlot)
                    if digest {
                        // delete _digests[submissionId]; leaves[i] = digest
                        sstore(digestSlot, 0)
                        mstore(add(add(leaves, 0x20), shl(5, i)), digest)
                        // One SLOAD and one SSTORE of the statement slot (layout in _storeStatement):
                        // fees += fee; index = programIndex; status = Verified.
                        mstore(0x00, digest)
                        mstore(0x20, _statements.slot)
                        let slot := keccak256(0x00, 0x40)
                        let word := sload(slot)
                        fees := add(fees, and(shr(160, word), 0xffffffffffffffff))
                        index := and(shr(224, word), 0xffffff)
                        sstore(slot, or(and(word, not(shl(248, 0xff))), shl(248, 2)))
                        mstore(add(add(programIndexes, 0x20), shl(5, i)), index)
                    }
                }
                if (digest == bytes32(0)) continue; // refunded: a zero leaf, not included
                included |= uint32(1 << i);
                if (index != lastIndex) {
                    lastIndex = index;
                    programId = _programIds[index];
                    if (programId & _HAS_CALLBACK != 0) {
                        v.anyCallback = true;
                        programId &= ~_HAS_CALLBACK;
                    }
                }
                emit SubmissionVerified(submissionId, programId);
            }
        }
        v.included = included;
        v.fees = fees;
    }

    /// @dev Calls the program callbacks of the included submissions, each with exactly
    /// `callbackGasLimit` gas (the caller must provide it) and without copying return data, so a
    /// callback can neither make the fulfilment fail nor grief it.
    function _runCallbacks(uint256 batchId, Verification memory v) private {
        uint24[] memory programIndexes = v.programIndexes;
        uint256 count = programIndexes.length;
        uint256 gasLimit = _callbackGasLimit;
        uint24 lastIndex;
        bytes32 programId;
        address callback;
        for (uint256 i; i < count; ++i) {
            if ((v.included >> i) & 1 == 0) continue;
            uint24 index = programIndexes[i];
            if (index != lastIndex) {
                lastIndex = index;
                programId = _programIds[index] & ~_HAS_CALLBACK;
                callback = _programs[programId].callback;
            }
            if (callback == address(0)) continue;
            uint256 submissionId = SubmissionId.pack(batchId, i);
            bytes memory data = abi.encodeCall(INexCallback.onProofVerified, (programId, submissionId, v.leaves[i]));
            // EIP-150 forwards at most 63/64 of the remaining gas: insist the callee gets all of it.
            if (gasleft() < gasLimit + gasLimit / 63 + _CALLBACK_GAS_RESERVE) revert MarketInsufficientCallbackGas();
            bool ok;
            assembly ("memory-safe") {
                ok := call(gasLimit, callback, 0, add(data, 0x20), mload(data), 0, 0)
            }
            if (!ok) emit CallbackFailed(submissionId, callback);
        }
    }

    // =====================================================================================
    // INTERNAL: the batch state machine
    // =====================================================================================

    /// @dev The one writer of a batch's state, as OpenZeppelin's `ERC20._update` is of balances: moves
    /// batch `batchId` (stored at `b`) from its current state to `to`, reverting with
    /// {MarketInvalidBatchTransition} unless that is an edge of the batch state machine ({_BATCH_EDGES}).
    /// Callers check their own preconditions first and emit the transition's event; this check is the
    /// backstop that keeps every path on the declared graph.
    function _setState(uint256 batchId, Batch storage b, BatchState to) internal {
        // One SLOAD and one SSTORE of the batch's first slot (state in its low byte, see Batch).
        uint256 word;
        assembly ("memory-safe") {
            word := sload(b.slot)
        }
        uint256 from = word & 0xff;
        if ((_BATCH_EDGES >> ((from << 3) | uint256(to))) & 1 == 0) {
            revert MarketInvalidBatchTransition(batchId, BatchState(from), to);
        }
        assembly ("memory-safe") {
            sstore(b.slot, or(and(word, not(0xff)), to))
        }
    }

    // =====================================================================================
    // INTERNAL: helpers
    // =====================================================================================

    function _claim(address to) private {
        uint256 amount = _earnings[msg.sender];
        if (msg.sender == _treasury) {
            amount += _treasuryAccrued;
            _treasuryAccrued = 0;
        }
        if (amount == 0) revert MarketNothingToClaim(msg.sender);
        _earnings[msg.sender] = 0;
        emit EarningsClaimed(msg.sender, to, amount);
        _sendValue(to, amount, false);
    }

    /// @dev Sends ETH with all remaining gas and without copying return data.
    function _sendValue(address to, uint256 amount, bool isRefund) private {
        bool ok;
        assembly ("memory-safe") {
            ok := call(gas(), to, amount, 0, 0, 0, 0)
        }
        if (!ok) {
            if (isRefund) revert MarketRefundFailed(to, amount);
            revert MarketTransferFailed(to, amount);
        }
    }

    function _ownedProgram(bytes32 programId) private view returns (Program storage program) {
        program = _programs[programId];
        address owner = program.owner;
        if (owner == address(0)) revert MarketUnknownProgram(programId);
        if (owner != msg.sender) revert MarketNotProgramOwner(programId, msg.sender);
    }

    function _isRefundable(Batch storage b, uint256 slot) private view returns (bool) {
        if (slot >= b.count || (b.refundedMask >> slot) & 1 == 1) return false;
        if (b.state == BatchState.Fulfilled) return (b.includedMask >> slot) & 1 == 0;
        return _isExpired(b);
    }

    /// @dev Past expiry, not fulfilled and not under a lock whose final deadline is still ahead.
    function _isExpired(Batch storage b) private view returns (bool) {
        BatchState state = b.state;
        if (state == BatchState.None || state == BatchState.Fulfilled) return false;
        if (block.timestamp <= uint256(b.openedAt) + _submissionTtl) return false;
        return !(state == BatchState.Locked && b.finalDeadline >= block.timestamp);
    }

    function _provingWindow(uint256 size) private view returns (uint64) {
        return uint64(_provingWindowBase + uint256(_provingWindowPerProof) * size);
    }

    function _filledMask(uint256 count) private pure returns (uint32) {
        return uint32((1 << count) - 1);
    }

    function _calldataHash(bytes calldata data) private pure returns (bytes32 result) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, data.offset, data.length)
            result := keccak256(ptr, data.length)
        }
    }

    function _setParams(Params memory p) private {
        if (
            !BatchCommitment.isValidCapacity(p.batchCapacity)
            || p.batchTimeout == 0
            || p.provingWindowBase == 0
            || p.secondaryWindow == 0
            || p.protocolFeeBps > MAX_PROTOCOL_FEE_BPS
            || p.callbackGasLimit > MAX_CALLBACK_GAS_LIMIT
            || uint256(p.collateralPerProof) * BatchCommitment.MAX_CAPACITY > type(uint96).max
        ) revert MarketInvalidParams();
        uint64 maxLifetime = uint64(
            p.provingWindowBase + uint256(p.provingWindowPerProof) * BatchCommitment.MAX_CAPACITY + p.secondaryWindow
        );
        uint64 unbonding = _STAKING.unbondingPeriod();
        if (unbonding <= maxLifetime) revert MarketUnbondingTooShort(unbonding, maxLifetime);
        if (uint256(p.submissionTtl) <= uint256(p.batchTimeout) + p.assignmentWindow + maxLifetime) {
            revert MarketInvalidParams();
        }
        _minFeePerProof = p.minFeePerProof;
        _batchCapacity = p.batchCapacity;
        _batchTimeout = p.batchTimeout;
        _assignmentWindow = p.assignmentWindow;
        _callbackGasLimit = p.callbackGasLimit;
        _provingWindowBase = p.provingWindowBase;
        _provingWindowPerProof = p.provingWindowPerProof;
        _secondaryWindow = p.secondaryWindow;
        _submissionTtl = p.submissionTtl;
        _collateralPerProof = p.collateralPerProof;
        _protocolFeeBps = p.protocolFeeBps;
        emit ParamsUpdated(p);
    }

    function _setAggregatableInputCounts(uint32 mask) private {
        if (mask == 0) revert MarketInvalidParams();
        _aggregatableInputCounts = mask;
        emit AggregatableInputCountsSet(mask);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert MarketZeroAddress();
        // The outgoing treasury keeps what accrued to it, as ordinary claimable earnings.
        uint256 accrued = _treasuryAccrued;
        if (accrued != 0) {
            _earnings[_treasury] += accrued;
            _treasuryAccrued = 0;
        }
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }
}
