// Runs a plan's jobs in dependency order with bounded parallelism, checkpointing each finished proof
// under its content key and resuming from existing checkpoints. The job runner is an interface: the
// product code uses the worker pool (workerPool.ts); unit tests inject a fake runner to exercise this
// logic without bb.
//
// Failures: a job whose worker died or whose bb stopped answering (WorkerCrashError,
// BackendTransportError) is retried up to `maxAttempts`; a leaf whose inputs a circuit rejects
// (JobInputError) is recorded while every job that does not depend on it goes on, and the run ends with
// a SlotsFailedError naming the leaves and their slots (the caller excludes and re-plans, reusing the
// checkpoints); anything else fails the run at once (JobFailedError).
import type { AggProof, Hex, RollupProof } from './backend.js';
import type { Batch } from './batch.js';
import type { CheckpointStore } from './checkpoint.js';
import type { Logger } from './logger.js';
import type { Job, LeafJob, Plan } from './planner.js';
import { NexError } from '../protocol/index.js';

/** Everything a runner needs to prove one job. */
export interface JobTask {
  job: Job;
  prover: Hex;
  /** The rollup proofs of the leaf's slots, in `job.slots` order (leaf jobs only; empty otherwise). */
  rollups: RollupProof[];
  /** The dependency proofs, in `job.deps` order (node jobs only). */
  inputs: AggProof[];
}

export interface JobResult {
  proof: AggProof;
  /** Time the worker spent on the job: witness generation + bb proving (excludes queueing and IPC). */
  ms: number;
  /** Time bb itself spent proving. */
  bbMs?: number | undefined;
  /** Peak RSS of the bb process during the job, when measurable. */
  rssMiB?: number | undefined;
}

export interface JobRunner {
  /**
   * Proves one job. Rejects with WorkerCrashError when the worker process died and with
   * BackendTransportError when its bb stopped answering (both retried), with JobInputError when a
   * circuit rejected the job's inputs, with an AbortError when `signal` fired, and with any other error
   * when proving failed otherwise.
   */
  run(task: JobTask, signal: AbortSignal): Promise<JobResult>;
}

/** The worker process running a job exited before answering. */
export class WorkerCrashError extends NexError {
  override readonly name = 'WorkerCrashError';
}

/** bb failed to answer (its process died, its socket closed or a call timed out): says nothing about the inputs. */
export class BackendTransportError extends NexError {
  override readonly name = 'BackendTransportError';
}

/** A circuit rejected the job's inputs (witness generation failed, bb refused them, or the proof does not verify). */
export class JobInputError extends NexError {
  override readonly name = 'JobInputError';
}

/** A job failed for good (after its retries, if any). `retryable`: it failed for bb or its worker, not for its inputs. */
export class JobFailedError extends NexError {
  override readonly name: string = 'JobFailedError';
  readonly retryable: boolean;

  constructor(
    readonly jobId: string,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options);
    this.retryable = options?.retryable ?? false;
  }
}

/** One leaf whose inputs a circuit rejected. */
export interface LeafFailure {
  readonly jobId: string;
  readonly slots: readonly number[];
  readonly message: string;
}

/**
 * Leaves failed for their inputs after the pre-check. Every other job that did not depend on them was
 * proven and checkpointed; the caller excludes the bad slot(s) and re-plans.
 */
export class SlotsFailedError extends NexError {
  override readonly name = 'SlotsFailedError';
  constructor(readonly failures: readonly LeafFailure[]) {
    super(
      `leaf job(s) failed for their inputs: ${failures.map((f) => `${f.jobId} (slots ${f.slots.join(', ')}): ${f.message}`).join('; ')}`,
    );
  }
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error(`aggregation cancelled${reason instanceof Error ? `: ${reason.message}` : ''}`);
  err.name = 'AbortError';
  return err;
}

/** Progress of a run. `level` is height - 1 (0 = the leaves), `levels` the plan's depth. */
export type ProgressEvent =
  | { type: 'level-started'; level: number; levels: number; jobs: number }
  | { type: 'level-finished'; level: number; levels: number; elapsedMs: number }
  | { type: 'job-started'; jobId: string; circuit: Job['circuit']; level: number; levels: number; attempt: number }
  | {
      type: 'job-finished';
      jobId: string;
      circuit: Job['circuit'];
      level: number;
      levels: number;
      ms: number;
      elapsedMs: number;
      rssMiB?: number | undefined;
      fromCheckpoint: boolean;
      done: number;
      total: number;
    }
  | { type: 'job-retry'; jobId: string; circuit: Job['circuit']; reason: string }
  | { type: 'job-failed'; jobId: string; circuit: Job['circuit']; slots: readonly number[]; reason: string }
  | { type: 'slots-excluded'; slots: readonly number[]; reason: string };

export interface JobStat {
  id: string;
  circuit: Job['circuit'];
  /** Worker time: witness generation + bb proving (from the checkpoint for resumed jobs). */
  ms: number;
  /** bb's own proving time, when measured (not recorded in checkpoints). */
  bbMs?: number | undefined;
  rssMiB?: number | undefined;
  fromCheckpoint: boolean;
}

