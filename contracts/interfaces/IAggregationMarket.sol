// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobLifetime} from "./IJobLifetime.sol";

/// @title IAggregationMarketTypes
/// @notice The types, events and errors of the NEX aggregation market, version 2 ({IAggregationMarket}
/// declares its functions). Separate so that the market's two code contracts (the market and its
/// extension, see {AggregationMarket}) share them.
interface IAggregationMarketTypes {
    // ===== TYPES =====

    /// @notice Lifecycle of a batch. `Expired` is derived by views only: a batch past its expiry that is
    /// Open or Sealed, or Locked with its effective final deadline passed.
    enum BatchState {
        None,
        Open,
        Sealed,
        Locked,
        Fulfilled,
        Closed,
        Released,
        Expired
    }

    /// @notice Why {postBatch} skipped a signed request (the post itself never reverts for it).
    enum SkipReason {
        BadSignature,
        Expired,
        StaleNonce,
        UnknownProgram,
        FeeBelowFloor,
        InvalidStatements,
        InsufficientBalance
    }

    /// @notice A registered program. `programId = keccak256(abi.encode(registrant, vkHash))`.
    struct Program {
        address owner; // may set the callback and transfer ownership (the id stays)
        uint8 publicInputCount;
        uint24 callbackGas; // gas of each callback; copied into the group word when statements enter
        address callback; // address(0): none
    }

    /// @notice Market parameters (times in seconds, fees in wei, collateral in NEX wei).
    struct Params {
        uint64 minFeePerProof;
        uint8 batchCapacity; // capacity of new calldata/blob batches: power of two, 4..64
        uint32 batchTimeout; // a calldata/blob batch can be sealed this long after it opened
        uint32 assignmentWindow; // exclusive lock window of the drawn prover after the seal
        uint32 provingWindowBase; // provingWindow(n) = base + perProof * n
        uint32 provingWindowPerProof;
        uint16 secondaryWindow; // late-fulfilment window after lockDeadline (finalDelta)
        uint32 submissionTtl; // batch expiry = openedAt + submissionTtl
        uint96 collateralPerProof; // NEX wei per statement, a multiple of 1 gwei
        uint16 protocolFeeBps; // share of verified fees credited to the treasury
        uint16 posterFeeBps; // share of verified fees credited to the poster of an off-chain batch
        uint24 maxCallbackGas; // bound on a program's callback gas
        uint32 withdrawalDelay; // notice between requestWithdrawal and withdraw
    }

    /// @notice A group of a batch: consecutive slots with one payer, one program, one fee per proof and
    /// one callback gas. `word = payer (160) | feePerProof (64) | count (8) | callbackGas (24)`.
    struct Group {
        uint256 word;
        bytes32 programId;
    }

    /// @notice What a fulfilment, closure or release proves about a batch's content against its
    /// commitment. Posted form: `root`, `groupsHash` and `poster` (the fast path needs nothing else);
    /// chain form: `groups` and `digests` only.
    struct Settlement {
        bytes32 root;
        bytes32 groupsHash;
        address poster;
        Group[] groups;
        bytes32[] digests;
    }

    /// @notice The EIP-712 message a payer signs for the off-chain channel.
    /// `statementsHash = keccak256(abi.encodePacked(digests))`, digests in slot order.
    struct Request {
        bytes32 programId;
        bytes32 statementsHash;
        uint32 count;
        uint64 feePerProof;
        uint64 nonce;
        uint40 deadline;
    }

    /// @notice A signed request as {postBatch} takes it: the request without its statements hash (the
    /// market hashes the group's digests) and an EIP-2098 compact signature.
    struct PostedGroup {
        bytes32 programId;
        uint32 count;
        uint64 feePerProof;
        uint64 nonce;
        uint40 deadline;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice A Merkle path from a statement's digest to the proven root of a fulfilled batch.
    struct Inclusion {
        uint256 batchId;
        uint256 index; // the slot
        bytes32[] siblings; // bottom first; as many as the batch tree's depth
    }

