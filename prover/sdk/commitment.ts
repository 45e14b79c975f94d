/**
 * The NEX commitment format (docs/protocol.md, "Commitment format") in TypeScript: statement digests,
 * batch Merkle roots, aggregated-proof public inputs and submission ids. Mirrors
 * contracts/libraries/BatchCommitment.sol; both are tested against test/vectors/commitment.json.
 */
import { type Address, type Hex, concat, getAddress, isHex, keccak256, numberToHex, size } from 'viem';
import { NexError } from '../protocol/errors.js';

/** BN254 scalar field modulus r. Public inputs, vk hashes and key hashes are elements of F_r. */
export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

/** Largest batch capacity, and the stride of submission ids (id = batchId * 32 + slot). */
export const MAX_CAPACITY = 32;

/** The zero leaf of an empty or excluded slot. */
export const ZERO_LEAF: Hex = `0x${'00'.repeat(32)}`;

/** Thrown when an input does not follow the commitment format. */
export class CommitmentError extends NexError {
  override readonly name = 'CommitmentError';
}

/** Asserts `value` is a 0x-prefixed 32-byte hex word and returns it lower-cased. */
export function assertWord(value: string, what: string): Hex {
  if (!isHex(value, { strict: true }) || size(value) !== 32) {
    throw new CommitmentError(`${what} must be a 32-byte hex word, got ${value}`);
  }
  return value.toLowerCase() as Hex;
}

/** True when `value` (a 32-byte word) is a canonical BN254 field element (< r). */
export function isCanonical(value: Hex): boolean {
  return BigInt(assertWord(value, 'field element')) < FIELD_MODULUS;
}

/** A bigint in [0, r) as a 32-byte word. */
export function fieldToWord(value: bigint): Hex {
  if (value < 0n || value >= FIELD_MODULUS) throw new CommitmentError(`${value} is not a canonical field element`);
  return numberToHex(value, { size: 32 });
}

/** True when `capacity` is a power of two in [2, 32]. */
export function isValidCapacity(capacity: number): boolean {
  return Number.isInteger(capacity) && capacity >= 2 && capacity <= MAX_CAPACITY && (capacity & (capacity - 1)) === 0;
}

/**
 * Statement digest `keccak256(abi.encodePacked(vkHash, publicInputs))`: the hash of the 32-byte words
 * vkHash || pi_0 || ... || pi_{n-1}. All words must be canonical field elements.
 */
export function statementDigest(vkHash: Hex, publicInputs: readonly Hex[]): Hex {
  const words = [vkHash, ...publicInputs].map((w, i) => {
    const word = assertWord(w, i === 0 ? 'vkHash' : `publicInputs[${i - 1}]`);
    if (!isCanonical(word)) throw new CommitmentError(`${i === 0 ? 'vkHash' : `publicInputs[${i - 1}]`} is not canonical`);
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

/** Root of the binary keccak Merkle tree over `leaves` (parent = keccak256(left || right)). */
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

/** The root a fulfilment of a batch with these slot digests must prove. */
export function batchRoot(digests: readonly Hex[], capacity: number, excludedMask = 0): Hex {
  return merkleRoot(batchLeaves(digests, capacity, excludedMask));
}

/** The root as two 128-bit halves (public inputs 0 and 1 of an aggregated proof). */
export function splitRoot(root: Hex): [high: Hex, low: Hex] {
  const value = BigInt(assertWord(root, 'root'));
  return [numberToHex(value >> 128n, { size: 32 }), numberToHex(value & ((1n << 128n) - 1n), { size: 32 })];
}

/** Public inputs of an aggregated proof: [rootHi, rootLo, uint160(prover), keyHashes...]. */
export function aggregationPublicInputs(root: Hex, prover: Address, keyHashes: readonly Hex[]): Hex[] {
  const proverWord = numberToHex(BigInt(getAddress(prover)), { size: 32 });
  return [...splitRoot(root), proverWord, ...keyHashes.map((k, i) => assertWord(k, `keyHashes[${i}]`))];
}

/** submissionId = batchId * 32 + slot. */
export function submissionId(batchId: bigint, slot: number): bigint {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_CAPACITY) throw new CommitmentError(`invalid slot ${slot}`);
  if (batchId < 1n) throw new CommitmentError(`batch ids start at 1, got ${batchId}`);
  return batchId * BigInt(MAX_CAPACITY) + BigInt(slot);
}

/** The batch and slot of a submission id. */
export function splitSubmissionId(id: bigint): { batchId: bigint; slot: number } {
  return { batchId: id >> 5n, slot: Number(id & 31n) };
}
