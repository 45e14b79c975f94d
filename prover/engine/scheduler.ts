// Runs a plan's jobs in dependency order with bounded parallelism, checkpointing each finished proof
// and resuming from existing checkpoints. The job runner is an interface: the product code uses the
// worker pool (worker-pool.ts); unit tests inject a fake runner to exercise this logic without bb.
import type { AggProof, Hex, RollupProof } from './backend.js';
import type { Batch } from './batch.js';
import type { CheckpointStore } from './checkpoint.js';
import type { Logger } from './logger.js';
import type { Job, Plan } from './planner.js';

/** Everything a runner needs to prove one job. */
export interface JobTask {
  job: Job;
  prover: Hex;
  /** The slot's rollup proof (leaf jobs only). */
  rollup?: RollupProof | undefined;
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
   * Proves one job. Rejects with WorkerCrashError when the worker process died (the scheduler retries
   * once), with an AbortError when `signal` fired, and with any other error when proving failed.
   */
  run(task: JobTask, signal: AbortSignal): Promise<JobResult>;
}

/** The worker process running a job exited before answering. */
export class WorkerCrashError extends Error {
  override readonly name = 'WorkerCrashError';
}

/** A job failed for good (after its retry, if any). */
export class JobFailedError extends Error {
  override readonly name: string = 'JobFailedError';
  constructor(
    readonly jobId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error(`aggregation cancelled${reason instanceof Error ? `: ${reason.message}` : ''}`);
  err.name = 'AbortError';
  return err;
}

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
  | { type: 'job-retry'; jobId: string; circuit: Job['circuit']; reason: string };

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
  store?: CheckpointStore | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  logger: Logger;
}

export interface RunPlanResult {
  root: AggProof;
  stats: JobStat[];
}

/** Ids of the jobs that must actually run: the root unless checkpointed, and recursively the missing deps of any job that runs. */
export function jobsToRun(plan: Plan, done: ReadonlySet<string>): Set<string> {
  const byId = new Map(plan.jobs.map((j) => [j.id, j]));
  const need = new Set<string>();
  const visit = (id: string): void => {
    if (done.has(id) || need.has(id)) return;
    need.add(id);
    for (const d of byId.get(id)!.deps) visit(d);
  };
  visit(plan.rootJobId);
  return need;
}

/** Throws when a proof is not the one the plan expects for `job` (circuit, target, subtree root). */
export function checkResult(job: Job, proof: AggProof): void {
  if (proof.circuit !== job.circuit) throw new Error(`produced circuit ${proof.circuit}, expected ${job.circuit}`);
  if (proof.target !== job.target) throw new Error(`produced target ${proof.target}, expected ${job.target}`);
  if (proof.root.toLowerCase() !== job.root.toLowerCase()) {
    throw new Error(`proof root ${proof.root} differs from the expected subtree root ${job.root}`);
  }
}