    /// @notice A batch as {getBatch} decodes it (deadlines are the effective ones, freeze shifts included).
    struct Batch {
        BatchState state;
        bool posted; // posted form (off-chain channel) rather than chain form (calldata and blob)
        bool hasCallback; // some group has callback gas
        bool assignmentOpen; // every eligible prover may lock (after a slash)
        uint8 capacity;
        uint8 count;
        uint16 version;
        uint32 openedAt;
        uint32 sealedAt;
        uint32 sealBlock;
        uint64 lockDeadline; // effective; 0 when not locked
        uint64 finalDeadline; // effective; 0 when not locked
        uint64 expiry; // openedAt + submissionTtl
        uint256 escrow; // wei of fees the batch holds
        bytes32 commitment; // the commitment, or the proven root once fulfilled
        address locker; // the live lock's locker, or the prover slashed on this batch while Sealed again; 0 once the lock ended
        uint256 collateral; // NEX wei locked (live lock only)
        uint32 frozenAtLock; // the router's frozenTotal at the lock (live lock only)
    }

    /// @notice A payer's off-chain account.
    struct Account {
        uint96 balance; // wei of deposit not reserved by a batch
        uint64 nonce; // the lowest nonce a request may still use
        uint32 withdrawableAt; // when the pending withdrawal may be executed (0: none)
        uint96 pendingWithdrawal; // wei requested for withdrawal
    }

    // ===== EVENTS =====

    /// @notice A program was registered; the verification key bytes are only here.
    /// @param programId The program id.
    /// @param owner The registrant (and first owner).
    /// @param vkHash The key hash the circuits bind.
    /// @param publicInputCount Public inputs per statement.
    /// @param vk The 3,680-byte `noir-recursive` verification key.
    event MarketProgramRegistered(
        bytes32 indexed programId,
        address indexed owner,
        bytes32 indexed vkHash,
        uint8 publicInputCount,
        bytes vk
    );

    /// @notice A program's callback changed; statements entering from now on carry `gasLimit`.
    /// @param programId The program.
    /// @param callback The callback (address(0): none).
    /// @param gasLimit Gas per callback (0 without a callback).
    event MarketProgramCallbackSet(bytes32 indexed programId, address callback, uint24 gasLimit);

    /// @notice A program changed owner (its id stays).
    /// @param programId The program.
    /// @param previousOwner The former owner.
    /// @param newOwner The new owner.
    event MarketProgramOwnershipTransferred(
        bytes32 indexed programId,
        address indexed previousOwner,
        address indexed newOwner
    );

    /// @notice A calldata or blob batch opened.
    /// @param batchId The batch.
    /// @param capacity Its capacity.
    event MarketBatchOpened(uint256 indexed batchId, uint8 capacity);

    /// @notice Statements entered a calldata or blob batch as one group (submission ids
    /// `batchId * 64 + firstSlot ...`); the proofs are in the transaction's calldata (calldata channel) or
    /// blobs ({MarketBlobsSubmitted}).
    /// @param batchId The batch.
    /// @param programId The program.
    /// @param payer Who paid the fees.
    /// @param firstSlot The group's first slot.
    /// @param count Statements in the group.
    /// @param feePerProof Wei per statement.
    /// @param callbackGas Gas per callback (0: none).
    event MarketSubmitted(
        uint256 indexed batchId,
        bytes32 indexed programId,
        address indexed payer,
        uint256 firstSlot,
        uint256 count,
        uint256 feePerProof,
        uint256 callbackGas
    );

    /// @notice Statements of a blob transaction: proof `k` of the call (slot `firstSlot + k`) is in blob
    /// `k / proofsPerBlob`, at byte `(k % proofsPerBlob) * rollupProofBytes` of its unpacked data.
    /// @param batchId The batch.
    /// @param firstSlot The first slot.
    /// @param count Statements.
    /// @param versionedHashes The blobs' versioned hashes, in order.
    event MarketBlobsSubmitted(uint256 indexed batchId, uint256 firstSlot, uint256 count, bytes32[] versionedHashes);

    /// @notice {postBatch} skipped a signed request; nothing of it was charged or stored.
    /// @param payer The recovered signer (address(0) when the signature is malformed).
    /// @param nonce The request's nonce.
    /// @param reason Why.
    event MarketRequestSkipped(address indexed payer, uint64 nonce, SkipReason reason);

