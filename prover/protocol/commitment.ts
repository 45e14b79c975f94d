/**
 * The NEX commitment format (docs/protocol.md, "Commitment format"): statement digests, batch leaves
 * and Merkle roots, zero subtrees, root halves and the aggregated proof's public inputs. Solidity
 * (contracts/libraries/BatchCommitment.sol) and Noir (prover/circuits/nex_lib) implement the same
 * format; all three are tested against test/vectors/commitment.json (scripts/commitmentVectors.ts).
 */
import { concat, keccak256, type Address, type Hex } from 'viem';
import { CommitmentError } from './commitmentError.js';
import { MAX_CAPACITY, MAX_PAD_HEIGHT, MIN_CAPACITY } from './constants.js';
import { addressToField, assertWord, isCanonicalField, toWord } from './field.js';

/** The zero leaf of an empty or excluded slot (Z_0). */
export const ZERO_LEAF: Hex = `0x${'00'.repeat(32)}`;

const TWO_128 = 1n << 128n;

/** True when `capacity` is a power of two in [MIN_CAPACITY, MAX_CAPACITY] = [2, 32]. */
export function isValidCapacity(capacity: number): boolean {
  return Number.isInteger(capacity) && capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY && (capacity & (capacity - 1)) === 0;
}

/**
 * Statement digest `keccak256(abi.encodePacked(vkHash, publicInputs))`: the hash of the 32-byte words
 * vkHash || pi_0 || ... || pi_{n-1}. Every word must be a canonical field element and there is at
 * least one public input; otherwise CommitmentError.
 */
export function statementDigest(vkHash: Hex, publicInputs: readonly Hex[]): Hex {
  const words = [vkHash, ...publicInputs].map((w, i) => {
    const what = i === 0 ? 'vkHash' : `publicInputs[${i - 1}]`;
    const word = assertWord(w, what);
    if (!isCanonicalField(word)) throw new CommitmentError(`${what} is not canonical`);
    return word;
  });
  if (words.length < 2) throw new CommitmentError('a statement has at least one public input');
  return keccak256(concat(words));
}

/**
 * The leaves of a batch tree: `digests[i]` for each filled slot not in `excludedMask`, the zero leaf for
 * excluded and empty slots, `capacity` leaves in all.
 */
export function batchLeaves(digests: readonly Hex[], capacity: number, excludedMask = 0): Hex[] {
  if (!isValidCapacity(capacity)) throw new CommitmentError(`invalid capacity ${capacity}`);
  if (digests.length > capacity) throw new CommitmentError(`${digests.length} digests exceed capacity ${capacity}`);
  if (excludedMask < 0 || excludedMask >= 2 ** digests.length) {
    throw new CommitmentError(`excludedMask ${excludedMask} covers slots beyond the ${digests.length} filled`);
  }
  return Array.from({ length: capacity }, (_, i) => {
    const digest = digests[i];
    if (digest === undefined || ((excludedMask >>> i) & 1) === 1) return ZERO_LEAF;
    return assertWord(digest, `digests[${i}]`);
  });
}

/** A node of the batch tree: keccak256(left || right), each side a value below 2^256 (padded to 32 bytes). */
export function hashPair(left: Hex, right: Hex): Hex {
  return keccak256(concat([toWord(left), toWord(right)]));
}

/** Root of the binary keccak Merkle tree over `leaves` (2..32 of them, a power of two). */
export function merkleRoot(leaves: readonly Hex[]): Hex {
  if (!isValidCapacity(leaves.length)) throw new CommitmentError(`invalid leaf count ${leaves.length}`);
  let level = leaves.map((l, i) => assertWord(l, `leaves[${i}]`));
  while (level.length > 1) {
    const next: Hex[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(keccak256(concat([level[i] as Hex, level[i + 1] as Hex])));
    level = next;
  }
  return level[0] as Hex;
}

/** Z_height, the root of 2^height zero leaves: Z_0 = bytes32(0), Z_{h+1} = keccak256(Z_h || Z_h); height in 0..5. */
export function zeroSubtree(height: number): Hex {
  if (!Number.isInteger(height) || height < 0 || height > MAX_PAD_HEIGHT) {
    throw new CommitmentError(`zero-subtree height ${height} not in 0..${MAX_PAD_HEIGHT}`);
  }
  let z = ZERO_LEAF;
  for (let h = 0; h < height; h++) z = hashPair(z, z);
  return z;
}

/** The root a fulfilment of a batch with these slot digests (in slot order) must prove. */
export function batchRoot(digests: readonly Hex[], capacity: number, excludedMask = 0): Hex {
  return merkleRoot(batchLeaves(digests, capacity, excludedMask));
}

/** The root as two 128-bit halves (public inputs 0 and 1 of an aggregated proof), each a 32-byte word. */
export function splitRoot(root: Hex): [high: Hex, low: Hex] {
  const value = BigInt(assertWord(root, 'root'));
  return [toWord(value >> 128n), toWord(value & (TWO_128 - 1n))];
}

/** The root from its two 128-bit halves; throws CommitmentError when a half is not below 2^128. */
export function joinRoot(high: string, low: string): Hex {
  const h = BigInt(high);
  const l = BigInt(low);
  if (h < 0n || l < 0n || h >= TWO_128 || l >= TWO_128) throw new CommitmentError('hi/lo halves must be < 2^128');
  return toWord((h << 128n) | l);
}

/** Public inputs of an aggregated proof: [rootHi, rootLo, uint160(prover), keyHashes...] (key hashes in AGG_CIRCUITS order). */
export function aggregationPublicInputs(root: Hex, prover: Address, keyHashes: readonly Hex[]): Hex[] {
  return [...splitRoot(root), addressToField(prover), ...keyHashes.map((k, i) => assertWord(k, `keyHashes[${i}]`))];
}
