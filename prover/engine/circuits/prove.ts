/**
 * Proving and verification of the aggregation circuits (leaf1/leaf2/leaf4, pad, node) and the
 * pre-check of rollup proofs. See docs/prover.md for the tree and why it is sound.
 */
import type { InputMap } from '@noir-lang/noir_js';
import {
  AGG_CIRCUITS,
  AGG_PUBLIC_INPUTS,
  addressToField,
  aggregationPublicInputs,
  fieldWord,
  hashPair,
  isCanonicalField,
  joinRoot,
  LEAF_FOR_PUBLIC_INPUTS,
  PROOF_BYTES,
  statementDigest,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  VK_BYTES,
  zeroSubtree,
  type AggCircuit,
  NexError,
} from '../../protocol/index.js';
import { keyHashList } from './artifacts.js';
import { proveCircuit, verifyWithVk, vkHashOf, type Bb } from './bb.js';
import { noirExecutor } from './executor.js';
import type { AggProof, AggregationArtifacts, Hex, ProofTarget, RollupProof } from './types.js';
import { leafInputs, nodeInputs, padInputs, type HeaderInputs } from './witness.js';

/** An aggregation proof that bb produced but that does not verify (e.g. an invalid rollup proof inside). */
export class InvalidAggProofError extends NexError {
  override readonly name = 'InvalidAggProofError';
  constructor(
    readonly circuit: AggCircuit,
    readonly aggProof: AggProof,
  ) {
    super(`${circuit} proof does not verify: an input proof is invalid or does not match its key`);
  }
}

/** The public inputs an aggregation proof must carry: [root_hi, root_lo, prover, key hashes...]. */
export function expectedPublicInputs(art: Pick<AggregationArtifacts, 'keyHashes'>, root: Hex, prover: Hex): Hex[] {
  return aggregationPublicInputs(root, prover, keyHashList(art));
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => BigInt(x) === BigInt(b[i]!));
}

/**
 * Executes `circuit` on `inputs` and proves it, without checking the result: bb returns a proof even
 * when a recursively verified input proof is invalid (that proof then fails verification).
 */
export async function proveAggregationCircuit(
  bb: Bb,
  art: AggregationArtifacts,
  circuit: AggCircuit,
  inputs: InputMap,
  root: Hex,
  target: ProofTarget,
): Promise<AggProof> {
  if (target === 'evm' && circuit !== 'node') throw new Error('only the node circuit is proven for the EVM');
  const artifact = art.circuits[circuit];
  const { witness } = await noirExecutor(artifact.program).execute(inputs);
  const vk = target === 'evm' ? art.rootVk : artifact.vk;
  const raw = await proveCircuit(bb, { name: circuit, bytecode: artifact.bytecode, vk }, witness, target);
  return { circuit, proof: raw.proof, publicInputs: raw.publicInputs, root, target };
}

async function proveChecked(
  bb: Bb,
  art: AggregationArtifacts,
  circuit: AggCircuit,
  inputs: InputMap,
  root: Hex,
  prover: Hex,
  target: ProofTarget,
): Promise<AggProof> {
  const p = await proveAggregationCircuit(bb, art, circuit, inputs, root, target);
  if (!sameWords(p.publicInputs, expectedPublicInputs(art, root, prover)))
    throw new Error(`${circuit}: bb returned unexpected public inputs`);
  if (!(await verifyAggProof(bb, art, p))) throw new InvalidAggProofError(circuit, p);
  return p;
}

function headerFor(art: AggregationArtifacts, root: Hex, prover: Hex): HeaderInputs {
  return { root, prover: addressToField(prover), keyHashes: keyHashList(art) };
}

