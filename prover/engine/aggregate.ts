// The engine's two operations: pre-check a batch, and aggregate it into one EVM-verifiable proof.
import { aggregationPublicInputs, NexError, toWord } from '../protocol/index.js';
import { type Hex, openBackend } from './backend.js';
import { type BackendHandle, backendHandle, withBackendRetry } from './backendHandle.js';
import { type Batch, BatchError, excludeSlots } from './batch.js';
import { CheckpointStore, jobKeys } from './checkpoint.js';
import { type AggregateOptions, type PrecheckOptions, resolveAggregateOptions, resolvePrecheckOptions } from './config.js';
import type { Logger } from './logger.js';
import { planBatch, type LeafJob, type Plan } from './planner.js';
import { type PrecheckReport, precheckSlots } from './precheck.js';
import { resolveQueueOption, runPlanOnQueue } from './queue/index.js';
import {
  abortError,
  type JobRunner,
  type JobStat,
  type ProgressEvent,
  runPlan,
  type RunPlanOptions,
  type RunPlanResult,
  SlotsFailedError,
} from './scheduler.js';
import { WorkerPool } from './workerPool.js';
import type { ProvingBackend } from './backend.js';

export interface AggregateResult {
  /** The root proof for the EVM verifier (evm-no-zk). */
  proof: Uint8Array;
  /** The root's public inputs: [root_hi, root_lo, prover, key_set]. */
  publicInputs: Hex[];
  /** The batch root the proof commits. */
  root: Hex;
  /** Bit i set = slot i excluded (given as excluded, rejected by the pre-check, or failed as a leaf): the market's uint64 mask. */
  excludedMask: bigint;
  /** Slots the pre-check rejected. */
  invalidSlots: number[];
  /** Slots excluded because their leaf failed after the pre-check (a circuit rejected the inputs). */
  failedSlots: number[];
  stats: {
    jobs: JobStat[];
    precheckMs: number;
    totalMs: number;
    /** Plans proven: 1 + one per re-plan after a failed leaf. */ rounds: number;
  };
}

/** Slots failing the pre-check when autoExclude is false. */
export class InvalidSlotsError extends NexError {
  override readonly name = 'InvalidSlotsError';
  constructor(readonly report: PrecheckReport) {
    super(
      `pre-check rejected slot(s) ${report.invalidSlots.join(', ')}: ` +
        report.checks
          .filter((c) => !c.valid)
          .map((c) => `slot ${c.slot}: ${c.reason}`)
          .join('; '),
    );
  }
}

/** The public inputs an EVM root proof must carry (docs/protocol.md): [rootHi, rootLo, prover, keySet]. */
export function expectedRootPublicInputs(root: Hex, prover: Hex, keySet: Hex): Hex[] {
  return aggregationPublicInputs(root, prover, keySet);
}

/** Verifies every rollup proof of the batch (shape, vk hash, proof) with a stored VK; bb failures are retried, never verdicts. */
export async function precheckBatch(opts: PrecheckOptions): Promise<PrecheckReport> {
  const { batch, backend: bopts, logger, retry } = resolvePrecheckOptions(opts);
  const handle = backendHandle(() => openBackend(bopts));
  try {
    return await precheckSlots(handle, batch, logger, undefined, retry);
  } finally {
    await handle.close();
  }
}

/** What proving a (pre-checked) batch needs: the runner that proves jobs and where checkpoints go. */
export interface ProveBatchOptions {
  /** The batch with the pre-check's invalid slots already excluded. */
  batch: Batch;
  prover: Hex;
  runner: JobRunner;
  parallelism: number;
  checkpointDir: string;
  /** The key-set root (public input 3 of every proof; part of every checkpoint key). */
  keySet: Hex;
  /** Exclude the bad slot of a leaf that fails for its inputs and plan again (default true); if false, the failure is thrown. */
  autoExclude?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  logger: Logger;
  /** What runs each plan (default: the in-process scheduler's runPlan; distributed proving passes its own). */
  runPlan?: ((o: RunPlanOptions) => Promise<RunPlanResult>) | undefined;
}