    /// @notice An off-chain batch was posted (created sealed), with every request it accepted: one event per
    /// post, no event per accepted request (a skipped one has {MarketRequestSkipped}). Accepted request `i`
    /// is group `i`: its payer, fee, count and callback gas are in its group word, its first slot is the sum
    /// of the counts of the groups before it.
    /// @param batchId The batch.
    /// @param poster Who posted it (earns `posterFeeBps` of its verified fees).
    /// @param root The full batch root.
    /// @param groupsHash Hash of the accepted groups: `keccak256(groups)`.
    /// @param count Statements.
    /// @param capacity The tree's capacity.
    /// @param escrow Wei of fees reserved.
    /// @param groups The accepted groups in slot order, `abi.encodePacked(word, programId)` each (64 bytes; word:
    /// `payer (160) | feePerProof (64) | count (8) | callbackGas (24)`): a settlement's `groups`.
    /// @param requestHashes The accepted requests' EIP-712 hashes (what each payer signed), in the same order.
    /// @param nonces Their nonces, in the same order.
    event MarketBatchPosted(
        uint256 indexed batchId,
        address indexed poster,
        bytes32 root,
        bytes32 groupsHash,
        uint256 count,
        uint256 capacity,
        uint256 escrow,
        bytes groups,
        bytes32[] requestHashes,
        uint64[] nonces
    );

    /// @notice A batch was sealed; its draw seed is `keccak256(abi.encode(blockhash(sealBlock), batchId))`.
    /// @param batchId The batch.
    /// @param version The verifier version it must be proven for.
    /// @param count Statements.
    /// @param sealBlock The sealing block.
    event MarketBatchSealed(uint256 indexed batchId, uint16 version, uint256 count, uint256 sealBlock);

    /// @notice A prover locked a batch.
    /// @param batchId The batch.
    /// @param prover The locker.
    /// @param lockDeadline On-time fulfilment by the locker up to here (before freeze shifts).
    /// @param finalDeadline Late fulfilment by anyone eligible up to here (before freeze shifts).
    /// @param collateral NEX wei locked.
    event MarketBatchLocked(
        uint256 indexed batchId,
        address indexed prover,
        uint64 lockDeadline,
        uint64 finalDeadline,
        uint256 collateral
    );

    /// @notice A batch was fulfilled; `provenRoot` is now its commitment (excluded slots as zero leaves).
    /// @param batchId The batch.
    /// @param prover The prover credited.
    /// @param provenRoot The proven root.
    /// @param excludedMask Slots excluded (their fees went back to their payers).
    /// @param proverFees Wei credited to the prover.
    /// @param protocolFee Wei credited to the treasury.
    /// @param posterFee Wei credited to the poster.
    /// @param late True when fulfilled after the locker's deadline (the locker was slashed).
    event MarketBatchFulfilled(
        uint256 indexed batchId,
        address indexed prover,
        bytes32 provenRoot,
        uint64 excludedMask,
        uint256 proverFees,
        uint256 protocolFee,
        uint256 posterFee,
        bool late
    );

    /// @notice Fees of a group went back to its payer (exclusion, closure or release): into its deposit
    /// (off-chain channel) or its claimable earnings (calldata and blob channels).
    /// @param batchId The batch.
    /// @param payer The payer.
    /// @param amount Wei returned.
    /// @param toDeposit True for a deposit credit, false for an earnings credit.
    event MarketFeesReturned(uint256 indexed batchId, address indexed payer, uint256 amount, bool toDeposit);

    /// @notice The locker closed a batch in which nothing was provable; every fee went back.
    /// @param batchId The batch.
    /// @param locker The locker.
    event MarketBatchClosed(uint256 indexed batchId, address indexed locker);

    /// @notice An expired batch was released; every fee went back.
    /// @param batchId The batch.
    /// @param caller Who released it.
    event MarketBatchReleased(uint256 indexed batchId, address indexed caller);

