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

    /// @notice A program was registered; provers read its verification key from this event.
    /// @param programId The program id (= the key hash `vkHash`).
    /// @param owner The registrant, who may set the callback and hand the program over.
    /// @param publicInputCount The number of public inputs of the program's proofs.
    /// @param index The registration index that statements store (see {programIdAt}).
    /// @param vk The verification key bytes (not stored on chain).
    event ProgramRegistered(
        bytes32 indexed programId,
        address indexed owner,
        uint32 publicInputCount,
        uint24 index,
        bytes vk
    );
    /// @notice A program's callback changed.
    /// @param programId The program.
    /// @param callback The new callback (address(0): none).
    event ProgramCallbackSet(bytes32 indexed programId, address callback);
    /// @notice A program changed owner.
    /// @param programId The program.
    /// @param previousOwner The owner before.
    /// @param newOwner The owner now.
    event ProgramOwnershipTransferred(
        bytes32 indexed programId,
        address indexed previousOwner,
        address indexed newOwner
    );
    /// @notice A proof was posted (submit or submitMany); its bytes are in the transaction's calldata only.
    /// @param submissionId The new submission (batchId * 32 + slot).
    /// @param programId The program.
    /// @param submitter Who paid the fee (and is refunded it).
    /// @param digest The statement digest keccak256(abi.encodePacked(programId, publicInputs)).
    /// @param proofHash keccak256 of the proof bytes.
    /// @param fee The fee escrowed, in wei.
    event Submitted(
        uint256 indexed submissionId,
        bytes32 indexed programId,
        address indexed submitter,
        bytes32 digest,
        bytes32 proofHash,
        uint256 fee
    );
    /// @notice A batch was sealed (full, or timed out) and a prover drawn.
    /// @param batchId The batch.
    /// @param version The verifier version its fulfilment must use.
    /// @param count The number of submissions in it.
    /// @param assigned The drawn prover (address(0): open to every eligible prover at once).
    /// @param assignmentDeadline End of the assigned prover's exclusive window.
    event BatchSealed(
        uint256 indexed batchId,
        uint32 version,
        uint8 count,
        address indexed assigned,
        uint64 assignmentDeadline
    );
    /// @notice A prover locked a sealed batch.
    /// @param batchId The batch.
    /// @param prover The prover (not its operator key).
    /// @param lockDeadline On-time fulfilment by this prover up to here.
    /// @param finalDeadline Late fulfilment by any eligible prover up to here; slashable after.
    /// @param collateral The NEX locked from the prover's stake.
    event BatchLocked(
        uint256 indexed batchId,
        address indexed prover,
        uint64 lockDeadline,
        uint64 finalDeadline,
        uint256 collateral
    );
    /// @notice A submission was included in its batch's fulfilment: its statement is verified.
    /// @param submissionId The submission.
    /// @param programId Its program.
    event SubmissionVerified(uint256 indexed submissionId, bytes32 indexed programId);
    /// @notice A submission was excluded by the fulfilling prover: it is refundable.
    /// @param submissionId The submission.
    event SubmissionExcluded(uint256 indexed submissionId);
    /// @notice A batch was fulfilled.
    /// @param batchId The batch.
    /// @param prover The prover credited (bound into the proof).
    /// @param includedMask The slots verified (bit i = slot i).
    /// @param feesPaid Fees credited to the prover's earnings (after the protocol fee).
    /// @param protocolFee Fees credited to the treasury.
    /// @param late True when fulfilled after the lock deadline (the locker was slashed).
    event BatchFulfilled(
        uint256 indexed batchId,
        address indexed prover,
        uint32 includedMask,
        uint256 feesPaid,
        uint256 protocolFee,
        bool late
    );
    /// @notice A program callback reverted or ran out of gas; the fulfilment stands.
    /// @param submissionId The submission whose callback failed.
    /// @param callback The callback contract.
    event CallbackFailed(uint256 indexed submissionId, address indexed callback);
    /// @notice A lock expired unfulfilled: the locker was slashed and the batch is Sealed again (open to all).
    /// @param batchId The batch.
    /// @param locker The slashed prover.
    /// @param caller Who called {slash}: the beneficiary of the reward share.
    /// @param burned NEX burnt.
    /// @param rewarded NEX sent to `caller`.
    event BatchSlashed(
        uint256 indexed batchId,
        address indexed locker,
        address indexed caller,
        uint256 burned,
        uint256 rewarded
    );
    /// @notice A lock expired while its verifier version was frozen or removed: the collateral was released
    /// without penalty and the batch is Sealed again.
    /// @param batchId The batch.
    /// @param locker The prover whose collateral was released.
    /// @param collateral The NEX released.
    event LockReleased(uint256 indexed batchId, address indexed locker, uint256 collateral);
    /// @notice A submission's fee left the escrow: sent to `submitter` (who called refund), or, when
    /// someone else called it, credited to `submitter`'s earnings ({RefundCredited} follows).
    /// @param submissionId The submission refunded.
    /// @param submitter Its submitter.
    /// @param amount The fee, in wei.
    event Refunded(uint256 indexed submissionId, address indexed submitter, uint256 amount);
    /// @notice A refund by `caller` (not the submitter): `amount` was credited to `submitter`'s
    /// claimable earnings instead of being sent.
    /// @param submissionId The submission refunded.
    /// @param submitter Its submitter, credited.
    /// @param caller Who called the refund.
    /// @param amount The fee, in wei.
    event RefundCredited(
        uint256 indexed submissionId,
        address indexed submitter,
        address indexed caller,
        uint256 amount
    );
    /// @notice Earnings were paid out.
    /// @param account Whose earnings.
    /// @param to The recipient.
    /// @param amount Wei sent.
    event EarningsClaimed(address indexed account, address indexed to, uint256 amount);
    /// @notice The market parameters changed (constructor or setParams).
    /// @param params The new parameters.
    event ParamsUpdated(Params params);
    /// @notice The account credited with the protocol fee changed.
    /// @param treasury The new treasury.
    event TreasurySet(address indexed treasury);
    /// @notice New programs may have the public-input counts in `mask` (bit n - 1 set = count n).
    /// @param mask The new mask.
    event AggregatableInputCountsSet(uint32 mask);

    // ===== ERRORS =====
    // Prefixed with the contract's name (EIP-6093 style). Errors of OpenZeppelin's building blocks
    // (AccessControlUnauthorizedAccount, EnforcedPause, ReentrancyGuardReentrantCall) keep their names.

    /// @notice A required address (staking, router, treasury, new owner, claim recipient) is zero.
    error MarketZeroAddress();
    /// @notice Parameters out of bounds (docs/protocol.md, "Parameters"), or an empty input-count mask.
    error MarketInvalidParams();
    /// @notice The staking unbonding period must exceed the longest job lifetime.
    /// @param unbondingPeriod The staking contract's unbonding period.
    /// @param maxJobLifetime provingWindow(32) + secondaryWindow under the rejected parameters.
    error MarketUnbondingTooShort(uint64 unbondingPeriod, uint64 maxJobLifetime);
    /// @notice A program id is not a canonical BN254 field element.
    /// @param programId The rejected id.
    error MarketNonCanonicalProgramId(bytes32 programId);
    /// @notice The program is already registered.
    /// @param programId The program.
    error MarketProgramExists(bytes32 programId);
    /// @notice A public-input count outside 1..32.
    /// @param count The rejected count.
    error MarketInvalidPublicInputCount(uint256 count);
    /// @notice No aggregation circuit takes `count` public inputs (`aggregatable`: bit n - 1 set = count n).
    /// @param count The rejected count.
    /// @param aggregatable The counts the market accepts ({aggregatableInputCounts}).
    error MarketUnsupportedPublicInputCount(uint256 count, uint32 aggregatable);
    /// @notice The verification key bytes are empty.
    error MarketEmptyVerificationKey();
    /// @notice The program is not registered.
    /// @param programId The program.
    error MarketUnknownProgram(bytes32 programId);
    /// @notice Only the program's owner may do this.
    /// @param programId The program.
    /// @param caller The caller, not the owner.
    error MarketNotProgramOwner(bytes32 programId, address caller);
    /// @notice The fee is below the minimum fee per proof.
    /// @param fee The fee offered, in wei.
    /// @param minFee The minimum, in wei.
    error MarketFeeBelowFloor(uint256 fee, uint256 minFee);
    /// @notice The fee does not fit a statement (above 2^64 - 1 wei).
    /// @param fee The fee offered, in wei.
    error MarketFeeTooHigh(uint256 fee);
    /// @notice submitMany: the fees do not add up to the value sent.
    /// @param sum The sum of the fees.
    /// @param value msg.value.
    error MarketFeeMismatch(uint256 sum, uint256 value);
    /// @notice submitMany: empty, or the arrays differ in length.
    error MarketLengthMismatch();
    /// @notice The proof bytes are empty.
    error MarketEmptyProof();
    /// @notice The number of public inputs differs from the program's.
    /// @param programId The program.
    /// @param expected Its registered count.
    /// @param actual The count given.
    error MarketPublicInputCountMismatch(bytes32 programId, uint256 expected, uint256 actual);
    /// @notice A public input is not a canonical BN254 field element.
    /// @param index Its position.
    /// @param value The value.
    error MarketNonCanonicalPublicInput(uint256 index, bytes32 value);
    /// @notice The statement is already pending in a batch (refund that submission first, if refundable).
    /// @param digest The statement digest.
    error MarketStatementPending(bytes32 digest);
    /// @notice The statement is already verified: nothing to pay for.
    /// @param digest The statement digest.
    error MarketAlreadyVerified(bytes32 digest);
    /// @notice seal: `batchId` is not the open batch, or it is empty.
    /// @param batchId The batch.
    error MarketBatchNotOpen(uint256 batchId);
    /// @notice seal: the batch's timeout has not passed.
    /// @param batchId The batch.
    /// @param sealableAt When it can be sealed.
    error MarketBatchTimeoutNotReached(uint256 batchId, uint64 sealableAt);
    /// @notice The batch is not in the state the operation needs (lock: Sealed; fulfill and slash: Locked).
    /// @param batchId The batch.
    /// @param state Its stored state.
    error MarketUnexpectedBatchState(uint256 batchId, BatchState state);
    /// @notice The account is not a prover (nor a prover's operator), or the prover's active stake is below
    /// the minimum.
    /// @param account The caller, or the prover it acts for.
    error MarketNotEligible(address account);
    /// @notice lock: within the assignment window only the assigned prover may lock.
    /// @param batchId The batch.
    /// @param assigned The assigned prover.
    error MarketNotAssignedProver(uint256 batchId, address assigned);
    /// @notice lock: the batch's verifier version is frozen or removed.
    /// @param version The version.
    error MarketVersionNotUsable(uint32 version);
    /// @notice lock: the lock's final deadline would pass the batch's expiry.
    /// @param batchId The batch.
    /// @param finalDeadline The final deadline a lock now would get.
    /// @param expiry The batch's expiry.
    error MarketBatchTooCloseToExpiry(uint256 batchId, uint64 finalDeadline, uint64 expiry);
    /// @notice fulfill: up to the lock deadline only the locker may fulfil.
    /// @param batchId The batch.
    /// @param locker The locker.
    error MarketNotLocker(uint256 batchId, address locker);
    /// @notice fulfill: the final deadline has passed (the lock can only be slashed).
    /// @param batchId The batch.
    /// @param finalDeadline The final deadline.
    error MarketFulfilTooLate(uint256 batchId, uint64 finalDeadline);
    /// @notice fulfill: the mask excludes a slot that is not filled.
    /// @param excludedMask The mask given.
    error MarketInvalidExcludedMask(uint32 excludedMask);
    /// @notice lock or fulfill: no slot would be included (all excluded or refunded).
    /// @param batchId The batch.
    error MarketNothingIncluded(uint256 batchId);
    /// @notice fulfill: the verifier rejected the proof for the batch root, the exclusions and the prover.
    /// @param batchId The batch.
    error MarketInvalidProof(uint256 batchId);
    /// @notice fulfill: too little gas left to give every callback its full gas limit.
    error MarketInsufficientCallbackGas();
    /// @notice slash: the final deadline has not passed.
    /// @param batchId The batch.
    /// @param finalDeadline The final deadline.
    error MarketSlashTooEarly(uint256 batchId, uint64 finalDeadline);
    /// @notice refund: no such submission (its slot is beyond the batch's count).
    /// @param submissionId The id.
    error MarketUnknownSubmission(uint256 submissionId);
    /// @notice refund: the submission is pending in a live batch, verified, or already refunded.
    /// @param submissionId The id.
    error MarketNotRefundable(uint256 submissionId);
    /// @notice refund: sending the fee back to the submitter failed.
    /// @param to The submitter.
    /// @param amount Wei.
    error MarketRefundFailed(address to, uint256 amount);
    /// @notice claimEarnings: the account has nothing to claim.
    /// @param account The caller.
    error MarketNothingToClaim(address account);
    /// @notice claimEarnings: sending the earnings failed.
    /// @param to The recipient.
    /// @param amount Wei.
    error MarketTransferFailed(address to, uint256 amount);
    /// @notice Internal consistency guard: batch `batchId` was to move from `from` to `to`, which is not an
    /// edge of the batch state machine (docs/protocol.md, "A batch"). Unreachable unless the market has a bug.
    /// @param batchId The batch.
    /// @param from Its stored state.
    /// @param to The state it was to move to.
    error MarketInvalidBatchTransition(uint256 batchId, BatchState from, BatchState to);

    // ===== PROGRAMS =====

    /// @notice Registers a rollup circuit. programId = vkHash. Emits the vk bytes for provers.
    /// `publicInputCount` must be in 1..32 and one the aggregation circuits take
    /// (`aggregatableInputCounts()`, initially 1, 2 and 4), else {MarketUnsupportedPublicInputCount}.
    /// @param vkHash The key hash of the circuit's verification key (the program id); a canonical field element.
    /// @param vk The verification key bytes (emitted, not stored).
    /// @param publicInputCount The number of public inputs of the program's proofs.
    function registerProgram(bytes32 vkHash, bytes calldata vk, uint32 publicInputCount) external;

    /// @notice Sets (or clears with address(0)) the program's callback. Program owner only.
    /// @param programId The program.
    /// @param callback The {INexCallback} contract, or address(0).
    function setProgramCallback(bytes32 programId, address callback) external;

    /// @notice Hands the program to `newOwner`. Program owner only.
    /// @param programId The program.
    /// @param newOwner The new owner (not zero).
    function transferProgramOwnership(bytes32 programId, address newOwner) external;

    // ===== SUBMISSIONS =====

    /// @notice Posts one proof with fee msg.value. Proof bytes stay in calldata (the event carries
    /// their keccak).
    /// @param programId The program.
    /// @param publicInputs The proof's public inputs (canonical field elements, the program's count).
    /// @param proof The proof bytes (not checked on chain: the prover checks them before aggregating).
    /// @return submissionId The new submission (batchId * 32 + slot).
    function submit(
        bytes32 programId,
        bytes32[] calldata publicInputs,
        bytes calldata proof
    ) external payable returns (uint256 submissionId);

    /// @notice Posts several proofs; sum(fees) must equal msg.value.
    /// @param programIds The program of each proof.
    /// @param publicInputs The public inputs of each proof.
    /// @param proofs The proof bytes.
    /// @param fees The fee of each proof, in wei.
    /// @return submissionIds The new submissions, in order.
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
    /// @param submissionId The submission.
    function refund(uint256 submissionId) external;

    /// @notice {refund} for several submissions, all or nothing: the caller's own fees are sent in one
    /// transfer, the others' are credited to their submitters' earnings.
    /// @param submissionIds The submissions.
    function refundMany(uint256[] calldata submissionIds) external;

    // ===== BATCHES =====

    /// @notice Seals the open batch once `batchTimeout` has passed since its first submission.
    /// @param batchId The open batch.
    function seal(uint256 batchId) external;

    /// @notice Locks a sealed batch for the caller's prover, locking collateral from its stake.
    /// @param batchId The batch.
    function lock(uint256 batchId) external;

    /// @notice Fulfils a locked batch with an aggregated proof of its root (excluded slots as zero
    /// leaves), bound to the caller's prover.
    /// @param batchId The batch.
    /// @param proof The aggregated proof.
    /// @param excludedMask The filled slots the proof leaves out (bit i = slot i); they become refundable.
    function fulfill(uint256 batchId, bytes calldata proof, uint32 excludedMask) external;

    /// @notice After a batch's final deadline: slashes the locker and reopens assignment.
    /// @param batchId The batch.
    function slash(uint256 batchId) external;

    // ===== EARNINGS =====

    /// @notice Sends the caller's earnings to the caller (prover fees, the treasury's protocol fees, and
    /// refunds that someone else triggered for the caller's submissions).
    function claimEarnings() external;

    /// @notice Sends the caller's earnings to `to`.
    /// @param to The recipient (not zero).
    function claimEarnings(address to) external;

    // ===== VIEWS =====

    /// @notice A program's owner, public-input count, registration index and callback.
    /// @param programId The program.
    /// @return owner Its owner (address(0): not registered).
    /// @return publicInputCount Its public-input count.
    /// @return index Its registration index.
    /// @return callback Its callback (address(0): none).
    function programs(
        bytes32 programId
    ) external view returns (address owner, uint32 publicInputCount, uint24 index, address callback);

    /// @notice The programId registered with `index` (statements store the index, not the id).
    /// @param index A registration index.
    /// @return The program id (0 for an unused index).
    function programIdAt(uint24 index) external view returns (bytes32);

    /// @notice A batch; `state` is Expired when it is past expiry, not fulfilled and not under a live lock.
    /// @param batchId The batch.
    /// @return The batch.
    function getBatch(uint256 batchId) external view returns (Batch memory);

    /// @notice The batch currently filling (0 when no submission is waiting in an open batch).
    /// @return The batch id, or 0.
    function openBatchId() external view returns (uint256);

    /// @notice The statement digest of a pending submission (0 once verified or refunded).
    /// @param submissionId The submission.
    /// @return The digest, or 0.
    function digestOf(uint256 submissionId) external view returns (bytes32);

    /// @notice The statement stored under `digest`.
    /// @param digest A statement digest.
    /// @return The statement (all zero: none).
    function statementOf(bytes32 digest) external view returns (Statement memory);

    /// @notice True when the statement (programId, publicInputs) was verified by a fulfilment.
    /// @param programId The program.
    /// @param publicInputs The public inputs.
    /// @return Whether it is verified.
    function isVerified(bytes32 programId, bytes32[] calldata publicInputs) external view returns (bool);

    /// @notice True when the submission was included in its batch's fulfilment.
    /// @param submissionId The submission.
    /// @return Whether it is verified.
    function isSubmissionVerified(uint256 submissionId) external view returns (bool);

    /// @notice True when refund(submissionId) succeeds now (for any caller).
    /// @param submissionId The submission.
    /// @return Whether it is refundable.
    function isRefundable(uint256 submissionId) external view returns (bool);

    /// @notice openedAt + submissionTtl (0 for a batch that never opened).
    /// @param batchId The batch.
    /// @return Its expiry, unix seconds.
    function batchExpiry(uint256 batchId) external view returns (uint64);

    /// @notice provingWindowBase + provingWindowPerProof * size.
    /// @param size A batch's number of submissions.
    /// @return Seconds.
    function provingWindow(uint256 size) external view returns (uint64);

    /// @notice The root a fulfilment of `batchId` with `excludedMask` must prove.
    /// @param batchId The batch.
    /// @param excludedMask The slots to leave out (zero leaves).
    /// @return The batch root.
    function batchRoot(uint256 batchId, uint32 excludedMask) external view returns (bytes32);

    /// @notice ETH claimable by `account` (provers, the treasury, and submitters refunded by a third party).
    /// @param account The account.
    /// @return Wei.
    function earnings(address account) external view returns (uint256);

    /// @notice The current parameters.
    /// @return The parameters.
    function params() external view returns (Params memory);
}
