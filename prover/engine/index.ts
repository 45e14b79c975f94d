// Public API of the prover engine: pre-check a batch and aggregate it into one EVM-verifiable proof.
import { AGG_CIRCUITS, type BackendOptions, type Hex, openBackend, type ProvingBackend } from './backend.js';
import { excludeSlots } from './batch.js';
import { CheckpointStore, batchKey } from './checkpoint.js';
import { splitRoot, word } from './commitment.js';
import { type AggregateOptions, type PrecheckOptions, resolveAggregateOptions, resolvePrecheckOptions } from './config.js';
import { planBatch } from './planner.js';
import { type PrecheckReport, precheckSlots } from './precheck.js';
import { abortError, type JobStat, runPlan } from './scheduler.js';
import { WorkerPool } from './worker-pool.js';
import { circuitsIdOf, resolveQueueOption, runPlanOnQueue } from './queue/index.js';

export type { AggregateOptions, PrecheckOptions } from './config.js';
export { ConfigError, DEFAULT_CHECKPOINT_DIR } from './config.js';
export type { Batch, Slot, BatchJson } from './batch.js';
export { BatchError, batchFromJson, batchToJson } from './batch.js';
export type { AggProof, AggCircuit, Hex, RollupProof, BackendOptions } from './backend.js';
export type { ProgressEvent, JobStat } from './scheduler.js';
export { JobFailedError } from './scheduler.js';
export type { PrecheckReport, SlotCheck } from './precheck.js';
export type { Logger, LogLevel } from './logger.js';
export { jsonLogger, silentLogger } from './logger.js';
export { planBatch } from './planner.js';
export type { QueueOption, QueueStatus, RunningWorker, WorkerOptions } from './queue/index.js';
export { formatQueueStatus, QueueJobFailedError, QueueMetrics, queueStatus, runWorker, WorkerMetrics } from './queue/index.js';

export interface AggregateResult {
  /** The root proof for the EVM verifier. */
  proof: Uint8Array;
  /** The root's public inputs: [root_hi, root_lo, prover, key hashes...]. */
  publicInputs: Hex[];
  /** The batch root the proof commits. */
  root: Hex;
  /** Bit i set = slot i excluded (given as excluded, or turned so by the pre-check). */
  excludedMask: number;
  /** Slots the pre-check rejected. */
  invalidSlots: number[];
  stats: { jobs: JobStat[]; precheckMs: number; totalMs: number };
}

/** Slots failing the pre-check when autoExclude is false. */
export class InvalidSlotsError extends Error {
  override readonly name = 'InvalidSlotsError';
  constructor(readonly report: PrecheckReport) {
    super(
      `pre-check rejected slot(s) ${report.invalidSlots.join(', ')}: ` +
        report.checks.filter((c) => !c.valid).map((c) => `slot ${c.slot}: ${c.reason}`).join('; '),
    );
  }
}

/** The public inputs an EVM root proof must carry (docs/protocol.md). */
export function expectedRootPublicInputs(root: Hex, prover: Hex, keyHashes: Record<(typeof AGG_CIRCUITS)[number], Hex>): Hex[] {
  return [...splitRoot(root), word(prover), ...AGG_CIRCUITS.map((c) => word(keyHashes[c]))];
}

/** Verifies every rollup proof of the batch (vk hash, public-input count, proof) with a stored VK. */
export async function precheckBatch(opts: PrecheckOptions): Promise<PrecheckReport> {
  const { batch, backend: bopts, logger } = resolvePrecheckOptions(opts);
  const backend = await openBackend(bopts);
  try {
    return await precheckSlots(backend, batch, logger);
  } finally {
    await backend.close();
  }
}

async function withBackend<T>(bopts: BackendOptions, f: (b: ProvingBackend) => Promise<T>): Promise<T> {
  const backend = await openBackend(bopts);
  try {
    return await f(backend);
  } finally {
    await backend.close();
  }
}

/**
 * Pre-checks the batch, plans the proving tree, proves it in worker processes (resuming from checkpoints)
 * and returns the EVM root proof. Cancellable through `signal` (workers are killed, checkpoints kept).
 */
export async function aggregateBatch(opts: AggregateOptions): Promise<AggregateResult> {
  const o = resolveAggregateOptions(opts);
  const queue = o.queue === undefined ? undefined : resolveQueueOption(o.queue);
  const { logger } = o;
  const start = performance.now();
  return withBackend(o.backend, async (backend) => {
    const report = await precheckSlots(backend, o.batch, logger);
    if (report.invalidSlots.length > 0 && !o.autoExclude) throw new InvalidSlotsError(report);
    const batch = excludeSlots(o.batch, report.invalidSlots);
    const plan = planBatch(batch);
    if (o.signal?.aborted) throw abortError(o.signal);

    const keyHashes = backend.artifacts.keyHashes;
    const store = new CheckpointStore(o.checkpointDir, batchKey(batch, o.prover, keyHashes));
    logger.log('info', 'aggregation started', {
      capacity: plan.capacity, included: plan.includedSlots.length, invalidSlots: report.invalidSlots, jobs: plan.jobs.length,
      expectedRoot: plan.expectedRoot, checkpoints: store.dir,
    });
    let result;
    if (queue) {
      // Distributed: one BullMQ flow proven by `nex worker` processes (prover/engine/queue).
      result = await runPlanOnQueue({
        plan, batch, prover: o.prover, store, queue: queue.config, circuits: { id: circuitsIdOf(keyHashes), keyHashes: { ...keyHashes } },
        verify: (p) => backend.verifyAggProof(p), signal: o.signal, onProgress: o.onProgress, logger,
        metrics: queue.metrics, pollMs: queue.pollMs, abandonAfterMs: queue.abandonAfterMs, policy: queue.policy,
      });
    } else {
      const pool = new WorkerPool({ size: o.parallelism, backend: o.backend, logger });
      try {
        result = await runPlan({
          plan, batch, prover: o.prover, runner: pool, parallelism: o.parallelism, store,
          signal: o.signal, onProgress: o.onProgress, logger,
        });
      } finally {
        await pool.close();
      }
    }
    const { root } = result;
    const expected = expectedRootPublicInputs(plan.expectedRoot, o.prover, keyHashes);
    const got = root.publicInputs.map((x) => word(x));
    if (got.length !== expected.length || got.some((x, i) => x !== expected[i])) {
      throw new Error(`root proof public inputs ${JSON.stringify(got)} differ from the expected ${JSON.stringify(expected)}`);
    }
    if (!(await backend.verifyAggProof(root))) throw new Error('the root proof does not verify (bb verifier)');
    const totalMs = Math.round(performance.now() - start);
    logger.log('info', 'aggregation finished', { root: plan.expectedRoot, totalMs });
    return {
      proof: root.proof,
      publicInputs: got,
      root: plan.expectedRoot,
      excludedMask: plan.excludedMask,
      invalidSlots: report.invalidSlots,
      stats: { jobs: result.stats, precheckMs: report.totalMs, totalMs },
    };
  });
}
