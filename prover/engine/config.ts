// Engine options and their validation at the API boundary.
import os from 'node:os';
import path from 'node:path';
import type { BackendOptions, Hex } from './backend.js';
import { type Batch, BatchError, validateBatch, validateProver } from './batch.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { ProgressEvent } from './scheduler.js';
import type { QueueOption } from './queue/index.js';

export interface PrecheckOptions {
  batch: Batch;
  backend?: BackendOptions | undefined;
  logger?: Logger | undefined;
}

export interface AggregateOptions extends PrecheckOptions {
  /** The prover credited with the fulfilment (a public input of the root). */
  prover: Hex;
  /**
   * Worker processes proving jobs at once. Default 1: bb is multi-threaded and already uses every core,
   * so on a 2-core machine two workers only split the cores and double the peak memory.
   */
  parallelism?: number | undefined;
  /** Where checkpoints go (<dir>/<batchKey>/<jobId>.json). Default: <os tmpdir>/nex-prover-checkpoints. */
  checkpointDir?: string | undefined;
  /** Turn slots that fail the pre-check into excluded slots (default true); if false, an invalid slot fails the call. */
  autoExclude?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  /**
   * Prove through a BullMQ queue (Redis URL, or settings) with `nex worker` processes on any machine,
   * instead of local worker processes (`parallelism` is then unused). Default: in-process.
   */
  queue?: string | QueueOption | undefined;
}

export interface ResolvedAggregateOptions {
  batch: Batch;
  prover: Hex;
  parallelism: number;
  checkpointDir: string;
  autoExclude: boolean;
  backend: BackendOptions;
  logger: Logger;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  /** Validated by the queue module (resolveQueueOption) at the start of aggregateBatch. */
  queue?: string | QueueOption | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CHECKPOINT_DIR = path.join(os.tmpdir(), 'nex-prover-checkpoints');

function resolveBackend(b: BackendOptions | undefined): BackendOptions {
  if (b === undefined) return {};
  if (typeof b !== 'object' || b === null) throw new ConfigError('backend must be an object');
  for (const key of ['buildDir', 'srsDir'] as const) {
    if (b[key] !== undefined && (typeof b[key] !== 'string' || b[key] === '')) throw new ConfigError(`backend.${key} must be a non-empty path`);
  }
  if (b.threads !== undefined && (!Number.isInteger(b.threads) || b.threads < 1)) {
    throw new ConfigError('backend.threads must be an integer >= 1');
  }
  return { buildDir: b.buildDir, srsDir: b.srsDir, threads: b.threads };
}

function rethrow(err: unknown): never {
  if (err instanceof BatchError) throw new ConfigError(err.message);
  throw err;
}

export function resolvePrecheckOptions(o: PrecheckOptions): { batch: Batch; backend: BackendOptions; logger: Logger } {
  if (typeof o !== 'object' || o === null) throw new ConfigError('options must be an object');
  try {
    validateBatch(o.batch);
  } catch (err) {
    rethrow(err);
  }
  return { batch: o.batch, backend: resolveBackend(o.backend), logger: o.logger ?? silentLogger };
}

export function resolveAggregateOptions(o: AggregateOptions): ResolvedAggregateOptions {
  const base = resolvePrecheckOptions(o);
  try {
    validateProver(o.prover);
  } catch (err) {
    rethrow(err);
  }
  const parallelism = o.parallelism ?? 1;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 16) {
    throw new ConfigError(`parallelism must be an integer in 1..16, got ${String(o.parallelism)}`);
  }
  if (o.checkpointDir !== undefined && (typeof o.checkpointDir !== 'string' || o.checkpointDir === '')) {
    throw new ConfigError('checkpointDir must be a non-empty path');
  }
  if (o.autoExclude !== undefined && typeof o.autoExclude !== 'boolean') throw new ConfigError('autoExclude must be a boolean');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new ConfigError('onProgress must be a function');
  return {
    ...base,
    prover: o.prover.toLowerCase() as Hex,
    parallelism,
    checkpointDir: path.resolve(o.checkpointDir ?? DEFAULT_CHECKPOINT_DIR),
    autoExclude: o.autoExclude ?? true,
    signal: o.signal,
    onProgress: o.onProgress,
    queue: o.queue,
  };
}