    /// @notice A late locker was slashed; the batch is Sealed again with open assignment.
    /// @param batchId The batch.
    /// @param locker The slashed locker (it may not lock this batch again).
    /// @param caller The beneficiary.
    /// @param burned NEX burnt.
    /// @param rewarded NEX sent to the caller.
    event MarketBatchSlashed(
        uint256 indexed batchId,
        address indexed locker,
        address indexed caller,
        uint256 burned,
        uint256 rewarded
    );

    /// @notice A lock was released without penalty because the batch's version was removed.
    /// @param batchId The batch.
    /// @param locker The locker.
    /// @param collateral NEX wei released.
    event MarketLockReleased(uint256 indexed batchId, address indexed locker, uint256 collateral);

    /// @notice A program callback reverted or ran out of gas (the fulfilment stands).
    /// @param submissionId The verified submission.
    /// @param callback The callback called.
    event MarketCallbackFailed(uint256 indexed submissionId, address indexed callback);

    /// @notice A statement was recorded as verified for path-free reads.
    /// @param digest The statement digest.
    /// @param batchId The batch that proved it.
    event MarketStatementRecorded(bytes32 indexed digest, uint256 indexed batchId);

    /// @notice ETH was deposited for off-chain requests.
    /// @param account The payer.
    /// @param amount Wei deposited.
    /// @param balance Its balance now.
    event MarketDeposited(address indexed account, uint256 amount, uint256 balance);

    /// @notice A withdrawal was requested (it replaces any pending one).
    /// @param account The payer.
    /// @param amount Wei requested.
    /// @param withdrawableAt When {withdraw} may execute it.
    event MarketWithdrawalRequested(address indexed account, uint256 amount, uint64 withdrawableAt);

    /// @notice A withdrawal was executed.
    /// @param account The payer.
    /// @param amount Wei sent.
    event MarketWithdrawn(address indexed account, uint256 amount);

    /// @notice Earnings were claimed.
    /// @param account The account.
    /// @param to The recipient.
    /// @param amount Wei sent.
    event MarketEarningsClaimed(address indexed account, address indexed to, uint256 amount);

    /// @notice The parameters changed.
    /// @param params The new parameters.
    event MarketParamsUpdated(Params params);

    /// @notice The treasury changed.
    /// @param treasury The new treasury.
    event MarketTreasurySet(address indexed treasury);

    /// @notice New programs may have the public-input counts in `mask` (bit n - 1 set = count n).
    /// @param mask The mask.
    event MarketAggregatableInputCountsSet(uint32 mask);

    // ===== ERRORS =====

    /// @notice A zero address was given where one is required.
    error MarketZeroAddress();

    /// @notice Parameters out of their bounds (docs/protocol.md, "Parameters").
    error MarketInvalidParams();

    /// @notice The staking unbonding period does not outlast the longest job.
    /// @param unbondingPeriod Staking's unbonding period.
    /// @param maxJobLifetime The market's longest job.
    error MarketUnbondingTooShort(uint64 unbondingPeriod, uint64 maxJobLifetime);

    /// @notice The key hash is not a canonical field element.
    /// @param vkHash The rejected key hash.
    error MarketNonCanonicalVkHash(bytes32 vkHash);

    /// @notice The verification key does not have the `noir-recursive` length.
    /// @param length The given length.
    /// @param expected The required length.
    error MarketInvalidVerificationKey(uint256 length, uint256 expected);

    /// @notice The caller already registered this key (same program id).
    /// @param programId The program id.
    error MarketProgramExists(bytes32 programId);

    /// @notice No aggregation circuit takes `count` public inputs.
    /// @param count The count.
    /// @param aggregatable Bit n - 1 set = count n.
    error MarketUnsupportedPublicInputCount(uint256 count, uint32 aggregatable);

    /// @notice The program is not registered.
    /// @param programId The program id.
    error MarketUnknownProgram(bytes32 programId);

    /// @notice The caller does not own the program.
    /// @param programId The program.
    /// @param caller The caller.
    error MarketNotProgramOwner(bytes32 programId, address caller);

