/**
 * The commitment format of docs/protocol.md as the circuits layer needs it to build witnesses:
 * statement digest, Merkle parent and zero subtrees. The Noir side is prover/circuits/nex_lib; tests
 * check both against each other and against the shared vectors.
 */
import { concat, keccak256 } from 'viem';
import { fieldWord, toWord } from './fields.js';
import { MAX_PAD_HEIGHT, type Hex } from './types.js';

/** keccak256(vkHash || publicInputs), all as 32-byte big-endian words. */
export function statementDigest(vkHash: Hex, publicInputs: readonly Hex[]): Hex {
  return keccak256(concat([fieldWord(vkHash), ...publicInputs.map(fieldWord)]));
}

/** keccak256(left || right). */
export function merkleParent(left: Hex, right: Hex): Hex {
  return keccak256(concat([toWord(BigInt(left)), toWord(BigInt(right))]));
}

/** Z_height: the root of 2^height zero leaves (Z_0 = bytes32(0)). */
export function zeroSubtree(height: number): Hex {
  if (!Number.isInteger(height) || height < 0 || height > MAX_PAD_HEIGHT) throw new Error(`pad height out of range: ${height}`);
  let z = toWord(0n);
  for (let h = 0; h < height; h++) z = merkleParent(z, z);
  return z;
}

/** Batch root over slot leaves (digest or bytes32(0)); the slot count must be a power of two >= 2. */
export function batchRoot(leaves: readonly Hex[]): Hex {
  if (leaves.length < 2 || (leaves.length & (leaves.length - 1)) !== 0) throw new Error(`capacity must be a power of two >= 2, got ${leaves.length}`);
  let level = leaves.map((l) => toWord(BigInt(l)));
  while (level.length > 1) {
    const next: Hex[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(merkleParent(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}
