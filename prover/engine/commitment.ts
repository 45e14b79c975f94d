// Local implementation of the commitment format of docs/protocol.md (statement digest, zero-subtree
// values, batch root). The market engineer owns prover/sdk/commitment.ts; once it lands, this module
// re-exports it and keeps only what the engine adds (subtree roots). Keep it byte-compatible.
import { concatHex, keccak256, padHex } from 'viem';

export type Hex = `0x${string}`;

/** BN254 scalar field modulus r. */
export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

export const ZERO_WORD: Hex = `0x${'00'.repeat(32)}`;

/** True when `h` is a 0x-prefixed 32-byte word whose value is < r. */
export function isCanonicalField(h: string): h is Hex {
  return /^0x[0-9a-fA-F]{64}$/.test(h) && BigInt(h) < FIELD_MODULUS;
}

/** Normalises a hex word to lower-case, 32 bytes. */
export function word(h: Hex): Hex {
  return padHex(h.toLowerCase() as Hex, { size: 32 });
}

/** digest = keccak256(abi.encodePacked(vkHash, publicInputs)). */
export function statementDigest(vkHash: Hex, publicInputs: readonly Hex[]): Hex {
  return keccak256(concatHex([word(vkHash), ...publicInputs.map(word)]));
}

/** parent = keccak256(left || right). */
export function hashPair(left: Hex, right: Hex): Hex {
  return keccak256(concatHex([word(left), word(right)]));
}

/** Z_0 = 0, Z_{h+1} = keccak(Z_h || Z_h): the root of an all-zero subtree of height h. */
export function zeroSubtreeRoot(height: number): Hex {
  if (!Number.isInteger(height) || height < 0 || height > 5) throw new RangeError(`zero-subtree height ${height} not in 0..5`);
  let z = ZERO_WORD;
  for (let i = 0; i < height; i++) z = hashPair(z, z);
  return z;
}

/** Root of the binary keccak Merkle tree over `leaves` (length a power of two >= 1). */
export function merkleRoot(leaves: readonly Hex[]): Hex {
  if (leaves.length === 0 || (leaves.length & (leaves.length - 1)) !== 0) {
    throw new RangeError(`leaf count ${leaves.length} is not a power of two`);
  }
  let level = leaves.map(word);
  while (level.length > 1) {
    const next: Hex[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

/** Batch root: leaf i = digest of slot i, or zero for empty/excluded slots. */
export function batchRoot(capacity: number, digests: readonly (Hex | null)[]): Hex {
  if (digests.length !== capacity) throw new RangeError(`expected ${capacity} leaves, got ${digests.length}`);
  return merkleRoot(digests.map((d) => d ?? ZERO_WORD));
}

/** Splits a 32-byte root into the (high 128 bits, low 128 bits) public inputs. */
export function splitRoot(root: Hex): [Hex, Hex] {
  const v = BigInt(root);
  const hi = v >> 128n;
  const lo = v & ((1n << 128n) - 1n);
  return [word(`0x${hi.toString(16)}`), word(`0x${lo.toString(16)}`)];
}
