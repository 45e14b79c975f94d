// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAggregationMarketTypes} from "../interfaces/IAggregationMarket.sol";
import {IProverStaking} from "../interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../interfaces/IVerifierRouter.sol";
import {BatchCommitment} from "../libraries/BatchCommitment.sol";
import {BatchHeader} from "../libraries/BatchHeader.sol";

/// @title MarketBase
/// @notice The storage and the shared internal logic of the aggregation market. The market's code does not
/// fit in the 24 KiB that EIP-170 allows one contract, so it is two contracts with this one base:
/// {AggregationMarket} (the address everyone uses) and {AggregationMarketExtension}, which it runs
/// with DELEGATECALL for some of its functions. Both inherit exactly this base, so they have the same
/// storage layout by construction; neither declares state of its own.
abstract contract MarketBase is IAggregationMarketTypes, AccessControl, Pausable, ReentrancyGuardTransient, EIP712 {
    /// @notice Usable bytes of one blob (4,096 field elements of 31 bytes).
    uint256 public constant BLOB_USABLE_BYTES = 126_976;

    uint256 internal constant _BPS = 10_000;
    uint256 internal constant _GWEI = 1e9;
    uint256 internal constant _CALLBACK_GAS_RESERVE = 10_000;
    /// @dev Allowed batch state changes: byte `from` of this word has bit `to` set (docs/protocol.md):
    /// None -> Open | Sealed; Open -> Sealed | Released; Sealed -> Locked | Fulfilled | Released;
    /// Locked -> Fulfilled | Closed | Sealed.
    uint256 internal constant _EDGES = 0x34584406;

    uint8 internal constant _POSTED = BatchHeader.POSTED;
    uint8 internal constant _HAS_CALLBACK = BatchHeader.HAS_CALLBACK;
    uint8 internal constant _ASSIGNMENT_OPEN = BatchHeader.ASSIGNMENT_OPEN;
    uint8 internal constant _LOCK_IN_RING = BatchHeader.LOCK_IN_RING;
    /// @dev Slots of the lock ring: a lock writes its record to `_lockRing[batchId % _LOCK_RING]` when that
    /// slot is free, so that in steady state a lock rewrites a used slot (2,900 gas) instead of filling a
    /// fresh one (20,000). A slot held by another live lock sends the record to the batch's own slot C.
    uint256 internal constant _LOCK_RING = 128;
    /// @dev The word a ring slot holds when free once used (non-zero, so the next write is not a fresh one).
    uint256 internal constant _RING_FREE = 1;

    IProverStaking internal immutable _STAKING;
    IVerifierRouter internal immutable _ROUTER;

    // ----- slot shared with Pausable._paused (read by every submission and post) -----
    uint64 internal _nextBatchId;
    uint64 internal _openBatchId;
    uint64 internal _minFeePerProof;
    uint8 internal _batchCapacity;
    uint32 internal _batchTimeout;
    // ----- one slot: the lock and deadline parameters -----
    uint32 internal _assignmentWindow;
    uint32 internal _provingWindowBase;
    uint32 internal _provingWindowPerProof;
    uint16 internal _secondaryWindow;
    uint32 internal _submissionTtl;
    uint64 internal _collateralPerProofGwei;
    uint24 internal _maxCallbackGas;
    // ----- one slot, read and written once per fulfilment -----
    address internal _treasury;
    uint16 internal _protocolFeeBps;
    uint16 internal _posterFeeBps;
    uint64 internal _treasuryAccrued; // protocol fees not yet claimed by the treasury
    // ----- one slot, rarely read -----
    uint32 internal _withdrawalDelay;
    uint32 internal _aggregatableInputCounts;

    /// @dev The three slots of a batch.
    struct BatchSlots {
        uint256 header; // A: see _packHeader
        bytes32 commitment; // B: the commitment, the proven root once fulfilled
        LockRecord lock; // C
    }

    /// @dev Slot C (or its ring slot): written at lock.
    struct LockRecord {
        address locker; // the locker; after a slash, the slashed prover (it may not relock)
        uint64 collateralGwei;
        uint32 frozenAtLock; // router frozenTotal at the lock
    }

    /// @dev What a settlement check yields (memory only).
    struct Content {
        bytes32 provenRoot;
        uint256 includedFees;
        uint256 includedCount;
        address poster;
    }

    /// @dev Running totals of a post (memory only).
    struct Post {
        bytes32 domainSeparator; // the market's EIP-712 domain separator
        uint256 batchId;
        uint256 minFee;
        bytes32[] accepted;
        bytes groupPairs; // (word, programId) of every accepted group
        bytes32[] requestHashes; // the EIP-712 hash of every accepted request
        uint64[] nonces; // the nonce of every accepted request
        uint256 acceptedCount;
        uint256 groupCount;
        uint256 escrow;
        bool hasCallback;
    }

    mapping(bytes32 programId => Program) internal _programs;
    mapping(uint256 batchId => BatchSlots) internal _batches;
    mapping(address account => Account) internal _accounts;
    mapping(address account => uint256) internal _earnings;
    mapping(bytes32 digest => uint256 batchId) internal _recorded;
    mapping(uint256 ringIndex => LockRecord) internal _lockRing;

    /// @notice Sets the contracts both halves of the market use.
    /// @param staking_ The ProverStaking contract.
    /// @param router_ The VerifierRouter.
    constructor(IProverStaking staking_, IVerifierRouter router_) EIP712("NEX AggregationMarket", "2") {
        if (address(staking_) == address(0) || address(router_) == address(0)) revert MarketZeroAddress();
        _STAKING = staking_;
        _ROUTER = router_;
    }

    /// @dev Fee checks shared by the channels.
    function _checkFee(uint256 fee) internal view {
        uint256 min = _minFeePerProof;
        if (fee < min) revert MarketFeeBelowFloor(fee, min);
        if (fee > type(uint64).max) revert MarketFeeTooHigh(fee);
    }

    /// @dev Validates a calldata/blob statement and returns its digest and its program's callback gas.
    function _statement(
        bytes32 programId,
        bytes32[] calldata publicInputs
    ) internal view returns (bytes32 digest, uint24 callbackGas) {
        Program storage program = _programs[programId];
        if (program.owner == address(0)) revert MarketUnknownProgram(programId);
        uint256 count = publicInputs.length;
        if (count != program.publicInputCount) {
            revert MarketPublicInputCountMismatch(programId, program.publicInputCount, count);
        }
        for (uint256 i; i < count; ++i) {
            if (!BatchCommitment.isCanonical(publicInputs[i])) revert MarketNonCanonicalPublicInput(i, publicInputs[i]);
        }
        return (BatchCommitment.digest(programId, publicInputs), program.callbackGas);
    }

    /// @dev The open batch with room for `n` more statements: a timed-out or too full open batch is
    /// sealed first and a new one opened.
    function _room(uint256 n) internal returns (uint256 batchId, BatchHeader.Header memory h) {
        batchId = _openBatchId;
        if (batchId != 0) {
            BatchSlots storage open = _batches[batchId];
            h = BatchHeader.unpack(open.header);
            if (block.timestamp >= uint256(h.openedAt) + _batchTimeout || h.count + n > h.capacity) {
                _seal(batchId, h);
                open.header = BatchHeader.pack(h);
                batchId = 0;
            }
        }
        if (batchId == 0) {
            uint8 capacity = _batchCapacity;
            if (n > capacity) revert MarketTooManyStatements(n, capacity);
            batchId = _nextBatchId;
            _nextBatchId = uint64(batchId + 1);
            _openBatchId = uint64(batchId);
            h = BatchHeader.unpack(0);
            _setState(batchId, h, BatchState.Open);
            h.capacity = capacity;
            h.openedAt = uint32(block.timestamp);
            emit MarketBatchOpened(batchId, capacity);
        }
    }

    /// @dev Appends one group (`word` packs the caller as payer, the fee, the count and the callback gas)
    /// to the chain commitment (in storage) and the header (in memory).
    function _appendGroup(
        uint256 batchId,
        BatchHeader.Header memory h,
        uint256 word,
        bytes32 programId,
        bytes32[] memory digests,
        uint256 from
    ) internal {
        (address payer, uint256 feePerProof, uint256 count, uint256 callbackGas) = BatchCommitment.unpackGroup(word);
        BatchSlots storage s = _batches[batchId];
        s.commitment = BatchCommitment.chainAppend(s.commitment, word, programId, digests, from, count);
        emit MarketSubmitted(batchId, programId, payer, h.count, count, feePerProof, callbackGas);
        // Cannot overflow: count <= capacity <= 64 and escrow < 64 * 2^64 < 2^72.
        h.count += uint8(count);
        h.escrow += uint72(feePerProof * count);
        if (callbackGas != 0) h.flags |= _HAS_CALLBACK;
    }

    /// @dev Stores the header after appends, sealing a full batch.
    function _closeAppend(uint256 batchId, BatchHeader.Header memory h) internal {
        if (h.count == h.capacity) _seal(batchId, h);
        _batches[batchId].header = BatchHeader.pack(h);
    }

    /// @dev Seals an open batch (in memory): version, seal time and block; clears the open pointer.
    function _seal(uint256 batchId, BatchHeader.Header memory h) internal {
        uint16 version = _ROUTER.currentVersion();
        _setState(batchId, h, BatchState.Sealed);
        h.version = version;
        h.sealedAt = uint32(block.timestamp);
        h.sealBlock = uint32(block.number);
        if (_openBatchId == batchId) _openBatchId = 0;
        emit MarketBatchSealed(batchId, version, h.count, block.number);
    }

    /// @dev The one writer of a batch's state: checks that `from -> to` is an edge of the batch state
    /// machine (docs/protocol.md) and applies it to the decoded header (stored by the caller).
    function _setState(uint256 batchId, BatchHeader.Header memory h, BatchState to) internal pure {
        BatchState from = h.state;
        if ((_EDGES >> (uint256(from) * 8 + uint256(to))) & 1 == 0)
            revert MarketInvalidBatchTransition(batchId, from, to);
        h.state = to;
    }

    /// @dev Returns the fees of the slots in `mask` to their payers: into their deposits (posted batches)
    /// or their claimable earnings (calldata and blob batches). One credit per group.
    function _returnFees(uint256 batchId, BatchHeader.Header memory h, Group[] calldata groups, uint64 mask) internal {
        bool posted = h.flags & _POSTED != 0;
        uint256 slot;
        for (uint256 g; g < groups.length; ++g) {
            (address payer, uint256 fee, uint256 count, ) = BatchCommitment.unpackGroup(groups[g].word);
            uint256 returned;
            for (uint256 end = slot + count; slot < end; ++slot) {
                if ((mask >> slot) & 1 == 1) returned += fee;
            }
            if (returned == 0) continue;
            // Cannot overflow: a deposit plus fees it once held stays below 2^96 (deposits are capped there).
            if (posted) _accounts[payer].balance += uint96(returned);
            else _earnings[payer] += returned;
            emit MarketFeesReturned(batchId, payer, returned, posted);
        }
    }

    /// @dev Where the record of a batch's live lock is: its ring slot (flag LOCK_IN_RING) or its slot C.
    function _lockRecord(uint256 batchId, BatchHeader.Header memory h) internal view returns (LockRecord storage) {
        return h.flags & _LOCK_IN_RING != 0 ? _lockRing[batchId % _LOCK_RING] : _batches[batchId].lock;
    }

    /// @dev Stores the record of a new lock: in the batch's ring slot when it is free (never used or freed),
    /// else in the batch's slot C. Sets LOCK_IN_RING in `h` accordingly (stored by the caller).
    function _storeLock(uint256 batchId, BatchHeader.Header memory h, LockRecord memory record) internal {
        LockRecord storage ring = _lockRing[batchId % _LOCK_RING];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(ring.slot)
        }
        if (word <= _RING_FREE) {
            h.flags |= _LOCK_IN_RING;
            _lockRing[batchId % _LOCK_RING] = record;
        } else {
            h.flags &= ~_LOCK_IN_RING;
            _batches[batchId].lock = record;
        }
    }

    /// @dev Ends a batch's live lock record (fulfilment, closure; the caller stores `h`): a ring slot is marked
    /// free (kept non-zero for the next lock), a slot C is cleared (its refund goes to the caller).
    function _freeLock(uint256 batchId, BatchHeader.Header memory h) internal {
        if (h.flags & _LOCK_IN_RING != 0) {
            LockRecord storage ring = _lockRing[batchId % _LOCK_RING];
            assembly ("memory-safe") {
                sstore(ring.slot, _RING_FREE)
            }
            h.flags &= ~_LOCK_IN_RING;
        } else {
            delete _batches[batchId].lock;
        }
    }

    /// @dev Sends ETH with all remaining gas and without copying return data.
    function _sendValue(address to, uint256 amount) internal {
        bool ok;
        assembly ("memory-safe") {
            ok := call(gas(), to, amount, 0, 0, 0, 0)
        }
        if (!ok) revert MarketTransferFailed(to, amount);
    }

    function _provingWindow(uint256 size) internal view returns (uint64) {
        return uint64(_provingWindowBase + uint256(_provingWindowPerProof) * size);
    }
}
