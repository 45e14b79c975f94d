import { bytesToHex, hexToBytes, type Address, type Hex } from 'viem';
import type { Batch, Slot } from '../../engine/batch.js';
import { aggregateBatch, precheckBatch, type ProgressEvent, type QueueOption } from '../../engine/index.js';
import type { Logger as EngineLogger } from '../../engine/logger.js';
import type { Logger } from '../obs/logger.js';
import type { SlotFetch } from './inputs.js';

export interface ProveRequest {
  readonly batchId: bigint;
  readonly capacity: number;
  /** One entry per filled slot (0..count-1); not-ok slots are excluded. */
  readonly slots: readonly SlotFetch[];
  readonly prover: Address;
  readonly checkpointDir: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (e: ProgressEvent) => void;
}

export interface ProveResult {
  readonly proof: Hex;
  readonly excludedMask: number;
  /** Slots excluded because their data was missing or their proof failed the pre-check. */
  readonly excludedSlots: number[];
  readonly jobs: { circuit: string; ms: number; fromCheckpoint: boolean }[];
  readonly totalMs: number;
}

/** The keeper's view of the prover engine (a seam: tests and other engines plug in here). */
export interface BatchProver {
  /** Slots whose proofs verify against their vk (milliseconds each after a bb start-up). */
  validSlots(capacity: number, slots: readonly SlotFetch[]): Promise<number[]>;
  prove(req: ProveRequest): Promise<ProveResult>;
}

/** Engine-format batch: proofs for ok slots, `excluded` for bad ones, `empty` after the fill. */
export function toEngineBatch(capacity: number, slots: readonly SlotFetch[]): Batch {
  const out: Slot[] = [];
  for (let i = 0; i < capacity; i++) {
    const s = slots.find((x) => x.slot === i);
    if (!s) out.push({ kind: 'empty' });
    else if (!s.ok) out.push({ kind: 'excluded' });
    else {
      out.push({
        kind: 'proof',
        rollup: { vk: hexToBytes(s.input.vk), vkHash: s.input.programId, proof: hexToBytes(s.input.proof), publicInputs: s.input.publicInputs },
      });
    }
  }
  return { capacity, slots: out };
}

function engineLogger(log: Logger): EngineLogger {
  return { log: (level, msg, fields) => log[level](msg, fields) };
}

/**
 * The real engine (prover/engine): native bb, dev or Ignition SRS, worker processes, checkpoints.
 * With `queue` the tree is proven by `nex worker` processes through that queue (docs/operator.md).
 */
export function engineBatchProver(opts: { workers: number; log: Logger; srs?: 'dev' | 'ignition'; queue?: string | QueueOption | undefined }): BatchProver {
  const logger = engineLogger(opts.log);
  const backend = { srs: opts.srs };
  return {
    async validSlots(capacity, slots) {
      const report = await precheckBatch({ batch: toEngineBatch(capacity, slots), backend, logger });
      return report.checks.filter((c) => c.valid).map((c) => c.slot);
    },
    async prove(req) {
      const batch = toEngineBatch(req.capacity, req.slots);
      const res = await aggregateBatch({
        batch, prover: req.prover, checkpointDir: req.checkpointDir, parallelism: opts.workers, autoExclude: true,
        signal: req.signal, onProgress: req.onProgress, logger, backend, queue: opts.queue,
      });
      const fetchExcluded = req.slots.filter((s) => !s.ok).map((s) => s.slot);
      return {
        proof: bytesToHex(res.proof),
        excludedMask: res.excludedMask,
        excludedSlots: [...new Set([...fetchExcluded, ...res.invalidSlots])].sort((a, b) => a - b),
        jobs: res.stats.jobs.map((j) => ({ circuit: j.circuit, ms: j.ms, fromCheckpoint: j.fromCheckpoint })),
        totalMs: res.stats.totalMs,
      };
    },
  };
}
