// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobLifetime} from "./IJobLifetime.sol";

/// @title IAggregationMarket
/// @notice The NEX aggregation market: rollups post UltraHonk proofs with a fee; staked provers lock
/// a batch, aggregate it into one recursive proof and fulfil it. See docs/protocol.md.
interface IAggregationMarket is IJobLifetime {
    // ===== TYPES =====

    /// @notice Lifecycle of a statement (keyed by its digest). A refund deletes it (back to None).
    enum StatementStatus {
        None,
        Pending,
        Verified
    }

    /// @notice Lifecycle of a batch. `Expired` is derived by views only: a batch past its expiry that is
    /// neither Fulfilled nor under a live lock.
    enum BatchState {
        None,
        Open,
        Sealed,
        Locked,
        Fulfilled,
        Expired
    }

    /// @notice One storage slot per statement digest.
    struct Statement {
        address submitter; // who paid the fee and is refunded it (sent, or credited to its earnings)
        uint64 fee; // wei escrowed for this statement
        uint24 programIndex; // registration index of the program (see programIdAt)
        StatementStatus status;
    }

    /// @notice A registered program (programId = vkHash).
    struct Program {
        address owner;
        uint32 publicInputCount;
        uint24 index;
        address callback;
    }

    /// @notice A batch of up to `capacity` submissions (ids batchId * 32 + slot).
    struct Batch {
        BatchState state;
        uint8 capacity; // leaves of the batch tree (power of two)
        uint8 count; // filled slots
        uint32 version; // verifier version recorded at seal
        uint40 openedAt; // first submission
        uint40 sealedAt;
        uint40 lockDeadline; // on-time fulfilment by the locker up to here
        uint40 finalDeadline; // late fulfilment by anyone eligible up to here; slashable after
        uint32 includedMask; // slots verified by the fulfilment
        address assigned; // prover drawn at seal (exclusive lock during the assignment window)
        uint32 refundedMask; // slots refunded
        address locker; // prover that locked the batch
        uint96 collateral; // NEX locked from the locker's stake
    }

    /// @notice Market parameters (all times in seconds).
    struct Params {
        uint96 minFeePerProof; // wei
        uint8 batchCapacity; // power of two, 2..32
        uint32 batchTimeout; // seal a non-full batch this long after its first submission
        uint32 assignmentWindow; // exclusive lock window of the assigned prover after seal
        uint32 provingWindowBase; // provingWindow(n) = base + perProof * n
        uint32 provingWindowPerProof;
        uint32 secondaryWindow; // late-fulfilment window after lockDeadline
        uint32 submissionTtl; // batch expiry = openedAt + submissionTtl
        uint96 collateralPerProof; // NEX per submission locked from the prover's stake
        uint16 protocolFeeBps; // share of fees credited to the treasury
        uint32 callbackGasLimit; // gas per program callback
    }

    // ===== EVENTS =====

    event ProgramRegistered(
        bytes32 indexed programId, address indexed owner, uint32 publicInputCount, uint24 index, bytes vk
    );
    event ProgramCallbackSet(bytes32 indexed programId, address callback);
    event ProgramOwnershipTransferred(bytes32 indexed programId, address indexed previousOwner, address indexed newOwner);
    event Submitted(
        uint256 indexed submissionId,
        bytes32 indexed programId,
        address indexed submitter,
        bytes32 digest,
        bytes32 proofHash,
        uint256 fee
    );
    event BatchSealed(
        uint256 indexed batchId, uint32 version, uint8 count, address indexed assigned, uint64 assignmentDeadline
    );
    event BatchLocked(
        uint256 indexed batchId, address indexed prover, uint64 lockDeadline, uint64 finalDeadline, uint256 collateral
    );
    event SubmissionVerified(uint256 indexed submissionId, bytes32 indexed programId);
    event SubmissionExcluded(uint256 indexed submissionId);
    event BatchFulfilled(
        uint256 indexed batchId, address indexed prover, uint32 includedMask, uint256 feesPaid, uint256 protocolFee, bool late
    );
    event CallbackFailed(uint256 indexed submissionId, address indexed callback);
    event BatchSlashed(
        uint256 indexed batchId, address indexed locker, address indexed caller, uint256 burned, uint256 rewarded
    );
    event LockReleased(uint256 indexed batchId, address indexed locker, uint256 collateral);
    /// @notice A submission's fee left the escrow: sent to `submitter` (who called refund), or, when
    /// someone else called it, credited to `submitter`'s earnings ({RefundCredited} follows).
    event Refunded(uint256 indexed submissionId, address indexed submitter, uint256 amount);
    /// @notice A refund by `caller` (not the submitter): `amount` was credited to `submitter`'s
    /// claimable earnings instead of being sent.
    event RefundCredited(
        uint256 indexed submissionId, address indexed submitter, address indexed caller, uint256 amount
    );
    event EarningsClaimed(address indexed account, address indexed to, uint256 amount);
    event ParamsUpdated(Params params);
    event TreasurySet(address indexed treasury);
    /// @notice New programs may have the public-input counts in `mask` (bit n - 1 set = count n).
    event AggregatableInputCountsSet(uint32 mask);

