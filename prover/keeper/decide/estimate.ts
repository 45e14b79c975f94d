import type { EngineTuning } from '../config/config.js';
import type { KeeperDb } from '../db/keeperDb.js';

/** Proof jobs of an aggregation tree (the engine's plan: leaves, pads for all-zero subtrees, nodes). */
export interface TreeShape {
  leaves: number;
  pads: number;
  nodes: number;
}

/**
 * The jobs the engine runs for a batch of `capacity` slots where `included` slots carry a proof:
 * a maximal all-zero subtree is one pad proof, a single slot with a proof is a leaf, anything else a
 * node over its two halves. The root is always a node.
 */
export function treeShape(capacity: number, included: readonly number[]): TreeShape {
  const set = new Set(included);
  const shape: TreeShape = { leaves: 0, pads: 0, nodes: 0 };
  const walk = (lo: number, size: number, root: boolean): void => {
    let any = false;
    for (let i = lo; i < lo + size; i++) if (set.has(i)) any = true;
    if (!any && !root) shape.pads++;
    else if (size === 1) shape.leaves++;
    else {
      shape.nodes++;
      walk(lo, size / 2, false);
      walk(lo + size / 2, size / 2, false);
    }
  };
  walk(0, capacity, true);
  return shape;
}

/** Seconds per proof kind: the keeper's own measurements when it has some, else the configured defaults. */
export function provingSpeed(db: KeeperDb, tuning: EngineTuning): { leaf: number; pad: number; node: number; measured: boolean } {
  const leaf = db.getSpeed('leaf');
  const pad = db.getSpeed('pad');
  const node = db.getSpeed('node');
  return {
    leaf: leaf?.seconds ?? tuning.leafSeconds,
    pad: pad?.seconds ?? tuning.padSeconds,
    node: node?.seconds ?? tuning.nodeSeconds,
    measured: leaf !== undefined && node !== undefined,
  };
}

/**
 * Estimated wall-clock seconds to prove a batch. Jobs run one after the other unless there are
 * several workers, which only helps within a tree level (bb already uses every core, so this stays
 * conservative). Also counts fetching and pre-checking (a few seconds per slot).
 */
export function estimateProvingSeconds(shape: TreeShape, speed: { leaf: number; pad: number; node: number }, workers: number): number {
  const sequential = shape.leaves * speed.leaf + shape.pads * speed.pad + shape.nodes * speed.node;
  const overhead = 15 + 2 * shape.leaves;
  return Math.ceil(sequential / Math.max(1, Math.min(workers, 2)) + overhead);
}

/** Gas units of a lock and of a fulfilment of `count` slots (verifier + market bookkeeping + calldata). */
export function gasUnits(count: number, verifyGas: number): { lock: bigint; fulfil: bigint } {
  const calldata = 16n * 11_000n; // ~11 KB root proof
  return { lock: 160_000n, fulfil: BigInt(verifyGas) + 80_000n + 40_000n * BigInt(count) + calldata };
}

/** Fees the prover receives (after the protocol fee) minus the estimated gas cost. */
export function expectedProfit(args: { fees: bigint; protocolFeeBps: number; gasPrice: bigint; gas: bigint }): {
  net: bigint;
  cost: bigint;
  profit: bigint;
} {
  const net = (args.fees * BigInt(10_000 - args.protocolFeeBps)) / 10_000n;
  const cost = args.gas * args.gasPrice;
  return { net, cost, profit: net - cost };
}