export interface ProveBatchResult {
  /** The batch that was proven: the input with the failed slots excluded. */
  batch: Batch;
  plan: Plan;
  result: RunPlanResult;
  /** Slots excluded because their leaf failed, in the order they were found. */
  failedSlots: number[];
  /** Plans proven: 1 + one per re-plan after a failed leaf. */
  rounds: number;
}

interface Round {
  readonly o: ProveBatchOptions;
  readonly store: CheckpointStore;
  readonly emit: (e: ProgressEvent) => void;
}

/** Proves `targets` (default the root) of the batch's plan, resuming from and writing checkpoints. */
function prove(r: Round, batch: Batch, targets?: readonly string[]): Promise<RunPlanResult> {
  const plan = planBatch(batch);
  return (r.o.runPlan ?? runPlan)({
    plan,
    batch,
    prover: r.o.prover,
    runner: r.o.runner,
    parallelism: r.o.parallelism,
    targets,
    store: { store: r.store, keys: jobKeys(plan, batch, r.o.prover, r.o.keySet) },
    signal: r.o.signal,
    onProgress: r.emit,
    logger: r.o.logger,
  });
}

/**
 * Which slot of a failed pair leaf is bad: slot `left` alone is proven as the single leaf it becomes
 * when `right` is excluded. If that succeeds `right` is bad (and the proof is checkpointed under the key
 * the next plan looks it up by); if it fails `left` is. Either way one slot is excluded per failure, so
 * a batch ends after at most `capacity` re-plans.
 */
async function badSlotOfPair(r: Round, batch: Batch, pair: readonly number[]): Promise<number> {
  const [left, right] = pair as [number, number];
  const trial = excludeSlots(batch, [right]);
  const single = planBatch(trial).jobs.find((j): j is LeafJob => j.kind === 'leaf' && j.slots.includes(left))!;
  r.o.logger.log('info', 'finding the bad slot of a failed pair leaf', { slots: pair, trial: single.id });
  try {
    await prove(r, trial, [single.id]);
    return right;
  } catch (err) {
    if (err instanceof SlotsFailedError) return left;
    throw err;
  }
}

/**
 * Proves the batch's tree. A leaf that a circuit rejects after the pre-check never fails the batch: its
 * bad slot is excluded (a pair leaf's bad slot is found by proving one of its slots alone) and the tree is
 * planned again, every proof whose inputs did not change taken from the checkpoints (they are keyed by
 * job content). bb or worker failures are not exclusions: they are retried by the scheduler, then thrown.
 */
export async function proveBatch(o: ProveBatchOptions): Promise<ProveBatchResult> {
  const { logger } = o;
  const emit = (e: ProgressEvent): void => {
    try {
      o.onProgress?.(e);
    } catch (err) {
      logger.log('warn', 'progress callback threw', { error: (err as Error).message });
    }
  };
  const r: Round = { o, store: new CheckpointStore(o.checkpointDir), emit };
  const failedSlots: number[] = [];
  let batch = o.batch;
  for (let rounds = 1; ; rounds++) {
    if (o.signal?.aborted) throw abortError(o.signal);
    const plan = planBatch(batch);
    logger.log('info', 'aggregation started', {
      capacity: plan.capacity,
      included: plan.includedSlots.length,
      failedSlots,
      jobs: plan.jobs.length,
      expectedRoot: plan.expectedRoot,
      checkpoints: r.store.dir,
      round: rounds,
    });
    try {
      const result = await prove(r, batch);
      return { batch, plan, result, failedSlots, rounds };
    } catch (err) {
      if (!(err instanceof SlotsFailedError) || o.autoExclude === false) throw err;
      const bad: number[] = [];
      for (const f of err.failures) {
        const slot = f.slots.length === 1 ? f.slots[0]! : await badSlotOfPair(r, batch, f.slots);
        bad.push(slot);
        logger.log('warn', 'slot excluded: its leaf failed after the pre-check', { slot, jobId: f.jobId, error: f.message });
        emit({ type: 'slots-excluded', slots: [slot], reason: f.message });
      }
      failedSlots.push(...bad);
      batch = excludeSlots(batch, bad);
      if (batch.slots.every((s) => s.kind !== 'proof')) {
        throw new BatchError(`every included slot failed or was excluded (failed: ${failedSlots.join(', ')}): nothing to aggregate`, {
          cause: err,
        });
      }
    }
  }
}

