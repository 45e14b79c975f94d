// Engine options and their validation at the API boundary.
import os from 'node:os';
import path from 'node:path';
import type { BackendOptions, Hex } from './backend.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backendHandle.js';
import { type Batch, BatchError, validateBatch, validateProver } from './batch.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { PrecheckReport } from './precheck.js';
import type { QueueOption } from './queue/index.js';
import type { ProgressEvent } from './scheduler.js';
import { NexError } from '../protocol/index.js';

export interface PrecheckOptions {
  batch: Batch;
  backend?: BackendOptions | undefined;
  logger?: Logger | undefined;
  /**
   * How the engine's own bb calls (pre-check, root verification) are retried when bb fails to answer:
   * tries per call (default 3), time limit per try (default 120 s), pause between tries (default 1 s).
   */
  retry?: Partial<RetryPolicy> | undefined;
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
  /**
   * The report of an earlier `precheckBatch` of this batch (e.g. the keeper's, made before it locked):
   * slots whose content is unchanged keep their check instead of being verified again; any other proof
   * slot is checked as usual. Default: every proof is checked.
   */
  prechecked?: PrecheckReport | undefined;
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
  retry: RetryPolicy;
  prover: Hex;
  parallelism: number;
  checkpointDir: string;
  autoExclude: boolean;
  prechecked?: PrecheckReport | undefined;
  backend: BackendOptions;
  logger: Logger;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  /** Validated by the queue module (resolveQueueOption) at the start of aggregateBatch. */
  queue?: string | QueueOption | undefined;
}

export class ConfigError extends NexError {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CHECKPOINT_DIR = path.join(os.tmpdir(), 'nex-prover-checkpoints');

/** Validates backend options and passes every one through (the SRS choice included: dev or ignition). */
export function resolveBackend(b: BackendOptions | undefined): BackendOptions {
  if (b === undefined) return {};
  if (typeof b !== 'object' || b === null) throw new ConfigError('backend must be an object');
  for (const key of ['buildDir', 'srsDir'] as const) {
    if (b[key] !== undefined && (typeof b[key] !== 'string' || b[key] === ''))
      throw new ConfigError(`backend.${key} must be a non-empty path`);
  }
  if (b.threads !== undefined && (!Number.isInteger(b.threads) || b.threads < 1)) {
    throw new ConfigError('backend.threads must be an integer >= 1');
  }
  if (b.srs !== undefined && b.srs !== 'dev' && b.srs !== 'ignition')
    throw new ConfigError(`backend.srs must be 'dev' or 'ignition', got ${JSON.stringify(b.srs)}`);
  return { buildDir: b.buildDir, srs: b.srs, srsDir: b.srsDir, threads: b.threads };
}

function resolveRetry(r: Partial<RetryPolicy> | undefined): RetryPolicy {
  if (r === undefined) return DEFAULT_RETRY_POLICY;
  if (typeof r !== 'object' || r === null) throw new ConfigError('retry must be an object');
  const out = { ...DEFAULT_RETRY_POLICY, ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) } as RetryPolicy;
  if (!Number.isInteger(out.attempts) || out.attempts < 1 || out.attempts > 10)
    throw new ConfigError('retry.attempts must be an integer in 1..10');
  for (const key of ['timeoutMs', 'delayMs'] as const) {
    if (!Number.isInteger(out[key]) || out[key] < 0) throw new ConfigError(`retry.${key} must be an integer >= 0`);
  }
  if (out.timeoutMs < 1) throw new ConfigError('retry.timeoutMs must be at least 1');
  return out;
}

function rethrow(err: unknown): never {
  if (err instanceof BatchError) throw new ConfigError(err.message);
  throw err;
}

export function resolvePrecheckOptions(o: PrecheckOptions): { batch: Batch; backend: BackendOptions; logger: Logger; retry: RetryPolicy } {
  if (typeof o !== 'object' || o === null) throw new ConfigError('options must be an object');
  try {
    validateBatch(o.batch);
  } catch (err) {
    rethrow(err);
  }
  return { batch: o.batch, backend: resolveBackend(o.backend), logger: o.logger ?? silentLogger, retry: resolveRetry(o.retry) };
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
  if (o.prechecked !== undefined) validatePrecheckReport(o.prechecked);
  return {
    ...base,
    prover: o.prover.toLowerCase() as Hex,
    parallelism,
    checkpointDir: path.resolve(o.checkpointDir ?? DEFAULT_CHECKPOINT_DIR),
    autoExclude: o.autoExclude ?? true,
    prechecked: o.prechecked,
    signal: o.signal,
    onProgress: o.onProgress,
    queue: o.queue,
  };
}

function validatePrecheckReport(r: PrecheckReport): void {
  if (typeof r !== 'object' || r === null || !Array.isArray(r.checks))
    throw new ConfigError('prechecked must be a pre-check report with a checks array');
  r.checks.forEach((c, i) => {
    const ok =
      typeof c === 'object' &&
      c !== null &&
      Number.isInteger(c.slot) &&
      typeof c.valid === 'boolean' &&
      typeof c.digest === 'string' &&
      /^0x[0-9a-fA-F]{64}$/.test(c.digest);
    if (!ok) throw new ConfigError(`prechecked.checks[${i}] must have an integer slot, a boolean valid and a 32-byte digest`);
  });
}
