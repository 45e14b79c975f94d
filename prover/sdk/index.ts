/**
 * The NEX rollup SDK (protocol version 2): register a program, submit proofs on the calldata or off-chain
 * channel (through relays), manage the deposit, estimate fees and latency, wait for verification with an
 * inclusion path, check it on chain. Every action takes a {@link NexClient} first. The market's events and
 * a batch's leaves rebuilt from chain data are here too (for the keeper and the explorer). The version-2
 * identities, batch tree and request types are prover/protocol's, re-exported as `v2`.
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
import { v2 } from '../protocol/index.js';

// ---- The protocol (prover/protocol): field elements and the version-2 identities ----
export {
  CommitmentError,
  FIELD_MODULUS,
  /** The BN254 scalar field modulus r (= FIELD_MODULUS; the SDK's original name). */
  FIELD_MODULUS as BN254_R,
  PROOF_FIELDS,
  VK_BYTES,
  VK_FIELDS,
  fieldToWord,
  isCanonicalField,
  toField,
  v2,
} from '../protocol/index.js';
/** Version 2's submission ids (batchId * 64 + slot), batch tree and statement digests under the SDK's names. */
export const { aggregationPublicInputs, batchOf, batchRoot, merkleRoot, slotOf, splitRoot, statementDigest, submissionId } = v2;
/** submissionId = batchId * 64 + slot (= submissionId; the SDK's original name). */
export const submissionIdOf = v2.submissionId;
