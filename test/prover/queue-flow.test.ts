// Distributed proving without a server: the flow built from a plan (shape, deterministic ids,
// checkpointed proofs passed as data), the job protocol's validation, and the option checks.
import { expect } from 'chai';
import type { FlowJob, FlowJobNode } from 'bullmq';
import type { AggProof } from '../../prover/engine/backend.js';
import { batchKey } from '../../prover/engine/checkpoint.js';
import { splitRoot, word } from '../../prover/engine/commitment.js';
import { ConfigError } from '../../prover/engine/config.js';
import { planBatch, type Plan } from '../../prover/engine/planner.js';
import {
  buildFlow, circuitsIdOf, DEFAULT_FLOW_POLICY, flowJobs, includedSlotsUnder, planJobIdOf, queueJobId, QueueJobFailedError,
  redactUrl, resolveQueueConfig, resolveQueueOption,
} from '../../prover/engine/queue/index.js';
import { parseJobData, parseJobResult, type ProveJobData, QueueProtocolError } from '../../prover/engine/queue/protocol.js';
import { resolveWorkerOptions } from '../../prover/engine/queue/worker.js';
import { JobFailedError } from '../../prover/engine/scheduler.js';
import { makespan } from '../../scripts/bench-queue.js';
import { batchFromMask, KEY_HASHES, PROVER, rng } from './engine-helpers.js';

const circuits = { id: circuitsIdOf(KEY_HASHES), keyHashes: { ...KEY_HASHES } };

function fakeProof(plan: Plan, id: string): AggProof {
  const job = plan.jobs.find((j) => j.id === id)!;
  return {
    circuit: job.circuit, target: job.target, root: job.root, proof: new Uint8Array([1, 2, 3]),
    publicInputs: [...splitRoot(job.root), word(PROVER), ...Object.values(KEY_HASHES)],
  };
}

const idOf = (f: FlowJob | FlowJobNode): string => f.opts!.jobId!;
const dataOf = (f: FlowJob | FlowJobNode): ProveJobData => f.data as ProveJobData;

