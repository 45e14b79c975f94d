/** noir_js input maps of the aggregation circuits (parameter names of prover/circuits/{leafN,pad,node}). */
import type { InputMap } from '@noir-lang/noir_js';
import { bytesToFields, fieldWord, PROOF_FIELDS, splitRoot, VK_FIELDS } from '../../protocol/index.js';
import type { CircuitArtifact, Hex, RollupProof } from './types.js';

/** The public part every aggregation circuit shares: root halves, prover, key hashes. */
export interface HeaderInputs {
  root: Hex;
  /** The prover address as a field word. */
  prover: Hex;
  keyHashes: readonly Hex[];
}

function header({ root, prover, keyHashes }: HeaderInputs): InputMap {
  const [hi, lo] = splitRoot(root);
  return { root_hi: hi, root_lo: lo, prover, key_hashes: [...keyHashes] };
}

function proofFields(proof: Uint8Array): Hex[] {
  const fields = bytesToFields(proof);
  if (fields.length !== PROOF_FIELDS) throw new Error(`expected a ${PROOF_FIELDS}-field proof, got ${fields.length}`);
  return fields;
}

function vkFields(vk: Uint8Array): Hex[] {
  const fields = bytesToFields(vk);
  if (fields.length !== VK_FIELDS) throw new Error(`expected a ${VK_FIELDS}-field verification key, got ${fields.length}`);
  return fields;
}

export function leafInputs(h: HeaderInputs, rollup: RollupProof): InputMap {
  return {
    ...header(h),
    rollup: {
      vk: vkFields(rollup.vk),
      key_hash: fieldWord(rollup.vkHash),
      proof: proofFields(rollup.proof),
      public_inputs: rollup.publicInputs.map(fieldWord),
    },
  };
}

export function padInputs(h: HeaderInputs, height: number): InputMap {
  return { ...header(h), height: String(height) };
}

/** A child of a node: an aggregation proof and the circuit it claims to come from. */
export interface NodeChild {
  circuit: Pick<CircuitArtifact, 'vkFields' | 'vkHash'>;
  proof: Uint8Array;
  root: Hex;
}

function child(c: NodeChild): InputMap {
  const [hi, lo] = splitRoot(c.root);
  return { vk: [...c.circuit.vkFields], key_hash: c.circuit.vkHash, proof: proofFields(c.proof), root: { hi, lo } };
}

export function nodeInputs(h: HeaderInputs, left: NodeChild, right: NodeChild): InputMap {
  return { ...header(h), left: child(left), right: child(right) };
}
