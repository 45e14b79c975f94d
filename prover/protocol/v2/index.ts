/**
 * Version 2 of the protocol as TypeScript sees it (docs/protocol.md; spec V2.2, V2.3, V2.6, V2.8): the
 * identities (owner-bound program ids, domain-separated statement digests, statements hashes), the batch
 * tree of 4..64 leaves with inclusion paths, groups, the two commitment forms and settlements, the 4 public
 * inputs of an aggregation proof, submission ids of stride 64, the EIP-712 request and the relay's
 * receipt. prover/protocol's face exports it as the namespace `v2` (`v2.statementDigest(...)`) beside the
 * version-1 format that the engine, keeper and SDK still use until they move to version 2.
 */
export * from './constants.js';
export { programIdOf, statementDigest, statementsHash } from './identities.js';
export {
  aggregationPublicInputs,
  batchLeaves,
  batchRoot,
  capacityFor,
  depthOf,
  inclusionPath,
  isValidCapacity,
  merkleRoot,
  treeLevels,
  walkPath,
  zeroSubtree,
  type SlotMask,
} from './tree.js';
export { hashPair, joinRoot, splitRoot, ZERO_LEAF } from '../commitment.js';
export {
  chainCommitment,
  chainSettlement,
  fastSettlement,
  groupWord,
  groupsHash,
  postedCommitment,
  postedSettlement,
  unpackGroupWord,
  type Group,
  type GroupFields,
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
export { batchOf, slotOf, splitSubmissionId, submissionId } from './submissionId.js';
