import type { Address, Hex } from 'viem';
import type { OffchainRequest } from '../../protocol/index.js';

/**
 * Where a request is in its life:
 * - `accepted`: persisted and acknowledged, waiting to be posted;
 * - `posting`: in a `postBatch` transaction of this relay that is not settled yet;
 * - `posted`: in a batch on chain (by this relay or another poster): `batchId`, `firstSlot` are set;
 * - `skipped`: the market skipped it in this relay's post (`reason`), or the post kept reverting;
 * - `expired`: its deadline passed before it was posted;
 * - `void`: its nonce was consumed on chain by another request of the payer (a later nonce, or another
 *   request signed with the same nonce).
 */
export type RequestStatus = 'accepted' | 'posting' | 'posted' | 'skipped' | 'expired' | 'void';
export const REQUEST_STATUSES: readonly RequestStatus[] = ['accepted', 'posting', 'posted', 'skipped', 'expired', 'void'];

/**
 * The relay's key of a request: its EIP-712 hash and its payer (`<requestHash>:<payer>`, lower case).
 * The EIP-712 hash alone does not name the signer: two payers signing the same fields (a squatter copying
 * someone's request) make two different requests with one hash, and neither may shadow the other.
 */
export type RequestId = `0x${string}:0x${string}`;

export function requestIdOf(requestHash: Hex, payer: Address): RequestId {
  return `${requestHash.toLowerCase()}:${payer.toLowerCase()}` as RequestId;
}

/** A request as the relay stored it, with the receipt it acknowledged it with. */
export interface StoredRequest {
  readonly id: RequestId;
  readonly requestHash: Hex;
  /** Lower-case address recovered from the signature. */
  readonly payer: Address;
  readonly request: OffchainRequest;
  readonly signature: Hex;
  readonly acceptedAt: number;
  readonly postBy: number;
  /** The relay's EIP-191 signature of the receipt (docs/relay.md, "Receipts"). */
  readonly receiptSignature: Hex;
  readonly status: RequestStatus;
  readonly batchId: bigint | null;
  readonly firstSlot: number | null;
  readonly postTx: Hex | null;
  readonly reason: string | null;
  /** Posts of this relay that included the request and reverted or were dropped. */
  readonly postAttempts: number;
  readonly updatedAt: number;
}

export interface NewStatement {
  readonly digest: Hex;
  readonly publicInputs: readonly Hex[];
  readonly proof: Uint8Array;
}

/** What the acceptance pipeline hands to the store once every check passed. */
export interface NewRequest {
  readonly requestHash: Hex;
  readonly payer: Address;
  readonly request: OffchainRequest;
  readonly signature: Hex;
  readonly acceptedAt: number;
  readonly postBy: number;
  readonly receiptSignature: Hex;
  readonly statements: readonly NewStatement[];
}

/** The store's atomic decision on a request (idempotency, nonce and deposit reservation in one transaction). */
export type AcceptOutcome =
  | { readonly kind: 'stored'; readonly request: StoredRequest }
  /** The same request (hash and payer) was stored before: the caller answers with that receipt. */
  | { readonly kind: 'duplicate'; readonly request: StoredRequest }
  /** Another live request of this payer holds the same nonce. */
  | { readonly kind: 'nonce-conflict'; readonly existing: Hex }
  /** This relay already saw the nonce consumed on chain (a posted request with this or a later nonce). */
  | { readonly kind: 'nonce-used'; readonly usedUpTo: bigint }
  /** `free` cannot cover this request on top of what the relay accepted and has not posted. */
  | { readonly kind: 'insufficient-deposit'; readonly reserved: bigint; readonly free: bigint; readonly cost: bigint };

/** A stored statement and its proof (null once pruned). */
export interface StoredStatement {
  readonly requestId: RequestId;
  readonly requestHash: Hex;
  readonly index: number;
  readonly digest: Hex;
  readonly publicInputs: Hex[];
  readonly proof: Uint8Array | null;
}

/** A proof served to provers: the statement with the request that carries it. */
export interface ProofRecord extends StoredStatement {
  readonly programId: Hex;
  readonly status: RequestStatus;
  readonly batchId: bigint | null;
  readonly slot: number | null;
}

export type PostStatus = 'sent' | 'mined' | 'reverted' | 'dropped';

/** One signed `postBatch` transaction attempt, written before it is broadcast. */
export interface PostAttempt {
  readonly hash: Hex;
  readonly raw: Hex;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly sentAt: number;
}

/** A post intent: one sender nonce, the requests it carries (group order) and its attempts. */
export interface PostRecord {
  readonly id: number;
  readonly txNonce: number;
  readonly requestIds: RequestId[];
  readonly status: PostStatus;
  readonly minedHash: Hex | null;
  readonly batchId: bigint | null;
  readonly createdAt: number;
  readonly attempts: PostAttempt[];
}

