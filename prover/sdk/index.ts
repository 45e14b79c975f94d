/**
 * The NEX rollup SDK: register a program, submit proofs with a fee, wait for verification, query,
 * refund, estimate fees and latency. Every action takes a {@link NexClient} first.
 */
export * from '../abi/v1.js';
export * from './client.js';
export { aggregationPublicInputs, batchRoot, merkleRoot, splitRoot, statementDigest } from './commitment.js';
export * from './deployments.js';
export * from './errors.js';
export * from './field.js';
export * from './submissionId.js';
export * from './actions/estimateFee.js';
export * from './actions/getParams.js';
export * from './actions/getProgram.js';
export * from './actions/getSubmission.js';
export * from './actions/refund.js';
export * from './actions/registerProgram.js';
export * from './actions/submit.js';
export * from './actions/waitForVerification.js';
export * from './actions/claimEarnings.js';
