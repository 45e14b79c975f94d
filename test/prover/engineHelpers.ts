// Shared helpers of the engine unit tests: seeded randomness and synthetic batches. The rollup proofs
// here are random bytes: the planner and scheduler never look inside them.
import type { Batch, Hex, RollupProof, Slot } from '../../prover/engine/index.js';

/** mulberry32: a small deterministic PRNG so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}

/** A random canonical field element (top byte < 0x30 keeps it below r). */
export function randomField(rand: () => number): Hex {
  const b = randomBytes(rand, 32);
  b[0] = b[0]! % 0x30;
  return `0x${Buffer.from(b).toString('hex')}`;
}

export function randomRollup(rand: () => number, publicInputCount?: number): RollupProof {
  const n = publicInputCount ?? [1, 2, 4][Math.floor(rand() * 3)]!;
  return {
    vk: randomBytes(rand, 64),
    vkHash: randomField(rand),
    proof: randomBytes(rand, 96),
    publicInputs: Array.from({ length: n }, () => randomField(rand)),
  };
}

/** A batch whose slot i holds a proof when bit i of `includedMask` is set, otherwise empty or excluded at random. */
export function batchFromMask(rand: () => number, capacity: number, includedMask: number): Batch {
  const slots: Slot[] = [];
  for (let i = 0; i < capacity; i++) {
    if ((includedMask >>> i) & 1) slots.push({ kind: 'proof', rollup: randomRollup(rand) });
    else slots.push(rand() < 0.5 ? { kind: 'empty' } : { kind: 'excluded' });
  }
  return { capacity, slots };
}

export const PROVER: Hex = '0x00000000000000000000000000000000000a11ce';
export const KEY_HASHES = {
  leaf1: '0x0000000000000000000000000000000000000000000000000000000000000011',
  leaf2: '0x0000000000000000000000000000000000000000000000000000000000000012',
  leaf4: '0x0000000000000000000000000000000000000000000000000000000000000014',
  pad: '0x0000000000000000000000000000000000000000000000000000000000000020',
  node: '0x0000000000000000000000000000000000000000000000000000000000000030',
} as const satisfies Record<string, Hex>;
