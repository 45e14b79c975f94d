import { bytesToHex, hexToBytes, type Address, type Hex } from 'viem';
import {
  aggregateBatch,
  precheckBatch,
  type Batch,
  type Logger as EngineLogger,
  type PrecheckReport,
  type ProgressEvent,
  type QueueOption,
  type Slot,
} from '../../engine/index.js';
import type { Logger } from '../obs/logger.js';
import type { SlotFetch } from './inputs.js';

export interface ProveRequest {
  readonly batchId: bigint;
  readonly capacity: number;
  /** One entry per filled slot (0..count-1); not-ok slots are excluded. */
  readonly slots: readonly SlotFetch[];
  readonly prover: Address;
  readonly checkpointDir: string;
  /** The pre-lock check of these slots: its checks are reused for unchanged slots (no second bb verify). */
  readonly prechecked?: PrecheckReport | undefined;
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
  /** Verifies the proofs of the usable slots against their vk (milliseconds each after a bb start-up). */
  precheck(capacity: number, slots: readonly SlotFetch[]): Promise<PrecheckReport>;
  prove(req: ProveRequest): Promise<ProveResult>;
}

/** Slots whose proofs the report found valid. */
export function validSlotsOf(report: PrecheckReport): number[] {
  return report.checks.filter((c) => c.valid).map((c) => c.slot);
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
        // Version 1's market identifies a program by its vkHash (programId = vkHash).
        rollup: {
          vk: hexToBytes(s.input.vk),
          vkHash: s.input.programId,
          owner: s.input.owner,
          proof: hexToBytes(s.input.proof),
          publicInputs: s.input.publicInputs,
        },
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
export function engineBatchProver(opts: {
  workers: number;
  log: Logger;
  srs?: 'dev' | 'ignition' | undefined;
  queue?: string | QueueOption | undefined;
}): BatchProver {
  const logger = engineLogger(opts.log);
  const backend = { srs: opts.srs };
  return {
    precheck(capacity, slots) {
      return precheckBatch({ batch: toEngineBatch(capacity, slots), backend, logger });
    },
    async prove(req) {
      const batch = toEngineBatch(req.capacity, req.slots);
      const res = await aggregateBatch({
        batch,
        prover: req.prover,
        checkpointDir: req.checkpointDir,
        parallelism: opts.workers,
        autoExclude: true,
        prechecked: req.prechecked,
        signal: req.signal,
        onProgress: req.onProgress,
        logger,
        backend,
        queue: opts.queue,
      });
      const fetchExcluded = req.slots.filter((s) => !s.ok).map((s) => s.slot);
      return {
        proof: bytesToHex(res.proof),
        // Version 1's market takes a uint32 mask (capacity <= 32): exact as a number.
        excludedMask: Number(res.excludedMask),
        excludedSlots: [...new Set([...fetchExcluded, ...res.invalidSlots, ...res.failedSlots])].sort((a, b) => a - b),
        jobs: res.stats.jobs.map((j) => ({ circuit: j.circuit, ms: j.ms, fromCheckpoint: j.fromCheckpoint })),
        totalMs: res.stats.totalMs,
      };
    },
  };
}