    /// @notice A callback gas limit is zero with a callback, non-zero without one, or above the bound.
    /// @param gasLimit The rejected limit.
    /// @param max The bound.
    error MarketInvalidCallbackGas(uint256 gasLimit, uint256 max);

    /// @notice A fee per proof is below `minFeePerProof`.
    /// @param fee The fee.
    /// @param min The floor.
    error MarketFeeBelowFloor(uint256 fee, uint256 min);

    /// @notice A fee per proof does not fit in 64 bits.
    /// @param fee The fee.
    error MarketFeeTooHigh(uint256 fee);

    /// @notice `msg.value` is not the fees' sum.
    /// @param expected The sum.
    /// @param value The value sent.
    error MarketFeeMismatch(uint256 expected, uint256 value);

    /// @notice Array lengths disagree, or a list is empty.
    error MarketLengthMismatch();

    /// @notice More statements than a batch takes.
    /// @param count The statements.
    /// @param capacity The capacity.
    error MarketTooManyStatements(uint256 count, uint256 capacity);

    /// @notice A rollup proof does not have the current version's length.
    /// @param length The given length.
    /// @param expected The version's rollup proof length.
    error MarketInvalidProofLength(uint256 length, uint256 expected);

    /// @notice A statement's public-input count differs from its program's.
    /// @param programId The program.
    /// @param expected The program's count.
    /// @param actual The given count.
    error MarketPublicInputCountMismatch(bytes32 programId, uint256 expected, uint256 actual);

    /// @notice A public input is not a canonical field element.
    /// @param index Its index.
    /// @param value Its value.
    error MarketNonCanonicalPublicInput(uint256 index, bytes32 value);

    /// @notice A blob the call needs is missing, or the transaction carries more blobs than it needs.
    /// @param index The blob index.
    /// @param needed Blobs the call needs.
    error MarketBlobCountMismatch(uint256 index, uint256 needed);

    /// @notice The batch is not the open batch, or is empty.
    /// @param batchId The batch.
    error MarketBatchNotOpen(uint256 batchId);

    /// @notice The batch cannot be sealed yet.
    /// @param batchId The batch.
    /// @param sealableAt When it can.
    error MarketBatchTimeoutNotReached(uint256 batchId, uint64 sealableAt);

    /// @notice The batch is not in a state the call accepts.
    /// @param batchId The batch.
    /// @param state Its state.
    error MarketUnexpectedBatchState(uint256 batchId, BatchState state);

    /// @notice A batch state change that is not an edge of the state machine (docs/protocol.md).
    /// @param batchId The batch.
    /// @param from The current state.
    /// @param to The requested state.
    error MarketInvalidBatchTransition(uint256 batchId, BatchState from, BatchState to);

    /// @notice The draw of a batch cannot be evaluated in its sealing block.
    /// @param batchId The batch.
    /// @param sealBlock Its sealing block.
    error MarketDrawNotReady(uint256 batchId, uint256 sealBlock);

    /// @notice The account is not a prover (nor an operator), or the prover is not eligible.
    /// @param account The account.
    error MarketNotEligible(address account);

    /// @notice Another prover holds the exclusive assignment window.
    /// @param batchId The batch.
    /// @param assigned The assigned prover.
    error MarketNotAssignedProver(uint256 batchId, address assigned);

    /// @notice The prover was slashed on this batch and may not lock (or directly fulfil) it again.
    /// @param batchId The batch.
    /// @param prover The prover.
    error MarketSlashedLocker(uint256 batchId, address prover);

    /// @notice The batch's verifier version is not usable.
    /// @param version The version.
    error MarketVersionNotUsable(uint16 version);

    /// @notice A lock's final deadline would pass the batch's expiry.
    /// @param batchId The batch.
    /// @param finalDeadline The would-be final deadline.
    /// @param expiry The batch's expiry.
    error MarketBatchTooCloseToExpiry(uint256 batchId, uint64 finalDeadline, uint64 expiry);

    /// @notice Only the locker may do this now.
    /// @param batchId The batch.
    /// @param locker The locker.
    error MarketNotLocker(uint256 batchId, address locker);

