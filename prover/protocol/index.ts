/**
 * The face of prover/protocol: the version-2 protocol as TypeScript sees it. The commitment format,
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
  STATEMENT_DOMAIN,
  ZERO_LEAF,
  aggregationPublicInputs,
  batchLeaves,
  batchRoot,
  capacityFor,
  depthOf,
  hashPair,
  inclusionPath,
  isValidCapacity,
  joinRoot,
  merkleRoot,
  programIdOf,
  rootFromPath,
  splitRoot,
  statementDigest,
  statementsHash,
  toMask,
  verifyInclusion,
  zeroSubtree,
} from './commitment.js';
export {
  buildKeySet,
  keySetFromLevels,
  keySetLeaves,
  keySetPath,
  keySetRootFromPath,
  type Hash2,
  type KeyPath,
  type KeySet,
} from './keySet.js';
export { pairLeafFor, singleLeafFor } from './leaves.js';
export { MARKET_PARAMS_MATCH_ABI, type MarketParams } from './marketParams.js';
export { batchOf, slotOf, splitSubmissionId, submissionId } from './submissionId.js';
export {
  chainCommitment,
  chainSettlement,
  fastSettlement,
  acceptedOfPost,
  groupWord,
  groupsHash,
  postedCommitment,
  postedSettlement,
  unpackGroupWord,
  type Group,
  type GroupFields,
  type PostedRequestRecord,
  type Settlement,
} from './groups.js';
export {
  REQUEST_TYPES,
  compactSignature,
  marketDomain,
  postedGroup,
  requestHash,
  requestMessage,
  type OffchainRequest,
  type PostedGroup,
} from './request.js';
export { RECEIPT_DOMAIN, receiptDigest, verifyReceipt, type Receipt, type ReceiptFields } from './receipt.js';
export {
  BLOB_USABLE_BYTES,
  BYTES_PER_BLOB,
  FIELD_ELEMENTS_PER_BLOB,
  USABLE_BYTES_PER_ELEMENT,
  fromBlob,
  packBlobProofs,
  proofsPerBlob,
  toBlob,
  unpackBlobProofs,
} from './blobPacking.js';
