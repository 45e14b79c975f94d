// Distributed proving without a server: the flows built from a version-2 plan (shape, ids from the
// content keys, checkpointed proofs passed as data), the job protocol's validation, and the option checks.
import { expect } from 'chai';
import type { FlowJob, FlowJobNode } from 'bullmq';
import type { AggProof } from '../../prover/engine/backend.js';
import { excludeSlots } from '../../prover/engine/batch.js';
import { jobKeys } from '../../prover/engine/checkpoint.js';
import { ConfigError } from '../../prover/engine/config.js';
import { planBatch, type Plan } from '../../prover/engine/planner.js';
import {
  buildFlows,
  DEFAULT_FLOW_POLICY,
  flowJobs,
  includedSlotsUnder,
  planJobIdOf,
  queueJobId,
  QueueJobFailedError,
  redactUrl,
  resolveQueueConfig,
  resolveQueueOption,
} from '../../prover/engine/queue/index.js';
import { parseJobData, parseJobResult, type ProveJobData, QueueProtocolError } from '../../prover/engine/queue/protocol.js';
import { resolveWorkerOptions } from '../../prover/engine/queue/worker.js';
import { JobFailedError } from '../../prover/engine/scheduler.js';
import { aggregationPublicInputs } from '../../prover/protocol/index.js';
import { makespan } from '../../scripts/benchQueue.js';
import { batchFromMask, KEY_SET, PROVER, rng } from './engineHelpers.js';

const circuits = { keySet: KEY_SET, buildId: 'build-1', keyHashes: { node: KEY_SET } };

function fakeProof(plan: Plan, id: string): AggProof {
  const job = plan.jobs.find((j) => j.id === id)!;
  return {
    circuit: job.circuit,
    target: job.target,
    root: job.root,
    proof: new Uint8Array([1, 2, 3]),
    publicInputs: aggregationPublicInputs(job.root, PROVER, KEY_SET),
  };
}

const idOf = (f: FlowJob | FlowJobNode): string => f.opts!.jobId!;
const dataOf = (f: FlowJob | FlowJobNode): ProveJobData => f.data as ProveJobData;

