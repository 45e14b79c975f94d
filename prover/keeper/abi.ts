import { parseAbi } from 'viem';

/**
 * The keeper's view of the contracts' external API (agreed spec, /work/wt/market-api.md).
 * Every contract call and event decode in the keeper goes through these three constants, so that
 * swapping to the compiled ABIs is a change in this one module.
 */
export const marketAbi = parseAbi([
  'struct Batch { uint8 state; uint8 capacity; uint8 count; uint32 version; uint40 openedAt; uint40 sealedAt; address assigned; address locker; uint40 lockDeadline; uint40 finalDeadline; uint32 includedMask; uint32 refundedMask; uint96 collateral; }',
  'struct Params { uint96 minFeePerProof; uint8 batchCapacity; uint32 batchTimeout; uint32 assignmentWindow; uint32 provingWindowBase; uint32 provingWindowPerProof; uint32 secondaryWindow; uint32 submissionTtl; uint96 collateralPerProof; uint16 protocolFeeBps; uint32 callbackGasLimit; }',
  'struct Statement { address submitter; uint64 fee; uint24 programIndex; uint8 status; }',
  'function programs(bytes32 programId) view returns (address owner, uint32 publicInputCount, uint24 index, address callback)',
  'function getBatch(uint256 batchId) view returns (Batch)',
  'function openBatchId() view returns (uint256)',
  'function digestOf(uint256 submissionId) view returns (bytes32)',
  'function statementOf(bytes32 digest) view returns (Statement)',
  'function isSubmissionVerified(uint256 submissionId) view returns (bool)',
  'function isRefundable(uint256 submissionId) view returns (bool)',
  'function batchExpiry(uint256 batchId) view returns (uint64)',
  'function provingWindow(uint256 size) view returns (uint64)',
  'function batchRoot(uint256 batchId, uint32 excludedMask) view returns (bytes32)',
  'function earnings(address account) view returns (uint256)',
  'function params() view returns (Params)',
  'function staking() view returns (address)',
  'function submit(bytes32 programId, bytes32[] publicInputs, bytes proof) payable returns (uint256 submissionId)',
  'function submitMany(bytes32[] programIds, bytes32[][] publicInputs, bytes[] proofs, uint256[] fees) payable returns (uint256[] ids)',
  'function seal(uint256 batchId)',
  'function lock(uint256 batchId)',
  'function fulfill(uint256 batchId, bytes proof, uint32 excludedMask)',
  'function slash(uint256 batchId)',
  'function claimEarnings()',
  'event ProgramRegistered(bytes32 indexed programId, address indexed owner, uint32 publicInputCount, uint24 index, bytes vk)',
  'event Submitted(uint256 indexed submissionId, bytes32 indexed programId, address indexed submitter, bytes32 digest, bytes32 proofHash, uint256 fee)',
  'event BatchSealed(uint256 indexed batchId, uint32 version, uint8 count, address indexed assigned, uint64 assignmentDeadline)',
  'event BatchLocked(uint256 indexed batchId, address indexed prover, uint64 lockDeadline, uint64 finalDeadline, uint256 collateral)',
  'event BatchFulfilled(uint256 indexed batchId, address indexed prover, uint32 includedMask, uint256 feesPaid, uint256 protocolFee, bool late)',
  'event BatchSlashed(uint256 indexed batchId, address indexed locker, address indexed caller, uint256 burned, uint256 rewarded)',
]);

export const stakingAbi = parseAbi([
  'function stake(uint256 amount)',
  'function requestUnstake(uint256 amount) returns (uint256 entryIndex)',
  'function withdraw(uint256 maxEntries) returns (uint256 amount)',
  'function setOperator(address operator)',
  'function stakeOf(address prover) view returns (uint256 staked, uint256 locked, uint256 pendingUnstake)',
  'function availableStake(address prover) view returns (uint256)',
  'function proverOf(address account) view returns (address)',
  'function isEligible(address prover) view returns (bool)',
  'function minStake() view returns (uint256)',
  'function unbondingPeriod() view returns (uint64)',
  'function token() view returns (address)',
  'event UnstakeRequested(address indexed prover, uint256 indexed entryIndex, uint256 amount, uint64 unlockAt)',
]);

export const erc20Abi = parseAbi([
  'function balanceOf(address account) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
]);

/** Batch states as stored by the market (BatchState enum). */
export const BatchState = { None: 0, Open: 1, Sealed: 2, Locked: 3, Fulfilled: 4, Expired: 5 } as const;
