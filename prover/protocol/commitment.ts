/**
 * The NEX commitment format of version 2 (docs/protocol.md, "Commitment format"; specification
 * V2.2-V2.3): program ids, domain-separated statement digests, batch trees of 4 to 64 leaves with their
 * zero subtrees, inclusion paths, root halves and the aggregated proof's public inputs. Noir
 * (prover/circuits/nex_lib) and Solidity (contracts/libraries/BatchCommitment.sol) implement the same
 * format; all three are tested against test/vectors/commitment.json (scripts/commitmentVectors.ts).
 *
 * Three kinds of values meet in a batch tree: the zero leaf, a statement digest (keccak256 of at least
 * 96 bytes that start with STATEMENT_DOMAIN) and an interior value (keccak256 of exactly 64 bytes);
 * docs/prover.md explains why this makes every verified statement carry a verified rollup proof.
 */
import { concat, keccak256, stringToHex, type Address, type Hex } from 'viem';
import { CommitmentError } from './commitmentError.js';
import { MAX_CAPACITY, MAX_DEPTH, MIN_CAPACITY } from './constants.js';
import { addressToField, assertWord, isCanonicalField, toWord } from './field.js';

/** The zero leaf of an empty or excluded slot (Z_0). */
export const ZERO_LEAF: Hex = `0x${'00'.repeat(32)}`;

/** keccak256("NEX.statement.v2"): the first word of every statement digest's preimage. */
export const STATEMENT_DOMAIN: Hex = keccak256(stringToHex('NEX.statement.v2'));

const TWO_128 = 1n << 128n;

/** True when `capacity` is a power of two in [MIN_CAPACITY, MAX_CAPACITY] = [4, 64]. */
export function isValidCapacity(capacity: number): boolean {
  return Number.isInteger(capacity) && capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY && (capacity & (capacity - 1)) === 0;
}

/** log2(capacity) of a valid capacity: the height of the batch root. */
export function depthOf(capacity: number): number {
  if (!isValidCapacity(capacity))
    throw new CommitmentError(`invalid capacity ${capacity} (a power of two in ${MIN_CAPACITY}..${MAX_CAPACITY})`);
  return Math.log2(capacity);
}

/** The capacity of a posted batch of `count` statements: the smallest power of two >= max(4, count). */
export function capacityFor(count: number): number {
  if (!Number.isInteger(count) || count < 0 || count > MAX_CAPACITY)
    throw new CommitmentError(`${count} statements do not fit in one batch (at most ${MAX_CAPACITY})`);
  let capacity = MIN_CAPACITY;
  while (capacity < count) capacity *= 2;
  return capacity;
}

/**
 * The program id of a key registered by `owner`: `keccak256(abi.encode(owner, vkHash))`. The same key
 * registered by another address is another program, with other statements.
 */
export function programIdOf(owner: Address | string, vkHash: Hex): Hex {
  if (typeof owner !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(owner))
    throw new CommitmentError(`owner must be an address, got ${String(owner)}`);
  const key = assertWord(vkHash, 'vkHash');
  if (!isCanonicalField(key)) throw new CommitmentError('vkHash is not canonical');
  return keccak256(concat([addressToField(owner as Address), key]));
}

/**
 * Statement digest `keccak256(abi.encodePacked(STATEMENT_DOMAIN, programId, publicInputs))`: a preimage
 * of 64 + 32 n >= 96 bytes. Every public input must be a canonical field element and there is at least
 * one; otherwise CommitmentError.
 */
export function statementDigest(programId: Hex, publicInputs: readonly Hex[]): Hex {
  const id = assertWord(programId, 'programId');
  if (publicInputs.length < 1) throw new CommitmentError('a statement has at least one public input');
  const words = publicInputs.map((w, i) => {
    const word = assertWord(w, `publicInputs[${i}]`);
    if (!isCanonicalField(word)) throw new CommitmentError(`publicInputs[${i}] is not canonical`);
    return word;
  });
  return keccak256(concat([STATEMENT_DOMAIN, id, ...words]));
}

/** A slot-exclusion mask (bit i = slot i excluded; a uint64 on chain) as a bigint; throws for a negative, fractional or wider one. */
export function toMask(mask: bigint | number): bigint {
  if (typeof mask === 'number' && !Number.isSafeInteger(mask)) throw new CommitmentError(`excludedMask ${mask} is not an integer`);
  const m = BigInt(mask);
  if (m < 0n) throw new CommitmentError(`excludedMask ${mask} is negative`);
  if (m >> 64n !== 0n) throw new CommitmentError(`excludedMask 0x${m.toString(16)} does not fit a uint64`);
  return m;
}

/**
 * The leaves of a batch tree: `digests[i]` for each filled slot not in `excludedMask`, the zero leaf for
 * excluded and empty slots, `capacity` leaves in all.
 */