describe('distributed proving: flows and ids (no server)', () => {
  // Slots 0,1,2,4,5,7 included: pair leaves L0.1 and L4.5, single leaves L2 and L7, nodes N2.0, N2.1, root N3.0.
  const batch = batchFromMask(rng(7), 8, 0b10110111n);
  const plan = planBatch(batch);
  const keys = jobKeys(plan, batch, PROVER, KEY_SET);
  const rootKey = keys.get(plan.rootJobId)!;
  const qid = (id: string): string => queueJobId(rootKey, id);
  const build = (done = new Map<string, AggProof>(), targets?: string[]) =>
    buildFlows({ plan, batch, prover: PROVER, keys, circuits, done, targets, queueName: 'prove', prefix: 'nex' });

  it("turns the whole plan into one flow whose tree is the proving tree, ids from the root's content key", () => {
    const flows = build();
    expect(flows).to.have.length(1);
    const flow = flows[0]!;
    expect(idOf(flow)).to.equal(`f${rootKey}-N3.0`);
    const all = flowJobs(flow);
    expect(all.map(idOf).sort()).to.deep.equal(plan.jobs.map((j) => qid(j.id)).sort());
    for (const f of all) {
      const d = dataOf(f);
      const job = plan.jobs.find((j) => j.id === d.job.id)!;
      expect(d.job).to.deep.equal(job);
      expect(d.key).to.equal(keys.get(job.id));
      expect(d.flowKey).to.equal(keys.get(plan.rootJobId));
      expect(f.name).to.equal(job.circuit);
      expect(f.queueName).to.equal('prove');
      expect(f.prefix).to.equal('nex');
      // Children are exactly the dependencies, in order, and nothing travels as data.
      expect((f.children ?? []).map(idOf)).to.deep.equal(job.deps.map(qid));
      expect(d.inputs).to.deep.equal({});
      expect(d.expect.map((e) => [e.id, e.key])).to.deep.equal(job.deps.map((dep) => [dep, keys.get(dep)]));
      expect(d.circuits).to.deep.equal(circuits);
      expect(d.prover).to.equal(PROVER);
      expect(f.opts!.attempts).to.equal(DEFAULT_FLOW_POLICY.attempts);
      expect(f.opts!.priority).to.equal(job.height); // breadth-first: leaves (height 1) first
      // Every job but the root fails its parent when it fails for good.
      expect(Boolean(f.opts!.failParentOnFailure)).to.equal(job.id !== plan.rootJobId);
      // A leaf carries the rollup proofs of its slots, in order.
      if (job.kind === 'leaf') {
        expect(d.slots).to.deep.equal([...job.slots]);
        expect(d.rollups).to.have.length(job.slots.length);
      } else expect(d.rollups).to.deep.equal([]);
      expect(() => parseJobData(JSON.parse(JSON.stringify(d)))).not.to.throw();
    }
    expect(plan.jobs.map((j) => j.id).sort()).to.deep.equal(['L0.1', 'L2', 'L4.5', 'L7', 'N2.0', 'N2.1', 'N3.0']);
    expect(dataOf(flow).slots).to.deep.equal([...plan.includedSlots]);
  });

  it('passes checkpointed proofs as data and leaves their subtrees out of the flow', () => {
    const done = new Map([
      ['N2.0', fakeProof(plan, 'N2.0')],
      ['L0.1', fakeProof(plan, 'L0.1')],
      ['L7', fakeProof(plan, 'L7')],
    ]);
    const [flow] = build(done);
    const ids = flowJobs(flow!).map((f) => dataOf(f).job.id);
    expect(ids.sort()).to.deep.equal(['L4.5', 'N2.1', 'N3.0']); // L2 is under a checkpointed node
    const root = flow!;
    expect(Object.keys(dataOf(root).inputs)).to.deep.equal(['N2.0']);
    expect(dataOf(root).inputs['N2.0']!.root).to.equal(plan.jobs.find((j) => j.id === 'N2.0')!.root);
    expect((root.children ?? []).map((c) => dataOf(c).job.id)).to.deep.equal(['N2.1']);
    const n21 = root.children![0]!;
    expect(Object.keys(dataOf(n21).inputs)).to.deep.equal(['L7']);
    expect((n21.children ?? []).map((c) => dataOf(c).job.id)).to.deep.equal(['L4.5']);
  });

  it('has nothing to add once the targets are proven; a leaf target is a one-job flow', () => {
    expect(build(new Map([[plan.rootJobId, fakeProof(plan, plan.rootJobId)]]))).to.deep.equal([]);
    const [leaf] = build(new Map(), ['L2']);
    expect(idOf(leaf!)).to.equal(queueJobId(keys.get('L2')!, 'L2'));
    expect(leaf!.children).to.equal(undefined);
    expect(dataOf(leaf!).flowKey).to.equal(keys.get('L2'));
    expect(() => build(new Map(), ['X9'])).to.throw(/not a job/);
  });

  it('gives the same ids for the same plan; a re-plan keeps the content keys (checkpoints) of every job outside the excluded branch', () => {
    expect(JSON.stringify(build())).to.equal(JSON.stringify(build()));
    const replanned = excludeSlots(batch, [5]);
    const plan2 = planBatch(replanned);
    const keys2 = jobKeys(plan2, replanned, PROVER, KEY_SET);
    const same = plan2.jobs.filter((j) => keys.get(j.id) === keys2.get(j.id)).map((j) => j.id);
    expect(same.sort()).to.deep.equal(['L0.1', 'L2', 'L7', 'N2.0']);
    expect(plan2.jobs.map((j) => j.id)).to.include('L4');
    // Another prover or key set: every id differs.
    const other = jobKeys(plan, batch, '0x00000000000000000000000000000000000b0b00', KEY_SET);
    const otherSet = jobKeys(plan, batch, PROVER, `0x${'11'.repeat(32)}`);
    for (const j of plan.jobs) expect(new Set([keys.get(j.id), other.get(j.id), otherSet.get(j.id)]).size).to.equal(3);
    expect(planJobIdOf(rootKey, qid('P1@h2'))).to.equal('P1@h2');
    expect(planJobIdOf(other.get(plan.rootJobId)!, qid('P1@h2'))).to.equal(undefined);
    expect(() => queueJobId('not-a-key', 'L0')).to.throw(/content key/);
    expect(() => queueJobId(rootKey, 'L:0')).to.throw(/unsafe/);
  });

  it('two pads of one height have the same content key but their own job ids (a BullMQ job has one parent)', () => {
    const sparse = batchFromMask(rng(31), 8, 0b00010001n); // L0, P1@h1, L4, P3@h1, N2.0, N2.1, N3.0
    const p = planBatch(sparse);
    const k = jobKeys(p, sparse, PROVER, KEY_SET);
    expect(k.get('P1@h1')).to.equal(k.get('P3@h1'));
    const [flow] = buildFlows({
      plan: p,
      batch: sparse,
      prover: PROVER,
      keys: k,
      circuits,
      done: new Map(),
      queueName: 'prove',
      prefix: 'nex',
    });
    const ids = flowJobs(flow!).map(idOf);
    expect(ids).to.have.length(p.jobs.length);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('names the included slots under a job (for failures)', () => {
    expect(includedSlotsUnder(plan, { height: 1, index: 2 })).to.deep.equal([4, 5]);
    expect(includedSlotsUnder(plan, { height: 1, index: 1 })).to.deep.equal([2]);
    expect(includedSlotsUnder(plan, { height: 2, index: 1 })).to.deep.equal([4, 5, 7]);
    expect(includedSlotsUnder(plan, { height: 3, index: 0 })).to.deep.equal([0, 1, 2, 4, 5, 7]);
    const err = new QueueJobFailedError({
      jobId: 'N2.1',
      circuit: 'node',
      slots: [4, 5, 7],
      attempts: 3,
      reason: 'bb died',
      kind: 'failed',
    });
    expect(err).to.be.instanceOf(JobFailedError);
    expect(err.name).to.equal('QueueJobFailedError');
    expect(err.retryable).to.equal(true);
    expect(err.slots).to.deep.equal([4, 5, 7]);
    expect(err.message).to.equal('job N2.1 (node, slots 4, 5, 7) failed after 3 attempt(s): bb died');
  });

  it('rejects malformed job data and results', () => {
    const d = JSON.parse(JSON.stringify(dataOf(build()[0]!))) as Record<string, unknown>;
    expect(() => parseJobData({ ...d, v: 1 })).to.throw(QueueProtocolError, /version/);
    expect(() => parseJobData({ ...d, prover: '0x12' })).to.throw(QueueProtocolError, /prover/);
    expect(() => parseJobData({ ...d, key: 'L0' })).to.throw(QueueProtocolError, /key/);
    expect(() => parseJobData({ ...d, expect: [] })).to.throw(QueueProtocolError, /expect/);
    expect(() => parseJobData({ ...d, job: { ...(d.job as object), kind: 'leaf3' } })).to.throw(QueueProtocolError, /kind/);
    expect(() => parseJobData({ ...d, job: { ...(d.job as object), circuit: 'leaf8' } })).to.throw(QueueProtocolError, /circuit/);
    expect(() => parseJobData({ ...d, job: { ...(d.job as object), target: 'evm' } })).to.throw(QueueProtocolError, /target/);
    expect(() => parseJobData({ ...d, job: { ...(d.job as object), root: '0x01' } })).to.throw(QueueProtocolError, /root/);
    expect(() => parseJobData({ ...d, circuits: { id: 1 } })).to.throw(QueueProtocolError, /circuits/);
    const leaf = flowJobs(build()[0]!).find((f) => dataOf(f).job.id === 'L0.1')!;
    const ld = JSON.parse(JSON.stringify(leaf.data)) as ProveJobData;
    expect(() => parseJobData({ ...ld, rollups: ld.rollups.slice(1) })).to.throw(QueueProtocolError, /rollup/);
    expect(() => parseJobData({ ...ld, job: { ...ld.job, slots: [] } })).to.throw(QueueProtocolError, /slots/);
    const proof = { circuit: 'node', target: 'evm-no-zk', root: plan.expectedRoot, proof: '0x01', publicInputs: [] };
    const good = { v: 2, ms: 5, worker: 'w', proof };
    expect(parseJobResult(good).proof.root).to.equal(plan.expectedRoot);
    expect(() => parseJobResult({ ...good, v: 1 })).to.throw(QueueProtocolError, /version/);
    expect(() => parseJobResult({ ...good, ms: -1 })).to.throw(QueueProtocolError, /ms/);
    expect(() => parseJobResult({ ...good, proof: { ...proof, circuit: 'leaf9' } })).to.throw(QueueProtocolError, /circuit/);
    expect(() => parseJobResult('proof')).to.throw(QueueProtocolError);
  });

  it('bench model: the makespan of a tree on N workers (leaves in parallel, then one node level at a time)', () => {
    const full = planBatch(batchFromMask(rng(9), 8, 0xffn)); // 4 pair leaves, 2 + 1 nodes
    const times = new Map(full.jobs.map((j) => [j.id, j.kind === 'leaf' ? 10 : 20]));
    expect(makespan(full, times, 1)).to.equal(4 * 10 + 3 * 20);
    expect(makespan(full, times, 2)).to.equal(2 * 10 + 20 + 20);
    expect(makespan(full, times, 4)).to.equal(10 + 20 + 20);
    expect(makespan(full, times, 8)).to.equal(10 + 20 + 20);
    // A job already proven (not in the map) is ready at once.
    const partial = new Map([...times].filter(([id]) => id !== 'L0.1' && id !== 'L2.3' && id !== 'N2.0'));
    expect(makespan(full, partial, 2)).to.equal(10 + 20 + 20);
  });

  it('validates queue and worker options at start-up', () => {
    expect(resolveQueueConfig('redis://:pw@10.0.0.5:6379/2')).to.deep.equal({
      url: 'redis://:pw@10.0.0.5:6379/2',
      name: 'prove',
      prefix: 'nex',
    });
    expect(resolveQueueConfig({ url: 'rediss://h:6380', name: 'batch-7', prefix: 'n' }).name).to.equal('batch-7');
    expect(() => resolveQueueConfig('postgres://localhost/db')).to.throw(ConfigError, /redis:\/\//);
    expect(() => resolveQueueConfig('not a url')).to.throw(ConfigError, /not a URL/);
    expect(() => resolveQueueConfig({ url: 'redis://h', name: 'a:b' })).to.throw(ConfigError, /queue.name/);
    expect(() => resolveQueueOption({ url: 'redis://h', pollMs: 1 })).to.throw(ConfigError, /pollMs/);
    expect(() => resolveQueueOption({ url: 'redis://h', pollMs: 1_000, abandonAfterMs: 2_000 })).to.throw(
      ConfigError,
      /abandonAfterMs must be an integer >= 3 polls \(3000 ms\)/,
    );
    expect(resolveQueueOption({ url: 'redis://h', pollMs: 1_000, abandonAfterMs: 3_000 }).abandonAfterMs).to.equal(3_000);
    expect(() => resolveQueueOption({ url: 'redis://h', policy: { attempts: 0, backoffMs: 1, keepSeconds: 1 } })).to.throw(
      ConfigError,
      /policy/,
    );
    expect(redactUrl('redis://:secret@h:1')).to.equal('redis://:***@h:1');
    expect(redactUrl('redis://h:1')).not.to.include('***');
    const w = resolveWorkerOptions({ queue: 'redis://h', name: 'gpu-1' });
    expect(w).to.include({ concurrency: 1, lockDurationMs: 120_000, stalledIntervalMs: 30_000, maxStalledCount: 2, name: 'gpu-1' });
    expect(() => resolveWorkerOptions({ queue: 'redis://h', concurrency: 0 })).to.throw(ConfigError, /concurrency/);
    expect(() => resolveWorkerOptions({ queue: 'redis://h', lockDurationMs: 10 })).to.throw(ConfigError, /lockDurationMs/);
    expect(() => resolveWorkerOptions({ queue: 'redis://h', backend: { threads: 0 } })).to.throw(ConfigError, /threads/);
    expect(() => resolveWorkerOptions({ queue: 'redis://h', metricsPort: 70000 })).to.throw(ConfigError, /metricsPort/);
    expect(() => resolveWorkerOptions({ queue: 'redis://h', name: 'a b' })).to.throw(ConfigError, /worker name/);
  });
});
