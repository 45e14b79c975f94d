/**
 * The NEX rollup SDK: register a program, submit proofs with a fee, wait for verification, query,
 * refund, estimate fees and latency. Every action takes a {@link NexClient} first. The commitment
 * format, field helpers and submission ids are prover/protocol's, re-exported here for rollup teams.
 */
export * from '../abi/v1.js';
export * from './client.js';
export * from './deployments.js';
export * from './errors.js';
export * from './actions/estimateFee.js';
export * from './actions/getParams.js';
export * from './actions/getProgram.js';
export * from './actions/getSubmission.js';
export * from './actions/refund.js';
export * from './actions/registerProgram.js';
export * from './actions/submit.js';
export * from './actions/waitForVerification.js';
export * from './actions/claimEarnings.js';

// ---- The protocol (prover/protocol): commitment format, field elements, submission ids, sizes ----
export {
  CommitmentError,
  FIELD_MODULUS,
  /** The BN254 scalar field modulus r (= FIELD_MODULUS; the SDK's original name). */
  FIELD_MODULUS as BN254_R,
  MAX_CAPACITY,
  PROOF_BYTES,
  PROOF_FIELDS,
  STATEMENT_DOMAIN,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  VK_BYTES,
  VK_FIELDS,
  ZERO_LEAF,
  aggregationPublicInputs,
  batchLeaves,
  batchOf,
  batchRoot,
  fieldToWord,
  isCanonicalField,
  inclusionPath,
  merkleRoot,
  programIdOf,
  slotOf,
  splitRoot,
  splitSubmissionId,
  statementDigest,
  submissionId,
  /** submissionId = batchId * 64 + slot (= submissionId; the SDK's original name). */
  submissionId as submissionIdOf,
  toField,
  verifyInclusion,
} from '../protocol/index.js';
