import type { Address, Hex } from 'viem';
import type { OffchainRequest } from '../../protocol/index.js';

/** Market parameters the acceptance pipeline checks against (current version). */
export interface MarketParams {
  readonly minFeePerProof: bigint;
  /** Proof length of the current router version (14,656 for version 2). */
  readonly rollupProofBytes: number;
}

/** A payer's off-chain account in the market. */
export interface PayerAccount {
  /** The next usable request nonce (`account.nonce`). */
  readonly nonce: bigint;
  /** Deposit the market would let a post reserve now (balance minus a requested withdrawal). */
  readonly free: bigint;
}

/** A registered program (spec V2.2). */
export interface ProgramInfo {
  readonly programId: Hex;
  readonly owner: Address;
  readonly vkHash: Hex;
  /** The `noir-recursive` verification key bytes (from the `MarketProgramRegistered` event). */
  readonly vk: Uint8Array;
  readonly publicInputCount: number;
}

/** One group of `postBatch`: a request and the payer's signature of it. */
export interface PostGroup {
  readonly request: OffchainRequest;
  readonly signature: Hex;
}

/** The arguments of `postBatch(groups, digests)`: digests of all groups, in group order then slot order. */
export interface PostCall {
  readonly groups: readonly PostGroup[];
  readonly digests: readonly Hex[];
}

export interface Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** A signed transaction, not yet broadcast. */
export interface SignedTx extends Fees {
  readonly hash: Hex;
  readonly raw: Hex;
  readonly nonce: number;
}

/** What the market reported about a request in a mined transaction. */
export type PostEvent =
  | {
      readonly kind: 'posted';
      readonly batchId: bigint;
      readonly payer: Address;
      readonly nonce: bigint;
      /** The request's EIP-712 hash (what its payer signed). */
      readonly requestHash: Hex;
      readonly firstSlot: number;
      readonly count: number;
      readonly txHash: Hex;
      readonly block: bigint;
    }
  | {
      readonly kind: 'skipped';
      readonly payer: Address;
      readonly nonce: bigint;
      readonly reason: string;
      readonly txHash: Hex;
      readonly block: bigint;
    };

export interface TxReceiptInfo {
  readonly status: 'success' | 'reverted';
  readonly hash: Hex;
  readonly block: bigint;
  /** The market's MarketRequestAccepted/MarketRequestSkipped events of this transaction, in log order. */
  readonly events: readonly PostEvent[];
}

/** A simulated `postBatch` reverted (nothing was signed or sent). */
export class PostRevertedError extends Error {
  override readonly name = 'PostRevertedError';
}

/** The node definitively refused a raw transaction (it is in no mempool; its nonce is free again). */
export class BroadcastRejectedError extends Error {
  override readonly name = 'BroadcastRejectedError';
}

/**
 * Everything the relay reads from and writes to the chain. The relay needs no privilege on chain: it
 * reads public state and sends `postBatch` like anyone. `createViemRelayChain` implements it with viem;
 * tests use a double under test/.
 */
export interface RelayChain {
  readonly chainId: number;
  readonly market: Address;
  /** The account that signs and pays for posts. */
  readonly sender: Address;
  params(): Promise<MarketParams>;
  account(payer: Address): Promise<PayerAccount>;
  /** The program, or undefined when it is not registered. */
  program(programId: Hex): Promise<ProgramInfo | undefined>;
  /** The sender's next nonce counting pending transactions. */
  pendingNonce(): Promise<number>;
  /** The sender's nonce counting mined transactions only. */
  minedNonce(): Promise<number>;
  /**
   * Simulates and signs `postBatch(call)` at `nonce` (throws PostRevertedError when it would revert).
   * With `bumpFrom`, the fees are at least those of the replaced attempt raised by the bump percentage.
   */
  signPost(call: PostCall, opts: { nonce: number; bumpFrom?: Fees }): Promise<SignedTx>;
  /** Broadcasts a signed transaction; throws BroadcastRejectedError only when it is certainly not pending. */
  broadcast(raw: Hex): Promise<void>;
  /** The receipt of a transaction, or undefined while it is not mined. */
  receipt(hash: Hex): Promise<TxReceiptInfo | undefined>;
  /** The latest block number. */
  head(): Promise<bigint>;
  /** The market's MarketRequestAccepted/MarketRequestSkipped events in [fromBlock, toBlock] (any poster). */
  postEvents(fromBlock: bigint, toBlock: bigint): Promise<PostEvent[]>;
}