describe('distributed proving: flows and ids (no server)', () => {
  const batch = batchFromMask(rng(7), 8, 0b10110111);
  const plan = planBatch(batch);
  const key = batchKey(batch, PROVER, KEY_HASHES);
  const build = (done = new Map<string, AggProof>()) =>
    buildFlow({ plan, batch, prover: PROVER, batchKey: key, circuits, done, queueName: 'prove', prefix: 'nex' });

  it('turns the whole plan into one flow whose tree is the proving tree', () => {
    const flow = build()!;
    expect(idOf(flow)).to.equal(`${key}-${plan.rootJobId}`);
    const all = flowJobs(flow);
    expect(all.map(idOf).sort()).to.deep.equal(plan.jobs.map((j) => `${key}-${j.id}`).sort());
    for (const f of all) {
      const d = dataOf(f);
      const job = plan.jobs.find((j) => j.id === d.job.id)!;
      expect(d.job).to.deep.equal(job);
      expect(f.name).to.equal(job.circuit);
      expect(f.queueName).to.equal('prove');
      expect(f.prefix).to.equal('nex');
      // Children are exactly the dependencies, in order, and nothing travels as data.
      expect((f.children ?? []).map(idOf)).to.deep.equal(job.deps.map((dep) => `${key}-${dep}`));
      expect(d.inputs).to.deep.equal({});
      expect(d.expect.map((e) => e.id)).to.deep.equal([...job.deps]);
      expect(d.circuits).to.deep.equal(circuits);
      expect(d.prover).to.equal(PROVER);
      expect(d.rollup === undefined).to.equal(job.kind !== 'leaf');
      expect(f.opts!.attempts).to.equal(DEFAULT_FLOW_POLICY.attempts);
      expect(f.opts!.priority).to.equal(job.height + 1); // breadth-first
      // Every job but the root fails its parent when it fails for good.
      expect(Boolean(f.opts!.failParentOnFailure)).to.equal(job.id !== plan.rootJobId);
      // The leaf carries its slot's rollup proof.
      if (job.kind === 'leaf') expect(d.slots).to.deep.equal([job.slot]);
      expect(() => parseJobData(JSON.parse(JSON.stringify(d)))).not.to.throw();
    }
    expect(dataOf(flow).slots).to.deep.equal([...plan.includedSlots]);
  });

  it('passes checkpointed proofs as data and leaves their subtrees out of the flow', () => {
    // N1.0 (slots 0-1) and L2 are done: N2.0 waits only for L3's branch... whatever the planner made.
    const n10 = plan.jobs.find((j) => j.id === 'N1.0')!;
    const done = new Map([['N1.0', fakeProof(plan, 'N1.0')], ['L0', fakeProof(plan, 'L0')], ['L2', fakeProof(plan, 'L2')]]);
    const flow = build(done)!;
    const ids = flowJobs(flow).map((f) => dataOf(f).job.id);
    expect(ids).not.to.include.members(['N1.0', 'L0', 'L1', 'L2']); // L1 is under a checkpointed node
    expect(n10.deps).to.deep.equal(['L0', 'L1']);
    const n20 = flowJobs(flow).find((f) => dataOf(f).job.id === 'N2.0')!;
    expect(Object.keys(dataOf(n20).inputs)).to.deep.equal(['N1.0']);
    expect(dataOf(n20).inputs['N1.0']!.root).to.equal(n10.root);
    expect((n20.children ?? []).map((c) => dataOf(c).job.id)).to.deep.equal(['N1.1']);
    const n11 = flowJobs(flow).find((f) => dataOf(f).job.id === 'N1.1')!;
    expect(Object.keys(dataOf(n11).inputs)).to.deep.equal(['L2']);
    expect((n11.children ?? []).map((c) => dataOf(c).job.id)).to.deep.equal(['P3@h0']);
    // Each remaining job appears once; the root is still the plan's root.
    expect(new Set(ids).size).to.equal(ids.length);
    expect(dataOf(flow).job.id).to.equal(plan.rootJobId);
  });

  it('has nothing to add once the root is proven', () => {
    expect(build(new Map([[plan.rootJobId, fakeProof(plan, plan.rootJobId)]]))).to.equal(undefined);
  });

  it('gives the same ids and data for the same batch, other ids for another prover, batch or circuit set', () => {
    expect(JSON.stringify(build())).to.equal(JSON.stringify(build()));
    const otherProver = batchKey(batch, '0x00000000000000000000000000000000000b0b00', KEY_HASHES);
    const otherBatch = batchKey(batchFromMask(rng(8), 8, 0b10110111), PROVER, KEY_HASHES);
    const otherCircuits = batchKey(batch, PROVER, { ...KEY_HASHES, node: word('0x31') });
    expect(new Set([key, otherProver, otherBatch, otherCircuits]).size).to.equal(4);
    expect(queueJobId(key, 'N3.0')).to.equal(`${key}-N3.0`);
    expect(planJobIdOf(key, `${key}-P1@h2`)).to.equal('P1@h2');
    expect(planJobIdOf(key, `${otherProver}-P1@h2`)).to.equal(undefined);
    expect(() => queueJobId('not-a-key', 'L0')).to.throw(/32 hex/);
    expect(() => queueJobId(key, 'L:0')).to.throw(/unsafe/);
  });

  it('identifies a circuit set by its key hashes, whatever their order', () => {
    const reversed = Object.fromEntries(Object.entries(KEY_HASHES).reverse());
    expect(circuitsIdOf(reversed)).to.equal(circuitsIdOf(KEY_HASHES));
    expect(circuitsIdOf({ ...KEY_HASHES, pad: word('0x21') })).not.to.equal(circuitsIdOf(KEY_HASHES));
    expect(circuitsIdOf({ ...KEY_HASHES, leaf8: word('0x18') })).not.to.equal(circuitsIdOf(KEY_HASHES));
    expect(circuitsIdOf(KEY_HASHES)).to.match(/^[0-9a-f]{64}$/);
    expect(() => circuitsIdOf({})).to.throw(/no key hashes/);
  });

  it('names the included slots under a job (for failures)', () => {
    // mask 0b10110111: slots 0,1,2,4,5,7 included.
    expect(includedSlotsUnder(plan, { height: 0, index: 4 })).to.deep.equal([4]);
    expect(includedSlotsUnder(plan, { height: 1, index: 1 })).to.deep.equal([2]);
    expect(includedSlotsUnder(plan, { height: 2, index: 1 })).to.deep.equal([4, 5, 7]);
    expect(includedSlotsUnder(plan, { height: 3, index: 0 })).to.deep.equal([0, 1, 2, 4, 5, 7]);
    const err = new QueueJobFailedError({ jobId: 'L4', circuit: 'leaf2', slots: [4], attempts: 1, reason: 'bad input', kind: 'failed' });
    expect(err).to.be.instanceOf(JobFailedError);
    expect(err.name).to.equal('QueueJobFailedError');
    expect(err.slots).to.deep.equal([4]);
    expect(err.message).to.equal('job L4 (leaf2, slot 4) failed after 1 attempt(s): bad input');
  });

  it('rejects malformed job data and results', () => {
    const d = JSON.parse(JSON.stringify(dataOf(build()!))) as Record<string, unknown>;
    expect(() => parseJobData({ ...d, v: 2 })).to.throw(QueueProtocolError, /version/);
    expect(() => parseJobData({ ...d, prover: '0x12' })).to.throw(QueueProtocolError, /prover/);
    expect(() => parseJobData({ ...d, expect: [] })).to.throw(QueueProtocolError, /expect/);
    expect(() => parseJobData({ ...d, job: { ...(d.job as object), kind: 'leaf3' } })).to.throw(QueueProtocolError, /kind/);
    expect(() => parseJobData({ ...d, job: { ...(d.job as object), root: '0x01' } })).to.throw(QueueProtocolError, /root/);
    expect(() => parseJobData({ ...d, circuits: { id: 1 } })).to.throw(QueueProtocolError, /circuits/);
    const leaf = flowJobs(build()!).find((f) => dataOf(f).job.kind === 'leaf')!;
    expect(() => parseJobData({ ...JSON.parse(JSON.stringify(leaf.data)), rollup: undefined })).to.throw(QueueProtocolError, /rollup/);
    const good = { v: 1, ms: 5, worker: 'w', proof: { circuit: 'node', target: 'evm', root: plan.expectedRoot, proof: '0x01', publicInputs: [] } };
    expect(parseJobResult(good).proof.root).to.equal(plan.expectedRoot);
    expect(() => parseJobResult({ ...good, ms: -1 })).to.throw(QueueProtocolError, /ms/);
    expect(() => parseJobResult({ ...good, proof: { ...good.proof, circuit: 'leaf9' } })).to.throw(QueueProtocolError, /circuit/);
    expect(() => parseJobResult('proof')).to.throw(QueueProtocolError);
  });

  it('bench model: the makespan of a tree on N workers (leaves in parallel, then one node level at a time)', () => {
    const full = planBatch(batchFromMask(rng(9), 4, 0b1111));
    const times = new Map(full.jobs.map((j) => [j.id, j.kind === 'leaf' ? 10 : 20]));
    expect(makespan(full, times, 1)).to.equal(4 * 10 + 3 * 20);
    expect(makespan(full, times, 2)).to.equal(2 * 10 + 20 + 20);
    expect(makespan(full, times, 4)).to.equal(10 + 20 + 20);
    expect(makespan(full, times, 8)).to.equal(10 + 20 + 20);
    // A job already proven (not in the map) is ready at once.
    const partial = new Map([...times].filter(([id]) => id !== 'L0' && id !== 'L1' && id !== 'N1.0'));
    expect(makespan(full, partial, 2)).to.equal(10 + 20 + 20);
  });

  it('validates queue and worker options at start-up', () => {
    expect(resolveQueueConfig('redis://:pw@10.0.0.5:6379/2')).to.deep.equal({ url: 'redis://:pw@10.0.0.5:6379/2', name: 'prove', prefix: 'nex' });
    expect(resolveQueueConfig({ url: 'rediss://h:6380', name: 'batch-7', prefix: 'n' }).name).to.equal('batch-7');
    expect(() => resolveQueueConfig('postgres://localhost/db')).to.throw(ConfigError, /redis:\/\//);
    expect(() => resolveQueueConfig('not a url')).to.throw(ConfigError, /not a URL/);
    expect(() => resolveQueueConfig({ url: 'redis://h', name: 'a:b' })).to.throw(ConfigError, /queue.name/);
    expect(() => resolveQueueOption({ url: 'redis://h', pollMs: 1 })).to.throw(ConfigError, /pollMs/);
    expect(() => resolveQueueOption({ url: 'redis://h', pollMs: 1_000, abandonAfterMs: 2_000 })).to.throw(ConfigError, /abandonAfterMs must be an integer >= 3 polls \(3000 ms\)/);
    expect(resolveQueueOption({ url: 'redis://h', pollMs: 1_000, abandonAfterMs: 3_000 }).abandonAfterMs).to.equal(3_000);
    expect(() => resolveQueueOption({ url: 'redis://h', policy: { attempts: 0, backoffMs: 1, keepSeconds: 1 } })).to.throw(ConfigError, /policy/);
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
