/**
 * Which accepted requests go into the next post, and whether it is time (docs/relay.md, "Posting").
 * Pure: the poster passes the queue and the clock.
 */
import type { StoredRequest } from '../store/types.js';

export interface SelectOptions {
  /** Most statements in one posted batch. */
  readonly capacity: number;
  readonly postTimeoutSeconds: number;
  /** A request is posted at least this long before its deadline, or not at all. */
  readonly postMarginSeconds: number;
}

export type PostTrigger = 'full' | 'timeout' | 'deadline';

export interface Selection {
  /** In post order: payers by their oldest request, each payer's requests by increasing nonce. */
  readonly requests: StoredRequest[];
  readonly statements: number;
  readonly trigger: PostTrigger;
}

/** A request can still be posted safely at `now`. */
export function postable(r: StoredRequest, now: number, o: SelectOptions): boolean {
  return now <= r.request.deadline - o.postMarginSeconds;
}

/**
 * Picks up to `capacity` statements from the queue (`accepted` requests): payers in order of their oldest
 * request, each payer's requests in nonce order (posting a higher nonce first would void the lower one,
 * so a payer's run stops at the first request that does not fit). Returns undefined when nothing is due:
 * a post goes out when the selection is full, when a postable request has waited `postTimeoutSeconds`,
 * or when one nears its deadline (less than twice the margin left).
 */
export function selectBatch(queue: readonly StoredRequest[], now: number, o: SelectOptions): Selection | undefined {
  const byPayer = new Map<string, StoredRequest[]>();
  for (const r of queue) {
    if (!postable(r, now, o)) continue;
    const list = byPayer.get(r.payer) ?? [];
    list.push(r);
    byPayer.set(r.payer, list);
  }
  const payers = [...byPayer.values()]
    .map((list) => list.sort((a, b) => (a.request.nonce < b.request.nonce ? -1 : a.request.nonce > b.request.nonce ? 1 : 0)))
    .sort(
      (a, b) => Math.min(...a.map((r) => r.acceptedAt)) - Math.min(...b.map((r) => r.acceptedAt)) || (a[0]!.payer < b[0]!.payer ? -1 : 1),
    );
  const requests: StoredRequest[] = [];
  let statements = 0;
  for (const list of payers) {
    for (const r of list) {
      if (statements + r.request.count > o.capacity) break;
      requests.push(r);
      statements += r.request.count;
    }
    if (statements === o.capacity) break;
  }
  if (requests.length === 0) return undefined;
  if (statements >= o.capacity) return { requests, statements, trigger: 'full' };
  // Due requests that did not fit go out in the next post, right after this one.
  const waiting = [...byPayer.values()].flat();
  if (waiting.some((r) => now >= r.acceptedAt + o.postTimeoutSeconds)) return { requests, statements, trigger: 'timeout' };
  if (waiting.some((r) => now >= r.request.deadline - 2 * o.postMarginSeconds)) return { requests, statements, trigger: 'deadline' };
  return undefined;
}
