/**
 * The commitment format (docs/protocol.md) as the circuits layer needs it to build witnesses. The
 * reference implementation is prover/sdk/commitment.ts; this adapter normalises bb's field words
 * and adds the zero-subtree values the pad circuit commits. prover/circuits/nex_lib is the Noir side;
 * test/prover/circuits.test.ts checks it against both and against test/vectors/commitment.json.
 */
import { merkleRoot, statementDigest as sdkStatementDigest, ZERO_LEAF } from '../../sdk/commitment.js';
import { fieldWord, toWord } from './fields.js';
import { MAX_PAD_HEIGHT, type Hex } from './types.js';

export { merkleRoot };

/** keccak256(vkHash || publicInputs), all as 32-byte big-endian words (canonical field elements). */
export function statementDigest(vkHash: Hex, publicInputs: readonly Hex[]): Hex {
  return sdkStatementDigest(fieldWord(vkHash), publicInputs.map(fieldWord));
}

/** keccak256(left || right). */
export function merkleParent(left: Hex, right: Hex): Hex {
  return merkleRoot([toWord(BigInt(left)), toWord(BigInt(right))]);
}

/** Z_height: the root of 2^height zero leaves (Z_0 = bytes32(0)). */
export function zeroSubtree(height: number): Hex {
  if (!Number.isInteger(height) || height < 0 || height > MAX_PAD_HEIGHT) throw new Error(`pad height out of range: ${height}`);
  let z: Hex = ZERO_LEAF;
  for (let h = 0; h < height; h++) z = merkleParent(z, z);
  return z;
}