/** How a mined post settled each of its requests (read from its MarketRequestAccepted/MarketRequestSkipped events). */
export interface PostSettlement {
  readonly status: 'mined';
  readonly minedHash: Hex;
  readonly block: bigint;
  readonly batchId: bigint | null;
  readonly posted: readonly { readonly id: RequestId; readonly batchId: bigint; readonly firstSlot: number }[];
  readonly skipped: readonly { readonly id: RequestId; readonly reason: string }[];
}

/**
 * A request accepted on chain by anyone's post (watcher input, from `MarketRequestAccepted`). The market
 * accepts a payer's nonce at most once, so (payer, nonce) names one acceptance; `requestHash` says whether it
 * was this request or another one the payer signed with the same nonce (which voids this one).
 */
export interface PostedOnChain {
  readonly payer: Address;
  readonly nonce: bigint;
  readonly requestHash: Hex;
  readonly batchId: bigint;
  readonly firstSlot: number;
  readonly txHash: Hex;
}

/** Who this store belongs to: a store refuses to open for another chain, market or relay key. */
export interface StoreIdentity {
  readonly chainId: number;
  readonly market: Address;
  readonly relay: Address;
}

export interface StoreStats {
  readonly requests: Record<RequestStatus, number>;
  /** Statements in `accepted` requests (the posting queue). */
  readonly queuedStatements: number;
  readonly openPosts: number;
}

/**
 * The relay's persistence. Every method is atomic; `accept` returns only once the request is durable
 * (the relay acknowledges after it). Two implementations with the same migrations and semantics:
 * SQLite (embedded default) and PostgreSQL (production).
 */
export interface RelayStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies migrations and records or checks the identity. Throws StoreIdentityError on a mismatch. */
  init(identity: StoreIdentity): Promise<void>;
  close(): Promise<void>;
  /** Stores the request once: idempotent on its hash; refuses a nonce conflict or an uncovered cost. */
  accept(request: NewRequest, free: bigint): Promise<AcceptOutcome>;
  getRequest(id: RequestId): Promise<StoredRequest | undefined>;
  /** Every stored request with this EIP-712 hash (one per payer that signed these fields). */
  findRequests(requestHash: Hex): Promise<StoredRequest[]>;
  statementsOf(id: RequestId): Promise<StoredStatement[]>;
  /** Digests of each request, in slot order. */
  digestsOf(ids: readonly RequestId[]): Promise<Map<RequestId, Hex[]>>;
  /** A stored proof of the statement `digest` (posted requests first), if any is still kept. */
  proofOf(digest: Hex): Promise<ProofRecord | undefined>;
  /** Fees of the payer's `accepted` and `posting` requests (reserved against its deposit). */
  reservedOf(payer: Address): Promise<bigint>;
  /** `accepted` requests, oldest first, then by payer and nonce. */
  queue(): Promise<StoredRequest[]>;
  /** Marks `accepted` requests of `payer` with a nonce below `chainNonce` as `void`; returns how many. */
  voidBelow(payer: Address, chainNonce: bigint): Promise<number>;
  /** Marks `accepted` requests whose deadline is before `now` as `expired`; returns how many. */
  expire(now: number): Promise<number>;
  /** Records a post intent and its first attempt and moves its requests to `posting`, atomically. */
  beginPost(post: { txNonce: number; requestIds: readonly RequestId[]; attempt: PostAttempt }): Promise<number>;
  addAttempt(postId: number, attempt: PostAttempt): Promise<void>;
  openPosts(): Promise<PostRecord[]>;
  /**
   * Settles a post. Mined: its `posting` requests become `posted` or `skipped` as listed, the others go
   * back to `accepted`. Reverted or dropped: its `posting` requests go back to `accepted`, or to
   * `skipped` once they were in `maxAttempts` failed posts.
   */
  settlePost(
    postId: number,
    settlement: PostSettlement | { status: 'reverted' | 'dropped'; minedHash?: Hex },
    maxAttempts: number,
  ): Promise<void>;
  /**
   * A request was posted on chain (any poster): the matching request becomes `posted`; the payer's
   * other `accepted` requests with this or a lower nonce become `void`. Returns the updated requests.
   */
  applyPosted(event: PostedOnChain): Promise<RequestId[]>;
  /** Marks `accepted` requests as `skipped` with `reason` (a post that can never include them); returns how many. */
  giveUp(ids: readonly RequestId[], reason: string): Promise<number>;
  /**
   * Drops the proofs of requests that no prover needs any more: `posted` before `postedBefore`, and
   * `skipped`, `expired` or `void` ones whose deadline is before `deadlineBefore`. Returns the statements pruned.
   */
  prune(o: { postedBefore: number; deadlineBefore: number }): Promise<number>;
  stats(): Promise<StoreStats>;
  getCursor(name: string): Promise<bigint | undefined>;
  setCursor(name: string, block: bigint): Promise<void>;
}

/** The store belongs to another chain, market or relay key. */
export class StoreIdentityError extends Error {
  override readonly name = 'StoreIdentityError';
}