    // ===== ERRORS =====

    error ZeroAddress();
    error InvalidParams();
    error UnbondingTooShort(uint64 unbondingPeriod, uint64 maxJobLifetime);
    error NonCanonicalProgramId(bytes32 programId);
    error ProgramExists(bytes32 programId);
    error InvalidPublicInputCount(uint256 count);
    /// @notice No aggregation circuit takes `count` public inputs (`aggregatable`: bit n - 1 set = count n).
    error UnsupportedPublicInputCount(uint256 count, uint32 aggregatable);
    error EmptyVerificationKey();
    error UnknownProgram(bytes32 programId);
    error NotProgramOwner(bytes32 programId, address caller);
    error FeeBelowFloor(uint256 fee, uint256 minFee);
    error FeeTooHigh(uint256 fee);
    error FeeMismatch(uint256 sum, uint256 value);
    error LengthMismatch();
    error EmptyProof();
    error PublicInputCountMismatch(bytes32 programId, uint256 expected, uint256 actual);
    error NonCanonicalPublicInput(uint256 index, bytes32 value);
    error StatementPending(bytes32 digest);
    error AlreadyVerified(bytes32 digest);
    error BatchNotOpen(uint256 batchId);
    error BatchTimeoutNotReached(uint256 batchId, uint64 sealableAt);
    error UnexpectedBatchState(uint256 batchId, BatchState state);
    error NotEligible(address account);
    error NotAssignedProver(uint256 batchId, address assigned);
    error VersionNotUsable(uint32 version);
    error BatchTooCloseToExpiry(uint256 batchId, uint64 finalDeadline, uint64 expiry);
    error NotLocker(uint256 batchId, address locker);
    error FulfilTooLate(uint256 batchId, uint64 finalDeadline);
    error InvalidExcludedMask(uint32 excludedMask);
    error NothingIncluded(uint256 batchId);
    error InvalidProof(uint256 batchId);
    error InsufficientCallbackGas();
    error SlashTooEarly(uint256 batchId, uint64 finalDeadline);
    error UnknownSubmission(uint256 submissionId);
    error NotRefundable(uint256 submissionId);
    error RefundFailed(address to, uint256 amount);
    error NothingToClaim(address account);
    error TransferFailed(address to, uint256 amount);
    /// @notice Internal consistency guard: batch `batchId` was to move from `from` to `to`, which is not an
    /// edge of the batch state machine (docs/protocol.md, "A batch"). Unreachable unless the market has a bug.
    error MarketInvalidBatchTransition(uint256 batchId, BatchState from, BatchState to);

    // ===== PROGRAMS =====

    /// @notice Registers a rollup circuit. programId = vkHash. Emits the vk bytes for provers.
    /// `publicInputCount` must be in 1..32 and one the aggregation circuits take
    /// (`aggregatableInputCounts()`, initially 1, 2 and 4), else `UnsupportedPublicInputCount`.
    function registerProgram(bytes32 vkHash, bytes calldata vk, uint32 publicInputCount) external;

    /// @notice Sets (or clears with address(0)) the program's callback. Program owner only.
    function setProgramCallback(bytes32 programId, address callback) external;

    /// @notice Hands the program to `newOwner`. Program owner only.
    function transferProgramOwnership(bytes32 programId, address newOwner) external;

