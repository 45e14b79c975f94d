// The keeper's side of distributed proving: runs a plan as one BullMQ flow proven by queue workers.
//
// - Resumes from the checkpoint store, then from the flow: jobs finished while the orchestrator was
//   away are read from the queue, a flow that is still there is joined (never added twice: job ids
//   are deterministic), a missing one is added from what the checkpoints lack.
// - Every finished proof is checked (circuit, target, root, prover, bb verification with the stored
//   key) and written to the checkpoint store as soon as the queue reports it, so a queue server that
//   restarts empty loses no finished proof: the orchestrator notices the flow is gone and adds what
//   is still missing.
// - A job that fails for good surfaces as QueueJobFailedError naming its slots.
// - Aborting leaves the flow in the queue (workers go on; a restarted orchestrator joins it).
import { FlowProducer, Job as BullJob, Queue, QueueEvents } from 'bullmq';
import type { AggProof, Hex } from '../backend.js';
import type { Batch } from '../batch.js';
import type { CheckpointStore } from '../checkpoint.js';
import { word } from '../commitment.js';
import type { Logger } from '../logger.js';
import type { Job, Plan } from '../planner.js';
import { abortError, checkResult, jobsToRun, type JobStat, type ProgressEvent, type RunPlanResult } from '../scheduler.js';
import { bullConnection, checkQueueServer, plainClient, type QueueConfig, redactUrl } from './connection.js';
import { FlowBusyError, QueueJobFailedError } from './errors.js';
import { buildFlow, type FlowJobPolicy } from './flow.js';
import { includedSlotsUnder, planJobIdOf, queueJobId } from './ids.js';
import { QueueMetrics } from './metrics.js';
import { batchAliveKey } from './presence.js';
import { type CircuitsRef, parseJobResult } from './protocol.js';

export interface QueuePlanOptions {
  plan: Plan;
  batch: Batch;
  prover: Hex;
  /** Checkpoints of this batch; its key is the batch key of the job ids. */
  store: CheckpointStore;
  queue: QueueConfig;
  circuits: CircuitsRef;
  /** Verifies a proof from a worker with the stored key of its circuit before it is accepted. */
  verify: (proof: AggProof) => Promise<boolean>;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  logger: Logger;
  metrics?: QueueMetrics | undefined;
  /** Safety-net poll of the flow's state between queue events (default 5 s). */
  pollMs?: number | undefined;
  /** Workers stop starting this batch's jobs once the orchestrator has been gone this long (default 10 min). */
  abandonAfterMs?: number | undefined;
  /** How long to wait for the jobs in progress of a failed earlier flow before giving up (default 10 min). */
  busyWaitMs?: number | undefined;
  policy?: FlowJobPolicy | undefined;
}

type PassOutcome = 'done' | 'running';

