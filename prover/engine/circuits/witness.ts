/** noir_js input maps of the aggregation circuits (parameter names of prover/circuits/{leaf_*,pad,node}). */
import type { InputMap } from '@noir-lang/noir_js';
import {
  addressToField,
  AGG_PROOF_FIELDS,
  bytesToFields,
  fieldWord,
  ROLLUP_PROOF_FIELDS,
  splitRoot,
  VK_FIELDS,
  type KeyPath,
} from '../../protocol/index.js';
import type { CircuitArtifact, Hex, RollupProof } from './types.js';

/** The public part every aggregation circuit shares: the root, the prover and the key set. */
export interface HeaderInputs {
  root: Hex;
  /** The prover address. */
  prover: Hex;
  keySet: Hex;
}

function halves(word: Hex): { hi: Hex; lo: Hex } {
  const [hi, lo] = splitRoot(word);
  return { hi, lo };
}

function header({ root, prover, keySet }: HeaderInputs): InputMap {
  const { hi, lo } = halves(root);
  return { root_hi: hi, root_lo: lo, prover: addressToField(prover), key_set: fieldWord(keySet) };
}

/** The fields of a proof or key, checked for length and canonical encoding (every word < r). */
function fields(bytes: Uint8Array, expected: number, what: string): Hex[] {
  const f = bytesToFields(bytes);
  if (f.length !== expected) throw new Error(`expected a ${expected}-field ${what}, got ${f.length}`);
  return f.map((x, i) => {
    try {
      return fieldWord(x);
    } catch {
      throw new Error(`${what} field ${i} is not a canonical field element`);
    }
  });
}

function rollupInput(r: RollupProof): InputMap {
  return {
    vk: fields(r.vk, VK_FIELDS, 'verification key'),
    key_hash: fieldWord(r.vkHash),
    proof: fields(r.proof, ROLLUP_PROOF_FIELDS, 'rollup proof'),
    public_inputs: r.publicInputs.map(fieldWord),
    owner: addressToField(r.owner),
  };
}

/** leaf_a: one rollup proof; `right` when it is the right slot of its pair (the left one is zero). */
export function singleLeafInputs(h: HeaderInputs, rollup: RollupProof, right: boolean): InputMap {
  return { ...header(h), rollup: rollupInput(rollup), right };
}

/** leaf_a_b: `first` has a <= b public inputs; `swap` when `second` is the left slot. */
export function pairLeafInputs(h: HeaderInputs, first: RollupProof, second: RollupProof, swap: boolean): InputMap {
  return { ...header(h), first: rollupInput(first), second: rollupInput(second), swap };
}

export function padInputs(h: HeaderInputs, height: number): InputMap {
  return { ...header(h), height: String(height) };
}

/** A child of a node: a non-ZK aggregation proof, its circuit's key and the key's path in the key set. */
export interface NodeChild {
  circuit: Pick<CircuitArtifact, 'vkFields' | 'vkHash'>;
  proof: Uint8Array;
  root: Hex;
  path: KeyPath;
}

function child(c: NodeChild): InputMap {
  return {
    vk: [...c.circuit.vkFields],
    key_hash: c.circuit.vkHash,
    proof: fields(c.proof, AGG_PROOF_FIELDS, 'aggregation proof'),
    root: halves(c.root),
    key_path: { index: String(c.path.index), siblings: [...c.path.siblings] },
  };
}

export function nodeInputs(h: HeaderInputs, left: NodeChild, right: NodeChild): InputMap {
  return { ...header(h), left: child(left), right: child(right) };
}