export interface RunPlanOptions {
  plan: Plan;
  batch: Batch;
  prover: Hex;
  runner: JobRunner;
  /** Jobs in flight at once (>= 1). */
  parallelism: number;
  /** Checkpoint store and the content key of every job (checkpoint.ts jobKeys). */
  store?: { store: CheckpointStore; keys: ReadonlyMap<string, string> } | undefined;
  /** Jobs whose proofs the run must produce (default: the root). */
  targets?: readonly string[] | undefined;
  /** Attempts of a job that fails for its worker or bb (default 2: one retry). */
  maxAttempts?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  logger: Logger;
}

export interface RunPlanResult {
  /** The root proof, when the root was among the targets. */
  root: AggProof | undefined;
  /** The proof of every target. */
  proofs: ReadonlyMap<string, AggProof>;
  stats: JobStat[];
}

/**
 * Ids of the jobs that must actually run: the targets unless checkpointed (`done`), and recursively the
 * missing deps of any job that runs. Shared by the in-process scheduler and the queue's orchestrator.
 */
export function jobsToRun(byId: ReadonlyMap<string, Job>, targets: readonly string[], done: ReadonlySet<string>): Set<string> {
  const need = new Set<string>();
  const visit = (id: string): void => {
    if (done.has(id) || need.has(id)) return;
    const job = byId.get(id);
    if (!job) throw new Error(`unknown job ${id}`);
    need.add(id);
    for (const d of job.deps) visit(d);
  };
  for (const t of targets) visit(t);
  return need;
}

/** Throws when a job's proof is not the one the plan asked for (circuit, target, subtree root). */
export function checkResult(job: Job, proof: AggProof): void {
  if (proof.circuit !== job.circuit) throw new Error(`produced circuit ${proof.circuit}, expected ${job.circuit}`);
  if (proof.target !== job.target) throw new Error(`produced target ${proof.target}, expected ${job.target}`);
  if (proof.root.toLowerCase() !== job.root.toLowerCase()) {
    throw new Error(`proof root ${proof.root} differs from the expected subtree root ${job.root}`);
  }
}

const isTransient = (e: Error): boolean => e instanceof WorkerCrashError || e instanceof BackendTransportError;

