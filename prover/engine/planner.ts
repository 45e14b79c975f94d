// Pure planning: turns a batch into the proving tree of version 2 (jobs with stable ids and dependencies).
//
// Shape (docs/prover.md, "The tree"; specification V2.4): the batch's 2^d slots form 2^(d-1) height-1
// units (pairs of slots). A unit with two included proofs is one pair leaf `leaf_a_b`; a unit with one is
// one single leaf `leaf_a` with its side bit; every MAXIMAL all-zero subtree (height >= 1, empty or
// excluded slots only) is one pad of its height; every other subtree is a node over its two children. The
// root is the node at height d, proven for `evm-no-zk`; every other job is proven for
// `noir-recursive-no-zk` (a node verifies it).
//
// Ids: `L<slot>` (single leaf of that slot), `L<left>.<right>` (pair leaf of two slots), `P<index>@h<h>`
// (pad covering slots index*2^h .. (index+1)*2^h - 1), `N<h>.<index>` (node; the root is `N<d>.0`).
import { hashPair, pairLeafFor, singleLeafFor, ZERO_LEAF, zeroSubtree } from '../protocol/index.js';
import type { AggCircuit, AggTarget, Hex } from './backend.js';
import { type Batch, BatchError, excludedMask, slotDigest, validateBatch } from './batch.js';

interface JobBase {
  readonly id: string;
  readonly circuit: AggCircuit;
  /** Subtree height: 1 for leaves, h >= 1 for pads, h >= 2 for nodes. Progress levels are height - 1. */
  readonly height: number;
  /** Index of the covered subtree among subtrees of this height. */
  readonly index: number;
  /** Expected batch-tree value of the covered subtree (the proof's root public inputs). */
  readonly root: Hex;
  readonly target: AggTarget;
  /** Ids of the jobs whose proofs this job consumes (in order). */
  readonly deps: readonly string[];
}
export interface LeafJob extends JobBase {
  readonly kind: 'leaf';
  /** The included slots of the unit, ascending: one (single leaf; its sibling is zero) or two (pair leaf). */
  readonly slots: readonly number[];
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
  readonly excludedMask: bigint;
  readonly includedSlots: readonly number[];
}

export const singleLeafId = (slot: number): string => `L${slot}`;
export const pairLeafId = (left: number, right: number): string => `L${left}.${right}`;
export const padId = (index: number, height: number): string => `P${index}@h${height}`;
export const nodeId = (height: number, index: number): string => `N${height}.${index}`;

/** Whether a leaf job is a single leaf whose included slot is the right one of its pair. */
export function isRightSingle(job: LeafJob): boolean {
  return job.slots.length === 1 && (job.slots[0]! & 1) === 1;
}

/** Builds the proving plan. Throws BatchError for invalid batches or batches with nothing to prove. */
export function planBatch(batch: Batch): Plan {
  validateBatch(batch);
  const { capacity, slots } = batch;
  const depth = Math.log2(capacity);
  const digests = slots.map(slotDigest);
  const includedSlots = digests.flatMap((d, i) => (d === null ? [] : [i]));
  if (includedSlots.length === 0) throw new BatchError('batch has no included slot: nothing to aggregate');
  const count = (slot: number): number => (slots[slot] as { rollup: { publicInputs: unknown[] } }).rollup.publicInputs.length;
  // Validate public-input counts up front so the error names the slot.
  for (const i of includedSlots) {
    try {
      singleLeafFor(count(i));
    } catch (err) {
      throw new BatchError(`slot ${i}: ${(err as Error).message}`);
    }
  }

  const jobs: Job[] = [];
  const leaf = (pair: number): LeafJob => {
    const [l, r] = [2 * pair, 2 * pair + 1];
    const [dl, dr] = [digests[l]!, digests[r]!];
    const common = { kind: 'leaf', height: 1, index: pair, target: 'noir-recursive-no-zk', deps: [] } as const;
    if (dl !== null && dr !== null) {
      return { ...common, id: pairLeafId(l, r), circuit: pairLeafFor(count(l), count(r)).circuit, slots: [l, r], root: hashPair(dl, dr) };
    }
    const slot = dl !== null ? l : r;
    const root = dl !== null ? hashPair(dl, ZERO_LEAF) : hashPair(ZERO_LEAF, dr!);
    return { ...common, id: singleLeafId(slot), circuit: singleLeafFor(count(slot)), slots: [slot], root };
  };
  // Returns the job covering subtree (height, index), height >= 1.
  const build = (height: number, index: number): Job => {
    const first = index << height;
    const allZero = digests.slice(first, first + (1 << height)).every((d) => d === null);
    let job: Job;
    if (allZero) {
      job = {
        kind: 'pad',
        id: padId(index, height),
        circuit: 'pad',
        height,
        index,
        root: zeroSubtree(height),
        target: 'noir-recursive-no-zk',
        deps: [],
      };
    } else if (height === 1) {
      job = leaf(index);
    } else {
      const left = build(height - 1, 2 * index);
      const right = build(height - 1, 2 * index + 1);
      job = {
        kind: 'node',
        id: nodeId(height, index),
        circuit: 'node',
        height,
        index,
        root: hashPair(left.root, right.root),
        target: height === depth ? 'evm-no-zk' : 'noir-recursive-no-zk',
        deps: [left.id, right.id],
      };
    }
    jobs.push(job);
    return job;
  };
  const root = build(depth, 0);
  return { capacity, depth, jobs, rootJobId: root.id, expectedRoot: root.root, excludedMask: excludedMask(batch), includedSlots };
}

/** Number of jobs per progress level (level = height - 1: level 0 holds the leaves, level depth - 1 the root). */
export function jobsPerLevel(plan: Plan): number[] {
  const counts = new Array<number>(plan.depth).fill(0);
  for (const j of plan.jobs) counts[j.height - 1] = (counts[j.height - 1] ?? 0) + 1;
  return counts;
}
