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

/** A random 20-byte address. */
export function randomAddress(rand: () => number): Hex {
  return `0x${Buffer.from(randomBytes(rand, 20)).toString('hex')}`;
}

export function randomRollup(rand: () => number, publicInputCount?: number): RollupProof {
  const n = publicInputCount ?? [1, 2, 4][Math.floor(rand() * 3)]!;
  return {
    vk: randomBytes(rand, 64),
    vkHash: randomField(rand),
    owner: randomAddress(rand),
    proof: randomBytes(rand, 96),
    publicInputs: Array.from({ length: n }, () => randomField(rand)),
  };
}

/** A batch whose slot i holds a proof when bit i of `includedMask` is set, otherwise empty or excluded at random. */
export function batchFromMask(rand: () => number, capacity: number, includedMask: bigint): Batch {
  const slots: Slot[] = [];
  for (let i = 0; i < capacity; i++) {
    if ((includedMask >> BigInt(i)) & 1n) slots.push({ kind: 'proof', rollup: randomRollup(rand) });
    else slots.push(rand() < 0.5 ? { kind: 'empty' } : { kind: 'excluded' });
  }
  return { capacity, slots };
}

export const PROVER: Hex = '0x00000000000000000000000000000000000a11ce';
/** A key-set root stand-in (the unit tests never verify proofs). */
export const KEY_SET: Hex = '0x00000000000000000000000000000000000000000000000000000000000005e7';

/** Random 32-byte words, each a canonical field element (top byte < 0x30). */
function canonicalWords(rand: () => number, words: number): Uint8Array {
  const b = randomBytes(rand, words * 32);
  for (let i = 0; i < b.length; i += 32) b[i] = b[i]! % 0x30;
  return b;
}

/** A random rollup proof of the real shape (115-field key, 458-field proof, canonical words); it does not verify. */
export function shapedRollup(rand: () => number, publicInputCount?: number): RollupProof {
  return { ...randomRollup(rand, publicInputCount), vk: canonicalWords(rand, 115), proof: canonicalWords(rand, 458) };
}

/** A batch like batchFromMask whose proofs have the real shape (for the pre-check, which checks shapes first). */
export function shapedBatch(rand: () => number, capacity: number, includedMask: bigint): Batch {
  const b = batchFromMask(rand, capacity, includedMask);
  return {
    capacity,
    slots: b.slots.map((s) => (s.kind === 'proof' ? { kind: 'proof', rollup: shapedRollup(rand, s.rollup.publicInputs.length) } : s)),
  };
}