export function batchLeaves(digests: readonly Hex[], capacity: number, excludedMask: bigint | number = 0n): Hex[] {
  depthOf(capacity);
  if (digests.length > capacity) throw new CommitmentError(`${digests.length} digests exceed capacity ${capacity}`);
  const mask = toMask(excludedMask);
  if (mask >> BigInt(digests.length) !== 0n) {
    throw new CommitmentError(`excludedMask 0x${mask.toString(16)} covers slots beyond the ${digests.length} filled`);
  }
  return Array.from({ length: capacity }, (_, i) => {
    const digest = digests[i];
    if (digest === undefined || ((mask >> BigInt(i)) & 1n) === 1n) return ZERO_LEAF;
    return assertWord(digest, `digests[${i}]`);
  });
}

/** An interior value of the batch tree: keccak256(left || right), each side a value below 2^256 (padded to 32 bytes). */
export function hashPair(left: Hex, right: Hex): Hex {
  return keccak256(concat([toWord(left), toWord(right)]));
}

/** Root of the binary keccak Merkle tree over `leaves` (4..64 of them, a power of two). */
export function merkleRoot(leaves: readonly Hex[]): Hex {
  if (!isValidCapacity(leaves.length)) throw new CommitmentError(`invalid leaf count ${leaves.length}`);
  let level = leaves.map((l, i) => assertWord(l, `leaves[${i}]`));
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => hashPair(level[2 * i]!, level[2 * i + 1]!));
  return level[0]!;
}

/** Z_height, the root of 2^height zero leaves: Z_0 = bytes32(0), Z_{h+1} = keccak256(Z_h || Z_h); height in 0..6. */
export function zeroSubtree(height: number): Hex {
  if (!Number.isInteger(height) || height < 0 || height > MAX_DEPTH) {
    throw new CommitmentError(`zero-subtree height ${height} not in 0..${MAX_DEPTH}`);
  }
  let z = ZERO_LEAF;
  for (let h = 0; h < height; h++) z = hashPair(z, z);
  return z;
}

/** The root a fulfilment of a batch with these slot digests (in slot order) must prove. */
export function batchRoot(digests: readonly Hex[], capacity: number, excludedMask: bigint | number = 0n): Hex {
  return merkleRoot(batchLeaves(digests, capacity, excludedMask));
}

/**
 * The inclusion path of leaf `index` in the tree over `leaves`: its sibling at each height, from the
 * leaves up (what `isVerified(programId, publicInputs, Inclusion{batchId, index, siblings})` takes).
 */
export function inclusionPath(leaves: readonly Hex[], index: number): Hex[] {
  if (!isValidCapacity(leaves.length)) throw new CommitmentError(`invalid leaf count ${leaves.length}`);
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
    throw new CommitmentError(`leaf index ${index} outside 0..${leaves.length - 1}`);
  const siblings: Hex[] = [];
  let level = leaves.map((l, i) => assertWord(l, `leaves[${i}]`));
  for (let i = index; level.length > 1; i >>= 1) {
    siblings.push(level[i ^ 1]!);
    level = Array.from({ length: level.length / 2 }, (_, k) => hashPair(level[2 * k]!, level[2 * k + 1]!));
  }
  return siblings;
}

/** The root reached by walking `leaf` at `index` up through `siblings` (bottom first): bit h of `index` puts the value on the right at height h. */
export function rootFromPath(leaf: Hex, index: number, siblings: readonly Hex[]): Hex {
  if (siblings.length < 1 || siblings.length > MAX_DEPTH)
    throw new CommitmentError(`an inclusion path has 1..${MAX_DEPTH} siblings, got ${siblings.length}`);
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** siblings.length) {
    throw new CommitmentError(`leaf index ${index} outside a tree of depth ${siblings.length}`);
  }
  let value = assertWord(leaf, 'leaf');
  siblings.forEach((s, h) => {
    const sibling = assertWord(s, `siblings[${h}]`);
    value = ((index >> h) & 1) === 0 ? hashPair(value, sibling) : hashPair(sibling, value);
  });
  return value;
}

/** True when `leaf` at `index` with `siblings` leads to `root`. */
export function verifyInclusion(leaf: Hex, index: number, siblings: readonly Hex[], root: Hex): boolean {
  return rootFromPath(leaf, index, siblings) === assertWord(root, 'root');
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

/**
 * Public inputs of every aggregation proof, and of the root the router verifies:
 * [rootHi, rootLo, uint160(prover), keySet] (keySet: the Poseidon2 root over the 11 key hashes, ./keySet.ts).
 */
export function aggregationPublicInputs(root: Hex, prover: Address | string, keySet: Hex): Hex[] {
  const set = assertWord(keySet, 'keySet');
  if (!isCanonicalField(set)) throw new CommitmentError('keySet is not canonical');
  return [...splitRoot(root), addressToField(prover as Address), set];
}

/** The hash of a request's statement digests in slot order (what an off-chain request signs): `keccak256(d_0 || ... || d_{n-1})`. */
export function statementsHash(digests: readonly Hex[]): Hex {
  return keccak256(digests.length === 0 ? '0x' : concat(digests.map((d, i) => assertWord(d, `digests[${i}]`))));
}