/** Proves the leaf circuit for the rollup's public-input count; the proof commits its statement digest. */
export async function proveLeaf(bb: Bb, art: AggregationArtifacts, args: { rollup: RollupProof; prover: Hex }): Promise<AggProof> {
  const circuit = LEAF_FOR_PUBLIC_INPUTS[args.rollup.publicInputs.length];
  if (!circuit)
    throw new Error(
      `no leaf circuit for ${args.rollup.publicInputs.length} public inputs (supported: ${SUPPORTED_PUBLIC_INPUT_COUNTS.join(', ')})`,
    );
  const root = statementDigest(fieldWord(args.rollup.vkHash), args.rollup.publicInputs.map(fieldWord));
  return proveChecked(bb, art, circuit, leafInputs(headerFor(art, root, args.prover), args.rollup), root, args.prover, 'noir-recursive');
}

/** Proves that a subtree of 2^height slots is all zero (empty or excluded slots). */
export async function provePad(bb: Bb, art: AggregationArtifacts, args: { height: number; prover: Hex }): Promise<AggProof> {
  const root = zeroSubtree(args.height);
  return proveChecked(bb, art, 'pad', padInputs(headerFor(art, root, args.prover), args.height), root, args.prover, 'noir-recursive');
}

/** Proves a node over two aggregation proofs; `target: 'evm'` for the batch root. */
export async function proveNode(
  bb: Bb,
  art: AggregationArtifacts,
  args: { left: AggProof; right: AggProof; prover: Hex; target: ProofTarget },
): Promise<AggProof> {
  for (const [side, c] of [
    ['left', args.left],
    ['right', args.right],
  ] as const) {
    if (c.target !== 'noir-recursive') throw new Error(`${side} child was proven for ${c.target}, not noir-recursive`);
    if (!sameWords(c.publicInputs.slice(2), expectedPublicInputs(art, c.root, args.prover).slice(2))) {
      throw new Error(`${side} child carries another prover or another key-hash set`);
    }
  }
  const root = hashPair(args.left.root, args.right.root);
  const child = (c: AggProof) => ({ circuit: art.circuits[c.circuit], proof: c.proof, root: c.root });
  const inputs = nodeInputs(headerFor(art, root, args.prover), child(args.left), child(args.right));
  return proveChecked(bb, art, 'node', inputs, root, args.prover, args.target);
}

/** Verifies an aggregation proof against the stored key of its circuit and target, and checks its public inputs' shape. */
export async function verifyAggProof(bb: Bb, art: AggregationArtifacts, p: AggProof): Promise<boolean> {
  if (!AGG_CIRCUITS.includes(p.circuit)) return false;
  if (p.target === 'evm' && p.circuit !== 'node') return false;
  if (p.publicInputs.length !== AGG_PUBLIC_INPUTS) return false;
  if (!sameWords(p.publicInputs.slice(3), keyHashList(art))) return false;
  if (BigInt(joinRoot(p.publicInputs[0]!, p.publicInputs[1]!)) !== BigInt(p.root)) return false;
  const vk = p.target === 'evm' ? art.rootVk : art.circuits[p.circuit].vk;
  return verifyWithVk(bb, vk, p, p.target);
}

/**
 * Pre-check of a rollup proof before it enters the tree: shape (key and proof sizes, 1/2/4 canonical
 * public inputs), vkHash = bb's hash of vk (the leaf would otherwise produce an invalid proof), and
 * cryptographic validity against the stored key. Milliseconds.
 */
export async function verifyRollupProof(bb: Bb, rollup: RollupProof): Promise<boolean> {
  if (rollup.vk.length !== VK_BYTES || rollup.proof.length !== PROOF_BYTES) return false;
  if (!LEAF_FOR_PUBLIC_INPUTS[rollup.publicInputs.length]) return false;
  if (!isCanonicalField(rollup.vkHash) || !rollup.publicInputs.every(isCanonicalField)) return false;
  if (BigInt(await vkHashOf(bb, rollup.vk)) !== BigInt(rollup.vkHash)) return false;
  return verifyWithVk(bb, rollup.vk, { proof: rollup.proof, publicInputs: rollup.publicInputs }, 'noir-recursive');
}