    /// @notice The effective lock deadline has passed.
    /// @param batchId The batch.
    /// @param lockDeadline The effective lock deadline.
    error MarketLockDeadlinePassed(uint256 batchId, uint64 lockDeadline);

    /// @notice Too late to fulfil: a Locked batch's effective final deadline, or a Sealed batch's expiry
    /// (a direct fulfilment), has passed.
    /// @param batchId The batch.
    /// @param finalDeadline The effective final deadline (Locked) or the expiry (Sealed).
    error MarketFulfilTooLate(uint256 batchId, uint64 finalDeadline);

    /// @notice The excluded mask names empty slots.
    /// @param excludedMask The mask.
    error MarketInvalidExcludedMask(uint64 excludedMask);

    /// @notice Every slot is excluded: close the batch instead.
    /// @param batchId The batch.
    error MarketNothingIncluded(uint256 batchId);

    /// @notice The settlement does not match the batch commitment.
    /// @param batchId The batch.
    error MarketSettlementMismatch(uint256 batchId);

    /// @notice The router rejected the aggregated proof.
    /// @param batchId The batch.
    error MarketInvalidProof(uint256 batchId);

    /// @notice The fulfiller did not provide the callbacks' gas.
    error MarketInsufficientCallbackGas();

    /// @notice The effective final deadline has not passed yet.
    /// @param batchId The batch.
    /// @param finalDeadline The effective final deadline.
    error MarketSlashTooEarly(uint256 batchId, uint64 finalDeadline);

    /// @notice The batch has not expired yet.
    /// @param batchId The batch.
    /// @param expiry Its expiry.
    error MarketNotExpired(uint256 batchId, uint64 expiry);

    /// @notice The inclusion path does not fit the batch.
    /// @param batchId The batch.
    /// @param index The slot.
    error MarketInvalidInclusion(uint256 batchId, uint256 index);

    /// @notice The statement is not verified by the given inclusion.
    /// @param digest The statement digest.
    error MarketNotVerified(bytes32 digest);

    /// @notice More statements in a post than digests, or the reverse.
    /// @param groupsTotal Statements the groups name.
    /// @param digests Digests given.
    error MarketPostMismatch(uint256 groupsTotal, uint256 digests);

    /// @notice The deposit balance is below the amount.
    /// @param account The payer.
    /// @param balance Its balance.
    /// @param amount The amount.
    error MarketInsufficientBalance(address account, uint256 balance, uint256 amount);

    /// @notice No withdrawal is pending, or it is not due yet.
    /// @param account The payer.
    /// @param withdrawableAt When it is due (0: none pending).
    error MarketWithdrawalNotReady(address account, uint64 withdrawableAt);

    /// @notice The account has no earnings.
    /// @param account The account.
    error MarketNothingToClaim(address account);

    /// @notice An ETH transfer failed.
    /// @param to The recipient.
    /// @param amount Wei.
    error MarketTransferFailed(address to, uint256 amount);
}

/// @title IAggregationMarket
/// @notice The NEX aggregation market, version 2 (docs/protocol.md). Statements enter batches through
/// three channels (calldata, blob, off-chain with signed requests); a staked prover locks a sealed batch,
/// aggregates it into one recursive proof and fulfils it against a settlement that the market checks
/// against the batch commitment. Nothing is stored per statement: a batch is three storage slots.
interface IAggregationMarket is IAggregationMarketTypes, IJobLifetime {
    // ===== PROGRAMS =====

    /// @notice Registers a rollup circuit under `programId = keccak256(abi.encode(msg.sender, vkHash))`
    /// (nobody can squat another team's id). Emits the key bytes for provers.
    /// @param vkHash The key hash (canonical).
    /// @param vk The 3,680-byte `noir-recursive` verification key.
    /// @param publicInputCount Public inputs per statement (a count the leaf circuits take: 1, 2 or 4).
    /// @return programId The program id.
    function registerProgram(
        bytes32 vkHash,
        bytes calldata vk,
        uint8 publicInputCount
    ) external returns (bytes32 programId);

