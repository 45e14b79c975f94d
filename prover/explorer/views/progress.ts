/**
 * A keeper's progress on the batch it proves. A keeper that exports nex_keeper_batch_proofs_done{batch,
 * circuit} (job by job) gives it directly. Otherwise (an older keeper) the tracker attributes the keeper's
 * per-circuit totals (nex_keeper_proofs_total{circuit}, which it adds when a batch's aggregation ends): when
 * exactly one batch is Locked on the market and the keeper has a batch in flight, the proofs it makes from
 * then on are that batch's. It remembers the counts when it first sees that situation for a batch and
 * answers the difference; with several locked batches it answers why it cannot say.
 */
import type { KeeperSnapshot } from '../sources/keeper.js';

export interface KindCounts {
  leaf: number;
  pad: number;
  node: number;
}

export type BatchProgress =
  | { readonly available: true; readonly done: KindCounts; readonly since: number; readonly perBatch: boolean }
  | { readonly available: false; readonly reason: string };

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
    const own = s.batchProofs[batchId.toString()];
    if (own) return { available: true, since: s.at, perBatch: true, done: kindCounts(own) };
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
      perBatch: false,
      done: { leaf: now.leaf - base.counts.leaf, pad: now.pad - base.counts.pad, node: now.node - base.counts.node },
    };
  }
}
