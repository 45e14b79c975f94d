/**
 * `nex relay`: the off-chain entry point of the version-2 market (docs/relay.md). A rollup team posts an
 * EIP-712 signed request with its proofs; the relay checks it (signature, deposit, nonce, deadline,
 * canonical inputs, proof length, the proofs themselves with bb), persists it, acknowledges it with a
 * signed receipt, and posts accepted requests to the market with `postBatch`. Provers fetch the proofs.
 * The face of prover/relay: the request and receipt formats are prover/protocol's (v2).
 */
export type { RelayConfig, OptionSpec as RelayOptionSpec } from './config.js';
export { loadRelayConfig, OPTIONS as RELAY_OPTIONS, RelayConfigError } from './config.js';
export { openRelayDeps, startRelay, type RelayDeps, type RunningRelay } from './start.js';
export { runRelay, type RunRelayOptions } from './run.js';
export type { RelayChain, MarketParams, PayerAccount, ProgramInfo, PostCall, PostEvent, SignedTx, TxReceiptInfo } from './chain/types.js';
export { BroadcastRejectedError, PostRevertedError } from './chain/types.js';
export { createViemRelayChain } from './chain/viemChain.js';
export type { RelayStore, StoredRequest, RequestStatus } from './store/types.js';
export { openStore } from './store/open.js';
export type { ProofVerifier } from './verify.js';
export { openEngineVerifier } from './verify.js';
export { signReceipt } from './receipt.js';
export { createRelayLogger } from './log.js';