    /// @notice Sets (or clears with address(0) and gas 0) the program's callback. Statements already in a
    /// batch keep the callback gas they entered with. Program owner only.
    /// @param programId The program.
    /// @param callback The callback contract.
    /// @param gasLimit Gas per callback (1..maxCallbackGas with a callback, 0 without).
    function setProgramCallback(bytes32 programId, address callback, uint24 gasLimit) external;

    /// @notice Hands the program to `newOwner` (callback rights move, the id stays). Program owner only.
    /// @param programId The program.
    /// @param newOwner The new owner.
    function transferProgramOwnership(bytes32 programId, address newOwner) external;

    // ===== CALLDATA CHANNEL =====

    /// @notice Posts one statement with its proof in calldata; the fee is `msg.value`.
    /// @param programId The program.
    /// @param publicInputs The statement's public inputs.
    /// @param proof The rollup proof (its length must be the current version's).
    /// @return submissionId `batchId * 64 + slot`.
    function submit(
        bytes32 programId,
        bytes32[] calldata publicInputs,
        bytes calldata proof
    ) external payable returns (uint256 submissionId);

    /// @notice Posts several statements into one batch (one group per run of equal program ids);
    /// `msg.value` must be `feePerProof * programIds.length`.
    /// @param programIds Program per statement.
    /// @param publicInputs Public inputs per statement.
    /// @param proofs Proof per statement.
    /// @param feePerProof Wei per statement.
    /// @return firstSubmissionId The id of the first statement (the others follow).
    function submitMany(
        bytes32[] calldata programIds,
        bytes32[][] calldata publicInputs,
        bytes[] calldata proofs,
        uint256 feePerProof
    ) external payable returns (uint256 firstSubmissionId);

    // ===== BLOB CHANNEL =====

    /// @notice Posts statements whose proofs are in this transaction's blobs (see {MarketBlobsSubmitted}
    /// for the packing); `msg.value` must be `feePerProof * programIds.length`. The transaction must carry
    /// exactly the blobs the proofs need.
    /// @param programIds Program per statement.
    /// @param publicInputs Public inputs per statement.
    /// @param feePerProof Wei per statement.
    /// @return firstSubmissionId The id of the first statement.
    function submitBlobs(
        bytes32[] calldata programIds,
        bytes32[][] calldata publicInputs,
        uint256 feePerProof
    ) external payable returns (uint256 firstSubmissionId);

    // ===== OFF-CHAIN CHANNEL =====

    /// @notice Adds `msg.value` to the caller's deposit.
    function deposit() external payable;

    /// @notice Announces a withdrawal of `amount`, executable after `withdrawalDelay` (replaces a pending
    /// one). Until then the whole balance stays usable by requests.
    /// @param amount Wei (at most the balance).
    function requestWithdrawal(uint256 amount) external;

    /// @notice Executes the pending withdrawal once due: sends `min(pending, balance)`.
    function withdraw() external;

    /// @notice Posts a batch of signed requests with their digests in slot order (anyone may post). Each
    /// group is accepted or skipped ({MarketRequestSkipped}), never reverting the post; accepted fees move
    /// from the payers' deposits into the batch escrow. The batch is created sealed; one {MarketBatchPosted}
    /// names every accepted request.
    /// @param groups The signed requests.
    /// @param digests Their statements' digests, group after group.
    /// @return batchId The new batch (0 when no request was accepted).
    function postBatch(PostedGroup[] calldata groups, bytes32[] calldata digests) external returns (uint256 batchId);

    // ===== BATCHES =====

    /// @notice Seals the open calldata/blob batch once `batchTimeout` has passed since it opened.
    /// @param batchId The open batch.
    function seal(uint256 batchId) external;

    /// @notice Locks a sealed batch for the caller's prover, locking collateral from its stake.
    /// @param batchId The batch.
    function lock(uint256 batchId) external;

    /// @notice Fulfils a batch with an aggregated proof of its root (excluded slots as zero leaves), bound
    /// to the caller's prover. A Locked batch: by its locker up to the lock deadline, then by any eligible
    /// prover up to the final deadline (the locker slashed). A Sealed batch, directly without a lock (no
    /// collateral): by the assigned prover during the assignment window, by any eligible prover after it,
    /// never past the batch's expiry.
    /// @param batchId The batch.
    /// @param proof The aggregated proof.
    /// @param excludedMask Slots left out (bit i = slot i).
    /// @param settlement The batch content, checked against its commitment.
    function fulfill(
        uint256 batchId,
        bytes calldata proof,
        uint64 excludedMask,
        Settlement calldata settlement
    ) external;

