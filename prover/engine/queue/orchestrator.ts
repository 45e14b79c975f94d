// The keeper's side of distributed proving: runs a plan (up to its targets) as BullMQ flows proven by
// queue workers. It has the contract of the in-process scheduler's runPlan (scheduler.ts), so the
// engine's proveBatch uses it unchanged: re-plans after a bad slot, the bad-slot search of a pair leaf.
//
// - Resumes from the checkpoint store (content keys), then from the flow: jobs finished while the
//   orchestrator was away are read from the queue, a flow still there is joined (never added twice:
//   job ids are the content keys), a missing one is added for what the checkpoints lack.
// - Every finished proof is checked (circuit, target, root, prover, bb verification with the stored
//   key) and written to the checkpoint store as soon as the queue reports it, so a queue server that
//   restarts empty loses no finished proof: the orchestrator notices the jobs are gone and adds again
//   what is still missing.
// - A leaf that fails for its inputs (a verdict, not retried) fails the jobs above it only; every other
//   job goes on and is checkpointed, then the run ends with SlotsFailedError like runPlan's. Any other
//   job that fails for good surfaces as QueueJobFailedError naming its slots.
// - Aborting leaves the flow in the queue (workers go on; a restarted orchestrator joins it).
import { FlowProducer, Job as BullJob, Queue, QueueEvents } from 'bullmq';
import { toWord } from '../../protocol/index.js';
import type { AggProof } from '../backend.js';
import type { Job, LeafJob } from '../planner.js';
import {
  abortError,
  checkResult,
  jobsToRun,
  type JobStat,
  type LeafFailure,
  type ProgressEvent,
  type RunPlanOptions,
  type RunPlanResult,
  SlotsFailedError,
} from '../scheduler.js';
import { bullConnection, checkQueueServer, plainClient, type QueueConfig, redactUrl } from './connection.js';
import { FlowBusyError, QueueJobFailedError } from './errors.js';
import { buildFlows, type FlowJobPolicy, keyOf } from './flow.js';
import { includedSlotsUnder, planJobIdOf, queueJobId } from './ids.js';
import { QueueMetrics } from './metrics.js';
import { flowAliveKey } from './presence.js';
import { type CircuitsRef, INPUT_FAILURE_PREFIX, parseJobResult } from './protocol.js';

/** What the queue adds to runPlan's options (`runner` and `parallelism` are unused: the workers decide). */
export interface QueueRunOptions {
  queue: QueueConfig;
  circuits: CircuitsRef;
  /** Verifies a proof from a worker with the stored key of its circuit before it is accepted. */
  verify: (proof: AggProof) => Promise<boolean>;
  metrics?: QueueMetrics | undefined;
  /** Safety-net poll of the flow's state between queue events (default 5 s). */
  pollMs?: number | undefined;
  /** Workers stop starting this flow's jobs once the orchestrator has been gone this long (default 10 min). */
  abandonAfterMs?: number | undefined;
  /** How long to wait for the jobs in progress of a failed earlier flow before giving up (default 10 min). */
  busyWaitMs?: number | undefined;
  policy?: FlowJobPolicy | undefined;
}

