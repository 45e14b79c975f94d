/**
 * The NEX rollup SDK (protocol version 2): register a program, submit proofs on the calldata or off-chain
 * channel (through relays), manage the deposit, estimate fees and latency, wait for verification with an
 * inclusion path, check it on chain. Every action takes a {@link NexClient} first. The market's events and
 * a batch's leaves rebuilt from chain data are here too (for the keeper and the explorer). The protocol's
 * identities, batch tree, request and receipt types are prover/protocol's, re-exported here.
 */
export * from './client.js';
export * from './deployments.js';
export * from './errors.js';
export * from './feeTable.js';
export * from './actions/estimateFee.js';
export * from './actions/getBatch.js';
export * from './actions/getParams.js';
export * from './actions/getProgram.js';
export * from './actions/isVerified.js';
export * from './actions/registerProgram.js';
export * from './actions/submit.js';
export * from './actions/waitForVerification.js';
export * from './actions/claimEarnings.js';
export * from './market/events.js';
export * from './market/batchContents.js';
export * from './offchain/account.js';
export * from './offchain/relayClient.js';
export * from './offchain/signRequest.js';
export * from './offchain/submitOffchain.js';
export { aggregationMarketAbi, exampleRollupAbi, verifierRouterAbi } from '../abi/generated.js';

// ---- The protocol (prover/protocol): identities, batch tree, submission ids, requests, receipts, sizes ----
export {
  CommitmentError,
  FIELD_MODULUS,
  /** The BN254 scalar field modulus r (= FIELD_MODULUS; the SDK's original name). */
  FIELD_MODULUS as BN254_R,
  MAX_CAPACITY,
  PROOF_BYTES,
  PROOF_FIELDS,
  REQUEST_TYPES,
  ROLLUP_PROOF_BYTES,
  STATEMENT_DOMAIN,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  VK_BYTES,
  VK_FIELDS,
  ZERO_LEAF,
  aggregationPublicInputs,
  batchLeaves,
  batchOf,
  batchRoot,
  capacityFor,
  fieldToWord,
  inclusionPath,
  isCanonicalField,
  marketDomain,
  merkleRoot,
  postedGroup,
  programIdOf,
  receiptDigest,
  requestHash,
  requestMessage,
  rootFromPath,
  slotOf,
  splitRoot,
  splitSubmissionId,
  statementDigest,
  statementsHash,
  submissionId,
  /** submissionId = batchId * 64 + slot (= submissionId; the SDK's original name). */
  submissionId as submissionIdOf,
  toField,
  verifyInclusion,
  verifyReceipt,
  type OffchainRequest,
  type PostedGroup,
  type Receipt,
} from '../protocol/index.js';
export * from './actions/submitBlobs.js';
export * from './blob/sidecar.js';
