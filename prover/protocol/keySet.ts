/**
 * The key set of version 2 (specification V2.4): one field element that commits to the key hashes of the
 * 11 aggregation circuits. It is the root of a depth-4 Merkle tree over 16 leaves, the key hashes in
 * AGG_CIRCUITS order then 5 zero leaves, with parent = poseidon2([left, right]). The router pins it per
 * version and every aggregation proof carries it as its public input `key_set`; a node proves each
 * child's key hash a member along a private path (prover/circuits/nex_lib/src/key_set.nr).
 *
 * Poseidon2 is injected (`Hash2`): bb.js's `poseidon2Hash` computes exactly Noir std's sponge (the
 * engine's `bbHash2`), and this module stays free of bb so the SDK can read key sets too.
 */
import type { Hex } from 'viem';
import { CommitmentError } from './commitmentError.js';
import { AGG_CIRCUITS, KEY_SET_DEPTH, type AggCircuit } from './constants.js';
import { assertWord, isCanonicalField, toWord } from './field.js';

/** poseidon2([a, b]) of two field elements, as a 32-byte word. */
export type Hash2 = (a: Hex, b: Hex) => Promise<Hex>;

/** The key-set tree: levels[0] = the 16 leaves, levels[KEY_SET_DEPTH] = [root]. */
export interface KeySet {
  readonly root: Hex;
  readonly levels: readonly (readonly Hex[])[];
}

/** A key hash's Merkle path as the node circuit takes it: the leaf index and the 4 siblings, bottom up. */
export interface KeyPath {
  readonly index: number;
  readonly siblings: readonly Hex[];
}

const LEAVES = 2 ** KEY_SET_DEPTH;

function canonical(value: Hex, what: string): Hex {
  const w = assertWord(value, what);
  if (!isCanonicalField(w)) throw new CommitmentError(`${what} is not canonical`);
  return w;
}

/** The 16 leaves: the 11 key hashes in AGG_CIRCUITS order, then zeros. */
export function keySetLeaves(keyHashes: Readonly<Record<AggCircuit, Hex>>): Hex[] {
  return Array.from({ length: LEAVES }, (_, i) => {
    const circuit = AGG_CIRCUITS[i];
    return circuit === undefined ? toWord(0n) : canonical(keyHashes[circuit], `key hash of ${circuit}`);
  });
}

/** Builds the key-set tree of the 11 key hashes with `hash2`. */
export async function buildKeySet(keyHashes: Readonly<Record<AggCircuit, Hex>>, hash2: Hash2): Promise<KeySet> {
  const levels: Hex[][] = [keySetLeaves(keyHashes)];
  for (let d = 0; d < KEY_SET_DEPTH; d++) {
    const below = levels[d]!;
    const next: Hex[] = [];
    for (let i = 0; i < below.length; i += 2) next.push(canonical(await hash2(below[i]!, below[i + 1]!), 'poseidon2 output'));
    levels.push(next);
  }
  return { root: levels[KEY_SET_DEPTH]![0]!, levels };
}

/**
 * A key set read back from stored levels (a build manifest): checks the shape and that the leaves are
 * the given key hashes, and returns it. The hashes themselves are not recomputed (no bb here); the
 * circuits reject a node whose paths do not lead to the key set it carries.
 */
export function keySetFromLevels(levels: readonly (readonly Hex[])[], keyHashes: Readonly<Record<AggCircuit, Hex>>): KeySet {
  if (levels.length !== KEY_SET_DEPTH + 1) throw new CommitmentError(`a key set has ${KEY_SET_DEPTH + 1} levels, got ${levels.length}`);
  levels.forEach((level, d) => {
    if (level.length !== LEAVES >> d) throw new CommitmentError(`key-set level ${d} has ${level.length} values, expected ${LEAVES >> d}`);
    level.forEach((v, i) => canonical(v, `key-set level ${d} value ${i}`));
  });
  const leaves = keySetLeaves(keyHashes);
  if (leaves.some((l, i) => l !== levels[0]![i]!.toLowerCase()))
    throw new CommitmentError('the key-set leaves are not the key hashes in AGG_CIRCUITS order');
  const copy = levels.map((l) => l.map((v) => v.toLowerCase() as Hex));
  return { root: copy[KEY_SET_DEPTH]![0]!, levels: copy };
}

/** The path of `circuit`'s key hash in the key set. */
export function keySetPath(set: KeySet, circuit: AggCircuit): KeyPath {
  const index = AGG_CIRCUITS.indexOf(circuit);
  if (index < 0) throw new CommitmentError(`not an aggregation circuit: ${String(circuit)}`);
  const siblings: Hex[] = [];
  for (let d = 0, i = index; d < KEY_SET_DEPTH; d++, i >>= 1) siblings.push(set.levels[d]![i ^ 1]!);
  return { index, siblings };
}

/** The key-set root reached from `leaf` along `path` (the node circuit's membership check, in TypeScript). */
export async function keySetRootFromPath(leaf: Hex, path: KeyPath, hash2: Hash2): Promise<Hex> {
  if (!Number.isInteger(path.index) || path.index < 0 || path.index >= AGG_CIRCUITS.length) {
    throw new CommitmentError(`key-set index ${path.index} out of range (0..${AGG_CIRCUITS.length - 1})`);
  }
  if (path.siblings.length !== KEY_SET_DEPTH) throw new CommitmentError(`a key-set path has ${KEY_SET_DEPTH} siblings`);
  let node = canonical(leaf, 'leaf');
  for (let d = 0; d < KEY_SET_DEPTH; d++) {
    const sibling = canonical(path.siblings[d]!, `siblings[${d}]`);
    node = ((path.index >> d) & 1) === 0 ? await hash2(node, sibling) : await hash2(sibling, node);
  }
  return node;
}