    // ===== SUBMISSIONS =====

    /// @notice Posts one proof with fee msg.value. Proof bytes stay in calldata (the event carries
    /// their keccak).
    function submit(bytes32 programId, bytes32[] calldata publicInputs, bytes calldata proof)
        external
        payable
        returns (uint256 submissionId);

    /// @notice Posts several proofs; sum(fees) must equal msg.value.
    function submitMany(
        bytes32[] calldata programIds,
        bytes32[][] calldata publicInputs,
        bytes[] calldata proofs,
        uint256[] calldata fees
    ) external payable returns (uint256[] memory submissionIds);

    /// @notice Refunds a refundable submission (excluded from a fulfilled batch, or its batch expired)
    /// and frees its statement so it can be posted again. Anyone may call it: the fee is sent to the
    /// caller when the caller is the submitter, else credited to the submitter's earnings
    /// ({claimEarnings}). This lets a rollup free its statement from a squatter who never refunds.
    /// Emits {Refunded} (and {RefundCredited} when the caller is not the submitter).
    function refund(uint256 submissionId) external;

    /// @notice {refund} for several submissions, all or nothing: the caller's own fees are sent in one
    /// transfer, the others' are credited to their submitters' earnings.
    function refundMany(uint256[] calldata submissionIds) external;

    // ===== BATCHES =====

    /// @notice Seals the open batch once `batchTimeout` has passed since its first submission.
    function seal(uint256 batchId) external;

    /// @notice Locks a sealed batch for the caller's prover, locking collateral from its stake.
    function lock(uint256 batchId) external;

    /// @notice Fulfils a locked batch with an aggregated proof of its root (excluded slots as zero
    /// leaves), bound to the caller's prover.
    function fulfill(uint256 batchId, bytes calldata proof, uint32 excludedMask) external;

    /// @notice After a batch's final deadline: slashes the locker and reopens assignment.
    function slash(uint256 batchId) external;

    // ===== EARNINGS =====

    /// @notice Sends the caller's earnings to the caller (prover fees, the treasury's protocol fees, and
    /// refunds that someone else triggered for the caller's submissions).
    function claimEarnings() external;

    /// @notice Sends the caller's earnings to `to`.
    function claimEarnings(address to) external;

    // ===== VIEWS =====

    /// @notice A program's owner, public-input count, registration index and callback.
    function programs(bytes32 programId)
        external
        view
        returns (address owner, uint32 publicInputCount, uint24 index, address callback);

    /// @notice The programId registered with `index` (statements store the index, not the id).
    function programIdAt(uint24 index) external view returns (bytes32);

    /// @notice A batch; `state` is Expired when it is past expiry, not fulfilled and not under a live lock.
    function getBatch(uint256 batchId) external view returns (Batch memory);

    /// @notice The batch currently filling (0 when no submission is waiting in an open batch).
    function openBatchId() external view returns (uint256);

    /// @notice The statement digest of a pending submission (0 once verified or refunded).
    function digestOf(uint256 submissionId) external view returns (bytes32);

    /// @notice The statement stored under `digest`.
    function statementOf(bytes32 digest) external view returns (Statement memory);

    /// @notice True when the statement (programId, publicInputs) was verified by a fulfilment.
    function isVerified(bytes32 programId, bytes32[] calldata publicInputs) external view returns (bool);

    /// @notice True when the submission was included in its batch's fulfilment.
    function isSubmissionVerified(uint256 submissionId) external view returns (bool);

    /// @notice True when refund(submissionId) succeeds now (for any caller).
    function isRefundable(uint256 submissionId) external view returns (bool);

    /// @notice openedAt + submissionTtl (0 for a batch that never opened).
    function batchExpiry(uint256 batchId) external view returns (uint64);

    /// @notice provingWindowBase + provingWindowPerProof * size.
    function provingWindow(uint256 size) external view returns (uint64);

    /// @notice The root a fulfilment of `batchId` with `excludedMask` must prove.
    function batchRoot(uint256 batchId, uint32 excludedMask) external view returns (bytes32);

    /// @notice ETH claimable by `account` (provers, the treasury, and submitters refunded by a third party).
    function earnings(address account) external view returns (uint256);

    /// @notice The current parameters.
    function params() external view returns (Params memory);
}
