/**
 * The version-2 batch tree (spec V2.3, docs/protocol.md "Commitment format"): capacities 4..64, zero leaves
 * for empty and excluded slots, `parent = keccak256(left || right)`, zero subtrees `Z_0 = 0`,
 * `Z_{h+1} = keccak256(Z_h || Z_h)`, inclusion paths (bottom first) and the 4 public inputs of an
 * aggregation proof `[rootHi, rootLo, uint160(prover), keySet]`.
 */
import type { Address, Hex } from 'viem';
import { hashPair, splitRoot, ZERO_LEAF } from '../commitment.js';
import { CommitmentError } from '../commitmentError.js';
import { addressToField, assertWord } from '../field.js';
import { MAX_CAPACITY, MAX_PAD_HEIGHT, MIN_CAPACITY } from './constants.js';

/** An excluded-slot mask: bit i set = slot i excluded (uint64 on chain). */
export type SlotMask = bigint | number;

/** True when `capacity` is a power of two in [4, 64]. */
export function isValidCapacity(capacity: number): boolean {
  return Number.isInteger(capacity) && capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY && (capacity & (capacity - 1)) === 0;
}

/** The capacity of a posted batch of `count` statements: the smallest power of two >= max(4, count). */
export function capacityFor(count: number): number {
  if (!Number.isInteger(count) || count < 0 || count > MAX_CAPACITY)
    throw new CommitmentError(`${count} statements do not fit a batch (0..${MAX_CAPACITY})`);
  let capacity = MIN_CAPACITY;
  while (capacity < count) capacity <<= 1;
  return capacity;
}

/** log2(capacity): the length of an inclusion path. */
export function depthOf(capacity: number): number {
  if (!isValidCapacity(capacity)) throw new CommitmentError(`invalid capacity ${capacity}`);
  return Math.log2(capacity);
}

/** Z_height, the root of 2^height zero leaves; height in 0..6. */
export function zeroSubtree(height: number): Hex {
  if (!Number.isInteger(height) || height < 0 || height > MAX_PAD_HEIGHT) {
    throw new CommitmentError(`zero-subtree height ${height} not in 0..${MAX_PAD_HEIGHT}`);
  }
  let z = ZERO_LEAF;
  for (let h = 0; h < height; h++) z = hashPair(z, z);
  return z;
}

function maskOf(mask: SlotMask): bigint {
  const m = BigInt(mask);
  if (m < 0n || m >= 1n << 64n) throw new CommitmentError(`excludedMask ${mask} is not a uint64`);
  return m;
}

/**
 * The leaves of a batch tree: `digests[i]` for each filled slot not in `excludedMask`, the zero leaf for
 * excluded and empty slots, `capacity` leaves in all.
 */
export function batchLeaves(digests: readonly Hex[], capacity: number, excludedMask: SlotMask = 0n): Hex[] {
  if (!isValidCapacity(capacity)) throw new CommitmentError(`invalid capacity ${capacity}`);
  if (digests.length > capacity) throw new CommitmentError(`${digests.length} digests exceed capacity ${capacity}`);
  const mask = maskOf(excludedMask);
  if (mask >> BigInt(digests.length) !== 0n)
    throw new CommitmentError(`excludedMask ${mask} covers slots beyond the ${digests.length} filled`);
  return Array.from({ length: capacity }, (_, i) => {
    const digest = digests[i];
    if (digest === undefined || ((mask >> BigInt(i)) & 1n) === 1n) return ZERO_LEAF;
    return assertWord(digest, `digests[${i}]`);
  });
}

/** Every level of the tree over `leaves` (4..64 of them, a power of two): level 0 the leaves, the last the root. */
export function treeLevels(leaves: readonly Hex[]): Hex[][] {
  if (!isValidCapacity(leaves.length)) throw new CommitmentError(`invalid leaf count ${leaves.length}`);
  const levels = [leaves.map((l, i) => assertWord(l, `leaves[${i}]`))];
  for (let level = levels[0]!; level.length > 1;) {
    const next: Hex[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i]!, level[i + 1]!));
    levels.push(next);
    level = next;
  }
  return levels;
}

/** Root of the binary keccak tree over `leaves` (4..64 of them, a power of two). */
export function merkleRoot(leaves: readonly Hex[]): Hex {
  const levels = treeLevels(leaves);
  return levels[levels.length - 1]![0]!;
}

/** The root of a batch with these slot digests (in slot order), the slots of `excludedMask` zeroed. */
export function batchRoot(digests: readonly Hex[], capacity: number, excludedMask: SlotMask = 0n): Hex {
  return merkleRoot(batchLeaves(digests, capacity, excludedMask));
}

/** The inclusion path of slot `index` in the tree over `leaves`: its siblings, bottom first. */
export function inclusionPath(leaves: readonly Hex[], index: number): Hex[] {
  const levels = treeLevels(leaves);
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
    throw new CommitmentError(`slot ${index} is not in a tree of ${leaves.length}`);
  const siblings: Hex[] = [];
  for (let h = 0, i = index; h < levels.length - 1; h++, i >>= 1) siblings.push(levels[h]![i ^ 1]!);
  return siblings;
}

/** The root a leaf at `index` walks up to along `siblings` (bottom first); what `isVerified` checks. */
export function walkPath(leaf: Hex, index: number, siblings: readonly Hex[]): Hex {
  if (siblings.length > MAX_PAD_HEIGHT || !Number.isInteger(index) || index < 0 || index >= 2 ** siblings.length) {
    throw new CommitmentError(`slot ${index} has no path of length ${siblings.length}`);
  }
  let node = assertWord(leaf, 'leaf');
  siblings.forEach((s, h) => {
    const sibling = assertWord(s, `siblings[${h}]`);
    node = ((index >> h) & 1) === 0 ? hashPair(node, sibling) : hashPair(sibling, node);
  });
  return node;
}

/**
 * Public inputs of a version-2 aggregation proof: `[rootHi, rootLo, uint160(prover), keySet]`, `keySet` the
 * Poseidon2 root of the version's aggregation key hashes that the router pins.
 */
export function aggregationPublicInputs(root: Hex, prover: Address | string, keySet: Hex): Hex[] {
  return [...splitRoot(root), addressToField(prover), assertWord(keySet, 'keySet')];
}
