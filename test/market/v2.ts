// An independent TypeScript reference of the version-2 commitment format (docs/protocol.md), used by the
// contract tests to build settlements, roots and inclusion paths and to check the contracts against it.
import { type Address, type Hex, concat, encodeAbiParameters, keccak256, pad, toHex } from 'viem';

export const STATEMENT_DOMAIN = keccak256(toHex('NEX.statement.v2'));
export const ZERO: Hex = `0x${'00'.repeat(32)}`;

/** keccak256(abi.encode(owner, vkHash)). */
export function programIdOf(owner: string, vkHash: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [owner as Address, vkHash]));
}

/** keccak256(STATEMENT_DOMAIN || programId || publicInputs). */
export function digestOf(programId: Hex, publicInputs: readonly Hex[]): Hex {
  return keccak256(concat([STATEMENT_DOMAIN, programId, ...publicInputs]));
}

export function parent(left: Hex, right: Hex): Hex {
  return keccak256(concat([left, right]));
}

/** Z_h: the root of an all-zero subtree of height h. */
export function zeroSubtree(h: number): Hex {
  let z = ZERO;
  for (let i = 0; i < h; i++) z = parent(z, z);
  return z;
}

/** All levels of the tree over `leaves` padded with zeros to `capacity` (level 0 = leaves). */
export function levels(leaves: readonly Hex[], capacity: number): Hex[][] {
  const out: Hex[][] = [[...leaves, ...Array<Hex>(capacity - leaves.length).fill(ZERO)]];
  while (out[out.length - 1]!.length > 1) {
    const prev = out[out.length - 1]!;
    const next: Hex[] = [];
    for (let i = 0; i < prev.length; i += 2) next.push(parent(prev[i]!, prev[i + 1]!));
    out.push(next);
  }
  return out;
}

export function rootOf(leaves: readonly Hex[], capacity: number): Hex {
  const l = levels(leaves, capacity);
  return l[l.length - 1]![0]!;
}

/** Leaves with the slots of `mask` zeroed. */
export function excluded(leaves: readonly Hex[], mask: bigint): Hex[] {
  return leaves.map((d, i) => (((mask >> BigInt(i)) & 1n) === 1n ? ZERO : d));
}

/** The siblings of slot `index`, bottom first. */
export function siblingsOf(leaves: readonly Hex[], capacity: number, index: number): Hex[] {
  const l = levels(leaves, capacity);
  const out: Hex[] = [];
  let i = index;
  for (let h = 0; h < l.length - 1; h++) {
    out.push(l[h]![i ^ 1]!);
    i >>= 1;
  }
  return out;
}

export function capacityFor(count: number): number {
  let c = 4;
  while (c < count) c <<= 1;
  return c;
}

/** payer (160) | feePerProof (64) | count (8) | callbackGas (24). */
export function groupWord(payer: string, feePerProof: bigint, count: number, callbackGas = 0n): bigint {
  return (BigInt(payer) << 96n) | (feePerProof << 32n) | (BigInt(count) << 24n) | callbackGas;
}

export interface Group {
  word: bigint;
  programId: Hex;
}

export function countOf(g: Group): number {
  return Number((g.word >> 24n) & 0xffn);
}

export function groupsHash(groups: readonly Group[]): Hex {
  if (groups.length === 0) return keccak256('0x');
  return keccak256(concat(groups.flatMap((g) => [pad(toHex(g.word)), g.programId])));
}

/** The chain-form commitment of groups appended in order. */
export function chainCommitment(groups: readonly Group[], digests: readonly Hex[]): Hex {
  let c = ZERO;
  let at = 0;
  for (const g of groups) {
    const n = countOf(g);
    c = keccak256(concat([c, pad(toHex(g.word)), g.programId, ...digests.slice(at, at + n)]));
    at += n;
  }
  return c;
}

export function postedCommitment(root: Hex, gh: Hex, poster: string): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'address' }], [root, gh, poster as Address]),
  );
}

export interface Settlement {
  root: Hex;
  groupsHash: Hex;
  poster: string;
  groups: Group[];
  digests: Hex[];
}

/** A chain-form settlement (calldata and blob batches). */
export function chainSettlement(groups: Group[], digests: Hex[]): Settlement {
  return { root: ZERO, groupsHash: ZERO, poster: '0x0000000000000000000000000000000000000000', groups, digests };
}

/** A posted-form settlement. */
export function postedSettlement(groups: Group[], digests: Hex[], poster: string, capacity: number): Settlement {
  return { root: rootOf(digests, capacity), groupsHash: groupsHash(groups), poster, groups, digests };
}

export function splitRoot(root: Hex): [Hex, Hex] {
  const r = BigInt(root);
  return [pad(toHex(r >> 128n)), pad(toHex(r & ((1n << 128n) - 1n)))];
}

/** [rootHi, rootLo, uint160(prover), keySet]. */
export function aggregationInputs(root: Hex, prover: string, keySet: Hex): Hex[] {
  const [hi, lo] = splitRoot(root);
  return [hi, lo, pad(prover as Hex), keySet];
}

/** What the MockVerifier accepts: abi.encode(bytes32[] publicInputs). */
export function mockProof(root: Hex, prover: string, keySet: Hex): Hex {
  return encodeAbiParameters([{ type: 'bytes32[]' }], [aggregationInputs(root, prover, keySet)]);
}
