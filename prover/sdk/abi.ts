/**
 * The ABIs the SDK, the CLI and the devnet speak, written from the agreed spec (market-api.md) as
 * human-readable signatures. This is the only place that knows the contracts' ABIs: switching to the
 * compiled artifacts (or the ABIs stored in a deployments file) is a change to this module only.
 */
import { parseAbi } from 'viem';

/** AggregationMarket: programs, submissions, batches, refunds, earnings (contracts/interfaces/IAggregationMarket.sol). */
export const marketAbi = parseAbi([
  'struct Params { uint96 minFeePerProof; uint8 batchCapacity; uint32 batchTimeout; uint32 assignmentWindow; uint32 provingWindowBase; uint32 provingWindowPerProof; uint32 secondaryWindow; uint32 submissionTtl; uint96 collateralPerProof; uint16 protocolFeeBps; uint32 callbackGasLimit; }',
  'struct Batch { uint8 state; uint8 capacity; uint8 count; uint32 version; uint40 openedAt; uint40 sealedAt; uint40 lockDeadline; uint40 finalDeadline; uint32 includedMask; address assigned; uint32 refundedMask; address locker; uint96 collateral; }',
  'struct Statement { address submitter; uint64 fee; uint24 programIndex; uint8 status; }',
  // views
  'function programs(bytes32 programId) view returns (address owner, uint32 publicInputCount, uint24 index, address callback)',
  'function programIdAt(uint24 index) view returns (bytes32)',
  'function getBatch(uint256 batchId) view returns (Batch)',
  'function openBatchId() view returns (uint256)',
  'function digestOf(uint256 submissionId) view returns (bytes32)',
  'function statementOf(bytes32 digest) view returns (Statement)',
  'function isVerified(bytes32 programId, bytes32[] publicInputs) view returns (bool)',
  'function isSubmissionVerified(uint256 submissionId) view returns (bool)',
  'function isRefundable(uint256 submissionId) view returns (bool)',
  'function batchExpiry(uint256 batchId) view returns (uint64)',
  'function provingWindow(uint256 size) view returns (uint64)',
  'function maxJobLifetime() view returns (uint64)',
  'function batchRoot(uint256 batchId, uint32 excludedMask) view returns (bytes32)',
  'function earnings(address account) view returns (uint256)',
  'function params() view returns (Params)',
  'function paused() view returns (bool)',
  'function treasury() view returns (address)',
  'function staking() view returns (address)',
  'function router() view returns (address)',
  // programs
  'function registerProgram(bytes32 vkHash, bytes vk, uint32 publicInputCount)',
  'function setProgramCallback(bytes32 programId, address callback)',
  'function transferProgramOwnership(bytes32 programId, address newOwner)',
  // submissions
  'function submit(bytes32 programId, bytes32[] publicInputs, bytes proof) payable returns (uint256 submissionId)',
  'function submitMany(bytes32[] programIds, bytes32[][] publicInputs, bytes[] proofs, uint256[] fees) payable returns (uint256[] submissionIds)',
  'function refund(uint256 submissionId)',
  'function refundMany(uint256[] submissionIds)',
  // batches
  'function seal(uint256 batchId)',
  'function lock(uint256 batchId)',
  'function fulfill(uint256 batchId, bytes proof, uint32 excludedMask)',
  'function slash(uint256 batchId)',
  'function claimEarnings()',
  'function claimEarnings(address to)',
  // admin
  'function setParams(Params newParams)',
  'function setTreasury(address treasury_)',
  'function pause()',
  'function unpause()',
  // events
  'event ProgramRegistered(bytes32 indexed programId, address indexed owner, uint32 publicInputCount, uint24 index, bytes vk)',
  'event ProgramCallbackSet(bytes32 indexed programId, address callback)',
  'event Submitted(uint256 indexed submissionId, bytes32 indexed programId, address indexed submitter, bytes32 digest, bytes32 proofHash, uint256 fee)',
  'event BatchSealed(uint256 indexed batchId, uint32 version, uint8 count, address indexed assigned, uint64 assignmentDeadline)',
  'event BatchLocked(uint256 indexed batchId, address indexed prover, uint64 lockDeadline, uint64 finalDeadline, uint256 collateral)',
  'event SubmissionVerified(uint256 indexed submissionId, bytes32 indexed programId)',
  'event SubmissionExcluded(uint256 indexed submissionId)',
  'event BatchFulfilled(uint256 indexed batchId, address indexed prover, uint32 includedMask, uint256 feesPaid, uint256 protocolFee, bool late)',
  'event CallbackFailed(uint256 indexed submissionId, address indexed callback)',
  'event Refunded(uint256 indexed submissionId, address indexed submitter, uint256 amount)',
  'event EarningsClaimed(address indexed account, address indexed to, uint256 amount)',
  'event RefundCredited(uint256 indexed submissionId, address indexed submitter, address indexed caller, uint256 amount)',
  // errors
  'error AlreadyVerified(bytes32 digest)',
  'error BatchNotOpen(uint256 batchId)',
  'error BatchTimeoutNotReached(uint256 batchId, uint64 sealableAt)',
  'error BatchTooCloseToExpiry(uint256 batchId, uint64 finalDeadline, uint64 expiry)',
  'error EmptyProof()',
  'error EmptyVerificationKey()',
  'error FeeBelowFloor(uint256 fee, uint256 minFee)',
  'error FeeMismatch(uint256 sum, uint256 value)',
  'error FeeTooHigh(uint256 fee)',
  'error FulfilTooLate(uint256 batchId, uint64 finalDeadline)',
  'error InsufficientCallbackGas()',
  'error InvalidExcludedMask(uint32 excludedMask)',
  'error InvalidParams()',
  'error InvalidProof(uint256 batchId)',
  'error InvalidPublicInputCount(uint256 count)',
  'error UnsupportedPublicInputCount(uint256 count, uint32 aggregatable)',
  'error LengthMismatch()',
  'error NonCanonicalProgramId(bytes32 programId)',
  'error NonCanonicalPublicInput(uint256 index, bytes32 value)',
  'error NotAssignedProver(uint256 batchId, address assigned)',
  'error NotEligible(address account)',
  'error NotLocker(uint256 batchId, address locker)',
  'error NotProgramOwner(bytes32 programId, address caller)',
  'error NotRefundable(uint256 submissionId)',
  'error NothingIncluded(uint256 batchId)',
  'error NothingToClaim(address account)',
  'error ProgramExists(bytes32 programId)',
  'error PublicInputCountMismatch(bytes32 programId, uint256 expected, uint256 actual)',
  'error RefundFailed(address to, uint256 amount)',
  'error SlashTooEarly(uint256 batchId, uint64 finalDeadline)',
  'error StatementPending(bytes32 digest)',
  'error TransferFailed(address to, uint256 amount)',
  'error UnbondingTooShort(uint64 unbondingPeriod, uint64 maxJobLifetime)',
  'error UnexpectedBatchState(uint256 batchId, uint8 state)',
  'error UnknownProgram(bytes32 programId)',
  'error UnknownSubmission(uint256 submissionId)',
  'error VersionNotUsable(uint32 version)',
  'error ZeroAddress()',
  'error EnforcedPause()',
]);

