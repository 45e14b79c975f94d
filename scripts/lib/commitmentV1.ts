/**
 * The commitment format of protocol version 1, frozen: what the version-1 contracts still on this
 * branch (contracts/, until the version-2 contracts replace them) compute, for their tests and
 * `npm run bench:gas`. prover/protocol is version 2 and the product code uses only it; delete this file
 * with the version-1 contracts. test/vectors/commitment-v1.json holds the version-1 vectors.
 *
 * Version 1: digest = keccak256(vkHash || publicInputs); capacities 2..32; submission id = batchId * 32
 * + slot; aggregation public inputs = [rootHi, rootLo, uint160(prover), keyHashes...].
 */
import { concat, keccak256, type Hex } from 'viem';
import { addressToField, assertWord, CommitmentError, isCanonicalField, splitRoot, toWord } from '../../prover/protocol/index.js';

export const V1_MAX_CAPACITY = 32;
export const V1_MIN_CAPACITY = 2;
export const V1_SLOT_BITS = 5;
export const V1_MAX_PAD_HEIGHT = 5;
const ZERO: Hex = `0x${'00'.repeat(32)}`;

export function isValidCapacityV1(capacity: number): boolean {
  return Number.isInteger(capacity) && capacity >= V1_MIN_CAPACITY && capacity <= V1_MAX_CAPACITY && (capacity & (capacity - 1)) === 0;
}

/** keccak256(abi.encodePacked(vkHash, publicInputs)). */
export function statementDigestV1(vkHash: Hex, publicInputs: readonly Hex[]): Hex {
  const words = [vkHash, ...publicInputs].map((w, i) => {
    const word = assertWord(w, i === 0 ? 'vkHash' : `publicInputs[${i - 1}]`);
    if (!isCanonicalField(word)) throw new CommitmentError(`${i === 0 ? 'vkHash' : `publicInputs[${i - 1}]`} is not canonical`);
    return word;
  });
  if (words.length < 2) throw new CommitmentError('a statement has at least one public input');
  return keccak256(concat(words));
}

export function batchLeavesV1(digests: readonly Hex[], capacity: number, excludedMask = 0): Hex[] {
  if (!isValidCapacityV1(capacity)) throw new CommitmentError(`invalid capacity ${capacity}`);
  if (digests.length > capacity) throw new CommitmentError(`${digests.length} digests exceed capacity ${capacity}`);
  if (excludedMask < 0 || excludedMask >= 2 ** digests.length)
    throw new CommitmentError(`excludedMask ${excludedMask} covers slots beyond the ${digests.length} filled`);
  return Array.from({ length: capacity }, (_, i) =>
    digests[i] === undefined || ((excludedMask >>> i) & 1) === 1 ? ZERO : assertWord(digests[i]!, `digests[${i}]`),
  );
}

export function merkleRootV1(leaves: readonly Hex[]): Hex {
  if (!isValidCapacityV1(leaves.length)) throw new CommitmentError(`invalid leaf count ${leaves.length}`);
  let level = leaves.map((l, i) => assertWord(l, `leaves[${i}]`));
  while (level.length > 1)
    level = Array.from({ length: level.length / 2 }, (_, i) => keccak256(concat([level[2 * i]!, level[2 * i + 1]!])));
  return level[0]!;
}

export function batchRootV1(digests: readonly Hex[], capacity: number, excludedMask = 0): Hex {
  return merkleRootV1(batchLeavesV1(digests, capacity, excludedMask));
}

export function zeroSubtreeV1(height: number): Hex {
  if (!Number.isInteger(height) || height < 0 || height > V1_MAX_PAD_HEIGHT)
    throw new CommitmentError(`zero-subtree height ${height} not in 0..${V1_MAX_PAD_HEIGHT}`);
  let z = ZERO;
  for (let h = 0; h < height; h++) z = keccak256(concat([z, z]));
  return z;
}

/** [rootHi, rootLo, uint160(prover), keyHashes...]. */
export function aggregationPublicInputsV1(root: Hex, prover: Hex, keyHashes: readonly Hex[]): Hex[] {
  return [...splitRoot(root), addressToField(prover), ...keyHashes.map((k, i) => assertWord(k, `keyHashes[${i}]`))];
}

/** batchId * 32 + slot. */
export function submissionIdV1(batchId: bigint, slot: number): bigint {
  if (!Number.isInteger(slot) || slot < 0 || slot >= V1_MAX_CAPACITY)
    throw new CommitmentError(`invalid slot ${slot} (0..${V1_MAX_CAPACITY - 1})`);
  if (batchId < 1n) throw new CommitmentError(`batch ids start at 1, got ${batchId}`);
  return (batchId << BigInt(V1_SLOT_BITS)) | BigInt(slot);
}

export const batchOfV1 = (id: bigint): bigint => id >> BigInt(V1_SLOT_BITS);
export const slotOfV1 = (id: bigint): number => Number(id & BigInt(V1_MAX_CAPACITY - 1));

export { toWord };
