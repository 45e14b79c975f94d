// Pure planning: turns a batch into the proving tree (jobs with stable ids and dependencies).
//
// Shape (engine-api.md): a binary tree over `capacity` slots. Each included slot is a leaf job; each
// MAXIMAL all-zero subtree (empty/excluded slots only) is covered by one pad job of its height; every
// other subtree is a node job combining its two children. The root is always a node, proven with the
// `evm` target; every other job uses `noir-recursive`.
//
// Ids: `L<slot>` (leaf), `P<index>@h<height>` (pad covering slots index*2^h .. (index+1)*2^h - 1),
// `N<height>.<index>` (node at that height and index; the root is `N<log2 capacity>.0`).
import { hashPair, LEAF_FOR_PUBLIC_INPUTS, SUPPORTED_PUBLIC_INPUT_COUNTS, zeroSubtree } from '../protocol/index.js';
import type { AggCircuit, Hex, ProofTarget } from './backend.js';
import { type Batch, BatchError, slotDigest, validateBatch, excludedMask } from './batch.js';

interface JobBase {
  readonly id: string;
  readonly circuit: AggCircuit;
  /** Subtree height: 0 for leaves, h for pads and nodes. Progress "levels" are heights. */
  readonly height: number;
  /** Index of the covered subtree among subtrees of this height. */
  readonly index: number;
  /** Expected Merkle root of the covered subtree (the proof's root public input). */
  readonly root: Hex;
  readonly target: ProofTarget;
  /** Ids of the jobs whose proofs this job consumes (in order). */
  readonly deps: readonly string[];
}
export interface LeafJob extends JobBase {
  readonly kind: 'leaf';
  readonly slot: number;
}
export interface PadJob extends JobBase {
  readonly kind: 'pad';
}
export interface NodeJob extends JobBase {
  readonly kind: 'node';
  readonly deps: readonly [string, string];
}
export type Job = LeafJob | PadJob | NodeJob;

export interface Plan {
  readonly capacity: number;
  /** log2(capacity): the root's height. */
  readonly depth: number;
  /** Jobs in a dependency-respecting order (children before parents, left before right). */
  readonly jobs: readonly Job[];
  readonly rootJobId: string;
  /** The batch root of the commitment format (what the root proof must commit). */
  readonly expectedRoot: Hex;
  readonly excludedMask: number;
  readonly includedSlots: readonly number[];
}

export function leafCircuitFor(publicInputCount: number): AggCircuit {
  const circuit = LEAF_FOR_PUBLIC_INPUTS[publicInputCount];
  if (!circuit) {
    throw new BatchError(`no leaf circuit for ${publicInputCount} public inputs (supported: ${SUPPORTED_PUBLIC_INPUT_COUNTS.join(', ')})`);
  }
  return circuit;
}

export const leafId = (slot: number): string => `L${slot}`;
export const padId = (index: number, height: number): string => `P${index}@h${height}`;
export const nodeId = (height: number, index: number): string => `N${height}.${index}`;

/** Builds the proving plan. Throws BatchError for invalid batches or batches with nothing to prove. */
export function planBatch(batch: Batch): Plan {
  validateBatch(batch);
  const { capacity, slots } = batch;
  const depth = Math.log2(capacity);
  const digests = slots.map(slotDigest);
  const includedSlots = digests.flatMap((d, i) => (d === null ? [] : [i]));
  if (includedSlots.length === 0) throw new BatchError('batch has no included slot: nothing to aggregate');
  // Validate public-input counts up front so the error names the slot.
  for (const i of includedSlots) {
    const s = slots[i]!;
    if (s.kind === 'proof') {
      try {
        leafCircuitFor(s.rollup.publicInputs.length);
      } catch (err) {
        throw new BatchError(`slot ${i}: ${(err as Error).message}`);
      }
    }
  }

  const jobs: Job[] = [];
  // Returns the job id covering subtree (height, index) and its root.
  const build = (height: number, index: number): { id: string; root: Hex } => {
    const first = index << height;
    const last = first + (1 << height);
    const allZero = digests.slice(first, last).every((d) => d === null);
    if (allZero) {
      const job: PadJob = {
        kind: 'pad',
        id: padId(index, height),
        circuit: 'pad',
        height,
        index,
        root: zeroSubtree(height),
        target: 'noir-recursive',
        deps: [],
      };
      jobs.push(job);
      return job;
    }
    if (height === 0) {
      const s = slots[index]!;
      if (s.kind !== 'proof') throw new Error('unreachable: non-zero leaf without proof');
      const job: LeafJob = {
        kind: 'leaf',
        id: leafId(index),
        circuit: leafCircuitFor(s.rollup.publicInputs.length),
        height,
        index,
        slot: index,
        root: digests[index]!,
        target: 'noir-recursive',
        deps: [],
      };
      jobs.push(job);
      return job;
    }
    const left = build(height - 1, 2 * index);
    const right = build(height - 1, 2 * index + 1);
    const job: NodeJob = {
      kind: 'node',
      id: nodeId(height, index),
      circuit: 'node',
      height,
      index,
      root: hashPair(left.root, right.root),
      target: height === depth ? 'evm' : 'noir-recursive',
      deps: [left.id, right.id],
    };
    jobs.push(job);
    return job;
  };
  const root = build(depth, 0);
  return { capacity, depth, jobs, rootJobId: root.id, expectedRoot: root.root, excludedMask: excludedMask(batch), includedSlots };
}

/** Number of jobs per height (progress: "level k of n"). */
export function jobsPerLevel(plan: Plan): number[] {
  const counts = new Array<number>(plan.depth + 1).fill(0);
  for (const j of plan.jobs) counts[j.height] = (counts[j.height] ?? 0) + 1;
  return counts;
}