/** Runs the plan on the queue and returns the root proof and per-job stats (same shape as runPlan). */
export async function runPlanOnQueue(o: QueuePlanOptions): Promise<RunPlanResult> {
  const { plan, store, logger, queue: cfg } = o;
  const metrics = o.metrics ?? new QueueMetrics();
  const pollMs = o.pollMs ?? 5_000;
  const abandonAfterMs = o.abandonAfterMs ?? 600_000;
  const busyWaitMs = o.busyWaitMs ?? 600_000;
  if (abandonAfterMs < 3 * pollMs) throw new RangeError(`abandonAfterMs (${abandonAfterMs}) must be at least 3 polls (${3 * pollMs} ms)`);
  const outer = o.signal;
  if (outer?.aborted) throw abortError(outer);
  const emit = (e: ProgressEvent): void => {
    try {
      o.onProgress?.(e);
    } catch (err) {
      logger.log('warn', 'progress callback threw', { error: (err as Error).message });
    }
  };
  const started = Date.now();
  const byId = new Map(plan.jobs.map((j) => [j.id, j]));
  const batchKey = store.key;
  const qid = (id: string): string => queueJobId(batchKey, id);
  const levels = plan.depth + 1;

  // 1. Checkpoints.
  const done = new Map<string, AggProof>();
  const stats = new Map<string, JobStat>();
  for (const job of plan.jobs) {
    const r = await store.read(job);
    if (r.status === 'ok') {
      done.set(job.id, r.checkpoint.proof);
      stats.set(job.id, { id: job.id, circuit: job.circuit, ms: r.checkpoint.ms, fromCheckpoint: true });
    } else if (r.status === 'invalid') {
      logger.log('warn', 'ignoring invalid checkpoint; the job is proven again', { jobId: job.id, reason: r.reason });
    }
  }
  const initial = jobsToRun(plan, new Set(done.keys()));
  const total = initial.size;
  const remainingPerLevel = new Array<number>(levels).fill(0);
  for (const id of initial) remainingPerLevel[byId.get(id)!.height]!++;
  const levelStart = new Map<number, number>();
  const attempts = new Map<string, number>();
  let proven = 0;
  logger.log('info', 'plan scheduled on the queue', {
    jobs: plan.jobs.length, toRun: total, fromCheckpoints: done.size, queue: redactUrl(cfg.url), queueName: cfg.name, batchKey,
  });
  if (done.has(plan.rootJobId)) return { root: done.get(plan.rootJobId)!, stats: plan.jobs.filter((j) => stats.has(j.id)).map((j) => stats.get(j.id)!) };

  // 2. Connections.
  await checkQueueServer(cfg, logger);
  const connection = bullConnection(cfg);
  const queue = new Queue(cfg.name, { connection, prefix: cfg.prefix, streams: { events: { maxLen: 2_000 } } });
  const events = new QueueEvents(cfg.name, { connection, prefix: cfg.prefix });
  const producer = new FlowProducer({ connection, prefix: cfg.prefix });
  const client = plainClient(cfg); // the batch's liveness key
  const onError = (what: string) => (err: Error) => logger.log('warn', `queue ${what} connection error`, { error: err.message });
  queue.on('error', onError('queue'));
  events.on('error', onError('events'));
  producer.on('error', onError('flow producer'));
  client.on('error', onError('liveness'));

  let poke: () => void = () => undefined;
  const mine = (jobId: string): Job | undefined => {
    const id = planJobIdOf(batchKey, jobId);
    return id === undefined ? undefined : byId.get(id);
  };
  events.on('active', ({ jobId }) => {
    const job = mine(jobId);
    if (!job || done.has(job.id)) return;
    const attempt = (attempts.get(job.id) ?? 0) + 1;
    attempts.set(job.id, attempt);
    if (!levelStart.has(job.height)) {
      levelStart.set(job.height, Date.now());
      emit({ type: 'level-started', level: job.height, levels, jobs: remainingPerLevel[job.height]! });
    }
    emit({ type: 'job-started', jobId: job.id, circuit: job.circuit, level: job.height, levels, attempt });
    logger.log('info', 'job started', { jobId: job.id, circuit: job.circuit, level: job.height, attempt });
  });
  const retried = (jobId: string, reason: string, label: 'stalled' | 'error'): void => {
    const job = mine(jobId);
    if (!job) return;
    metrics.retries.inc({ circuit: job.circuit, reason: label });
    logger.log('warn', 'job retried', { jobId: job.id, circuit: job.circuit, reason });
    emit({ type: 'job-retry', jobId: job.id, circuit: job.circuit, reason });
  };
  events.on('stalled', ({ jobId }) => retried(jobId, 'its worker was lost (lock expired); back in the queue', 'stalled'));
  events.on('delayed', ({ jobId }) => retried(jobId, 'an attempt failed; retrying after a backoff', 'error'));
  events.on('completed', ({ jobId }) => {
    if (mine(jobId)) poke();
  });
  events.on('failed', ({ jobId }) => {
    if (mine(jobId)) poke();
  });

  // 3. Accepting a finished job: check, checkpoint, report.
  const accept = async (job: Job, bj: BullJob): Promise<void> => {
    if (done.has(job.id)) return;
    let proof: AggProof;
    let result;
    const invalid = (reason: string, cause?: unknown): QueueJobFailedError => {
      metrics.failures.inc({ circuit: job.circuit });
      return new QueueJobFailedError(
        { jobId: job.id, circuit: job.circuit, slots: includedSlotsUnder(plan, job), attempts: bj.attemptsMade, reason, kind: 'invalid-result' },
        { cause },
      );
    };
    try {
      ({ result, proof } = parseJobResult(bj.returnvalue));
    } catch (err) {
      throw invalid(`unreadable result from worker ${bj.processedBy ?? '?'}: ${(err as Error).message}`, err);
    }
    try {
      checkResult(job, proof);
      if (proof.publicInputs.length < 3 || BigInt(proof.publicInputs[2]!) !== BigInt(word(o.prover))) throw new Error('proof made for another prover');
    } catch (err) {
      throw invalid(`worker ${result.worker}: ${(err as Error).message}`, err);
    }
    if (!(await o.verify(proof))) throw invalid(`worker ${result.worker}: the proof does not verify with the stored ${proof.circuit} key`);
    await store.write(job, proof, result.ms);
    done.set(job.id, proof);
    stats.set(job.id, { id: job.id, circuit: job.circuit, ms: result.ms, bbMs: result.bbMs, rssMiB: result.rssMiB, fromCheckpoint: false });
    proven++;
    metrics.jobDuration.observe({ circuit: job.circuit }, result.ms / 1000);
    metrics.checkpointed.inc({ circuit: job.circuit });
    const elapsedMs = bj.finishedOn && bj.processedOn ? bj.finishedOn - bj.processedOn : result.ms;
    logger.log('info', 'job finished', {
      jobId: job.id, circuit: job.circuit, ms: result.ms, bbMs: result.bbMs, rssMiB: result.rssMiB, worker: result.worker, done: proven, total,
    });
    emit({
      type: 'job-finished', jobId: job.id, circuit: job.circuit, level: job.height, levels, ms: result.ms, elapsedMs,
      rssMiB: result.rssMiB, fromCheckpoint: false, done: proven, total,
    });
    if (initial.has(job.id) && --remainingPerLevel[job.height]! === 0) {
      emit({ type: 'level-finished', level: job.height, levels, elapsedMs: Date.now() - (levelStart.get(job.height) ?? started) });
    }
  };

  const addFlow = async (why: string): Promise<void> => {
    const flow = buildFlow({
      plan, batch: o.batch, prover: o.prover, batchKey, circuits: o.circuits, done, queueName: cfg.name, prefix: cfg.prefix, policy: o.policy,
    });
    if (!flow) return;
    await producer.add(flow);
    logger.log('info', 'flow added to the queue', { why, root: qid(plan.rootJobId), jobs: jobsToRun(plan, new Set(done.keys())).size });
  };

  const failure = async (failed: Job[]): Promise<QueueJobFailedError> => {
    // The job where it started: the lowest in the tree (its ancestors failed with it).
    const origin = [...failed].sort((a, b) => a.height - b.height || plan.jobs.indexOf(a) - plan.jobs.indexOf(b))[0]!;
    const bj = await BullJob.fromId(queue, qid(origin.id));
    metrics.failures.inc({ circuit: origin.circuit });
    return new QueueJobFailedError({
      jobId: origin.id, circuit: origin.circuit, slots: includedSlotsUnder(plan, origin), attempts: bj?.attemptsMade ?? 0,
      reason: bj?.failedReason ?? 'unknown', kind: 'failed',
    });
  };

  const aliveKey = batchAliveKey(cfg, batchKey);
  // One pass over the jobs still missing: harvest finished ones, detect failures and lost jobs.
  const keepAlive = async (): Promise<void> => {
    await client.set(aliveKey, String(Date.now()), 'PX', abandonAfterMs);
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      outer?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  // A flow an earlier run left failed: its jobs still queued fail at once as abandoned (no liveness
  // key), the ones in progress end; then the whole flow can be removed.
  const removeFailedFlow = async (): Promise<void> => {
    await client.del(aliveKey);
    const until = Date.now() + busyWaitMs;
    while ((await queue.remove(qid(plan.rootJobId), { removeChildren: true })) !== 1) {
      if (outer?.aborted) throw abortError(outer);
      if (Date.now() > until) {
        throw new FlowBusyError(`the failed flow of batch ${batchKey} from an earlier run still has jobs held by workers after ${busyWaitMs} ms; retry when they end`);
      }
      await sleep(pollMs);
    }
  };

  const pass = async (first: boolean): Promise<PassOutcome> => {
    const outstanding = [...jobsToRun(plan, new Set(done.keys()))];
    const states = await Promise.all(outstanding.map((id) => queue.getJobState(qid(id))));
    const failed: Job[] = [];
    const missing: Job[] = [];
    for (const [i, id] of outstanding.entries()) {
      const job = byId.get(id)!;
      const state = states[i];
      if (state === 'completed') {
        const bj = await BullJob.fromId(queue, qid(id));
        if (bj) await accept(job, bj);
        else missing.push(job);
      } else if (state === 'failed') failed.push(job);
      else if (state === 'unknown') missing.push(job);
    }
    if (done.has(plan.rootJobId)) return 'done';
    if (failed.length > 0 && !first) {
      // The batch cannot finish: let the workers drop its remaining jobs at once (no liveness key).
      await client.del(aliveKey);
      throw await failure(failed);
    }
    if (failed.length > 0) {
      logger.log('warn', 'replacing a failed flow of an earlier run', { failed: failed.map((j) => j.id) });
      await removeFailedFlow();
    }
    await keepAlive(); // before adding jobs, or a worker could take one for an abandoned batch
    if (failed.length > 0) {
      await addFlow('a failed flow of an earlier run was replaced');
    } else if (missing.length > 0) {
      const why = first
        ? missing.length === outstanding.length ? 'new batch' : 'resumed: some jobs were missing'
        : 'jobs vanished from the queue (server restarted without its data?)';
      if (!first) logger.log('warn', 'jobs of the flow are missing from the queue; adding them again', { missing: missing.map((j) => j.id) });
      await addFlow(why);
    } else if (first) {
      logger.log('info', 'joined the flow already in the queue', { root: qid(plan.rootJobId), outstanding: outstanding.length });
    }
    return 'running';
  };

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    outer?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await events.waitUntilReady();
    let first = true;
    for (;;) {
      if (outer?.aborted) throw abortError(outer);
      const woken = new Promise<void>((resolve) => (poke = resolve));
      if ((await pass(first)) === 'done') break;
      first = false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([woken, aborted, new Promise<void>((r) => (timer = setTimeout(r, pollMs)))]);
      clearTimeout(timer);
    }
    try {
      await queue.remove(qid(plan.rootJobId), { removeChildren: true });
      await client.del(aliveKey);
    } catch (err) {
      logger.log('warn', 'could not remove the finished flow from the queue', { error: (err as Error).message });
    }
  } finally {
    if (onAbort) outer?.removeEventListener('abort', onAbort);
    client.disconnect();
    await Promise.allSettled([events.close(), producer.close(), queue.close()]);
  }
  logger.log('info', 'plan finished on the queue', { totalMs: Date.now() - started, proven, fromCheckpoints: plan.jobs.filter((j) => stats.get(j.id)?.fromCheckpoint).length });
  return { root: done.get(plan.rootJobId)!, stats: plan.jobs.filter((j) => stats.has(j.id)).map((j) => stats.get(j.id)!) };
}