/** Runs the plan and returns the root proof. */
export async function runPlan(opts: RunPlanOptions): Promise<RunPlanResult> {
  const { plan, batch, prover, runner, store, logger } = opts;
  if (!Number.isInteger(opts.parallelism) || opts.parallelism < 1) throw new RangeError('parallelism must be an integer >= 1');
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
  const levels = plan.depth + 1;

  // 1. Resume from checkpoints.
  if (store) {
    for (const job of plan.jobs) {
      const r = await store.read(job);
      if (r.status === 'ok') {
        proofs.set(job.id, r.checkpoint.proof);
        stats.set(job.id, { id: job.id, circuit: job.circuit, ms: r.checkpoint.ms, fromCheckpoint: true });
      } else if (r.status === 'invalid') {
        logger.log('warn', 'ignoring invalid checkpoint; the job is proven again', { jobId: job.id, reason: r.reason });
      }
    }
  }
  const toRun = jobsToRun(plan, new Set(proofs.keys()));
  const total = toRun.size;
  logger.log('info', 'plan scheduled', {
    jobs: plan.jobs.length, toRun: total, fromCheckpoints: proofs.size, parallelism: opts.parallelism, checkpointDir: store?.dir,
  });

  // Level bookkeeping: a level starts with its first job and finishes when its last job to run is done.
  const remainingPerLevel = new Array<number>(levels).fill(0);
  for (const id of toRun) remainingPerLevel[byId.get(id)!.height]!++;
  const levelStart = new Map<number, number>();

  // 2. Run.
  const inner = new AbortController();
  const onOuterAbort = (): void => inner.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });

  const pending = plan.jobs.filter((j) => toRun.has(j.id)); // children before parents
  const attempts = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  let done = 0;

  const ready = (): Job[] =>
    pending
      .filter((j) => j.deps.every((d) => proofs.has(d)))
      .sort((a, b) => a.height - b.height || plan.jobs.indexOf(a) - plan.jobs.indexOf(b));

  const launch = (job: Job): void => {
    pending.splice(pending.indexOf(job), 1);
    const attempt = (attempts.get(job.id) ?? 0) + 1;
    attempts.set(job.id, attempt);
    if (!levelStart.has(job.height)) {
      levelStart.set(job.height, Date.now());
      emit({ type: 'level-started', level: job.height, levels, jobs: remainingPerLevel[job.height]! });
    }
    emit({ type: 'job-started', jobId: job.id, circuit: job.circuit, level: job.height, levels, attempt });
    logger.log('info', 'job started', { jobId: job.id, circuit: job.circuit, level: job.height, attempt });
    const task: JobTask = {
      job,
      prover,
      rollup: job.kind === 'leaf' ? (batch.slots[job.slot] as { rollup: RollupProof }).rollup : undefined,
      inputs: job.deps.map((d) => proofs.get(d)!),
    };
    const jobStart = Date.now();
    const p = runner
      .run(task, inner.signal)
      .then(async (res) => {
        checkResult(job, res.proof);
        if (store) await store.write(job, res.proof, res.ms);
        proofs.set(job.id, res.proof);
        stats.set(job.id, { id: job.id, circuit: job.circuit, ms: res.ms, bbMs: res.bbMs, rssMiB: res.rssMiB, fromCheckpoint: false });
        done++;
        const elapsedMs = Date.now() - jobStart;
        logger.log('info', 'job finished', { jobId: job.id, circuit: job.circuit, ms: res.ms, elapsedMs, rssMiB: res.rssMiB, done, total });
        emit({
          type: 'job-finished', jobId: job.id, circuit: job.circuit, level: job.height, levels, ms: res.ms, elapsedMs,
          rssMiB: res.rssMiB, fromCheckpoint: false, done, total,
        });
        if (--remainingPerLevel[job.height]! === 0) {
          emit({ type: 'level-finished', level: job.height, levels, elapsedMs: Date.now() - levelStart.get(job.height)! });
        }
      })
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        if (inner.signal.aborted) return; // cancelled or another job failed: reported below
        if (e instanceof WorkerCrashError && attempt < 2) {
          logger.log('warn', 'worker crashed; retrying the job once', { jobId: job.id, error: e.message });
          emit({ type: 'job-retry', jobId: job.id, circuit: job.circuit, reason: e.message });
          pending.push(job);
          return;
        }
        failure ??= new JobFailedError(job.id, `job ${job.id} (${job.circuit}) failed after ${attempt} attempt(s): ${e.message}`, {
          cause: e,
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
      if (inFlight.size === 0) break; // nothing running and nothing ready: done (or stuck, checked below)
      await Promise.race(inFlight);
    }
    await Promise.allSettled([...inFlight]);
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
  if (failure) throw failure;
  if (outer?.aborted) throw abortError(outer);
  const root = proofs.get(plan.rootJobId);
  if (!root) throw new Error(`scheduler stopped without the root proof (unfinished: ${pending.map((j) => j.id).join(', ')})`);
  logger.log('info', 'plan finished', { totalMs: Date.now() - started, proven: done, fromCheckpoints: plan.jobs.length - done });
  return { root, stats: plan.jobs.filter((j) => stats.has(j.id)).map((j) => stats.get(j.id)!) };
}
