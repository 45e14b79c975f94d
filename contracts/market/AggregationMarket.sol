// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregationMarket} from "../interfaces/IAggregationMarket.sol";
import {IJobLifetime} from "../interfaces/IJobLifetime.sol";
import {INexCallback} from "../interfaces/INexCallback.sol";
import {IProverStaking} from "../interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../interfaces/IVerifierRouter.sol";
import {BatchCommitment} from "../libraries/BatchCommitment.sol";
import {BatchHeader} from "../libraries/BatchHeader.sol";
import {SubmissionId} from "../libraries/SubmissionId.sol";
import {AggregationMarketExtension} from "./AggregationMarketExtension.sol";
import {MarketBase} from "./MarketBase.sol";

/// @title AggregationMarket
/// @notice Escrow and bookkeeping of the NEX proof-aggregation market, version 2 (docs/protocol.md).
/// Statements enter batches through three channels: calldata ({submit}, {submitMany}), blobs
/// ({submitBlobs}) and signed off-chain requests paid from deposits ({postBatch}). A staked prover locks a
/// sealed batch (the draw is evaluated lazily from the sealing block's hash), proves one recursive proof of
/// the batch root and fulfils it with a settlement that the market checks against the batch commitment.
/// Fees of excluded statements go back to their payers at fulfilment; a batch in which nothing is
/// provable is closed at once by its locker, an expired one released by anyone. Payments are pulled.
/// @dev Nothing is stored per statement: a batch is three slots (header A, see {BatchHeader}; commitment
/// B; lock C), a program one slot on the submission path, an off-chain payer one slot on the posting path.
/// Every batch state change goes through {MarketBase-_setState}. The code is split over this contract
/// and {AggregationMarketExtension} (EIP-170): the functions of the EXTENSION section run the extension's
/// code with DELEGATECALL in this contract's storage; the extension also holds the pure computations of settlements.
contract AggregationMarket is MarketBase, IAggregationMarket {
    /// @notice Role allowed to pause and unpause intake (registrations, submissions, posts, deposits).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Byte length of a `noir-recursive` UltraHonk verification key (115 fields).
    uint256 public constant VK_BYTES = 3_680;
    /// @notice Upper bound on protocolFeeBps + posterFeeBps (50%).
    uint16 public constant MAX_FEE_SHARE_BPS = 5_000;
    /// @notice Upper bound on a program's callback gas.
    uint24 public constant MAX_CALLBACK_GAS = 500_000;
    /// @notice Candidates the lazy draw tries before opening a batch to every eligible prover.
    uint256 public constant DRAW_CANDIDATES = 4;
    /// @notice Public-input counts the version-2 leaf circuits take (1, 2 and 4): bit n - 1 set = count n.
    uint32 public constant DEFAULT_AGGREGATABLE_INPUT_COUNTS = (1 << 0) | (1 << 1) | (1 << 3);

    /// @dev The code of the functions this contract runs with DELEGATECALL.
    AggregationMarketExtension private immutable _EXTENSION;

    /// @notice Deploys the market, its extension, and sets roles, treasury and parameters.
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
    ) MarketBase(staking_, router_) {
        _EXTENSION = new AggregationMarketExtension(staking_, router_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (pauser != address(0)) _grantRole(PAUSER_ROLE, pauser);
        _nextBatchId = 1;
        _setAggregatableInputCounts(DEFAULT_AGGREGATABLE_INPUT_COUNTS);
        _setTreasury(treasury_);
        _setParams(initialParams);
    }

    // =====================================================================================
    // PROGRAMS
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function registerProgram(
        bytes32 vkHash,
        bytes calldata vk,
        uint8 publicInputCount
    ) external whenNotPaused returns (bytes32 programId) {
        if (!BatchCommitment.isCanonical(vkHash)) revert MarketNonCanonicalVkHash(vkHash);
        if (vk.length != VK_BYTES) revert MarketInvalidVerificationKey(vk.length, VK_BYTES);
        uint32 aggregatable = _aggregatableInputCounts;
        if (publicInputCount == 0 || publicInputCount > 32 || (aggregatable >> (publicInputCount - 1)) & 1 == 0) {
            revert MarketUnsupportedPublicInputCount(publicInputCount, aggregatable);
        }
        programId = BatchCommitment.programId(msg.sender, vkHash);
        Program storage program = _programs[programId];
        if (program.owner != address(0)) revert MarketProgramExists(programId);
        program.owner = msg.sender;
        program.publicInputCount = publicInputCount;
        emit MarketProgramRegistered(programId, msg.sender, vkHash, publicInputCount, vk);
    }

    /// @inheritdoc IAggregationMarket
    function setProgramCallback(bytes32 programId, address callback, uint24 gasLimit) external {
        Program storage program = _ownedProgram(programId);
        uint24 max = _maxCallbackGas;
        if (callback == address(0) ? gasLimit != 0 : (gasLimit == 0 || gasLimit > max)) {
            revert MarketInvalidCallbackGas(gasLimit, max);
        }
        program.callback = callback;
        program.callbackGas = gasLimit;
        emit MarketProgramCallbackSet(programId, callback, gasLimit);
    }

    /// @inheritdoc IAggregationMarket
    function transferProgramOwnership(bytes32 programId, address newOwner) external {
        if (newOwner == address(0)) revert MarketZeroAddress();
        _ownedProgram(programId).owner = newOwner;
        emit MarketProgramOwnershipTransferred(programId, msg.sender, newOwner);
    }

    // =====================================================================================
    // CALLDATA AND BLOB CHANNELS
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function submit(
        bytes32 programId,
        bytes32[] calldata publicInputs,
        bytes calldata proof
    ) external payable whenNotPaused returns (uint256 submissionId) {
        (, uint256 proofBytes) = _ROUTER.current();
        if (proof.length != proofBytes) revert MarketInvalidProofLength(proof.length, proofBytes);
        return _submitOne(programId, publicInputs);
    }

    // The off-chain channel (deposits, withdrawals, postBatch) runs in the extension: see EXTENSION below.

    // =====================================================================================
    // EXTENSION (run with DELEGATECALL; see AggregationMarketExtension)
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function submitMany(
        bytes32[] calldata,
        bytes32[][] calldata,
        bytes[] calldata,
        uint256
    ) external payable returns (uint256) {
        _delegate();
    }

    /// @inheritdoc IAggregationMarket
    function submitBlobs(bytes32[] calldata, bytes32[][] calldata, uint256) external payable returns (uint256) {
        _delegate();
    }

    /// @inheritdoc IAggregationMarket
    function deposit() external payable {
        _delegate();
    }

    /// @inheritdoc IAggregationMarket
    function requestWithdrawal(uint256) external {
        _delegate();
    }

    /// @inheritdoc IAggregationMarket
    function withdraw() external {
        _delegate();
    }

    /// @inheritdoc IAggregationMarket
    function postBatch(PostedGroup[] calldata, bytes32[] calldata) external returns (uint256) {
        _delegate();
    }

    /// @inheritdoc IAggregationMarket
    function close(uint256, Settlement calldata) external {
        _delegate();
    }

    /// @inheritdoc IAggregationMarket
    function slash(uint256) external {
        _delegate();
    }

    /// @inheritdoc IAggregationMarket
    function release(uint256, Settlement calldata) external {
        _delegate();
    }

    // =====================================================================================
    // BATCHES
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function seal(uint256 batchId) external {
        BatchSlots storage s = _batches[batchId];
        BatchHeader.Header memory h = BatchHeader.unpack(s.header);
        if (batchId != _openBatchId || h.state != BatchState.Open) revert MarketBatchNotOpen(batchId);
        uint64 sealableAt = uint64(h.openedAt) + _batchTimeout;
        if (block.timestamp < sealableAt) revert MarketBatchTimeoutNotReached(batchId, sealableAt);
        _seal(batchId, h);
        s.header = BatchHeader.pack(h);
    }

    /// @inheritdoc IAggregationMarket
    function lock(uint256 batchId) external nonReentrant {
        BatchSlots storage s = _batches[batchId];
        BatchHeader.Header memory h = BatchHeader.unpack(s.header);
        if (h.state != BatchState.Sealed) revert MarketUnexpectedBatchState(batchId, h.state);
        uint64 collateralGwei = _collateralPerProofGwei * h.count;
        uint256 collateral = uint256(collateralGwei) * _GWEI;
        address prover = _taker(batchId, h, s, collateral);
        (IVerifierRouter.VersionState versionState, uint256 frozenTotal) = _ROUTER.status(h.version);
        if (versionState != IVerifierRouter.VersionState.Active) revert MarketVersionNotUsable(h.version);
        uint64 lockDeadline = uint64(block.timestamp) + _provingWindow(h.count);
        uint16 finalDelta = _secondaryWindow;
        uint64 expiry = uint64(h.openedAt) + _submissionTtl;
        if (lockDeadline + finalDelta > expiry) {
            revert MarketBatchTooCloseToExpiry(batchId, lockDeadline + finalDelta, expiry);
        }

        _setState(batchId, h, BatchState.Locked);
        h.lockDeadline = uint32(lockDeadline);
        h.finalDelta = finalDelta;
        _storeLock(
            batchId,
            h,
            LockRecord({locker: prover, collateralGwei: collateralGwei, frozenAtLock: uint32(frozenTotal)})
        );
        s.header = BatchHeader.pack(h);
        emit MarketBatchLocked(batchId, prover, lockDeadline, lockDeadline + finalDelta, collateral);

        _STAKING.lockCollateral(prover, collateral);
    }

    /// @inheritdoc IAggregationMarket
    function fulfill(
        uint256 batchId,
        bytes calldata proof,
        uint64 excludedMask,
        Settlement calldata settlement
    ) external nonReentrant {
        BatchSlots storage s = _batches[batchId];
        BatchHeader.Header memory h = BatchHeader.unpack(s.header);
        // A Sealed batch is fulfilled directly (no lock, no collateral); a Locked one by its lock's rules.
        bool direct = h.state == BatchState.Sealed;
        if (!direct && h.state != BatchState.Locked) revert MarketUnexpectedBatchState(batchId, h.state);
        LockRecord memory c;
        address prover;
        bool late;
        if (direct) {
            // No lock, no collateral: whoever may take the batch now, before its expiry.
            uint64 expiry = uint64(h.openedAt) + _submissionTtl;
            if (block.timestamp > expiry) revert MarketFulfilTooLate(batchId, expiry);
            prover = _taker(batchId, h, s, uint256(_collateralPerProofGwei) * h.count * _GWEI);
        } else {
            c = _lockRecord(batchId, h);
            (prover, late) = _authorizeFulfil(batchId, h, c);
        }
        if (excludedMask >> h.count != 0) revert MarketInvalidExcludedMask(excludedMask);

        Content memory content = _content(batchId, h, s, settlement, excludedMask);
        if (content.includedCount == 0) revert MarketNothingIncluded(batchId);
        if (!_ROUTER.verifyAggregation(h.version, proof, content.provenRoot, prover))
            revert MarketInvalidProof(batchId);

        // Effects, then the trusted staking contract, then the untrusted callbacks.
        _setState(batchId, h, BatchState.Fulfilled);
        uint256 escrow = h.escrow;
        h.escrow = 0;
        if (!direct) _freeLock(batchId, h);
        else if (h.flags & _ASSIGNMENT_OPEN != 0) delete s.lock; // a slashed locker's record: the batch is over
        s.header = BatchHeader.pack(h);
        s.commitment = content.provenRoot;
        if (escrow != content.includedFees) _returnFees(batchId, h, settlement.groups, excludedMask);
        _payFees(batchId, prover, content, excludedMask, late, h.flags & _POSTED != 0);
        if (!direct) {
            uint256 collateral = uint256(c.collateralGwei) * _GWEI;
            if (late) _STAKING.slashCollateral(c.locker, collateral, prover);
            else _STAKING.unlockCollateral(c.locker, collateral);
        }
        if (h.flags & _HAS_CALLBACK != 0) _runCallbacks(batchId, settlement, excludedMask);
    }

    // =====================================================================================
    // VERIFICATION
    // =====================================================================================

    /// @inheritdoc IAggregationMarket
    function isVerified(
        bytes32 programId,
        bytes32[] calldata publicInputs,
        Inclusion calldata inclusion
    ) external view returns (bool) {
        return _isIncluded(BatchCommitment.digest(programId, publicInputs), inclusion);
    }

    /// @inheritdoc IAggregationMarket
    function recordVerified(bytes32 programId, bytes32[] calldata publicInputs, Inclusion calldata inclusion) external {
        bytes32 digest = BatchCommitment.digest(programId, publicInputs);
        if (!_isIncluded(digest, inclusion)) revert MarketNotVerified(digest);
        _recorded[digest] = inclusion.batchId;
        emit MarketStatementRecorded(digest, inclusion.batchId);
    }

    /// @inheritdoc IAggregationMarket
    function isVerified(bytes32 programId, bytes32[] calldata publicInputs) external view returns (bool) {
        return _recorded[BatchCommitment.digest(programId, publicInputs)] != 0;
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
    /// @param newParams The parameters.
    function setParams(Params calldata newParams) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(newParams);
    }

    /// @notice Sets which public-input counts new programs may have (bit n - 1 set = count n), to match
    /// the leaf circuits of the router's current version. Admin only; the mask must be non-zero.
    /// @param mask The mask.
    function setAggregatableInputCounts(uint32 mask) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setAggregatableInputCounts(mask);
    }

    /// @notice Sets the account credited with the protocol fee. Admin only. Fees accrued to the outgoing
    /// treasury stay claimable by it.
    /// @param treasury_ The new treasury.
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @notice Stops intake: registrations, submissions, posts and deposits. Pauser only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes intake. Pauser only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // =====================================================================================
    // VIEWS
    // =====================================================================================

    /// @notice The ProverStaking contract.
    /// @return The staking contract.
    function staking() external view returns (IProverStaking) {
        return _STAKING;
    }

    /// @notice The VerifierRouter.
    /// @return The router.
    function router() external view returns (IVerifierRouter) {
        return _ROUTER;
    }

    /// @notice The extension this market deployed and runs part of its functions with (see the contract notes).
    /// @return The extension.
    function extension() external view returns (address) {
        return address(_EXTENSION);
    }

    /// @notice The account credited with the protocol fee.
    /// @return The treasury.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice Public-input counts new programs may have: bit n - 1 set = count n.
    /// @return The mask.
    function aggregatableInputCounts() external view returns (uint32) {
        return _aggregatableInputCounts;
    }

    /// @inheritdoc IAggregationMarket
    function getProgram(bytes32 programId) external view returns (Program memory) {
        return _programs[programId];
    }

    /// @inheritdoc IAggregationMarket
    function getBatch(uint256 batchId) external view returns (Batch memory b) {
        BatchSlots storage s = _batches[batchId];
        BatchHeader.Header memory h = BatchHeader.unpack(s.header);
        // The live lock's record while locked; after a slash, the slashed locker; nothing once it ended.
        LockRecord memory c;
        if (h.state == BatchState.Locked) c = _lockRecord(batchId, h);
        else if (h.state == BatchState.Sealed) c = s.lock;
        b.state = h.state;
        b.posted = h.flags & _POSTED != 0;
        b.hasCallback = h.flags & _HAS_CALLBACK != 0;
        b.assignmentOpen = h.flags & _ASSIGNMENT_OPEN != 0;
        b.capacity = h.capacity;
        b.count = h.count;
        b.version = h.version;
        b.openedAt = h.openedAt;
        b.sealedAt = h.sealedAt;
        b.sealBlock = h.sealBlock;
        b.escrow = h.escrow;
        b.commitment = s.commitment;
        b.locker = c.locker;
        b.collateral = uint256(c.collateralGwei) * _GWEI;
        b.frozenAtLock = c.frozenAtLock;
        if (h.state == BatchState.None) return b;
        b.expiry = uint64(h.openedAt) + _submissionTtl;
        bool past = block.timestamp > b.expiry;
        if (h.state == BatchState.Locked) {
            b.lockDeadline = uint64(h.lockDeadline) + uint64(_ROUTER.frozenShift(h.version, c.frozenAtLock));
            b.finalDeadline = b.lockDeadline + h.finalDelta;
            if (past && block.timestamp > b.finalDeadline) b.state = BatchState.Expired;
        } else if (past && (h.state == BatchState.Open || h.state == BatchState.Sealed)) {
            b.state = BatchState.Expired;
        }
    }

    /// @inheritdoc IAggregationMarket
    function assignedProver(uint256 batchId) external view returns (address) {
        BatchHeader.Header memory h = BatchHeader.unpack(_batches[batchId].header);
        if (h.state != BatchState.Sealed) return address(0);
        if (block.number <= h.sealBlock) revert MarketDrawNotReady(batchId, h.sealBlock);
        if (h.flags & _ASSIGNMENT_OPEN != 0 || block.timestamp > uint256(h.sealedAt) + _assignmentWindow) {
            return address(0);
        }
        return _draw(batchId, h, uint256(_collateralPerProofGwei) * h.count * _GWEI);
    }

    /// @inheritdoc IAggregationMarket
    function openBatchId() external view returns (uint256) {
        return _openBatchId;
    }

    /// @inheritdoc IAggregationMarket
    function nextBatchId() external view returns (uint256) {
        return _nextBatchId;
    }

    /// @inheritdoc IAggregationMarket
    function getAccount(address account) external view returns (Account memory) {
        return _accounts[account];
    }

    /// @inheritdoc IAggregationMarket
    function earnings(address account) external view returns (uint256) {
        if (account == _treasury) return _earnings[account] + _treasuryAccrued;
        return _earnings[account];
    }

    /// @inheritdoc IAggregationMarket
    function provingWindow(uint256 size) external view returns (uint64) {
        return _provingWindow(size);
    }

    /// @inheritdoc IJobLifetime
    function maxJobLifetime() public view returns (uint64) {
        return _provingWindow(BatchCommitment.MAX_CAPACITY) + _secondaryWindow;
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
                collateralPerProof: uint96(uint256(_collateralPerProofGwei) * _GWEI),
                protocolFeeBps: _protocolFeeBps,
                posterFeeBps: _posterFeeBps,
                maxCallbackGas: _maxCallbackGas,
                withdrawalDelay: _withdrawalDelay
            });
    }

    // =====================================================================================
    // INTERNAL: intake
    // =====================================================================================

    /// @dev {submit} after the proof check: one statement, fee `msg.value`.
    function _submitOne(bytes32 programId, bytes32[] calldata publicInputs) private returns (uint256) {
        _checkFee(msg.value);
        bytes32[] memory digests = new bytes32[](1);
        uint24 callbackGas;
        (digests[0], callbackGas) = _statement(programId, publicInputs);
        (uint256 batchId, BatchHeader.Header memory h) = _room(1);
        uint256 slot = h.count;
        _appendGroup(
            batchId,
            h,
            BatchCommitment.packGroup(msg.sender, msg.value, 1, callbackGas),
            programId,
            digests,
            0
        );
        _closeAppend(batchId, h);
        return SubmissionId.pack(batchId, slot);
    }

    // =====================================================================================
    // INTERNAL: lock and settlement
    // =====================================================================================

    /// @dev The lazy draw: the first of up to {DRAW_CANDIDATES} stake-weighted candidates drawn from
    /// `keccak256(abi.encode(blockhash(sealBlock), batchId))` that can lock `collateral`; address(0)
    /// (open to all) when none can or the sealing block's hash is no longer readable.
    function _draw(uint256 batchId, BatchHeader.Header memory h, uint256 collateral) private view returns (address) {
        bytes32 blockHash = blockhash(h.sealBlock);
        if (blockHash == bytes32(0)) return address(0);
        bytes32 seed = keccak256(abi.encode(blockHash, batchId));
        for (uint256 i; i < DRAW_CANDIDATES; ++i) {
            address candidate = _STAKING.selectProver(uint256(keccak256(abi.encode(seed, i))));
            if (candidate != address(0) && _STAKING.canLock(candidate, collateral)) return candidate;
        }
        return address(0);
    }

    /// @dev What a fulfilment proves and pays. Fast path (posted, nothing excluded, no callback): the root
    /// the poster committed is the proven root; otherwise the codec checks and reads the settlement.
    function _content(
        uint256 batchId,
        BatchHeader.Header memory h,
        BatchSlots storage s,
        Settlement calldata settlement,
        uint64 excludedMask
    ) private view returns (Content memory) {
        if (h.flags & _POSTED != 0 && excludedMask == 0 && h.flags & _HAS_CALLBACK == 0) {
            if (
                BatchCommitment.postedCommitment(settlement.root, settlement.groupsHash, settlement.poster)
                != s.commitment
            ) revert MarketSettlementMismatch(batchId);
            return Content(settlement.root, h.escrow, h.count, settlement.poster);
        }
        (bytes32 provenRoot, uint256 fees, uint256 included) = _EXTENSION.readSettlement(
            batchId,
            s.header,
            s.commitment,
            settlement,
            excludedMask,
            true
        );
        return Content(provenRoot, fees, included, settlement.poster);
    }

    /// @dev The prover (the caller or the prover it operates for) that may take a Sealed batch now, by a
    /// lock or a direct fulfilment: not in the sealing block, not the prover slashed on the batch (slot C
    /// holds a locker outside a live lock only after a slash, which also opens the assignment), the
    /// assigned prover during the assignment window (the draw evaluated now), else any eligible prover.
    function _taker(
        uint256 batchId,
        BatchHeader.Header memory h,
        BatchSlots storage s,
        uint256 collateral
    ) private view returns (address prover) {
        prover = _STAKING.proverOf(msg.sender);
        if (prover == address(0)) revert MarketNotEligible(msg.sender);
        if (block.number <= h.sealBlock) revert MarketDrawNotReady(batchId, h.sealBlock);
        if (h.flags & _ASSIGNMENT_OPEN != 0 && s.lock.locker == prover) revert MarketSlashedLocker(batchId, prover);
        if (h.flags & _ASSIGNMENT_OPEN == 0 && block.timestamp <= uint256(h.sealedAt) + _assignmentWindow) {
            address assigned = _draw(batchId, h, collateral);
            if (assigned == prover) return prover; // staking's canLock (eligible, collateral free) held just now
            if (assigned != address(0)) revert MarketNotAssignedProver(batchId, assigned);
        }
        if (!_STAKING.isEligible(prover)) revert MarketNotEligible(prover);
    }

    /// @dev Who may fulfil now: the locker (or its operator) up to the effective lockDeadline, then any
    /// eligible prover up to the effective finalDeadline. Returns the prover the proof is bound to.
    function _authorizeFulfil(
        uint256 batchId,
        BatchHeader.Header memory h,
        LockRecord memory c
    ) private view returns (address prover, bool late) {
        prover = _STAKING.proverOf(msg.sender);
        if (prover == address(0)) revert MarketNotEligible(msg.sender);
        // A freeze only moves deadlines later: before the stored deadline the router need not be asked.
        uint64 lockDeadline = h.lockDeadline;
        if (block.timestamp > lockDeadline) lockDeadline += uint64(_ROUTER.frozenShift(h.version, c.frozenAtLock));
        late = block.timestamp > lockDeadline;
        if (!late) {
            if (prover != c.locker) revert MarketNotLocker(batchId, c.locker);
        } else {
            uint64 finalDeadline = lockDeadline + h.finalDelta;
            if (block.timestamp > finalDeadline) revert MarketFulfilTooLate(batchId, finalDeadline);
            if (!_STAKING.isEligible(prover)) revert MarketNotEligible(prover);
        }
    }

    /// @dev Credits the fees of the included statements: protocol fee, poster fee, the rest to the prover.
    function _payFees(
        uint256 batchId,
        address prover,
        Content memory content,
        uint64 excludedMask,
        bool late,
        bool posted
    ) private {
        uint256 fees = content.includedFees;
        uint256 protocolFee = (fees * _protocolFeeBps) / _BPS;
        uint256 posterFee = posted ? (fees * _posterFeeBps) / _BPS : 0;
        uint256 proverFees = fees - protocolFee - posterFee;
        _earnings[prover] += proverFees;
        if (posterFee != 0) _earnings[content.poster] += posterFee;
        if (protocolFee != 0) {
            uint256 accrued = _treasuryAccrued + protocolFee;
            if (accrued <= type(uint64).max) _treasuryAccrued = uint64(accrued);
            else _earnings[_treasury] += protocolFee;
        }
        emit MarketBatchFulfilled(
            batchId,
            prover,
            content.provenRoot,
            excludedMask,
            proverFees,
            protocolFee,
            posterFee,
            late
        );
    }

    /// @dev Calls the program callback of every included slot of a group with callback gas, with exactly
    /// that gas (the fulfiller must provide it) and without copying return data.
    function _runCallbacks(uint256 batchId, Settlement calldata st, uint64 excludedMask) private {
        Group[] calldata groups = st.groups;
        uint256 slot;
        for (uint256 g; g < groups.length; ++g) {
            (, , uint256 count, uint256 gasLimit) = BatchCommitment.unpackGroup(groups[g].word);
            uint256 end = slot + count;
            address callback = gasLimit == 0 ? address(0) : _programs[groups[g].programId].callback;
            if (callback == address(0)) {
                slot = end;
                continue;
            }
            for (; slot < end; ++slot) {
                if ((excludedMask >> slot) & 1 == 1) continue;
                uint256 submissionId = SubmissionId.pack(batchId, slot);
                bytes memory data = abi.encodeCall(
                    INexCallback.onProofVerified,
                    (groups[g].programId, submissionId, st.digests[slot])
                );
                // EIP-150 forwards at most 63/64 of the remaining gas: insist the callee gets all of it.
                if (gasleft() < gasLimit + gasLimit / 63 + _CALLBACK_GAS_RESERVE)
                    revert MarketInsufficientCallbackGas();
                bool ok;
                assembly ("memory-safe") {
                    ok := call(gasLimit, callback, 0, add(data, 0x20), mload(data), 0, 0)
                }
                if (!ok) emit MarketCallbackFailed(submissionId, callback);
            }
        }
    }

    /// @dev True when `digest` walked up `inclusion` is the proven root of a fulfilled batch.
    function _isIncluded(bytes32 digest, Inclusion calldata inclusion) private view returns (bool) {
        BatchSlots storage s = _batches[inclusion.batchId];
        BatchHeader.Header memory h = BatchHeader.unpack(s.header);
        if (h.state != BatchState.Fulfilled) return false;
        if (inclusion.siblings.length != BatchCommitment.depthOf(h.capacity) || inclusion.index >= h.capacity) {
            return false;
        }
        return BatchCommitment.walk(digest, inclusion.index, inclusion.siblings) == s.commitment;
    }

    // =====================================================================================
    // INTERNAL: state, storage and helpers
    // =====================================================================================

    function _claim(address to) private {
        uint256 amount = _earnings[msg.sender];
        if (msg.sender == _treasury) {
            amount += _treasuryAccrued;
            _treasuryAccrued = 0;
        }
        if (amount == 0) revert MarketNothingToClaim(msg.sender);
        _earnings[msg.sender] = 0;
        emit MarketEarningsClaimed(msg.sender, to, amount);
        _sendValue(to, amount);
    }

    function _ownedProgram(bytes32 programId) private view returns (Program storage program) {
        program = _programs[programId];
        address owner = program.owner;
        if (owner == address(0)) revert MarketUnknownProgram(programId);
        if (owner != msg.sender) revert MarketNotProgramOwner(programId, msg.sender);
    }

    function _setParams(Params memory p) private {
        if (
            !BatchCommitment.isValidCapacity(p.batchCapacity)
            || p.batchTimeout == 0
            || p.provingWindowBase == 0
            || p.secondaryWindow == 0
            || uint256(p.protocolFeeBps) + p.posterFeeBps > MAX_FEE_SHARE_BPS
            || p.maxCallbackGas > MAX_CALLBACK_GAS
            || p.collateralPerProof % _GWEI != 0
            || (p.collateralPerProof / _GWEI) * BatchCommitment.MAX_CAPACITY > type(uint64).max
        ) revert MarketInvalidParams();
        uint64 maxLifetime = uint64(
            p.provingWindowBase + uint256(p.provingWindowPerProof) * BatchCommitment.MAX_CAPACITY + p.secondaryWindow
        );
        uint64 unbonding = _STAKING.unbondingPeriod();
        if (unbonding <= maxLifetime) revert MarketUnbondingTooShort(unbonding, maxLifetime);
        if (
            uint256(p.submissionTtl) <= uint256(p.batchTimeout) + p.assignmentWindow + maxLifetime
            || p.withdrawalDelay <= maxLifetime
        ) revert MarketInvalidParams();
        _minFeePerProof = p.minFeePerProof;
        _batchCapacity = p.batchCapacity;
        _batchTimeout = p.batchTimeout;
        _assignmentWindow = p.assignmentWindow;
        _provingWindowBase = p.provingWindowBase;
        _provingWindowPerProof = p.provingWindowPerProof;
        _secondaryWindow = p.secondaryWindow;
        _submissionTtl = p.submissionTtl;
        _collateralPerProofGwei = uint64(p.collateralPerProof / _GWEI);
        _protocolFeeBps = p.protocolFeeBps;
        _posterFeeBps = p.posterFeeBps;
        _maxCallbackGas = p.maxCallbackGas;
        _withdrawalDelay = p.withdrawalDelay;
        emit MarketParamsUpdated(p);
    }

    function _setAggregatableInputCounts(uint32 mask) private {
        if (mask == 0) revert MarketInvalidParams();
        _aggregatableInputCounts = mask;
        emit MarketAggregatableInputCountsSet(mask);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert MarketZeroAddress();
        uint256 accrued = _treasuryAccrued;
        if (accrued != 0) {
            _earnings[_treasury] += accrued;
            _treasuryAccrued = 0;
        }
        _treasury = treasury_;
        emit MarketTreasurySet(treasury_);
    }

    /// @dev Runs the extension's code for the current call in this contract's context and returns or
    /// reverts with its result. Never returns to the caller.
    function _delegate() private {
        address code = address(_EXTENSION);
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), code, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }
}
