// JSON form of AggProof (hex strings), used by checkpoints and worker IPC.
import { bytesToHex, hexToBytes } from 'viem';
import { AGG_CIRCUITS } from '../protocol/index.js';
import type { AggProof, Hex } from './backend.js';
import { AGG_TARGETS } from './circuits/types.js';

export interface AggProofJson {
  circuit: AggProof['circuit'];
  proof: Hex;
  publicInputs: Hex[];
  root: Hex;
  target: AggProof['target'];
}

export function aggProofToJson(p: AggProof): AggProofJson {
  return { circuit: p.circuit, proof: bytesToHex(p.proof), publicInputs: [...p.publicInputs], root: p.root, target: p.target };
}

const WORD = /^0x[0-9a-fA-F]{64}$/;

/** Parses an AggProofJson, throwing on any malformed field. */
export function aggProofFromJson(j: unknown): AggProof {
  if (typeof j !== 'object' || j === null) throw new TypeError('AggProof JSON must be an object');
  const o = j as Record<string, unknown>;
  if (!AGG_CIRCUITS.includes(o.circuit as AggProof['circuit'])) throw new TypeError(`bad circuit ${String(o.circuit)}`);
  if (!AGG_TARGETS.includes(o.target as AggProof['target'])) throw new TypeError(`bad target ${String(o.target)}`);
  if (typeof o.proof !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(o.proof)) throw new TypeError('bad proof bytes');
  if (typeof o.root !== 'string' || !WORD.test(o.root)) throw new TypeError('bad root');
  if (!Array.isArray(o.publicInputs) || !o.publicInputs.every((x) => typeof x === 'string' && WORD.test(x))) {
    throw new TypeError('bad public inputs');
  }
  return {
    circuit: o.circuit as AggProof['circuit'],
    proof: hexToBytes(o.proof as Hex),
    publicInputs: o.publicInputs as Hex[],
    root: o.root as Hex,
    target: o.target as AggProof['target'],
  };
}
