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

/** Upper bounds of version 2's measured bookkeeping (docs/protocol.md, "Gas"), with headroom. */
export const LOCK_GAS = 100_000n; // measured 84,186 (the draw's staking reads, collateral, the lock ring)
export const FULFIL_BOOKKEEPING_GAS = 70_000n; // measured 67,220 beyond the root verify transaction
export const FULFIL_GAS_PER_SLOT = 1_000n; // the proven-slot mask and per-group credits: no storage per proof

/**
 * Gas units of a lock and of a fulfilment of `count` slots: `verifyGas` is the whole root verify
 * transaction (base, the root proof's calldata, the verifier), plus the market's bookkeeping.
 */
export function gasUnits(count: number, verifyGas: number): { lock: bigint; fulfil: bigint } {
  return { lock: LOCK_GAS, fulfil: BigInt(verifyGas) + FULFIL_BOOKKEEPING_GAS + FULFIL_GAS_PER_SLOT * BigInt(count) };
}

/**
 * Fees the prover receives minus the estimated gas cost. `shareBps` is what the market takes out of
 * the fees before the prover: the protocol fee, plus the poster's share on a posted (off-chain) batch.
 */
export function expectedProfit(args: { fees: bigint; shareBps: number; gasPrice: bigint; gas: bigint }): {
  net: bigint;
  cost: bigint;
  profit: bigint;
} {
  const net = (args.fees * BigInt(10_000 - args.shareBps)) / 10_000n;
  const cost = args.gas * args.gasPrice;
  return { net, cost, profit: net - cost };
}