/** Runs the plan's targets on the queue; same result and failures as runPlan (scheduler.ts). */
export async function runPlanOnQueue(o: RunPlanOptions & QueueRunOptions): Promise<RunPlanResult> {
  const { plan, logger, queue: cfg } = o;
  if (!o.store) throw new Error('distributed proving needs the checkpoint store and the job keys');
  const { store, keys } = o.store;
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
  const targets = o.targets ?? [plan.rootJobId];
  // One target (the root, or the leaf the bad-slot search proves alone): one flow, named by its content key.
  if (targets.length !== 1) throw new RangeError(`the queue proves one target per run, got ${targets.length}`);
  const target = targets[0]!;
  const byId = new Map(plan.jobs.map((j) => [j.id, j]));
  const flowKey = keyOf(keys, target);
  const qid = (id: string): string => queueJobId(flowKey, id);
  // Roots of the flows this run manages: the target, plus (after a bad leaf blocked it) the roots of the
  // flows re-added for the jobs under it that must still be proven; all named by the target's key.
  const roots = new Set<string>(targets);
  const levels = plan.depth;

  // 1. Checkpoints.
  const done = new Map<string, AggProof>();
  const stats = new Map<string, JobStat>();
  for (const job of plan.jobs) {
    const r = await store.read(job, keyOf(keys, job.id));
    if (r.status === 'ok') {
      done.set(job.id, r.checkpoint.proof);
      stats.set(job.id, { id: job.id, circuit: job.circuit, ms: r.checkpoint.ms, fromCheckpoint: true });
    } else if (r.status === 'invalid') {
      logger.log('warn', 'ignoring invalid checkpoint; the job is proven again', { jobId: job.id, reason: r.reason });
    }
  }
  const result = (): RunPlanResult => ({
    root: done.get(plan.rootJobId),
    proofs: new Map(targets.map((t) => [t, done.get(t)!])),
    stats: plan.jobs.filter((j) => stats.has(j.id)).map((j) => stats.get(j.id)!),
  });
  const initial = jobsToRun(byId, targets, new Set(done.keys()));
  const total = initial.size;
  const remainingPerLevel = new Array<number>(levels).fill(0);
  for (const id of initial) remainingPerLevel[byId.get(id)!.height - 1]!++;
  const levelStart = new Map<number, number>();
  const attempts = new Map<string, number>();
  const failedLeaves: LeafFailure[] = [];
  const blocked = new Set<string>(); // failed leaves and every job above them
  let proven = 0;
  logger.log('info', 'plan scheduled on the queue', {
    jobs: plan.jobs.length,
    toRun: total,
    fromCheckpoints: done.size,
    queue: redactUrl(cfg.url),
    queueName: cfg.name,
    flow: qid(target),
  });
  if (total === 0) return result();

  // 2. Connections.
  await checkQueueServer(cfg, logger);
  const connection = bullConnection(cfg);
  const queue = new Queue(cfg.name, { connection, prefix: cfg.prefix, streams: { events: { maxLen: 2_000 } } });
  const events = new QueueEvents(cfg.name, { connection, prefix: cfg.prefix });
  const producer = new FlowProducer({ connection, prefix: cfg.prefix });
  const client = plainClient(cfg); // the flows' liveness keys
  const onError = (what: string) => (err: Error) => logger.log('warn', `queue ${what} connection error`, { error: err.message });
  queue.on('error', onError('queue'));
  events.on('error', onError('events'));
  producer.on('error', onError('flow producer'));
  client.on('error', onError('liveness'));

  let poke: () => void = () => undefined;
  const mine = (queueId: string): Job | undefined => {
    const id = planJobIdOf(flowKey, queueId);
    return id === undefined ? undefined : byId.get(id);
  };
  events.on('active', ({ jobId }) => {
    const job = mine(jobId);
    if (!job || done.has(job.id)) return;
    const attempt = (attempts.get(job.id) ?? 0) + 1;
    attempts.set(job.id, attempt);
    const level = job.height - 1;
    if (!levelStart.has(level)) {
      levelStart.set(level, Date.now());
      emit({ type: 'level-started', level, levels, jobs: remainingPerLevel[level]! });
    }
    emit({ type: 'job-started', jobId: job.id, circuit: job.circuit, level, levels, attempt });
    logger.log('info', 'job started', { jobId: job.id, circuit: job.circuit, level, attempt });
  });
  const retried = (queueId: string, reason: string, label: 'stalled' | 'error'): void => {
    const job = mine(queueId);
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
    const invalid = (reason: string, cause?: unknown): QueueJobFailedError => {
      metrics.failures.inc({ circuit: job.circuit });
      return new QueueJobFailedError(
        {
          jobId: job.id,
          circuit: job.circuit,
          slots: includedSlotsUnder(plan, job),
          attempts: bj.attemptsMade,
          reason,
          kind: 'invalid-result',
        },
        { cause },
      );
    };
    let parsed;
    try {
      parsed = parseJobResult(bj.returnvalue);
    } catch (err) {
      throw invalid(`unreadable result from worker ${bj.processedBy ?? '?'}: ${(err as Error).message}`, err);
    }
    const { result: res, proof } = parsed;
    try {
      checkResult(job, proof);
      if (proof.publicInputs.length < 3 || proof.publicInputs[2]!.toLowerCase() !== toWord(o.prover).toLowerCase()) {
        throw new Error('proof made for another prover');
      }
    } catch (err) {
      throw invalid(`worker ${res.worker}: ${(err as Error).message}`, err);
    }
    if (!(await o.verify(proof))) throw invalid(`worker ${res.worker}: the proof does not verify with the stored ${proof.circuit} key`);
    await store.write(job, keyOf(keys, job.id), proof, res.ms);
    done.set(job.id, proof);
    stats.set(job.id, { id: job.id, circuit: job.circuit, ms: res.ms, bbMs: res.bbMs, rssMiB: res.rssMiB, fromCheckpoint: false });
    proven++;
    metrics.jobDuration.observe({ circuit: job.circuit }, res.ms / 1000);
    metrics.checkpointed.inc({ circuit: job.circuit });
    const level = job.height - 1;
    const elapsedMs = bj.finishedOn && bj.processedOn ? bj.finishedOn - bj.processedOn : res.ms;
    logger.log('info', 'job finished', {
      jobId: job.id,
      circuit: job.circuit,
      ms: res.ms,
      bbMs: res.bbMs,
      rssMiB: res.rssMiB,
      worker: res.worker,
      done: proven,
      total,
    });
    emit({
      type: 'job-finished',
      jobId: job.id,
      circuit: job.circuit,
      level,
      levels,
      ms: res.ms,
      elapsedMs,
      rssMiB: res.rssMiB,
      fromCheckpoint: false,
      done: proven,
      total,
    });
    if (initial.has(job.id) && --remainingPerLevel[level]! === 0) {
      emit({ type: 'level-finished', level, levels, elapsedMs: Date.now() - (levelStart.get(level) ?? started) });
    }
  };

  /** Where the flows to add are rooted: each target, or under a blocked one the highest jobs still to prove. */
  const flowRoots = (): string[] => {
    const out: string[] = [];
    const visit = (id: string): void => {
      if (done.has(id)) return;
      if (!blocked.has(id)) {
        out.push(id);
        return;
      }
      for (const d of byId.get(id)!.deps) visit(d);
    };
    for (const t of targets) visit(t);
    return out;
  };

  const addFlows = async (why: string): Promise<void> => {
    const at = flowRoots();
    for (const r of at) roots.add(r);
    await keepAlive(); // before adding jobs, or a worker could take one for an abandoned flow
    const flows = buildFlows({
      plan,
      batch: o.batch,
      prover: o.prover,
      keys,
      circuits: o.circuits,
      done,
      targets: at,
      flowKey,
      queueName: cfg.name,
      prefix: cfg.prefix,
      policy: o.policy,
    });
    if (flows.length === 0) return;
    await producer.addBulk(flows);
    logger.log('info', 'flow added to the queue', { why, roots: flows.map((f) => f.opts?.jobId) });
  };

  const block = (id: string): void => {
    blocked.add(id);
    for (const j of plan.jobs) if (j.deps.includes(id) && !blocked.has(j.id)) block(j.id);
  };

  const keepAlive = async (): Promise<void> => {
    await client.set(flowAliveKey(cfg, flowKey), String(Date.now()), 'PX', abandonAfterMs);
  };
  const dropAlive = async (): Promise<void> => {
    await client.del(flowAliveKey(cfg, flowKey));
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      outer?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  // Removes the flows (finished, or failed in an earlier run). Jobs still queued of a flow without its
  // liveness key fail at once as abandoned, the ones in progress end; then the flows can be removed.
  const removeFlows = async (wait: boolean): Promise<void> => {
    await dropAlive();
    const until = Date.now() + busyWaitMs;
    for (const t of roots) {
      for (;;) {
        const state = await queue.getJobState(qid(t));
        if (state === 'unknown' || (await queue.remove(qid(t), { removeChildren: true })) === 1) break;
        if (!wait) {
          logger.log('warn', 'could not remove a flow from the queue (a job is still held by a worker); it ages out', { root: qid(t) });
          break;
        }
        if (outer?.aborted) throw abortError(outer);
        if (Date.now() > until) {
          throw new FlowBusyError(`the failed flow ${qid(t)} of an earlier run still has jobs held by workers after ${busyWaitMs} ms`, {
            details: 'retry when they end',
          });
        }
        await sleep(pollMs);
      }
    }
  };

  const failedReason = async (job: Job): Promise<{ reason: string; attempts: number }> => {
    const bj = await BullJob.fromId(queue, qid(job.id));
    return { reason: bj?.failedReason ?? 'unknown', attempts: bj?.attemptsMade ?? 0 };
  };

  /** One pass over the jobs still missing: harvest finished ones, sort failures out, find lost jobs. */
  const pass = async (first: boolean): Promise<'done' | 'slots-failed' | 'running'> => {
    // In plan order (children before parents), so jobs finished together are accepted, and their levels
    // reported finished, bottom up.
    const need = jobsToRun(byId, targets, new Set(done.keys()));
    const outstanding = plan.jobs.map((j) => j.id).filter((id) => need.has(id) && !blocked.has(id));
    const states = await Promise.all(outstanding.map((id) => queue.getJobState(qid(id))));
    const failed = new Set<string>();
    const missing: Job[] = [];
    let pending = 0;
    for (const [i, id] of outstanding.entries()) {
      const job = byId.get(id)!;
      const state = states[i];
      if (state === 'completed') {
        const bj = await BullJob.fromId(queue, qid(id));
        if (bj) await accept(job, bj);
        else missing.push(job);
      } else if (state === 'failed') failed.add(id);
      else if (state === 'unknown') missing.push(job);
      else pending++;
    }
    // Where failures started: failed jobs none of whose children failed (their ancestors failed with them).
    const origins = [...failed].map((id) => byId.get(id)!).filter((j) => !j.deps.some((d) => failed.has(d)));
    const others: { job: Job; reason: string; attempts: number }[] = [];
    for (const job of origins) {
      const { reason, attempts: made } = await failedReason(job);
      if (job.kind === 'leaf' && reason.startsWith(INPUT_FAILURE_PREFIX)) {
        const message = reason.slice(INPUT_FAILURE_PREFIX.length);
        logger.log('warn', 'leaf failed for its inputs; jobs that do not depend on it go on', {
          jobId: job.id,
          slots: job.slots,
          error: message,
        });
        emit({ type: 'job-failed', jobId: job.id, circuit: job.circuit, slots: job.slots, reason: message });
        metrics.failures.inc({ circuit: job.circuit });
        failedLeaves.push({ jobId: job.id, slots: (job as LeafJob).slots, message });
        block(job.id);
      } else others.push({ job, reason, attempts: made });
    }
    if (targets.every((t) => done.has(t))) return 'done';
    if (others.length > 0 && !first) {
      await dropAlive(); // the flow cannot finish: let the workers drop its remaining jobs at once
      const { job, reason, attempts: made } = others.sort((a, b) => a.job.height - b.job.height)[0]!;
      metrics.failures.inc({ circuit: job.circuit });
      throw new QueueJobFailedError({
        jobId: job.id,
        circuit: job.circuit,
        slots: includedSlotsUnder(plan, job),
        attempts: made,
        reason,
        kind: 'failed',
      });
    }
    if (failedLeaves.length > 0 && others.length === 0) {
      const left = [...jobsToRun(byId, targets, new Set(done.keys()))].filter((id) => !blocked.has(id));
      if (left.length === 0) return 'slots-failed'; // every job that does not depend on a bad leaf is done
    }
    if (others.length > 0) {
      logger.log('warn', 'replacing a failed flow of an earlier run', { failed: others.map((f) => f.job.id) });
      await removeFlows(true);
      failedLeaves.length = 0;
      blocked.clear();
    }
    await keepAlive(); // before adding jobs, or a worker could take one for an abandoned flow
    if (others.length > 0) {
      await addFlows('a failed flow of an earlier run was replaced');
    } else if (missing.length > 0) {
      const why = first
        ? missing.length === outstanding.length
          ? 'new flow'
          : 'resumed: some jobs were missing'
        : 'jobs vanished from the queue (server restarted without its data?)';
      if (!first)
        logger.log('warn', 'jobs of the flow are missing from the queue; adding them again', { missing: missing.map((j) => j.id) });
      await addFlows(why);
    } else if (first) {
      logger.log('info', 'joined the flow already in the queue', { roots: targets.map(qid), outstanding: outstanding.length, pending });
    }
    return 'running';
  };

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    outer?.addEventListener('abort', onAbort, { once: true });
  });
  let outcome: 'done' | 'slots-failed' | 'running' = 'running';
  try {
    await events.waitUntilReady();
    let first = true;
    for (;;) {
      if (outer?.aborted) throw abortError(outer);
      const woken = new Promise<void>((resolve) => (poke = resolve));
      outcome = await pass(first);
      if (outcome !== 'running') break;
      first = false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([woken, aborted, new Promise<void>((r) => (timer = setTimeout(r, pollMs)))]);
      clearTimeout(timer);
    }
    try {
      await removeFlows(false);
    } catch (err) {
      logger.log('warn', 'could not remove the finished flow from the queue', { error: (err as Error).message });
    }
  } finally {
    if (onAbort) outer?.removeEventListener('abort', onAbort);
    client.disconnect();
    await Promise.allSettled([events.close(), producer.close(), queue.close()]);
  }
  const fromCheckpoints = plan.jobs.filter((j) => stats.get(j.id)?.fromCheckpoint).length;
  if (outcome === 'slots-failed') throw new SlotsFailedError(failedLeaves);
  logger.log('info', 'plan finished on the queue', { totalMs: Date.now() - started, proven, fromCheckpoints });
  return result();
}
