/**
 * The face of prover/protocol: the version-1 protocol as TypeScript sees it. The commitment format,
 * field-element rules and conversions, submission ids and the protocol constants exist here once;
 * sdk, engine, toolchain, keeper and the tools stand on this module (docs/architecture.md).
 */
export * from './constants.js';
export { CommitmentError } from './commitmentError.js';
export { NexError, walkCauses, type NexErrorOptions } from './errors.js';
export {
  decodeRevert,
  decodeRevertData,
  nexErrorsAbi,
  revertErrorName,
  type DecodedRevert,
  type NexContractErrorName,
  type RevertErrorName,
} from './revert.js';
export { assertSrsAllowedOnChain, InsecureSrsError, isLocalDevnet, LOCAL_DEVNET_CHAIN_IDS } from './devnet.js';
export {
  type Hex,
  addressToField,
  assertWord,
  bytesToFields,
  fieldToWord,
  fieldWord,
  fieldsToBytes,
  isCanonicalField,
  toField,
  toWord,
} from './field.js';
export {
  ZERO_LEAF,
  aggregationPublicInputs,
  batchLeaves,
  batchRoot,
  hashPair,
  isValidCapacity,
  joinRoot,
  merkleRoot,
  splitRoot,
  statementDigest,
  zeroSubtree,
} from './commitment.js';
export { batchOf, slotOf, splitSubmissionId, submissionId } from './submissionId.js';
/** Version 2 (docs/protocol.md): identities, batch tree, groups and settlements, requests, receipts, ids. */
export * as v2 from './v2/index.js';
