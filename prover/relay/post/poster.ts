/**
 * The posting loop (docs/relay.md, "Posting"). Each pass:
 * 1. settles the open post: finds its receipt (any attempt), or sees its nonce taken by another
 *    transaction (dropped), or replaces it with bumped fees when stuck; after a restart it rebroadcasts
 *    the stored signed bytes; one post is in flight at a time, so sender nonces never collide;
 * 2. applies other posters' MarketRequestAccepted events (a request this relay holds, posted elsewhere);
 * 3. expires requests past their deadline and prunes proofs nobody needs;
 * 4. when a batch is due (full, timed out or near a deadline), voids requests whose nonce the chain
 *    already consumed, signs `postBatch`, records the intent with its signed bytes and only then
 *    broadcasts it.
 */
import type { Logger } from 'pino';
import type { Hex } from 'viem';
import { BroadcastRejectedError, PostRevertedError, type PostCall, type RelayChain, type TxReceiptInfo } from '../chain/types.js';
import type { RelayMetrics } from '../metrics.js';
import type { PostRecord, RelayStore, RequestId, StoredRequest } from '../store/types.js';
import { selectBatch } from './select.js';

export interface PosterOptions {
  readonly capacity: number;
  readonly postTimeoutSeconds: number;
  readonly postMarginSeconds: number;
  readonly pollIntervalMs: number;
  readonly confirmations: number;
  readonly maxLogRange: number;
  readonly proofRetentionSeconds: number;
  readonly maxPostAttempts: number;
  readonly stuckAfterSeconds: number;
}

export interface PosterDeps {
  readonly chain: RelayChain;
  readonly store: RelayStore;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly now: () => number;
}

const WATCH_CURSOR = 'market-posts';

export class Poster {
  readonly #rebroadcast = new Set<number>();
  #lastTickAt = 0;
  #backoffUntil = 0;

  constructor(
    private readonly d: PosterDeps,
    private readonly o: PosterOptions,
  ) {}

  /** Unix seconds of the last completed pass (0 before the first). */
  get lastTickAt(): number {
    return this.#lastTickAt;
  }

  /** One pass of the loop. Throws on chain or store errors (run() logs them and tries again next pass). */
  async tick(): Promise<void> {
    const inFlight = await this.#settleOpenPosts();
    await this.#watch();
    await this.#housekeep();
    if (!inFlight) await this.#postIfDue();
    const stats = await this.d.store.stats();
    this.d.metrics.queueRequests.set(stats.requests.accepted);
    this.d.metrics.queueStatements.set(stats.queuedStatements);
    this.#lastTickAt = this.d.now();
    this.d.metrics.lastTick.set(this.#lastTickAt);
  }

  /** Runs passes every pollIntervalMs until `signal` aborts; a failed pass is logged and retried. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        this.d.metrics.errors.inc({ component: 'post' });
        this.d.log.warn({ err }, 'posting pass failed; retrying');
      }
      await sleep(this.o.pollIntervalMs, signal);
    }
  }

  /** Returns true while a post is still in flight. */
  async #settleOpenPosts(): Promise<boolean> {
    for (const post of await this.d.store.openPosts()) {
      if (!(await this.#settle(post))) return true;
    }
    return false;
  }

  async #settle(post: PostRecord): Promise<boolean> {
    const { chain, store, log, metrics } = this.d;
    const found = await this.#findReceipt(post);
    if (found) {
      await this.#applyReceipt(post, found);
      return true;
    }
    if ((await chain.minedNonce()) > post.txNonce) {
      // The nonce is used and none of our attempts has a receipt: look once more (a receipt can lag
      // the nonce), then the post was replaced by another transaction of this key.
      const again = await this.#findReceipt(post);
      if (again) {
        await this.#applyReceipt(post, again);
        return true;
      }
      await store.settlePost(post.id, { status: 'dropped' }, this.o.maxPostAttempts);
      metrics.posts.inc({ outcome: 'dropped' });
      log.warn(
        { postId: post.id, txNonce: post.txNonce },
        'post dropped: its nonce was used by another transaction; requests back in the queue',
      );
      return true;
    }
    const last = post.attempts.at(-1)!;
    if (this.d.now() - last.sentAt >= this.o.stuckAfterSeconds) {
      await this.#bump(post, last);
    } else if (!this.#rebroadcast.has(post.id)) {
      // First look at this post since start-up: the node may have lost it in a restart.
      this.#rebroadcast.add(post.id);
      await this.#broadcastQuietly(last.raw, post.id);
    }
    return false;
  }

  async #findReceipt(post: PostRecord): Promise<TxReceiptInfo | undefined> {
    for (const a of post.attempts) {
      const r = await this.d.chain.receipt(a.hash);
      if (r) return r;
    }
    return undefined;
  }

