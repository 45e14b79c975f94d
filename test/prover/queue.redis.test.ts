// Distributed proving against a real Redis (started by test/helpers/redis.ts) with a fake prover
// (test/prover/helpers/fakeJobProver.ts): the queue mechanics (flow, workers, retries, stalls, restarts,
// refusal, bad slots excluded and re-planned, status, metrics) without bb. The same paths with real
// proofs: queue.proofs.test.ts.
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue } from 'bullmq';
import { proveBatch } from '../../prover/engine/aggregate.js';
import { type Batch, excludeSlots } from '../../prover/engine/batch.js';
import { CheckpointStore, jobKeys } from '../../prover/engine/checkpoint.js';
import type { Logger, LogLevel } from '../../prover/engine/logger.js';
import { planBatch } from '../../prover/engine/planner.js';
import {
  buildFlows,
  checkQueueServer,
  EXIT_OK,
  EXIT_REFUSED,
  flowJobs,
  formatQueueStatus,
  planJobIdOf,
  QueueJobFailedError,
  QueueMetrics,
  queueStatus,
  QueueServerError,
  resolveQueueConfig,
  runPlanOnQueue,
  runWorker,
  type RunningWorker,
} from '../../prover/engine/queue/index.js';
import { type JobRunner, type ProgressEvent, type RunPlanOptions, SlotsFailedError } from '../../prover/engine/scheduler.js';
import { loadConfig } from '../../prover/keeper/config/load.js';
import { workersStatus } from '../../prover/keeper/daemon/status.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { Metrics } from '../../prover/keeper/obs/metrics.js';
import { startObservabilityServer } from '../../prover/keeper/obs/server.js';
import { batchFromMask, PROVER, rng } from './engineHelpers.js';
import { badInputError, FAKE_KEY_SET, type FakeProverOptions, fakeJobProver, OTHER_KEY_SET } from './helpers/fakeJobProver.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

type Line = { level: LogLevel; msg: string; fields?: Record<string, unknown> };
function memoryLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  return { lines, log: (level, msg, fields) => lines.push({ level, msg, ...(fields ? { fields } : {}) }) };
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const FAKE_CHILD = fileURLToPath(new URL('./helpers/fakeWorkerChild.ts', import.meta.url));
const CIRCUITS = { keySet: FAKE_KEY_SET, buildId: 'fake-build', keyHashes: { node: FAKE_KEY_SET } };
/** The queue runs plans without the in-process runner. */
const NO_RUNNER: JobRunner = {
  run: () => Promise.reject(new Error('the in-process runner is not used on the queue')),
};