/** VerifierRouter: versioned aggregation verifiers. */
export const routerAbi = parseAbi([
  'function addVersion(address verifier, bytes32[] keyHashes) returns (uint32 version)',
  'function currentVersion() view returns (uint32)',
  'function versionCount() view returns (uint32)',
  'function isUsable(uint32 version) view returns (bool)',
  'function getVersion(uint32 version) view returns (address verifier, bytes32[] keyHashes, bool removed, bool frozen)',
  'function verifyAggregation(uint32 version, bytes proof, bytes32 batchRoot, address prover) view returns (bool)',
  'event VersionAdded(uint32 indexed version, address verifier, bytes32[] keyHashes)',
  'error NoUsableVersion()',
  'error UnknownVersion(uint32 version)',
  'error VersionNotUsable(uint32 version)',
]);

/** ProverStaking: the parts the SDK, CLI and devnet read. */
export const stakingAbi = parseAbi([
  'function stake(uint256 amount)',
  'function market() view returns (address)',
  'function token() view returns (address)',
  'function stakeOf(address prover) view returns (uint256 staked, uint256 locked, uint256 pendingUnstake)',
  'function availableStake(address prover) view returns (uint256)',
  'function isEligible(address prover) view returns (bool)',
  'function minStake() view returns (uint256)',
  'function unbondingPeriod() view returns (uint64)',
]);

/** NexToken: the ERC-20 surface used to fund accounts and approve staking. */
export const tokenAbi = parseAbi([
  'function balanceOf(address account) view returns (uint256)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
]);

/** AccessControl + TimelockController: the role views deployment checks. */
export const accessControlAbi = parseAbi([
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'function getRoleAdmin(bytes32 role) view returns (bytes32)',
]);

/** The ExampleRollup contract (contracts/examples/ExampleRollup.sol). */
export const exampleRollupAbi = parseAbi([
  'function stateRoot() view returns (bytes32)',
  'function programId() view returns (bytes32)',
  'function finalize(bytes32 newRoot)',
]);

/** Every ABI, so that errors raised by any of them decode when a call reverts. */
export const nexErrorAbi = [...marketAbi, ...routerAbi, ...stakingAbi] as const;