  async #applyReceipt(post: PostRecord, r: TxReceiptInfo): Promise<void> {
    const { store, log, metrics } = this.d;
    if (r.status === 'reverted') {
      await store.settlePost(post.id, { status: 'reverted', minedHash: r.hash }, this.o.maxPostAttempts);
      metrics.posts.inc({ outcome: 'reverted' });
      log.error({ postId: post.id, tx: r.hash }, 'post reverted; its requests go back to the queue');
      return;
    }
    const requests = await this.#requestsOf(post);
    const posted: { id: RequestId; batchId: bigint; firstSlot: number }[] = [];
    const skipped: { id: RequestId; reason: string }[] = [];
    for (const req of requests) {
      const same = (e: { payer: string; nonce: bigint }) =>
        e.payer.toLowerCase() === req.payer.toLowerCase() && e.nonce === req.request.nonce;
      const ev = r.events.find((e) => e.kind === 'posted' && same(e) && e.requestHash.toLowerCase() === req.requestHash);
      if (ev && ev.kind === 'posted') {
        posted.push({ id: req.id, batchId: ev.batchId, firstSlot: ev.firstSlot });
        continue;
      }
      const sk = r.events.find((e) => e.kind === 'skipped' && same(e));
      if (sk && sk.kind === 'skipped') skipped.push({ id: req.id, reason: sk.reason });
    }
    const batchId = posted[0]?.batchId ?? null;
    await store.settlePost(
      post.id,
      { status: 'mined', minedHash: r.hash, block: r.block, batchId, posted, skipped },
      this.o.maxPostAttempts,
    );
    metrics.posts.inc({ outcome: 'mined' });
    metrics.settled.inc({ status: 'posted' }, posted.length);
    metrics.settled.inc({ status: 'skipped' }, skipped.length);
    const unmatched = requests.length - posted.length - skipped.length;
    log.info(
      { postId: post.id, tx: r.hash, block: r.block, batchId, posted: posted.length, skipped: skipped.map((s) => s.reason), unmatched },
      'post mined',
    );
    if (unmatched > 0) log.warn({ postId: post.id, unmatched }, 'post mined without an event for some requests; they go back to the queue');
  }

  async #bump(post: PostRecord, last: PostRecord['attempts'][number]): Promise<void> {
    const { chain, store, log, metrics } = this.d;
    const requests = await this.#requestsOf(post);
    let signed;
    try {
      signed = await chain.signPost(await this.#callOf(requests), { nonce: post.txNonce, bumpFrom: last });
    } catch (err) {
      log.warn({ err, postId: post.id }, 'cannot replace the stuck post; rebroadcasting it unchanged');
      await this.#broadcastQuietly(last.raw, post.id);
      return;
    }
    if (signed.maxFeePerGas <= last.maxFeePerGas) {
      log.warn({ postId: post.id, maxFeePerGas: last.maxFeePerGas.toString() }, 'post stuck at the fee cap; rebroadcasting it unchanged');
      await this.#broadcastQuietly(last.raw, post.id);
      return;
    }
    await store.addAttempt(post.id, {
      hash: signed.hash,
      raw: signed.raw,
      maxFeePerGas: signed.maxFeePerGas,
      maxPriorityFeePerGas: signed.maxPriorityFeePerGas,
      sentAt: this.d.now(),
    });
    metrics.posts.inc({ outcome: 'bumped' });
    log.warn(
      { postId: post.id, old: last.hash, hash: signed.hash, maxFeePerGas: signed.maxFeePerGas.toString() },
      'post stuck; replaced with bumped fees',
    );
    await this.#broadcastQuietly(signed.raw, post.id);
  }

  async #broadcastQuietly(raw: Hex, postId: number): Promise<void> {
    try {
      await this.d.chain.broadcast(raw);
    } catch (err) {
      this.d.log.warn({ err, postId }, 'rebroadcast failed');
    }
  }

  async #watch(): Promise<void> {
    const { chain, store, log, metrics } = this.d;
    const head = await chain.head();
    const to = head - BigInt(this.o.confirmations);
    if (to < 0n) return;
    const cursor = await store.getCursor(WATCH_CURSOR);
    // A new store has nothing that was posted before now: start watching at the current block.
    let from = cursor === undefined ? to : cursor + 1n;
    while (from <= to) {
      const end = from + BigInt(this.o.maxLogRange) - 1n < to ? from + BigInt(this.o.maxLogRange) - 1n : to;
      for (const e of await chain.postEvents(from, end)) {
        if (e.kind !== 'posted') continue;
        const updated = await store.applyPosted({
          payer: e.payer,
          nonce: e.nonce,
          requestHash: e.requestHash,
          batchId: e.batchId,
          firstSlot: e.firstSlot,
          txHash: e.txHash,
        });
        if (updated.length > 0) {
          metrics.settled.inc({ status: 'posted' });
          log.info(
            { payer: e.payer, nonce: e.nonce.toString(), batchId: e.batchId.toString(), tx: e.txHash, updated },
            'request posted on chain (seen by the watcher)',
          );
        }
      }
      await store.setCursor(WATCH_CURSOR, end);
      from = end + 1n;
    }
  }

  async #housekeep(): Promise<void> {
    const now = this.d.now();
    const expired = await this.d.store.expire(now);
    if (expired > 0) {
      this.d.metrics.settled.inc({ status: 'expired' }, expired);
      this.d.log.warn({ expired }, 'requests expired before they could be posted');
    }
    const pruned = await this.d.store.prune({ postedBefore: now - this.o.proofRetentionSeconds, deadlineBefore: now });
    if (pruned > 0) this.d.log.info({ pruned }, 'pruned proofs no prover needs any more');
  }

  async #postIfDue(): Promise<void> {
    const { chain, store, log, metrics } = this.d;
    const now = this.d.now();
    if (now < this.#backoffUntil) return;
    let selection = selectBatch(await store.queue(), now, this.o);
    if (!selection) return;
    // Requests whose nonce the chain already consumed (posted elsewhere, or a later nonce) are void.
    let voided = 0;
    for (const payer of new Set(selection.requests.map((r) => r.payer))) {
      const account = await chain.account(payer);
      voided += await store.voidBelow(payer, account.nonce);
    }
    if (voided > 0) {
      metrics.settled.inc({ status: 'void' }, voided);
      log.info({ voided }, 'requests voided: their nonce was consumed on chain');
      selection = selectBatch(await store.queue(), now, this.o);
      if (!selection) return;
    }
    const call = await this.#callOf(selection.requests);
    const nonce = await chain.pendingNonce();
    let signed;
    try {
      signed = await chain.signPost(call, { nonce });
    } catch (err) {
      if (!(err instanceof PostRevertedError)) throw err;
      await this.#isolate(selection.requests, nonce, err);
      return;
    }
    const ids = selection.requests.map((r) => r.id);
    const postId = await store.beginPost({
      txNonce: nonce,
      requestIds: ids,
      attempt: {
        hash: signed.hash,
        raw: signed.raw,
        maxFeePerGas: signed.maxFeePerGas,
        maxPriorityFeePerGas: signed.maxPriorityFeePerGas,
        sentAt: now,
      },
    });
    this.#rebroadcast.add(postId);
    metrics.posts.inc({ outcome: 'sent' });
    log.info(
      { postId, tx: signed.hash, nonce, requests: ids.length, statements: selection.statements, trigger: selection.trigger },
      'posting batch',
    );
    try {
      await chain.broadcast(signed.raw);
    } catch (err) {
      if (err instanceof BroadcastRejectedError) {
        await store.settlePost(postId, { status: 'dropped' }, this.o.maxPostAttempts);
        metrics.posts.inc({ outcome: 'dropped' });
        log.error({ err, postId }, 'the node refused the post; requests back in the queue');
        this.#backoffUntil = now + Math.ceil(this.o.pollIntervalMs / 1000) * 5;
        return;
      }
      // Ambiguous (timeout, transport): the node may have it. The next pass finds its receipt or rebroadcasts it.
      log.warn({ err, postId }, 'post broadcast uncertain; will reconcile');
    }
  }

  /** A post would revert: finds the requests that revert alone and gives them up; backs off if none does. */
  async #isolate(requests: StoredRequest[], nonce: number, cause: PostRevertedError): Promise<void> {
    const { chain, store, log, metrics } = this.d;
    const bad: RequestId[] = [];
    for (const r of requests) {
      try {
        await chain.signPost(await this.#callOf([r]), { nonce });
      } catch (err) {
        if (err instanceof PostRevertedError) bad.push(r.id);
        else throw err;
      }
    }
    metrics.errors.inc({ component: 'post' });
    if (bad.length > 0) {
      await store.giveUp(bad, 'post-reverted');
      metrics.settled.inc({ status: 'skipped' }, bad.length);
      log.error({ err: cause, requests: bad }, 'requests that make postBatch revert were given up');
    } else {
      this.#backoffUntil = this.d.now() + this.o.postTimeoutSeconds;
      log.error({ err: cause, requests: requests.length }, 'postBatch would revert though no request does alone; backing off');
    }
  }

  async #callOf(requests: readonly StoredRequest[]): Promise<PostCall> {
    const digests = await this.d.store.digestsOf(requests.map((r) => r.id));
    return {
      groups: requests.map((r) => ({ request: r.request, signature: r.signature })),
      digests: requests.flatMap((r) => digests.get(r.id) ?? []),
    };
  }

  async #requestsOf(post: PostRecord): Promise<StoredRequest[]> {
    const rows = await Promise.all(post.requestIds.map((id) => this.d.store.getRequest(id)));
    return rows.filter((x): x is StoredRequest => x !== undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
