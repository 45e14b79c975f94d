/**
 * Proving and verification of the version-2 aggregation circuits (single and pair leaves, pad, node)
 * and the pre-check of rollup proofs. See docs/prover.md for the tree and why it is sound.
 *
 * Failures are of two kinds, and callers must tell them apart: a circuit that rejects its inputs
 * (CircuitInputError: witness generation fails, bb refuses the input, or bb's proof does not verify) is
 * a fact about the inputs and happens again on every try; bb failing to answer (its process died, its
 * socket closed or timed out: any other error) says nothing about them and is worth retrying.
 */
import type { InputMap } from '@noir-lang/noir_js';
import { isAddress } from 'viem';
import {
  AGG_CIRCUITS,
  AGG_PUBLIC_INPUTS,
  aggregationPublicInputs,
  bytesToFields,
  hashPair,
  isCanonicalField,
  joinRoot,
  keySetPath,
  MAX_PAD_HEIGHT,
  MIN_PAD_HEIGHT,
  NexError,
  pairLeafFor,
  programIdOf,
  ROLLUP_PROOF_BYTES,
  singleLeafFor,
  statementDigest,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  VK_BYTES,
  ZERO_LEAF,
  zeroSubtree,
  type AggCircuit,
} from '../../protocol/index.js';
import { isBbVerdictError, proveCircuit, verifyWithVk, vkHashOf, type Bb } from './bb.js';
import { noirExecutor } from './executor.js';
import type { AggProof, AggregationArtifacts, AggTarget, Hex, RollupProof } from './types.js';
import { nodeInputs, padInputs, pairLeafInputs, singleLeafInputs, type HeaderInputs, type NodeChild } from './witness.js';

/**
 * A circuit rejected its inputs: witness generation failed (a constraint does not hold, a word is not
 * a field element), bb refused them, or the proof bb returned does not verify. Deterministic: proving
 * the same inputs again fails again.
 */
