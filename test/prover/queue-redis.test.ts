// Distributed proving against a real Redis (started by test/helpers/redis.ts) with a fake prover
// (test/helpers/fake-job-prover.ts): the queue mechanics (flow, workers, retries, stalls, restarts,
// refusal, status, metrics) without bb. The same paths with real proofs: queue-proofs.test.ts.
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue } from 'bullmq';
import type { Batch } from '../../prover/engine/batch.js';
import { batchKey, CheckpointStore } from '../../prover/engine/checkpoint.js';
import { word } from '../../prover/engine/commitment.js';
import type { Logger, LogLevel } from '../../prover/engine/logger.js';
import { planBatch } from '../../prover/engine/planner.js';
import {
  buildFlow, checkQueueServer, circuitsIdOf, EXIT_OK, EXIT_REFUSED, flowJobs, formatQueueStatus, QueueJobFailedError, QueueMetrics,
  queueStatus, QueueServerError, resolveQueueConfig, runPlanOnQueue, runWorker, type RunningWorker,
} from '../../prover/engine/queue/index.js';
import type { ProgressEvent } from '../../prover/engine/scheduler.js';
import { loadConfig } from '../../prover/keeper/config/load.js';
import { workersStatus } from '../../prover/keeper/daemon/status.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { Metrics } from '../../prover/keeper/obs/metrics.js';
import { startObservabilityServer } from '../../prover/keeper/obs/server.js';
import { badInputError, type FakeProverOptions, fakeJobProver } from '../helpers/fake-job-prover.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { batchFromMask, KEY_HASHES, PROVER, rng } from './engine-helpers.js';

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

const OTHER_KEY_HASHES = { ...KEY_HASHES, node: word('0x31') };
const FAKE_CHILD = fileURLToPath(new URL('../helpers/fake-worker-child.ts', import.meta.url));