describe('distributed proving on Redis (fake prover)', function () {
  this.timeout(120_000);
  let redis: TestRedis;
  let dir: string;
  let queueNo = 0;
  let workers: RunningWorker[] = [];
  let children: ChildProcess[] = [];
  const verifier = fakeJobProver();

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.dispose();
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nex-queue-test-'));
    queueNo++;
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.close(true)));
    workers = [];
    children = [];
    await rm(dir, { recursive: true, force: true });
  });

  const queueName = (): string => `t${queueNo}`;
  const cfg = () => resolveQueueConfig({ url: redis.url, name: queueName() });
  const fast = { lockDurationMs: 2_000, stalledIntervalMs: 500, heartbeatMs: 200 };

  async function worker(name: string, o: FakeProverOptions = {}, extra: Partial<Parameters<typeof runWorker>[0]> = {}) {
    const prover = fakeJobProver(o);
    const w = await runWorker({ queue: { url: redis.url, name: queueName() }, name, ...fast, openProver: async () => prover, ...extra });
    workers.push(w);
    return { w, prover };
  }

  function setup(batch: Batch) {
    const plan = planBatch(batch);
    const store = new CheckpointStore(dir);
    const keys = jobKeys(plan, batch, PROVER, FAKE_KEY_SET);
    return { plan, store, keys };
  }

  const queueRun = (url: string, name?: string) => (extra: Partial<Parameters<typeof runPlanOnQueue>[0]>) => (p: RunPlanOptions) =>
    runPlanOnQueue({
      ...p,
      queue: resolveQueueConfig({ url, name }),
      circuits: CIRCUITS,
      verify: (proof) => verifier.verify(proof),
      pollMs: 200,
      policy: { attempts: 2, backoffMs: 100, keepSeconds: 3600 },
      ...extra,
    });

  function orchestrate(batch: Batch, extra: Partial<Parameters<typeof runPlanOnQueue>[0]> = {}) {
    const { plan, store, keys } = setup(batch);
    const logger = memoryLogger();
    const events: ProgressEvent[] = [];
    const run = queueRun(redis.url, queueName())(extra)({
      plan,
      batch,
      prover: PROVER,
      runner: NO_RUNNER,
      parallelism: 1,
      store: { store, keys },
      logger,
      onProgress: (e) => events.push(e),
    });
    return { plan, store, keys, logger, events, run };
  }

  async function counts(): Promise<Record<string, number>> {
    const q = new Queue(queueName(), { connection: { url: redis.url }, prefix: 'nex' });
    try {
      return await q.getJobCounts();
    } finally {
      await q.close();
    }
  }

  it('proves a batch of 8 with two workers: one flow, each job once, checkpoints, metrics, flow removed at the end', async () => {
    const log: string[] = [];
    const started: string[] = [];
    const a = await worker('wa', { delayMs: 40, log, onProve: (j) => started.push(j.id) });
    const b = await worker('wb', { delayMs: 40, log, onProve: (j) => started.push(j.id) });
    const batch = batchFromMask(rng(11), 8, 0b10110111n); // L0.1 L2 L4.5 L7, N2.0 N2.1, root N3.0
    const metrics = new QueueMetrics();
    const { plan, store, keys, events, logger, run } = orchestrate(batch, { metrics });
    const res = await run;
    expect(res.root!.root).to.equal(plan.expectedRoot);
    expect(res.root!.target).to.equal('evm-no-zk');
    expect([...log].sort()).to.deep.equal(plan.jobs.map((j) => j.id).sort());
    expect(a.prover.proven.length).to.be.greaterThan(0);
    expect(b.prover.proven.length).to.be.greaterThan(0);
    // Breadth-first (job priority = height): a job never starts before every job of a lower level has.
    const heightOf = (id: string): number => plan.jobs.find((j) => j.id === id)!.height;
    expect(started.map(heightOf)).to.deep.equal(started.map(heightOf).sort((x, y) => x - y));
    // Node workers verified every input before using it (two per node).
    const nodes = plan.jobs.filter((j) => j.kind === 'node').length;
    expect(a.prover.verified.length + b.prover.verified.length).to.equal(2 * nodes);
    for (const job of plan.jobs) expect((await store.read(job, keys.get(job.id)!)).status).to.equal('ok');
    expect(res.stats.map((s) => s.id)).to.deep.equal(plan.jobs.map((j) => j.id));
    expect(res.stats.every((s) => !s.fromCheckpoint && s.rssMiB === 64)).to.equal(true);
    expect(events.filter((e) => e.type === 'job-finished')).to.have.length(plan.jobs.length);
    expect(events.filter((e) => e.type === 'level-finished').map((e) => e.level)).to.deep.equal([0, 1, 2]);
    expect(logger.lines.filter((l) => l.msg === 'flow added to the queue')).to.have.length(1);
    const text = await metrics.registry.metrics();
    expect(text).to.match(/nex_queue_proofs_checkpointed_total\{circuit="node"\} 3/);
    expect(text).to.match(/nex_queue_job_duration_seconds_count\{circuit="node"\} 3/);
    expect(Object.values(await counts()).reduce((x, y) => x + y, 0)).to.equal(0);
  });

  it('adding the same flow twice keeps one copy of every job (ids are the content keys)', async () => {
    const batch = batchFromMask(rng(12), 4, 0b1011n);
    const { plan, keys } = setup(batch);
    const [flow] = buildFlows({
      plan,
      batch,
      prover: PROVER,
      keys,
      circuits: CIRCUITS,
      done: new Map(),
      queueName: queueName(),
      prefix: 'nex',
    });
    const producer = new FlowProducer({ connection: { url: redis.url }, prefix: 'nex' });
    try {
      await producer.add(flow!);
      const once = await counts();
      await producer.add(flow!);
      expect(await counts()).to.deep.equal(once);
      expect(once.prioritized! + once['waiting-children']!).to.equal(flowJobs(flow!).length);
    } finally {
      await producer.close();
    }
  });

  it('proves a sparse batch whose two pads have the same content (one job each in the flow)', async () => {
    const { prover } = await worker('wa');
    const batch = batchFromMask(rng(27), 8, 0b00010001n); // L0, P1@h1, L4, P3@h1, N2.0, N2.1, N3.0
    const { plan, run } = orchestrate(batch);
    expect((await run).root!.root).to.equal(plan.expectedRoot);
    expect([...prover.proven].sort()).to.deep.equal(plan.jobs.map((j) => j.id).sort());
  });

  it('an orchestrator stopped mid-flow and started again joins its flow; no job is proven twice', async () => {
    const log: string[] = [];
    await worker('wa', { delayMs: 150, log });
    await worker('wb', { delayMs: 150, log });
    const batch = batchFromMask(rng(13), 16, 0xffffn); // 8 pair leaves, 7 nodes
    const stop = new AbortController();
    const first = orchestrate(batch, { signal: stop.signal });
    const firstDone = first.run.then(
      () => 'finished',
      (e: Error) => e.name,
    );
    await waitFor(() => first.events.filter((e) => e.type === 'job-finished').length >= 3, 30_000, 'three finished jobs');
    stop.abort();
    expect(await firstDone).to.equal('AbortError');
    const provenAtStop = log.length;
    // Workers go on while no orchestrator watches.
    await waitFor(() => log.length >= provenAtStop + 2, 30_000, 'jobs finished while the orchestrator was away');
    const second = orchestrate(batch);
    const res = await second.run;
    expect(res.root!.root).to.equal(second.plan.expectedRoot);
    expect(second.logger.lines.some((l) => l.msg === 'flow added to the queue')).to.equal(false);
    expect(second.logger.lines.some((l) => l.msg === 'joined the flow already in the queue')).to.equal(true);
    expect([...log].sort()).to.deep.equal(second.plan.jobs.map((j) => j.id).sort()); // each job once
    const fromCheckpoint = res.stats.filter((s) => s.fromCheckpoint).length;
    expect(fromCheckpoint).to.be.at.least(3);
    expect(fromCheckpoint).to.be.below(second.plan.jobs.length);
  });

  it('a flow whose orchestrator is gone for good is abandoned: workers stop starting its jobs; a later run replaces it', async () => {
    const log: string[] = [];
    const a = await worker('wa', { delayMs: 300, log });
    const batch = batchFromMask(rng(23), 8, 0xffn);
    const stop = new AbortController();
    const first = orchestrate(batch, { signal: stop.signal, abandonAfterMs: 900, pollMs: 200 });
    await waitFor(() => first.events.some((e) => e.type === 'job-finished'), 30_000, 'a finished job');
    stop.abort();
    await first.run.catch(() => undefined);
    await waitFor(async () => (await counts()).failed! > 0 && (await counts()).active === 0, 30_000, 'the flow to fail');
    expect(log.length).to.be.below(first.plan.jobs.length);
    // Every job the worker took after the liveness key expired was dropped as abandoned, not proven.
    const text = await a.w.metrics.registry.metrics();
    const abandoned = [...text.matchAll(/nex_worker_jobs_total\{circuit="[a-z0-9_]+",outcome="abandoned"\} (\d+)/g)];
    expect(abandoned.reduce((n, m) => n + Number(m[1]), 0)).to.be.at.least(1);
    const q = new Queue(queueName(), { connection: { url: redis.url }, prefix: 'nex' });
    const failed = await q.getFailed();
    await q.close();
    expect(failed.some((j) => /^abandoned: the keeper of flow [0-9a-f]{40} has not been seen/.test(j.failedReason))).to.equal(true);
    const again = orchestrate(batch);
    expect((await again.run).root!.root).to.equal(again.plan.expectedRoot);
    expect(again.logger.lines.some((l) => l.msg === 'replacing a failed flow of an earlier run')).to.equal(true);
    expect(new Set(log).size).to.equal(log.length); // nothing proven twice: finished jobs were checkpointed
  });

  it('a leaf that fails for its inputs fails only the jobs above it: the others are proven and checkpointed (SlotsFailedError)', async () => {
    const batch = batchFromMask(rng(14), 8, 0b10110111n);
    const { prover } = await worker('wa', {
      delayMs: 50,
      onProve: (job) => {
        if (job.id === 'L4.5') throw badInputError('leaf_1_1 proof does not verify: an input proof is invalid');
      },
    });
    const metrics = new QueueMetrics();
    const { run, store, keys, plan, events } = orchestrate(batch, { metrics });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(SlotsFailedError);
    expect((err as SlotsFailedError).failures).to.deep.equal([
      { jobId: 'L4.5', slots: [4, 5], message: 'leaf_1_1 proof does not verify: an input proof is invalid' },
    ]);
    expect(events.some((e) => e.type === 'job-failed' && e.jobId === 'L4.5')).to.equal(true);
    // Input failures are verdicts: one attempt, no retry.
    expect(prover.proven.filter((id) => id === 'L4.5')).to.deep.equal([]);
    expect(events.filter((e) => e.type === 'job-retry')).to.deep.equal([]);
    const proven = ['L0.1', 'L2', 'L7', 'N2.0'];
    for (const job of plan.jobs) {
      expect((await store.read(job, keys.get(job.id)!)).status, job.id).to.equal(proven.includes(job.id) ? 'ok' : 'missing');
    }
    expect(await metrics.registry.metrics()).to.match(/nex_queue_job_failures_total\{circuit="leaf_\d_\d"\} 1/);
    expect(Object.values(await counts()).reduce((x, y) => x + y, 0)).to.equal(0); // the flow is removed
  });

  it('proveBatch on the queue excludes the bad slot of a failed pair leaf and plans again, reusing every other proof', async () => {
    const batch = batchFromMask(rng(24), 8, 0b10110111n);
    const bad = (batch.slots[5] as { rollup: { vkHash: string } }).rollup.vkHash;
    const { prover } = await worker('wa', { badRollups: [bad] });
    const logger = memoryLogger();
    const res = await proveBatch({
      batch,
      prover: PROVER,
      runner: NO_RUNNER,
      parallelism: 1,
      checkpointDir: dir,
      keySet: FAKE_KEY_SET,
      logger,
      runPlan: queueRun(redis.url, queueName())({}),
    });
    expect(res.failedSlots).to.deep.equal([5]);
    expect(res.rounds).to.equal(2);
    expect(res.result.root!.root).to.equal(planBatch(excludeSlots(batch, [5])).expectedRoot);
    // L4 (slot 4 alone) was proven once by the bad-slot search and reused by the second plan; L0.1, L2, L7
    // and N2.0 were proven once in the first round.
    for (const id of ['L0.1', 'L2', 'L7', 'N2.0', 'L4'])
      expect(
        prover.proven.filter((x) => x === id),
        id,
      ).to.have.length(1);
    // The second plan found every proof outside the excluded slot's branch in the checkpoints.
    const from = (c: boolean): string[] =>
      res.result.stats
        .filter((s) => s.fromCheckpoint === c)
        .map((s) => s.id)
        .sort();
    expect(from(true)).to.deep.equal(['L0.1', 'L2', 'L4', 'L7', 'N2.0']);
    expect(from(false)).to.deep.equal(['N2.1', 'N3.0']);
  });

  it("a worker checks a leaf's rollup proofs before proving: a bad one fails the leaf at once, naming the slot", async () => {
    const batch = batchFromMask(rng(22), 4, 0b0110n); // single leaves L1 and L2
    const bad = (batch.slots[2] as { rollup: { vkHash: string } }).rollup.vkHash;
    const { prover } = await worker('wa', { badRollups: [bad] });
    const err = await orchestrate(batch).run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(SlotsFailedError);
    expect((err as SlotsFailedError).failures).to.deep.equal([
      { jobId: 'L2', slots: [2], message: 'slot 2: the proof does not verify with its key' },
    ]);
    expect(prover.proven).to.deep.equal(['L1']);
  });

  it('retries a job whose attempt failed for another reason, and counts the retry', async () => {
    const batch = batchFromMask(rng(15), 4, 0b0111n);
    let crashes = 0;
    await worker('wa', {
      onProve: (job) => {
        if (job.id === 'L2' && crashes++ === 0) throw new Error('bb exited unexpectedly');
      },
    });
    const metrics = new QueueMetrics();
    const { run, events } = orchestrate(batch, { metrics });
    const res = await run;
    expect(res.root!.root).to.equal(planBatch(batch).expectedRoot);
    expect(crashes).to.equal(2);
    expect(events.some((e) => e.type === 'job-retry' && e.jobId === 'L2')).to.equal(true);
    expect(await metrics.registry.metrics()).to.match(/nex_queue_job_retries_total\{circuit="leaf_\d",reason="error"\} 1/);
  });

  it('a job that fails for another reason after its retries fails the run with a typed error naming its slots', async () => {
    const batch = batchFromMask(rng(25), 4, 0b0011n);
    await worker('wa', {
      onProve: (job) => {
        if (job.id === 'L0.1') throw new Error('bb exited unexpectedly');
      },
    });
    const err = await orchestrate(batch).run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(QueueJobFailedError);
    expect((err as QueueJobFailedError).failure).to.deep.include({ jobId: 'L0.1', slots: [0, 1], attempts: 2, kind: 'failed' });
    expect((err as QueueJobFailedError).retryable).to.equal(true);
    expect((err as Error).message).to.include('bb exited unexpectedly');
  });

  it('rejects a proof from a worker that does not check, naming the job and the worker', async () => {
    await worker('liar', { wrongRootFor: ['L0.1'] });
    const batch = batchFromMask(rng(16), 4, 0b0011n);
    const err = await orchestrate(batch).run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(QueueJobFailedError);
    expect((err as QueueJobFailedError).failure).to.deep.include({ jobId: 'L0.1', slots: [0, 1], kind: 'invalid-result' });
    expect((err as Error).message).to.match(/worker liar: proof root .* differs from the expected/);
  });

  it('a worker with another key set refuses the job, gives it back and exits non-zero; a matching worker then proves it', async () => {
    const wrong = await worker('old-build', { keySet: OTHER_KEY_SET });
    expect(wrong.w.keySet).to.equal(OTHER_KEY_SET);
    const batch = batchFromMask(rng(17), 4, 0b0001n);
    const { run, plan } = orchestrate(batch);
    const result = run.then((r) => r);
    expect(await wrong.w.done).to.equal(EXIT_REFUSED);
    expect(wrong.prover.proven).to.deep.equal([]);
    const st = await queueStatus({ url: redis.url, name: queueName() }, { keySet: FAKE_KEY_SET });
    const seen = st.workers.find((w) => w.name === 'old-build')!;
    expect(seen.refused).to.match(
      /needs key set 0x(0a){32} \(build fake-build.*this worker has key set 0x(0b){32} \(build fake-build-0b0b in fake circuits/,
    );
    expect(seen.compatible).to.equal(false);
    expect(formatQueueStatus(st).join('\n')).to.match(/old-build\s+refused \(other circuits\)\s+0x0b0b0b0b0b0b \(NOT the keeper's\)/);
    expect(st.counts.failed).to.equal(0);
    expect(st.counts.prioritized).to.be.at.least(1); // the refused job is back in the queue, untouched
    const good = await worker('new-build');
    expect((await result).root!.root).to.equal(plan.expectedRoot);
    expect(good.prover.proven).to.have.length(plan.jobs.length);
  });

  it('a job that takes longer than the lock is not declared stalled while its worker lives', async () => {
    const log: string[] = [];
    const slow = { lockDurationMs: 1_000, stalledIntervalMs: 300 };
    await worker('wa', { delayMs: (j) => (j.kind === 'leaf' ? 3_500 : 10), log }, slow);
    await worker('wb', { delayMs: (j) => (j.kind === 'leaf' ? 3_500 : 10), log }, slow);
    const batch = batchFromMask(rng(18), 4, 0b0001n);
    const metrics = new QueueMetrics();
    const { run, events } = orchestrate(batch, { metrics });
    await run;
    expect(events.filter((e) => e.type === 'job-retry')).to.deep.equal([]);
    expect([...log].sort()).to.deep.equal(['L0', 'N2.0', 'P1@h1']);
    expect(await metrics.registry.metrics()).not.to.match(/nex_queue_job_retries_total\{/);
  });

  it('a worker SIGKILLed mid-job loses only that job: another worker takes it over after the lock expires', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        FAKE_CHILD,
        JSON.stringify({
          url: redis.url,
          queueName: queueName(),
          name: 'doomed',
          keySet: FAKE_KEY_SET,
          delayMs: 60_000,
          lockDurationMs: 1_500,
          stalledIntervalMs: 300,
        }),
      ],
      { env: { ...process.env, NEX_FAKE_WORKER_CHILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const lines: { type: string; jobId?: string }[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        lines.push(JSON.parse(l) as { type: string; jobId?: string });
      } catch {
        /* a log line */
      }
    });
    await waitFor(() => lines.some((l) => l.type === 'ready'), 60_000, 'the child worker');
    const batch = batchFromMask(rng(19), 4, 0b0001n);
    const { run, events, plan } = orchestrate(batch);
    await waitFor(() => lines.some((l) => l.type === 'proving'), 30_000, 'the child to take a job');
    const lost = lines.find((l) => l.type === 'proving')!.jobId!;
    child.kill('SIGKILL');
    const rescuer = await worker('rescuer', {}, { lockDurationMs: 1_500, stalledIntervalMs: 300 });
    const res = await run;
    expect(res.root!.root).to.equal(plan.expectedRoot);
    expect(rescuer.prover.proven).to.include(lost);
    expect(events.some((e) => e.type === 'job-retry' && e.jobId === lost && /worker was lost/.test(e.reason))).to.equal(true);
  });

  it('a queue server restarted without its data loses no finished proof: the flow is added again from the checkpoints', async () => {
    const volatile = await startRedis({ persistence: false });
    try {
      const log: string[] = [];
      const mk = async (name: string) => {
        const p = fakeJobProver({ delayMs: 150, log });
        const w = await runWorker({ queue: volatile.url, name, ...fast, openProver: async () => p });
        workers.push(w);
      };
      await mk('wa');
      await mk('wb');
      const batch = batchFromMask(rng(20), 16, 0xffffn);
      const { plan, store, keys } = setup(batch);
      const logger = memoryLogger();
      const events: ProgressEvent[] = [];
      const run = queueRun(volatile.url)({})({
        plan,
        batch,
        prover: PROVER,
        runner: NO_RUNNER,
        parallelism: 1,
        store: { store, keys },
        logger,
        onProgress: (e) => events.push(e),
      });
      await waitFor(() => events.filter((e) => e.type === 'job-finished').length >= 4, 30_000, 'four finished jobs');
      await volatile.restart({ wipe: true });
      const finishedBefore = events.filter((e) => e.type === 'job-finished').map((e) => (e as { jobId: string }).jobId);
      const res = await run;
      expect(res.root!.root).to.equal(plan.expectedRoot);
      for (const id of finishedBefore)
        expect(
          log.filter((x) => x === id),
          id,
        ).to.have.length(1);
      expect(logger.lines.some((l) => l.msg === 'jobs of the flow are missing from the queue; adding them again')).to.equal(true);
    } finally {
      await Promise.all(workers.map((w) => w.close(true)));
      workers = [];
      await volatile.dispose();
    }
  });

  it('after a leaf failed for its inputs, jobs beside it that vanished with the queue server are added again as their own flows', async () => {
    const volatile = await startRedis({ persistence: false });
    try {
      const log: string[] = [];
      const p = fakeJobProver({
        delayMs: (j) => (j.id === 'L4.5' ? 5 : 400),
        log,
        onProve: (job) => {
          if (job.id === 'L4.5') throw badInputError('leaf_1_1: the witness does not satisfy the circuit');
        },
      });
      workers.push(await runWorker({ queue: volatile.url, name: 'wv', ...fast, openProver: async () => p }));
      const batch = batchFromMask(rng(26), 8, 0b10110111n);
      const { plan, store, keys } = setup(batch);
      const logger = memoryLogger();
      const events: ProgressEvent[] = [];
      const outcome = queueRun(volatile.url)({})({
        plan,
        batch,
        prover: PROVER,
        runner: NO_RUNNER,
        parallelism: 1,
        store: { store, keys },
        logger,
        onProgress: (e) => events.push(e),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await waitFor(() => events.some((e) => e.type === 'job-failed'), 30_000, 'the bad leaf to fail');
      await volatile.restart({ wipe: true });
      const err = await outcome;
      expect(err).to.be.instanceOf(SlotsFailedError);
      expect((err as SlotsFailedError).failures.map((f) => [f.jobId, f.slots])).to.deep.equal([['L4.5', [4, 5]]]);
      expect(logger.lines.some((l) => l.msg === 'jobs of the flow are missing from the queue; adding them again')).to.equal(true);
      // The flows added again are rooted under the blocked root (N3.0): at N2.0 (or what of it is left) and L7.
      const idOf = (q: string): string | undefined => planJobIdOf(keys.get(plan.rootJobId)!, q);
      const again = logger.lines.filter((l) => l.msg === 'flow added to the queue').slice(1);
      expect(again.length).to.be.at.least(1);
      for (const l of again) {
        for (const q of l.fields!.roots as string[]) expect(['N2.0', 'L0.1', 'L2', 'L7']).to.include(idOf(q));
      }
      for (const job of plan.jobs) {
        const want = ['L0.1', 'L2', 'L7', 'N2.0'].includes(job.id) ? 'ok' : 'missing';
        expect((await store.read(job, keys.get(job.id)!)).status, job.id).to.equal(want);
      }
    } finally {
      await Promise.all(workers.map((w) => w.close(true)));
      workers = [];
      await volatile.dispose();
    }
  });

  it("status and metrics: the workers the keeper sees, queue depth, and each worker's own /metrics", async () => {
    const { w } = await worker('m1', { delayMs: 5 }, { metricsPort: 0 });
    await worker('m2', { keySet: OTHER_KEY_SET });
    // runWorker returns after the first heartbeat: both are visible now.
    const st = await queueStatus({ url: redis.url, name: queueName() }, { keySet: FAKE_KEY_SET });
    expect(st.url).not.to.include(redis.url.split('@')[0]!.slice(9)); // password redacted
    expect(st.workers.map((x) => [x.name, x.alive, x.compatible])).to.deep.equal([
      ['m1', true, true],
      ['m2', true, false],
    ]);
    const metrics = new QueueMetrics();
    metrics.attach(() => queueStatus({ url: redis.url, name: queueName() }, { keySet: FAKE_KEY_SET }));
    const text = await metrics.registry.metrics();
    expect(text).to.match(/nex_queue_workers\{compatible="yes"\} 1/);
    expect(text).to.match(/nex_queue_workers\{compatible="no"\} 1/);
    expect(text).to.match(/nex_queue_jobs\{state="waiting"\} 0/);
    // Worker m2 refuses and leaves; m1 proves the batch and reports it on its /metrics.
    const batch = batchFromMask(rng(21), 4, 0b0011n);
    await orchestrate(batch).run;
    const body = await (await fetch(w.metricsUrl!)).text();
    expect(body).to.match(/nex_worker_jobs_total\{circuit="node",outcome="completed"\} 1/);
    expect(body).to.match(/nex_worker_bb_peak_rss_bytes\{circuit="node"\} 67108864/);
    expect(body).to.match(/nex_worker_info\{worker="m1",key_set="0x(0a){32}",threads="all"\} 1/);
    expect(body).to.match(/process_resident_memory_bytes/);
    await w.close();
    expect(await w.done).to.equal(EXIT_OK);
    const after = await queueStatus({ url: redis.url, name: queueName() });
    expect(after.workers.map((x) => x.name)).not.to.include('m1'); // a clean stop removes its presence
  });

  it("keeper wiring: the workers section from the keeper config, the queue metrics on the keeper's /metrics", async () => {
    await worker('k1');
    const config = loadConfig({ cwd: dir, env: { NEX_KEEPER_QUEUE_URL: redis.url, NEX_KEEPER_QUEUE_NAME: queueName() } });
    expect((await workersStatus(config))!.workers.map((w) => [w.name, w.alive])).to.deep.equal([['k1', true]]);
    expect(await workersStatus(loadConfig({ cwd: dir, env: {} }))).to.equal(undefined);
    const qm = new QueueMetrics();
    qm.attach(() => queueStatus({ url: redis.url, name: queueName() }));
    const srv = await startObservabilityServer({
      port: 0,
      host: '127.0.0.1',
      metrics: new Metrics(),
      health: () => ({ ok: true }),
      log: createLogger({ level: 'error', format: 'json', write: () => undefined }),
      extra: [qm.registry],
    });
    try {
      const body = await (await fetch(`http://127.0.0.1:${srv.port}/metrics`)).text();
      expect(body).to.match(/# TYPE nex_keeper_batches_locked_total counter/);
      expect(body).to.match(/nex_queue_workers\{compatible="yes"\} 1/);
      expect(body).to.match(/nex_queue_jobs\{state="active"\} 0/);
    } finally {
      await srv.close();
    }
  });

  it('start-up guard: a wrong password or an unreachable server fails fast with a clear error', async () => {
    const bad = redis.url.replace(/:[0-9a-f]+@/, ':wrong@');
    const logger = memoryLogger();
    const e1 = await checkQueueServer(resolveQueueConfig(bad), logger, 3_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e1).to.be.instanceOf(QueueServerError);
    expect((e1 as Error).message).to.match(/cannot use the queue server redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(WRONGPASS|invalid)/);
    const none = redis.url.replace(/:[0-9a-f]+@/, '');
    const e1b = await checkQueueServer(resolveQueueConfig(none), logger, 3_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((e1b as Error).message).to.match(/NOAUTH/);
    const e2 = await checkQueueServer(resolveQueueConfig('redis://127.0.0.1:1'), logger, 3_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e2).to.be.instanceOf(QueueServerError);
    expect((e2 as Error).message).to.match(/ECONNREFUSED/);
    const e3 = await runWorker({ queue: 'redis://127.0.0.1:1', openProver: async () => fakeJobProver() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e3).to.be.instanceOf(QueueServerError);
  });
});
