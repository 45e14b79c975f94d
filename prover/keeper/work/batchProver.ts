import { bytesToHex, hexToBytes, type Address, type Hex } from 'viem';
import {
  aggregateBatch,
  BatchError,
  keySetRoot,
  loadAggregationArtifacts,
  openSrs,
  precheckBatch,
  srsIdOf,
  type Batch,
  type Logger as EngineLogger,
  type PrecheckReport,
  type ProgressEvent,
  type QueueOption,
  type Slot,
} from '../../engine/index.js';
import { NexError } from '../../protocol/index.js';
import type { SrsMode } from '../config/config.js';
import type { Logger } from '../obs/logger.js';
import type { SlotFetch } from './inputs.js';

export interface ProveRequest {
  readonly batchId: bigint;
  readonly capacity: number;
  /** One entry per filled slot (0..count-1); not-ok slots are excluded. */
  readonly slots: readonly SlotFetch[];
  /** The statement digest of every filled slot (the batch's content), in slot order. */
  readonly digests: readonly Hex[];
  readonly prover: Address;
  readonly checkpointDir: string;
  /** The pre-lock check of these slots: its checks are reused for unchanged slots (no second bb verify). */
  readonly prechecked?: PrecheckReport | undefined;
  readonly signal?: AbortSignal;
  readonly onProgress?: (e: ProgressEvent) => void;
}

/** Aggregation finished: the root proof and the slots it leaves out. */
export interface Proved {
  readonly kind: 'proved';
  readonly proof: Hex;
  /** Bit i = slot i excluded (the market's uint64 mask). */
  readonly excludedMask: bigint;
  /** Slots excluded: data unusable, pre-check verdict, or a leaf that failed for its inputs. */
  readonly excludedSlots: number[];
  readonly jobs: { circuit: string; ms: number; fromCheckpoint: boolean }[];
  readonly totalMs: number;
}

/** Every slot was excluded by a verdict: nothing to aggregate (the locker closes the batch). */
export interface NothingProvable {
  readonly kind: 'nothing-provable';
  readonly excludedSlots: number[];
  readonly reason: string;
}

export type ProveResult = Proved | NothingProvable;

/** What the local circuits were built for: the key set the router must pin, and the SRS. */
export interface ProverIdentity {
  readonly keySet: Hex;
  readonly srs: SrsMode;
}

/**
 * The keeper's view of the prover engine (a seam: tests and other engines plug in here). `precheck` and
 * `prove` give verdicts; when the engine fails without one (bb crashed, a socket timed out, a worker
 * died) they throw, and the keeper retries later without excluding anything (#10 item 13).
 */
export interface BatchProver {
  /** Verifies the proofs of the usable slots against their vk (milliseconds each after a bb start-up). */
  precheck(capacity: number, slots: readonly SlotFetch[]): Promise<PrecheckReport>;
  prove(req: ProveRequest): Promise<ProveResult>;
  /** The key set and SRS of the circuits this prover proves with (start-up checks). */
  identity(): Promise<ProverIdentity>;
}

/** The engine failed without a verdict (bb crashed, a socket timed out, a worker died): retry later, exclude nothing. */
export class EngineFailure extends NexError {
  override readonly name = 'EngineFailure';
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
      // Version 2 binds a statement to programId = keccak256(abi.encode(owner, vkHash)): the engine takes both.
      const rollup = {
        vk: hexToBytes(s.input.vk),
        vkHash: s.input.vkHash,
        owner: s.input.owner,
        proof: hexToBytes(s.input.proof),
        publicInputs: s.input.publicInputs,
      };
      out.push({ kind: 'proof', rollup });
    }
  }
  return { capacity, slots: out };
}

function engineLogger(log: Logger): EngineLogger {
  return { log: (level, msg, fields) => log[level](msg, fields) };
}

/** The engine's error when every included slot failed as a leaf (a verdict, not a failure to answer). */
function isNothingLeft(err: unknown): boolean {
  return err instanceof BatchError && /nothing to aggregate/.test(err.message);
}

/**
 * The real engine (prover/engine): native bb, dev or Ignition SRS, worker processes, checkpoints.
 * With `queue` the tree is proven by `nex worker` processes through that queue (docs/operator.md).
 */
export function engineBatchProver(opts: {
  workers: number;
  log: Logger;
  srs: SrsMode;
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
      const fetchExcluded = req.slots.filter((s) => !s.ok).map((s) => s.slot);
      let res;
      try {
        res = await aggregateBatch({
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
      } catch (err) {
        if (!isNothingLeft(err)) throw err;
        return { kind: 'nothing-provable', excludedSlots: req.slots.map((s) => s.slot), reason: (err as Error).message };
      }
      const failed = res.failedSlots;
      return {
        kind: 'proved',
        proof: bytesToHex(res.proof),
        excludedMask: BigInt(res.excludedMask),
        excludedSlots: [...new Set([...fetchExcluded, ...res.invalidSlots, ...failed])].sort((a, b) => a - b),
        jobs: res.stats.jobs.map((j) => ({ circuit: j.circuit, ms: j.ms, fromCheckpoint: j.fromCheckpoint })),
        totalMs: res.stats.totalMs,
      };
    },
    async identity() {
      const srs = await openSrs({ srs: opts.srs });
      // Throws with the fix (`npm run circuits`) when no build for this SRS exists.
      const art = await loadAggregationArtifacts({ srsId: srsIdOf(srs) });
      return { keySet: keySetRoot(art), srs: srs.mode };
    },
  };
}