/** Runs the plan up to its targets (default: the root) and returns their proofs. */
export async function runPlan(opts: RunPlanOptions): Promise<RunPlanResult> {
  const { plan, batch, prover, runner, logger } = opts;
  const store = opts.store;
  const maxAttempts = opts.maxAttempts ?? 2;
  if (!Number.isInteger(opts.parallelism) || opts.parallelism < 1) throw new RangeError('parallelism must be an integer >= 1');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be an integer >= 1');
  const targets = opts.targets ?? [plan.rootJobId];
  const emit = (e: ProgressEvent): void => {
    try {
      opts.onProgress?.(e);
    } catch (err) {
      logger.log('warn', 'progress callback threw', { error: (err as Error).message });
    }
  };
  const outer = opts.signal;
  if (outer?.aborted) throw abortError(outer);

  const started = Date.now();
  const byId = new Map(plan.jobs.map((j) => [j.id, j]));
  const proofs = new Map<string, AggProof>();
  const stats = new Map<string, JobStat>();
  const levels = plan.depth;
  const keyOf = (job: Job): string => {
    const k = store?.keys.get(job.id);
    if (!k) throw new Error(`no checkpoint key for job ${job.id}`);
    return k;
  };

  // 1. Resume from checkpoints.
  if (store) {
    for (const job of plan.jobs) {
      const r = await store.store.read(job, keyOf(job));
      if (r.status === 'ok') {
        proofs.set(job.id, r.checkpoint.proof);
        stats.set(job.id, { id: job.id, circuit: job.circuit, ms: r.checkpoint.ms, fromCheckpoint: true });
      } else if (r.status === 'invalid') {
        logger.log('warn', 'ignoring invalid checkpoint; the job is proven again', { jobId: job.id, reason: r.reason });
      }
    }
  }
  const toRun = jobsToRun(new Map(plan.jobs.map((j) => [j.id, j])), targets, new Set(proofs.keys()));
  const total = toRun.size;
  logger.log('info', 'plan scheduled', {
    jobs: plan.jobs.length,
    toRun: total,
    fromCheckpoints: proofs.size,
    parallelism: opts.parallelism,
    checkpointDir: store?.store.dir,
  });

  // Level bookkeeping: a level starts with its first job and finishes when its last job to run is done.
  const remainingPerLevel = new Array<number>(levels).fill(0);
  for (const id of toRun) remainingPerLevel[byId.get(id)!.height - 1]!++;
  const levelStart = new Map<number, number>();

  // 2. Run.
  const inner = new AbortController();
  const onOuterAbort = (): void => inner.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });

  const pending = plan.jobs.filter((j) => toRun.has(j.id)); // children before parents
  const attempts = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const failedLeaves: LeafFailure[] = [];
  const blocked = new Set<string>(); // failed leaves and every job above them
  let failure: Error | undefined;
  let done = 0;

  const block = (id: string): void => {
    blocked.add(id);
    for (const j of plan.jobs) if (j.deps.includes(id) && !blocked.has(j.id)) block(j.id);
  };
  const ready = (): Job[] =>
    pending
      .filter((j) => !blocked.has(j.id) && j.deps.every((d) => proofs.has(d)))
      .sort((a, b) => a.height - b.height || plan.jobs.indexOf(a) - plan.jobs.indexOf(b));

  const launch = (job: Job): void => {
    pending.splice(pending.indexOf(job), 1);
    const attempt = (attempts.get(job.id) ?? 0) + 1;
    attempts.set(job.id, attempt);
    const level = job.height - 1;
    if (!levelStart.has(level)) {
      levelStart.set(level, Date.now());
      emit({ type: 'level-started', level, levels, jobs: remainingPerLevel[level]! });
    }
    emit({ type: 'job-started', jobId: job.id, circuit: job.circuit, level, levels, attempt });
    logger.log('info', 'job started', { jobId: job.id, circuit: job.circuit, level, attempt });
    const task: JobTask = {
      job,
      prover,
      rollups: job.kind === 'leaf' ? job.slots.map((s) => (batch.slots[s] as { rollup: RollupProof }).rollup) : [],
      inputs: job.deps.map((d) => proofs.get(d)!),
    };
    const jobStart = Date.now();
    const p = runner
      .run(task, inner.signal)
      .then(async (res) => {
        checkResult(job, res.proof);
        if (store) await store.store.write(job, keyOf(job), res.proof, res.ms);
        proofs.set(job.id, res.proof);
        stats.set(job.id, { id: job.id, circuit: job.circuit, ms: res.ms, bbMs: res.bbMs, rssMiB: res.rssMiB, fromCheckpoint: false });
        done++;
        const elapsedMs = Date.now() - jobStart;
        logger.log('info', 'job finished', { jobId: job.id, circuit: job.circuit, ms: res.ms, elapsedMs, rssMiB: res.rssMiB, done, total });
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
          done,
          total,
        });
        if (--remainingPerLevel[level]! === 0) {
          emit({ type: 'level-finished', level, levels, elapsedMs: Date.now() - levelStart.get(level)! });
        }
      })
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        if (inner.signal.aborted) return; // cancelled or another job failed: reported below
        if (isTransient(e) && attempt < maxAttempts) {
          logger.log('warn', 'worker or bb failed; retrying the job', { jobId: job.id, attempt, error: e.message });
          emit({ type: 'job-retry', jobId: job.id, circuit: job.circuit, reason: e.message });
          pending.push(job);
          return;
        }
        if (e instanceof JobInputError && job.kind === 'leaf') {
          logger.log('warn', 'leaf failed for its inputs; jobs that do not depend on it go on', {
            jobId: job.id,
            slots: job.slots,
            error: e.message,
          });
          emit({ type: 'job-failed', jobId: job.id, circuit: job.circuit, slots: job.slots, reason: e.message });
          failedLeaves.push({ jobId: job.id, slots: (job as LeafJob).slots, message: e.message });
          block(job.id);
          return;
        }
        failure ??= new JobFailedError(job.id, `job ${job.id} (${job.circuit}) failed after ${attempt} attempt(s): ${e.message}`, {
          cause: e,
          retryable: isTransient(e),
        });
        logger.log('error', 'job failed', { jobId: job.id, circuit: job.circuit, attempt, error: e.message });
        inner.abort(failure);
      })
      .finally(() => {
        inFlight.delete(p);
      });
    inFlight.add(p);
  };

  try {
    while (!inner.signal.aborted) {
      for (const job of ready()) {
        if (inFlight.size >= opts.parallelism) break;
        launch(job);
      }
      if (inFlight.size === 0) break; // nothing running and nothing ready: done, blocked, or stuck (checked below)
      await Promise.race(inFlight);
    }
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
  if (failure) throw failure;
  if (outer?.aborted) throw abortError(outer);
  if (failedLeaves.length > 0) throw new SlotsFailedError(failedLeaves);
  const missing = targets.filter((t) => !proofs.has(t));
  if (missing.length > 0)
    throw new Error(`scheduler stopped without ${missing.join(', ')} (unfinished: ${pending.map((j) => j.id).join(', ')})`);
  const fromCheckpoints = [...stats.values()].filter((st) => st.fromCheckpoint).length;
  logger.log('info', 'plan finished', { totalMs: Date.now() - started, proven: done, fromCheckpoints });
  return {
    root: proofs.get(plan.rootJobId),
    proofs: new Map(targets.map((t) => [t, proofs.get(t)!])),
    stats: plan.jobs.filter((j) => stats.has(j.id)).map((j) => stats.get(j.id)!),
  };
}
