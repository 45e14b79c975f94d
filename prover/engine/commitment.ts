// The commitment format of docs/protocol.md as the engine uses it. Digest, Merkle root and root halves
// come from the SDK (prover/sdk/commitment.ts, shared with the contracts' test vectors); the engine adds
// subtree values (pair hash, zero subtrees) and a batch root over slots with null = zero leaf.
import { concatHex, keccak256, padHex } from 'viem';
import { FIELD_MODULUS, merkleRoot, splitRoot, statementDigest } from '../sdk/commitment.js';

export type Hex = `0x${string}`;
export { FIELD_MODULUS, merkleRoot, splitRoot, statementDigest };

export const ZERO_WORD: Hex = `0x${'00'.repeat(32)}`;

/** True when `h` is a 0x-prefixed 32-byte word whose value is < r. */
export function isCanonicalField(h: string): h is Hex {
  return /^0x[0-9a-fA-F]{64}$/.test(h) && BigInt(h) < FIELD_MODULUS;
}

/** Normalises a hex word to lower-case, 32 bytes. */
export function word(h: Hex): Hex {
  return padHex(h.toLowerCase() as Hex, { size: 32 });
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

/** Batch root: leaf i = digest of slot i, or zero for empty/excluded slots. */
export function batchRoot(capacity: number, digests: readonly (Hex | null)[]): Hex {
  if (digests.length !== capacity) throw new RangeError(`expected ${capacity} leaves, got ${digests.length}`);
  return merkleRoot(digests.map((d) => d ?? ZERO_WORD));
}