    /// @notice The locker, before its effective lock deadline, closes a batch in which nothing is
    /// provable: every fee goes back, the collateral is unlocked.
    /// @param batchId The batch.
    /// @param settlement The batch content.
    function close(uint256 batchId, Settlement calldata settlement) external;

    /// @notice After a lock's effective final deadline: slashes the locker (the caller is the
    /// beneficiary) and reopens assignment. When the batch's version was removed, releases the lock
    /// without penalty instead.
    /// @param batchId The batch.
    function slash(uint256 batchId) external;

    /// @notice After expiry, with no lock: anyone returns every fee of the batch to its payer.
    /// @param batchId The batch.
    /// @param settlement The batch content.
    function release(uint256 batchId, Settlement calldata settlement) external;

    // ===== VERIFICATION =====

    /// @notice True when the statement's digest, walked up `inclusion`, is the proven root of a
    /// fulfilled batch.
    /// @param programId The program.
    /// @param publicInputs The statement's public inputs.
    /// @param inclusion Batch, slot and siblings.
    /// @return Whether the statement is verified.
    function isVerified(
        bytes32 programId,
        bytes32[] calldata publicInputs,
        Inclusion calldata inclusion
    ) external view returns (bool);

    /// @notice Stores a verified statement's digest for path-free {isVerified} reads; reverts
    /// {MarketNotVerified} unless `inclusion` proves it.
    /// @param programId The program.
    /// @param publicInputs The statement's public inputs.
    /// @param inclusion Batch, slot and siblings.
    function recordVerified(bytes32 programId, bytes32[] calldata publicInputs, Inclusion calldata inclusion) external;

    /// @notice True when the statement was recorded by {recordVerified}.
    /// @param programId The program.
    /// @param publicInputs The statement's public inputs.
    /// @return Whether it was recorded.
    function isVerified(bytes32 programId, bytes32[] calldata publicInputs) external view returns (bool);

    // ===== EARNINGS =====

    /// @notice Sends the caller's earnings to the caller.
    function claimEarnings() external;

    /// @notice Sends the caller's earnings to `to`.
    /// @param to The recipient.
    function claimEarnings(address to) external;

    // ===== VIEWS =====

    /// @notice A program.
    /// @param programId The program id.
    /// @return The program (owner 0: unknown).
    function getProgram(bytes32 programId) external view returns (Program memory);

    /// @notice A batch, decoded, with effective deadlines and the derived Expired state.
    /// @param batchId The batch.
    /// @return The batch.
    function getBatch(uint256 batchId) external view returns (Batch memory);

    /// @notice The prover with the exclusive lock window of a sealed batch now (address(0): open to every
    /// eligible prover). Reverts {MarketDrawNotReady} in the sealing block.
    /// @param batchId The batch.
    /// @return The assigned prover.
    function assignedProver(uint256 batchId) external view returns (address);

    /// @notice The batch currently filling through the calldata and blob channels (0: none).
    /// @return The open batch.
    function openBatchId() external view returns (uint256);

    /// @notice The id the next batch will get.
    /// @return The id.
    function nextBatchId() external view returns (uint256);

    /// @notice A payer's off-chain account.
    /// @param account The payer.
    /// @return The account.
    function getAccount(address account) external view returns (Account memory);

    /// @notice ETH claimable by `account` (provers, posters, the treasury, refunded calldata/blob payers).
    /// @param account The account.
    /// @return Wei.
    function earnings(address account) external view returns (uint256);

    /// @notice provingWindowBase + provingWindowPerProof * size.
    /// @param size Statements.
    /// @return Seconds.
    function provingWindow(uint256 size) external view returns (uint64);

    /// @notice The current parameters.
    /// @return The parameters.
    function params() external view returns (Params memory);
}