describe('distributed proving on Redis (fake prover)', function () {
  this.timeout(120_000);
  let redis: TestRedis;
  let dir: string;
  let queueNo = 0;
  let workers: RunningWorker[] = [];
  let children: ChildProcess[] = [];
  const verifier = fakeJobProver({ keyHashes: KEY_HASHES });

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

  async function worker(name: string, o: Omit<FakeProverOptions, 'keyHashes'> & { keyHashes?: FakeProverOptions['keyHashes'] } = {}, extra: Partial<Parameters<typeof runWorker>[0]> = {}) {
    const prover = fakeJobProver({ keyHashes: KEY_HASHES, ...o });
    const w = await runWorker({ queue: { url: redis.url, name: queueName() }, name, ...fast, openProver: async () => prover, ...extra });
    workers.push(w);
    return { w, prover };
  }

  function setup(batch: Batch) {
    const plan = planBatch(batch);
    const store = new CheckpointStore(dir, batchKey(batch, PROVER, KEY_HASHES));
    return { plan, store };
  }

  function orchestrate(batch: Batch, extra: Partial<Parameters<typeof runPlanOnQueue>[0]> = {}) {
    const { plan, store } = setup(batch);
    const logger = memoryLogger();
    const events: ProgressEvent[] = [];
    const run = runPlanOnQueue({
      plan, batch, prover: PROVER, store, queue: cfg(), circuits: { id: circuitsIdOf(KEY_HASHES), keyHashes: { ...KEY_HASHES } },
      verify: (p) => verifier.verify(p), logger, onProgress: (e) => events.push(e), pollMs: 200,
      policy: { attempts: 2, backoffMs: 100, keepSeconds: 3600 }, ...extra,
    });
    return { plan, store, logger, events, run };
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
    const batch = batchFromMask(rng(11), 8, 0b10110111);
    const metrics = new QueueMetrics();
    const { plan, store, events, logger, run } = orchestrate(batch, { metrics });
    const res = await run;
    expect(res.root.root).to.equal(plan.expectedRoot);
    expect(res.root.target).to.equal('evm');
    expect([...log].sort()).to.deep.equal(plan.jobs.map((j) => j.id).sort());
    expect(a.prover.proven.length).to.be.greaterThan(0);
    expect(b.prover.proven.length).to.be.greaterThan(0);
    // Breadth-first (job priority = height + 1): a job never starts before every job of a lower level has.
    const heightOf = (id: string): number => plan.jobs.find((j) => j.id === id)!.height;
    expect(started.map(heightOf)).to.deep.equal(started.map(heightOf).sort((x, y) => x - y));
    // Node workers verified every input before using it (two per node).
    const nodes = plan.jobs.filter((j) => j.kind === 'node').length;
    expect(a.prover.verified.length + b.prover.verified.length).to.equal(2 * nodes);
    for (const job of plan.jobs) expect((await store.read(job)).status).to.equal('ok');
    expect(res.stats.map((s) => s.id)).to.deep.equal(plan.jobs.map((j) => j.id));
    expect(res.stats.every((s) => !s.fromCheckpoint && s.rssMiB === 64)).to.equal(true);
    expect(events.filter((e) => e.type === 'job-finished')).to.have.length(plan.jobs.length);
    expect(events.filter((e) => e.type === 'level-finished').map((e) => e.level)).to.deep.equal([0, 1, 2, 3]);
    expect(logger.lines.filter((l) => l.msg === 'flow added to the queue')).to.have.length(1);
    const text = await metrics.registry.metrics();
    expect(text).to.match(/nex_queue_proofs_checkpointed_total\{circuit="node"\} 7/);
    expect(text).to.match(/nex_queue_job_duration_seconds_count\{circuit="node"\} 7/);
    expect(Object.values(await counts()).reduce((x, y) => x + y, 0)).to.equal(0);
  });

  it('adding the same flow twice keeps one copy of every job (deterministic ids)', async () => {
    const batch = batchFromMask(rng(12), 4, 0b1011);
    const { plan, store } = setup(batch);
    const flow = buildFlow({
      plan, batch, prover: PROVER, batchKey: store.key, circuits: { id: circuitsIdOf(KEY_HASHES), keyHashes: KEY_HASHES },
      done: new Map(), queueName: queueName(), prefix: 'nex',
    })!;
    const producer = new FlowProducer({ connection: { url: redis.url }, prefix: 'nex' });
    try {
      await producer.add(flow);
      const once = await counts();
      await producer.add(flow);
      expect(await counts()).to.deep.equal(once);
      expect(once.prioritized! + once['waiting-children']!).to.equal(flowJobs(flow).length);
    } finally {
      await producer.close();
    }
  });

  it('an orchestrator stopped mid-flow and started again joins its flow; no job is proven twice', async () => {
    const log: string[] = [];
    await worker('wa', { delayMs: 150, log });
    await worker('wb', { delayMs: 150, log });
    const batch = batchFromMask(rng(13), 8, 0xff);
    const stop = new AbortController();
    const first = orchestrate(batch, { signal: stop.signal });
    const firstDone = first.run.then(() => 'finished', (e: Error) => e.name);
    await waitFor(() => first.events.filter((e) => e.type === 'job-finished').length >= 3, 30_000, 'three finished jobs');
    stop.abort();
    expect(await firstDone).to.equal('AbortError');
    const provenAtStop = log.length;
    // Workers go on while no orchestrator watches.
    await waitFor(() => log.length >= provenAtStop + 2, 30_000, 'jobs finished while the orchestrator was away');
    const second = orchestrate(batch);
    const res = await second.run;
    expect(res.root.root).to.equal(second.plan.expectedRoot);
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
    const batch = batchFromMask(rng(23), 8, 0xff);
    const stop = new AbortController();
    const first = orchestrate(batch, { signal: stop.signal, abandonAfterMs: 900, pollMs: 200 });
    await waitFor(() => first.events.some((e) => e.type === 'job-finished'), 30_000, 'a finished job');
    stop.abort();
    await first.run.catch(() => undefined);
    await waitFor(async () => (await counts()).failed! > 0 && (await counts()).active === 0, 30_000, 'the flow to fail');
    expect(log.length).to.be.below(first.plan.jobs.length);
    expect(await a.w.metrics.registry.metrics()).to.match(/nex_worker_jobs_total\{circuit="[a-z0-9]+",outcome="abandoned"\} 1/);
    const q = new Queue(queueName(), { connection: { url: redis.url }, prefix: 'nex' });
    const failed = await q.getFailed();
    await q.close();
    expect(failed.some((j) => /^abandoned: the keeper of batch [0-9a-f]{32} has not been seen/.test(j.failedReason))).to.equal(true);
    const again = orchestrate(batch);
    expect((await again.run).root.root).to.equal(again.plan.expectedRoot);
    expect(again.logger.lines.some((l) => l.msg === 'replacing a failed flow of an earlier run')).to.equal(true);
    expect(new Set(log).size).to.equal(log.length); // nothing proven twice: finished jobs were checkpointed
  });

  it('a job that fails for a bad input fails the flow with a typed error naming its slot; a rerun replaces the failed flow', async () => {
    const batch = batchFromMask(rng(14), 8, 0b10110111);
    let poisoned = true;
    const { w, prover } = await worker('wa', { delayMs: 100, onProve: (job) => {
      if (poisoned && job.id === 'L4') throw badInputError('leaf2 proof does not verify: an input proof is invalid');
    } });
    const metrics = new QueueMetrics();
    const { run } = orchestrate(batch, { metrics });
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(QueueJobFailedError);
    const f = (err as QueueJobFailedError).failure;
    expect(f).to.deep.include({ jobId: 'L4', slots: [4], attempts: 1, kind: 'failed' });
    expect(f.reason).to.match(/bad input: leaf2 proof does not verify/);
    expect(await metrics.registry.metrics()).to.match(/nex_queue_job_failures_total\{circuit="leaf\d"\} 1/);
    // The batch cannot finish: the worker drops its remaining jobs instead of proving them.
    await waitFor(async () => (await counts()).active === 0 && (await counts()).prioritized === 0, 30_000, 'the rest of the flow to be dropped');
    expect(prover.proven.length).to.be.below(planBatch(batch).jobs.length - 2);
    expect(await w.metrics.registry.metrics()).to.match(/nex_worker_jobs_total\{circuit="[a-z0-9]+",outcome="abandoned"\} [1-9]/);
    // The same batch again (e.g. the keeper retries): the failed flow is replaced and proven.
    poisoned = false;
    const again = orchestrate(batch);
    const res = await again.run;
    expect(res.root.root).to.equal(again.plan.expectedRoot);
    expect(again.logger.lines.some((l) => l.msg === 'replacing a failed flow of an earlier run')).to.equal(true);
  });

  it('a worker checks a leaf\'s rollup proof before proving it: a bad one fails the job at once, naming the slot', async () => {
    const batch = batchFromMask(rng(22), 4, 0b0110);
    const bad = (batch.slots[2] as { rollup: { vkHash: string } }).rollup.vkHash;
    const { prover } = await worker('wa', { badRollups: [bad] });
    const err = await orchestrate(batch).run.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(QueueJobFailedError);
    expect((err as QueueJobFailedError).failure).to.deep.include({ jobId: 'L2', slots: [2], attempts: 1, kind: 'failed' });
    expect((err as Error).message).to.include('bad input: the rollup proof of slot 2 does not verify with its key');
    expect(prover.proven).not.to.include('L2');
  });

  it('retries a job whose attempt failed for another reason, and counts the retry', async () => {
    const batch = batchFromMask(rng(15), 2, 0b11);
    let crashes = 0;
    await worker('wa', { onProve: (job) => {
      if (job.id === 'L1' && crashes++ === 0) throw new Error('bb exited unexpectedly');
    } });
    const metrics = new QueueMetrics();
    const { run, events } = orchestrate(batch, { metrics });
    const res = await run;
    expect(res.root.root).to.equal(planBatch(batch).expectedRoot);
    expect(crashes).to.equal(2);
    expect(events.some((e) => e.type === 'job-retry' && e.jobId === 'L1')).to.equal(true);
    expect(await metrics.registry.metrics()).to.match(/nex_queue_job_retries_total\{circuit="leaf\d",reason="error"\} 1/);
  });

  it('rejects a proof from a worker that does not check, naming the job and the worker', async () => {
    await worker('liar', { wrongRootFor: ['L1'] });
    const batch = batchFromMask(rng(16), 4, 0b0011);
    const err = await orchestrate(batch).run.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(QueueJobFailedError);
    expect((err as QueueJobFailedError).failure).to.deep.include({ jobId: 'L1', slots: [1], kind: 'invalid-result' });
    expect((err as Error).message).to.match(/worker liar: proof root .* differs from the expected subtree root/);
  });

  it('a worker with other circuits refuses the job, gives it back and exits non-zero; a matching worker then proves it', async () => {
    const wrong = await worker('old-build', { keyHashes: OTHER_KEY_HASHES });
    expect(wrong.w.circuitsId).to.equal(circuitsIdOf(OTHER_KEY_HASHES));
    const batch = batchFromMask(rng(17), 2, 0b01);
    const { run, plan } = orchestrate(batch);
    const result = run.then((r) => r);
    expect(await wrong.w.done).to.equal(EXIT_REFUSED);
    expect(wrong.prover.proven).to.deep.equal([]);
    const st = await queueStatus({ url: redis.url, name: queueName() }, { keyHashes: KEY_HASHES });
    const seen = st.workers.find((w) => w.name === 'old-build')!;
    expect(seen.refused).to.match(/needs circuits [0-9a-f]{64} .* this worker has [0-9a-f]{64} from fake circuits/);
    expect(seen.compatible).to.equal(false);
    expect(formatQueueStatus(st).join('\n')).to.match(/old-build\s+refused \(other circuits\)\s+[0-9a-f]{12} \(NOT the keeper's\)/);
    expect(st.counts.failed).to.equal(0);
    expect(st.counts.prioritized).to.be.at.least(1); // the refused job is back in the queue, untouched
    const good = await worker('new-build');
    expect((await result).root.root).to.equal(plan.expectedRoot);
    expect(good.prover.proven).to.have.length(plan.jobs.length);
  });

  it('a job that takes longer than the lock is not declared stalled while its worker lives', async () => {
    const log: string[] = [];
    const slow = { lockDurationMs: 1_000, stalledIntervalMs: 300 };
    await worker('wa', { delayMs: (j) => (j.kind === 'leaf' ? 3_500 : 10), log }, slow);
    await worker('wb', { delayMs: (j) => (j.kind === 'leaf' ? 3_500 : 10), log }, slow);
    const batch = batchFromMask(rng(18), 2, 0b01);
    const metrics = new QueueMetrics();
    const { run, events } = orchestrate(batch, { metrics });
    await run;
    expect(events.filter((e) => e.type === 'job-retry')).to.deep.equal([]);
    expect([...log].sort()).to.deep.equal(['L0', 'N1.0', 'P1@h0']);
    expect(await metrics.registry.metrics()).not.to.match(/nex_queue_job_retries_total\{/);
  });

  it('a worker SIGKILLed mid-job loses only that job: another worker takes it over after the lock expires', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', FAKE_CHILD, JSON.stringify({
      url: redis.url, queueName: queueName(), name: 'doomed', keyHashes: KEY_HASHES, delayMs: 60_000, lockDurationMs: 1_500, stalledIntervalMs: 300,
    })], { env: { ...process.env, NEX_FAKE_WORKER_CHILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
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
    const batch = batchFromMask(rng(19), 2, 0b01);
    const { run, events, plan } = orchestrate(batch);
    await waitFor(() => lines.some((l) => l.type === 'proving'), 30_000, 'the child to take a job');
    const lost = lines.find((l) => l.type === 'proving')!.jobId!;
    child.kill('SIGKILL');
    const rescuer = await worker('rescuer', {}, { lockDurationMs: 1_500, stalledIntervalMs: 300 });
    const res = await run;
    expect(res.root.root).to.equal(plan.expectedRoot);
    expect(rescuer.prover.proven).to.include(lost);
    expect(events.some((e) => e.type === 'job-retry' && e.jobId === lost && /worker was lost/.test(e.reason))).to.equal(true);
  });

  it('a queue server restarted without its data loses no finished proof: the flow is added again from the checkpoints', async () => {
    const volatile = await startRedis({ persistence: false });
    try {
      const log: string[] = [];
      const mk = async (name: string) => {
        const p = fakeJobProver({ keyHashes: KEY_HASHES, delayMs: 150, log });
        const w = await runWorker({ queue: volatile.url, name, ...fast, openProver: async () => p });
        workers.push(w);
      };
      await mk('wa');
      await mk('wb');
      const batch = batchFromMask(rng(20), 8, 0xff);
      const { plan, store } = setup(batch);
      const logger = memoryLogger();
      const events: ProgressEvent[] = [];
      const run = runPlanOnQueue({
        plan, batch, prover: PROVER, store, queue: resolveQueueConfig(volatile.url), circuits: { id: circuitsIdOf(KEY_HASHES), keyHashes: KEY_HASHES },
        verify: (p) => verifier.verify(p), logger, onProgress: (e) => events.push(e), pollMs: 200,
      });
      await waitFor(() => events.filter((e) => e.type === 'job-finished').length >= 4, 30_000, 'four finished jobs');
      await volatile.restart({ wipe: true });
      const finishedBefore = events.filter((e) => e.type === 'job-finished').map((e) => (e as { jobId: string }).jobId);
      const res = await run;
      expect(res.root.root).to.equal(plan.expectedRoot);
      for (const id of finishedBefore) expect(log.filter((x) => x === id), id).to.have.length(1);
      expect(logger.lines.some((l) => l.msg === 'jobs of the flow are missing from the queue; adding them again')).to.equal(true);
    } finally {
      await Promise.all(workers.map((w) => w.close(true)));
      workers = [];
      await volatile.dispose();
    }
  });

  it('status and metrics: the workers the keeper sees, queue depth, and each worker\'s own /metrics', async () => {
    const { w } = await worker('m1', { delayMs: 5 }, { metricsPort: 0 });
    await worker('m2', { keyHashes: OTHER_KEY_HASHES });
    // runWorker returns after the first heartbeat: both are visible now.
    const st = await queueStatus({ url: redis.url, name: queueName() }, { keyHashes: KEY_HASHES });
    expect(st.url).not.to.include(redis.url.split('@')[0]!.slice(9)); // password redacted
    expect(st.workers.map((x) => [x.name, x.alive, x.compatible])).to.deep.equal([['m1', true, true], ['m2', true, false]]);
    const metrics = new QueueMetrics();
    metrics.attach(() => queueStatus({ url: redis.url, name: queueName() }, { keyHashes: KEY_HASHES }));
    const text = await metrics.registry.metrics();
    expect(text).to.match(/nex_queue_workers\{compatible="yes"\} 1/);
    expect(text).to.match(/nex_queue_workers\{compatible="no"\} 1/);
    expect(text).to.match(/nex_queue_jobs\{state="waiting"\} 0/);
    // Worker m2 refuses and leaves; m1 proves the batch and reports it on its /metrics.
    const batch = batchFromMask(rng(21), 2, 0b11);
    await orchestrate(batch).run;
    const body = await (await fetch(w.metricsUrl!)).text();
    expect(body).to.match(/nex_worker_jobs_total\{circuit="node",outcome="completed"\} 1/);
    expect(body).to.match(/nex_worker_bb_peak_rss_bytes\{circuit="node"\} 67108864/);
    expect(body).to.match(/nex_worker_info\{worker="m1",circuits_id="[0-9a-f]{64}",threads="all"\} 1/);
    expect(body).to.match(/process_resident_memory_bytes/);
    await w.close();
    expect(await w.done).to.equal(EXIT_OK);
    const after = await queueStatus({ url: redis.url, name: queueName() });
    expect(after.workers.map((x) => x.name)).not.to.include('m1'); // a clean stop removes its presence
  });

  it('keeper wiring: the workers section from the keeper config, the queue metrics on the keeper\'s /metrics', async () => {
    await worker('k1');
    const config = loadConfig({ cwd: dir, env: { NEX_KEEPER_QUEUE_URL: redis.url, NEX_KEEPER_QUEUE_NAME: queueName() } });
    expect((await workersStatus(config))!.workers.map((w) => [w.name, w.alive])).to.deep.equal([['k1', true]]);
    expect(await workersStatus(loadConfig({ cwd: dir, env: {} }))).to.equal(undefined);
    const qm = new QueueMetrics();
    qm.attach(() => queueStatus({ url: redis.url, name: queueName() }));
    const srv = await startObservabilityServer({
      port: 0, host: '127.0.0.1', metrics: new Metrics(), health: () => ({ ok: true }), log: createLogger({ level: 'error', format: 'json', write: () => undefined }),
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
    const e1 = await checkQueueServer(resolveQueueConfig(bad), logger, 3_000).then(() => undefined, (e: unknown) => e);
    expect(e1).to.be.instanceOf(QueueServerError);
    expect((e1 as Error).message).to.match(/cannot use the queue server redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(WRONGPASS|invalid)/);
    const none = redis.url.replace(/:[0-9a-f]+@/, '');
    const e1b = await checkQueueServer(resolveQueueConfig(none), logger, 3_000).then(() => undefined, (e: unknown) => e);
    expect((e1b as Error).message).to.match(/NOAUTH/);
    const e2 = await checkQueueServer(resolveQueueConfig('redis://127.0.0.1:1'), logger, 3_000).then(() => undefined, (e: unknown) => e);
    expect(e2).to.be.instanceOf(QueueServerError);
    expect((e2 as Error).message).to.match(/ECONNREFUSED/);
    const e3 = await runWorker({ queue: 'redis://127.0.0.1:1', openProver: async () => fakeJobProver({ keyHashes: KEY_HASHES }) }).then(() => undefined, (e: unknown) => e);
    expect(e3).to.be.instanceOf(QueueServerError);
  });
});
