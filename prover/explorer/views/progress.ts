/**
 * Attributes a keeper's proofs to the batch it proves. The keeper's /metrics count aggregation proofs by
 * circuit since it started (nex_keeper_proofs_total{circuit}), not per batch: when exactly one batch is
 * Locked on the market and the keeper has a batch in flight, the proofs it makes from then on are that
 * batch's. The tracker remembers the counts when it first sees that situation for a batch and answers the
 * difference; with several locked batches it answers why it cannot say.
 */
import type { KeeperSnapshot } from '../sources/keeper.js';

export interface KindCounts {
  leaf: number;
  pad: number;
  node: number;
}

export type BatchProgress =
  { readonly available: true; readonly done: KindCounts; readonly since: number } | { readonly available: false; readonly reason: string };

export function kindCounts(proofs: Readonly<Record<string, number>>): KindCounts {
  const out: KindCounts = { leaf: 0, pad: 0, node: 0 };
  for (const [circuit, n] of Object.entries(proofs)) {
    if (circuit.startsWith('leaf')) out.leaf += n;
    else if (circuit === 'pad') out.pad += n;
    else if (circuit === 'node') out.node += n;
  }
  return out;
}

export class ProgressTracker {
  readonly #baselines = new Map<bigint, { counts: KindCounts; since: number }>();
  #last: KeeperSnapshot | undefined;

  /** Called after each keeper scrape with the batches the index has as Locked. */
  update(snapshot: KeeperSnapshot, locked: readonly bigint[]): void {
    this.#last = snapshot;
    if (!snapshot.ok || locked.length !== 1 || (snapshot.inFlight ?? 0) < 1) return;
    const id = locked[0]!;
    if (!this.#baselines.has(id)) this.#baselines.set(id, { counts: kindCounts(snapshot.proofs), since: snapshot.at });
  }

  progress(batchId: bigint): BatchProgress {
    const s = this.#last;
    if (!s) return { available: false, reason: 'no keeper metrics source is configured' };
    if (!s.ok) return { available: false, reason: `the keeper's metrics are not readable: ${s.error ?? 'unknown error'}` };
    const base = this.#baselines.get(batchId);
    if (!base)
      return {
        available: false,
        reason: 'the keeper is not proving this batch alone (progress is attributed only while one batch is locked)',
      };
    const now = kindCounts(s.proofs);
    return {
      available: true,
      since: base.since,
      done: { leaf: now.leaf - base.counts.leaf, pad: now.pad - base.counts.pad, node: now.node - base.counts.node },
    };
  }
}