/**
 * Pre-checks the batch (reusing the checks of `prechecked` whose slot content is unchanged), plans the
 * proving tree, proves it in worker processes (resuming from checkpoints) and returns the EVM root proof.
 * A leaf that fails after the pre-check excludes its bad slot and the tree is planned again, every proof
 * whose inputs did not change reused. Cancellable through `signal` (workers are killed, checkpoints kept).
 */
export async function aggregateBatch(opts: AggregateOptions): Promise<AggregateResult> {
  const o = resolveAggregateOptions(opts);
  const { logger } = o;
  const start = performance.now();
  const handle: BackendHandle = backendHandle(() => openBackend(o.backend));
  const queue = o.queue === undefined ? undefined : resolveQueueOption(o.queue);
  const pool = new WorkerPool({ size: o.parallelism, backend: o.backend, logger });
  try {
    const report = await precheckSlots(handle, o.batch, logger, o.prechecked, o.retry);
    if (report.invalidSlots.length > 0 && !o.autoExclude) throw new InvalidSlotsError(report);
    const info = await withBackendRetry(handle, 'opening bb', async (b: ProvingBackend) => b.artifacts, o.retry, logger);
    // Distributed: each plan is one BullMQ flow proven by `nex worker` processes (prover/engine/queue).
    const onQueue = queue
      ? (p: RunPlanOptions): Promise<RunPlanResult> =>
          runPlanOnQueue({
            ...p,
            queue: queue.config,
            circuits: { keySet: info.keySet, buildId: info.buildId, keyHashes: { ...info.keyHashes } },
            verify: (proof) => withBackendRetry(handle, 'verifying a worker proof', (b) => b.verifyAggProof(proof), o.retry, logger),
            metrics: queue.metrics,
            pollMs: queue.pollMs,
            abandonAfterMs: queue.abandonAfterMs,
            policy: queue.policy,
          })
      : undefined;
    const { plan, result, failedSlots, rounds } = await proveBatch({
      batch: excludeSlots(o.batch, report.invalidSlots),
      prover: o.prover,
      runner: pool,
      parallelism: o.parallelism,
      checkpointDir: o.checkpointDir,
      keySet: info.keySet,
      autoExclude: o.autoExclude,
      signal: o.signal,
      onProgress: o.onProgress,
      logger,
      runPlan: onQueue,
    });
    const root = result.root!;
    const expected = expectedRootPublicInputs(plan.expectedRoot, o.prover, info.keySet);
    const got = root.publicInputs.map((x) => toWord(x));
    if (got.length !== expected.length || got.some((x, i) => x !== expected[i])) {
      throw new Error(`root proof public inputs ${JSON.stringify(got)} differ from the expected ${JSON.stringify(expected)}`);
    }
    const verified = await withBackendRetry(handle, 'the root proof verification', (b) => b.verifyAggProof(root), o.retry, logger);
    if (!verified) throw new Error('the root proof does not verify (bb verifier)');
    const totalMs = Math.round(performance.now() - start);
    logger.log('info', 'aggregation finished', { root: plan.expectedRoot, totalMs, rounds, failedSlots });
    return {
      proof: root.proof,
      publicInputs: got,
      root: plan.expectedRoot,
      excludedMask: plan.excludedMask,
      invalidSlots: report.invalidSlots,
      failedSlots: [...failedSlots].sort((a, b) => a - b),
      stats: { jobs: result.stats, precheckMs: report.totalMs, totalMs, rounds },
    };
  } finally {
    await pool.close();
    await handle.close();
  }
}
