// The explorer's pure parts: the proving tree's shape (leaves, pads, nodes, as the engine plans them), the
// keeper source reading a real keeper registry's /metrics text, progress attribution to the one locked
// batch, and matching a postBatch call's groups to the ones the market accepted.
import { expect } from 'chai';
import type { Hex } from 'viem';
import { acceptedDigests, type PostedCallGroup } from '../../prover/explorer/chain/content.js';
import { snapshotOf } from '../../prover/explorer/sources/keeper.js';
import { kindCounts, ProgressTracker } from '../../prover/explorer/views/progress.js';
import { markDone, treeShape } from '../../prover/explorer/views/tree.js';
import type { ProgressEvent } from '../../prover/engine/index.js';
import { KeeperEvents } from '../../prover/keeper/index.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { BATCH_PROGRESS_KEPT, Metrics } from '../../prover/keeper/obs/metrics.js';
import { progressReporter } from '../../prover/keeper/obs/progress.js';

const included = (capacity: number, slots: number[]): boolean[] => Array.from({ length: capacity }, (_, i) => slots.includes(i));

describe('explorer views', () => {
  it('shapes the proving tree: pair and single leaves, a pad per maximal zero subtree, nodes above', () => {
    const full = treeShape(8, included(8, [0, 1, 2, 3, 4, 5, 6, 7]));
    expect(full.jobs).to.deep.equal({ leaf: 4, pad: 0, node: 3 });
    // 5 statements, slot 3 excluded: leaves over (0,1), (2), (4); slots 5..7 -> a pad for (6,7) under a node over (4..7).
    const t = treeShape(8, included(8, [0, 1, 2, 4]));
    expect(t.jobs).to.deep.equal({ leaf: 3, pad: 1, node: 3 });
    expect(t.levels[0]!.map((u) => [u.kind, u.statements])).to.deep.equal([
      ['leaf', 2],
      ['leaf', 1],
      ['leaf', 1],
      ['pad', undefined],
    ]);
    // Half empty: one pad of height 2 covers slots 4..7, its children are covered.
    const half = treeShape(8, included(8, [0, 1, 2, 3]));
    expect(half.jobs).to.deep.equal({ leaf: 2, pad: 1, node: 2 });
    expect(half.levels[0]!.map((u) => u.kind)).to.deep.equal(['leaf', 'leaf', 'covered', 'covered']);
    expect(half.levels[1]!.map((u) => u.kind)).to.deep.equal(['node', 'pad']);
    expect(() => treeShape(6, [])).to.throw(RangeError, /not a power of two/);
  });

  it('marks done units bottom level first, per kind', () => {
    const t = markDone(treeShape(8, included(8, [0, 1, 2, 4])), { leaf: 2, pad: 0, node: 0 });
    expect(t.levels[0]!.map((u) => u.done)).to.deep.equal([true, true, false, false]);
    expect(t.levels[2]![0]!.done).to.equal(false);
  });

  it("reads a keeper's /metrics (its real registry) and attributes new proofs to the one locked batch", async () => {
    const m = new Metrics({ processMetrics: false });
    m.set('nex_keeper_rpc_up', 1);
    m.set('nex_keeper_head_block', 42);
    m.set('nex_keeper_batches_in_flight', 1);
    m.set('nex_keeper_stake_wei', 2000n * 10n ** 18n, { kind: 'staked' });
    m.inc('nex_keeper_proofs_total', { circuit: 'leaf_pair' }, 3);
    m.inc('nex_keeper_errors_total', { kind: 'rpc' });
    const before = snapshotOf('http://k/metrics', await m.render(), 1000);
    expect(before).to.deep.include({ ok: true, rpcUp: true, headBlock: 42, inFlight: 1 });
    expect(before.stake).to.deep.equal({ staked: (2000n * 10n ** 18n).toString() });
    expect(before.errors).to.deep.equal({ rpc: 1 });
    expect(kindCounts(before.proofs)).to.deep.equal({ leaf: 3, pad: 0, node: 0 });

    const tracker = new ProgressTracker();
    expect(tracker.progress(7n)).to.deep.include({ available: false });
    tracker.update(before, [7n]);
    m.inc('nex_keeper_proofs_total', { circuit: 'leaf_single' }, 1);
    m.inc('nex_keeper_proofs_total', { circuit: 'node' }, 2);
    tracker.update(snapshotOf('http://k/metrics', await m.render(), 2000), [7n]);
    expect(tracker.progress(7n)).to.deep.equal({ available: true, since: 1000, perBatch: false, done: { leaf: 1, pad: 0, node: 2 } });
    // Two locked batches: no attribution for a batch not seen alone.
    tracker.update(snapshotOf('http://k/metrics', await m.render(), 3000), [7n, 8n]);
    expect(tracker.progress(8n)).to.deep.include({ available: false });
    tracker.update({ ...before, ok: false, error: 'unreachable' }, [7n]);
    expect(tracker.progress(7n)).to.deep.equal({ available: false, reason: "the keeper's metrics are not readable: unreachable" });
  });

  it("follows a batch job by job from the keeper's per-batch progress, also with several batches locked", async () => {
    const m = new Metrics({ processMetrics: false });
    m.set('nex_keeper_batches_in_flight', 2);
    const events = new KeeperEvents();
    const log = createLogger({ level: 'error', format: 'json', write: () => undefined });
    const job = (jobId: string, circuit: 'leaf_2' | 'pad' | 'node', fromCheckpoint = false): ProgressEvent => ({
      type: 'job-finished',
      jobId,
      circuit,
      level: 0,
      levels: 2,
      ms: 10,
      elapsedMs: 10,
      fromCheckpoint,
      done: 1,
      total: 3,
    });
    const p9 = progressReporter(9n, log, events, m);
    p9.onProgress(job('leaf-0', 'leaf_2', true));
    p9.onProgress(job('leaf-1', 'leaf_2'));
    const tracker = new ProgressTracker();
    tracker.update(snapshotOf('http://k/metrics', await m.render(), 1000), [8n, 9n]);
    expect(tracker.progress(9n)).to.deep.equal({ available: true, since: 1000, perBatch: true, done: { leaf: 2, pad: 0, node: 0 } });
    // A batch the keeper has no series for: the per-circuit fallback, which cannot attribute with two locked.
    expect(tracker.progress(8n)).to.deep.include({ available: false });
    p9.onProgress(job('pad-0', 'pad'));
    p9.onProgress(job('node-0', 'node'));
    tracker.update(snapshotOf('http://k/metrics', await m.render(), 2000), [8n, 9n]);
    expect(tracker.progress(9n)).to.deep.equal({ available: true, since: 2000, perBatch: true, done: { leaf: 2, pad: 1, node: 1 } });

    // Its series outlive the proving (the batch is Locked until fulfilled), for the last BATCH_PROGRESS_KEPT batches only.
    p9.done();
    expect(await m.get('nex_keeper_batch_proofs_done', { batch: '9', circuit: 'leaf_2' })).to.equal(2);
    for (let b = 10n; b < 10n + BigInt(BATCH_PROGRESS_KEPT) - 1n; b++) {
      const p = progressReporter(b, log, events, m);
      p.onProgress(job('leaf-0', 'leaf_2'));
      p.done();
    }
    expect(await m.get('nex_keeper_batch_proofs_done', { batch: '9', circuit: 'node' })).to.equal(1);
    const last = progressReporter(100n, log, events, m);
    last.onProgress(job('leaf-0', 'leaf_2'));
    last.done();
    for (const circuit of ['leaf_2', 'pad', 'node'])
      expect(await m.get('nex_keeper_batch_proofs_done', { batch: '9', circuit }), circuit).to.equal(undefined);
    expect(await m.get('nex_keeper_batch_proofs_done', { batch: '100', circuit: 'leaf_2' })).to.equal(1);
    tracker.update(snapshotOf('http://k/metrics', await m.render(), 3000), [9n]);
    expect(tracker.progress(9n)).to.deep.include({ available: true, perBatch: false });
  });

  it('matches the groups of a postBatch call to the accepted ones (skipped groups have no event)', () => {
    const d = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
    const p1: Hex = d(0xa1);
    const call: PostedCallGroup[] = [
      { programId: p1, count: 2, feePerProof: 5n, nonce: 0n, digests: [d(1), d(2)] },
      { programId: p1, count: 1, feePerProof: 5n, nonce: 1n, digests: [d(3)] }, // skipped
      { programId: p1, count: 1, feePerProof: 6n, nonce: 2n, digests: [d(4)] },
    ];
    const accepted = [
      { programId: p1, nonce: 2n, count: 1, feePerProof: 6n, firstSlot: 2 },
      { programId: p1, nonce: 0n, count: 2, feePerProof: 5n, firstSlot: 0 },
    ];
    expect(acceptedDigests(call, accepted)).to.deep.equal([[d(1), d(2)], [d(4)]]);
    expect(acceptedDigests(call, [{ programId: p1, nonce: 9n, count: 1, feePerProof: 6n, firstSlot: 0 }])).to.equal(undefined);
  });
});