export class CircuitInputError extends NexError {
  override readonly name: string = 'CircuitInputError';
  constructor(
    readonly circuit: AggCircuit,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An aggregation proof that bb produced but that does not verify (e.g. an invalid rollup proof inside). */
export class InvalidAggProofError extends CircuitInputError {
  override readonly name = 'InvalidAggProofError';
  constructor(
    circuit: AggCircuit,
    readonly aggProof: AggProof,
  ) {
    super(circuit, `${circuit} proof does not verify: an input proof is invalid or does not match its key`);
  }
}

/** True for a failure caused by the inputs (retrying cannot help), false for a failure of bb itself. */
export function isInputFailure(err: unknown): boolean {
  return err instanceof CircuitInputError || isBbVerdictError(err);
}

/** The public inputs an aggregation proof must carry: [root_hi, root_lo, prover, key_set]. */
export function expectedPublicInputs(art: Pick<AggregationArtifacts, 'keySet'>, root: Hex, prover: Hex): Hex[] {
  return aggregationPublicInputs(root, prover, art.keySet.root);
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => BigInt(x) === BigInt(b[i]!));
}

/** The statement digest a rollup proof proves: keccak256(DOMAIN || programIdOf(owner, vkHash) || publicInputs). */
export function rollupDigest(r: Pick<RollupProof, 'owner' | 'vkHash' | 'publicInputs'>): Hex {
  return statementDigest(programIdOf(r.owner, r.vkHash), r.publicInputs);
}

/**
 * Executes `circuit` on `inputs` and proves it for `target`, without checking the result: bb returns a
 * proof even when a recursively verified input proof is invalid (that proof then fails verification).
 * A failing execution is a CircuitInputError.
 */
export async function proveAggregationCircuit(
  bb: Bb,
  art: AggregationArtifacts,
  circuit: AggCircuit,
  inputs: InputMap,
  root: Hex,
  target: AggTarget,
): Promise<AggProof> {
  if (target === 'evm-no-zk' && circuit !== 'node') throw new Error('only the node circuit is proven for the EVM');
  const artifact = art.circuits[circuit];
  let witness: Uint8Array;
  try {
    ({ witness } = await noirExecutor(artifact.program).execute(inputs));
  } catch (err) {
    throw new CircuitInputError(circuit, `${circuit}: witness generation failed: ${(err as Error).message}`, { cause: err });
  }
  const vk = target === 'evm-no-zk' ? art.rootVk : artifact.vk;
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
  target: AggTarget,
): Promise<AggProof> {
  const p = await proveAggregationCircuit(bb, art, circuit, inputs, root, target);
  if (!sameWords(p.publicInputs, expectedPublicInputs(art, root, prover)))
    throw new Error(`${circuit}: bb returned unexpected public inputs`);
  if (!(await verifyAggProof(bb, art, p))) throw new InvalidAggProofError(circuit, p);
  return p;
}

function headerFor(art: AggregationArtifacts, root: Hex, prover: Hex): HeaderInputs {
  return { root, prover, keySet: art.keySet.root };
}

/**
 * Proves `leaf_a` over one rollup proof whose sibling slot is zero: it commits keccak256(d || 0), or
 * keccak256(0 || d) when the proof is the right slot of its pair (`right`).
 */
export async function proveSingleLeaf(
  bb: Bb,
  art: AggregationArtifacts,
  args: { rollup: RollupProof; right: boolean; prover: Hex },
): Promise<AggProof> {
  const circuit = singleLeafFor(args.rollup.publicInputs.length);
  const d = rollupDigest(args.rollup);
  const root = args.right ? hashPair(ZERO_LEAF, d) : hashPair(d, ZERO_LEAF);
  return proveChecked(
    bb,
    art,
    circuit,
    singleLeafInputs(headerFor(art, root, args.prover), args.rollup, args.right),
    root,
    args.prover,
    'noir-recursive-no-zk',
  );
}

/** Proves `leaf_a_b` over the two rollup proofs of one pair of slots: it commits keccak256(d_left || d_right). */
export async function provePairLeaf(
  bb: Bb,
  art: AggregationArtifacts,
  args: { left: RollupProof; right: RollupProof; prover: Hex },
): Promise<AggProof> {
  const { circuit, swap } = pairLeafFor(args.left.publicInputs.length, args.right.publicInputs.length);
  const [first, second] = swap ? [args.right, args.left] : [args.left, args.right];
  const root = hashPair(rollupDigest(args.left), rollupDigest(args.right));
  return proveChecked(
    bb,
    art,
    circuit,
    pairLeafInputs(headerFor(art, root, args.prover), first, second, swap),
    root,
    args.prover,
    'noir-recursive-no-zk',
  );
}

/** Proves that a subtree of 2^height slots (height 1..6) is all zero (empty or excluded slots). */
export async function provePad(bb: Bb, art: AggregationArtifacts, args: { height: number; prover: Hex }): Promise<AggProof> {
  if (!Number.isInteger(args.height) || args.height < MIN_PAD_HEIGHT || args.height > MAX_PAD_HEIGHT) {
    throw new CircuitInputError('pad', `pad height ${args.height} not in ${MIN_PAD_HEIGHT}..${MAX_PAD_HEIGHT}`);
  }
  const root = zeroSubtree(args.height);
  return proveChecked(bb, art, 'pad', padInputs(headerFor(art, root, args.prover), args.height), root, args.prover, 'noir-recursive-no-zk');
}

/** Proves a node over two inner aggregation proofs; `target: 'evm-no-zk'` for the batch root. */
export async function proveNode(
  bb: Bb,
  art: AggregationArtifacts,
  args: { left: AggProof; right: AggProof; prover: Hex; target: AggTarget },
): Promise<AggProof> {
  for (const [side, c] of [
    ['left', args.left],
    ['right', args.right],
  ] as const) {
    if (c.target !== 'noir-recursive-no-zk') throw new Error(`${side} child was proven for ${c.target}, not noir-recursive-no-zk`);
    if (!sameWords(c.publicInputs.slice(2), expectedPublicInputs(art, c.root, args.prover).slice(2))) {
      throw new Error(`${side} child carries another prover or another key set`);
    }
  }
  const root = hashPair(args.left.root, args.right.root);
  const child = (c: AggProof): NodeChild => ({
    circuit: art.circuits[c.circuit],
    proof: c.proof,
    root: c.root,
    path: keySetPath(art.keySet, c.circuit),
  });
  const inputs = nodeInputs(headerFor(art, root, args.prover), child(args.left), child(args.right));
  return proveChecked(bb, art, 'node', inputs, root, args.prover, args.target);
}

/** Verifies an aggregation proof against the stored key of its circuit and target, and checks its public inputs' shape. */
export async function verifyAggProof(bb: Bb, art: AggregationArtifacts, p: AggProof): Promise<boolean> {
  if (!AGG_CIRCUITS.includes(p.circuit)) return false;
  if (p.target === 'evm-no-zk' && p.circuit !== 'node') return false;
  if (p.target !== 'evm-no-zk' && p.target !== 'noir-recursive-no-zk') return false;
  if (p.publicInputs.length !== AGG_PUBLIC_INPUTS) return false;
  if (BigInt(p.publicInputs[3]!) !== BigInt(art.keySet.root)) return false;
  if (BigInt(joinRoot(p.publicInputs[0]!, p.publicInputs[1]!)) !== BigInt(p.root)) return false;
  const vk = p.target === 'evm-no-zk' ? art.rootVk : art.circuits[p.circuit].vk;
  return verifyWithVk(bb, vk, p, p.target);
}

/** Why the shape of a rollup proof makes it unusable (sizes, counts, canonical words), or undefined. */
export function rollupShapeProblem(rollup: RollupProof): string | undefined {
  if (rollup.vk.length !== VK_BYTES) return `verification key has ${rollup.vk.length} bytes, expected ${VK_BYTES}`;
  if (rollup.proof.length !== ROLLUP_PROOF_BYTES) return `proof has ${rollup.proof.length} bytes, expected ${ROLLUP_PROOF_BYTES}`;
  if (!SUPPORTED_PUBLIC_INPUT_COUNTS.includes(rollup.publicInputs.length)) {
    return `unsupported public-input count ${rollup.publicInputs.length} (supported: ${SUPPORTED_PUBLIC_INPUT_COUNTS.join(', ')})`;
  }
  if (!isCanonicalField(rollup.vkHash)) return 'vkHash is not a canonical field element';
  if (!rollup.publicInputs.every(isCanonicalField)) return 'a public input is not a canonical field element';
  if (typeof rollup.owner !== 'string' || !isAddress(rollup.owner, { strict: false })) return 'owner is not an address';
  const vkWord = bytesToFields(rollup.vk).findIndex((w) => !isCanonicalField(w));
  if (vkWord >= 0) return `verification key word ${vkWord} is not a canonical field element (>= r)`;
  const proofWord = bytesToFields(rollup.proof).findIndex((w) => !isCanonicalField(w));
  if (proofWord >= 0) return `proof word ${proofWord} is not a canonical field element (>= r)`;
  return undefined;
}

/**
 * Pre-check of a rollup proof before it enters the tree: its shape (rollupShapeProblem), vkHash = bb's
 * hash of vk (the leaf would otherwise produce an invalid proof), and cryptographic validity against the
 * stored key. Returns why it is invalid, or undefined when valid. Milliseconds. Throws (instead of
 * answering) when bb fails to answer: that says nothing about the proof.
 */
export async function checkRollupProof(bb: Bb, rollup: RollupProof): Promise<string | undefined> {
  const shape = rollupShapeProblem(rollup);
  if (shape) return shape;
  const hash = await vkHashOf(bb, rollup.vk);
  if (BigInt(hash) !== BigInt(rollup.vkHash)) return `verification key hashes to ${hash}, not to the program's vkHash ${rollup.vkHash}`;
  const ok = await verifyWithVk(bb, rollup.vk, { proof: rollup.proof, publicInputs: rollup.publicInputs }, 'noir-recursive');
  return ok ? undefined : 'proof does not verify against the program verification key';
}

/** checkRollupProof as a verdict: true when the rollup proof may enter the tree. */
export async function verifyRollupProof(bb: Bb, rollup: RollupProof): Promise<boolean> {
  return (await checkRollupProof(bb, rollup)) === undefined;
}
