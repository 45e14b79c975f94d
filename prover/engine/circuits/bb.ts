/**
 * Thin typed layer over bb.js's Barretenberg API: what proving and verifying need at runtime. (The
 * build steps, keys, sizes and Solidity verifiers, are prover/toolchain/circuits/bbBuild.ts.)
 * UltraHonkBackend is not used: it recomputes the verification key on every proof and every
 * verification (14 s for a 2^21 circuit); here the key computed once at build time is passed in.
 */
import type { Barretenberg } from '@aztec/bb.js';
import { gunzipSync } from 'node:zlib';
import { bytesToHex, hexToBytes } from 'viem';
import type { Hex, ProofTarget } from './types.js';

/** The Barretenberg API instance (prover/engine/srs/barretenberg.ts createBarretenberg). */
export type Bb = Barretenberg;

/** bb's proof-system settings of a proof target. */
export interface ProofSystemSettings {
  ipaAccumulation: boolean;
  oracleHashType: string;
  disableZk: boolean;
  optimizedSolidityVerifier: boolean;
}

/** bb settings of a proof target: ZK in both cases; poseidon2 transcript in-circuit, keccak on the EVM. */
export function targetSettings(target: ProofTarget, optimizedSolidityVerifier = false): ProofSystemSettings {
  return {
    ipaAccumulation: false,
    oracleHashType: target === 'evm' ? 'keccak' : 'poseidon2',
    disableZk: false,
    optimizedSolidityVerifier,
  };
}

/** Uncompressed ACIR bytecode from noir_wasm's base64 gzipped form. */
export function acirBytes(base64Gzipped: string): Uint8Array {
  return new Uint8Array(gunzipSync(Buffer.from(base64Gzipped, 'base64')));
}

export interface RawProof {
  proof: Uint8Array;
  publicInputs: Hex[];
}

/** Proves a circuit from its gzipped witness (noir_js output) with a precomputed verification key. */
export async function proveCircuit(
  bb: Bb,
  circuit: { name: string; bytecode: Uint8Array; vk: Uint8Array },
  gzippedWitness: Uint8Array,
  target: ProofTarget,
): Promise<RawProof> {
  const r = await bb.circuitProve({
    circuit: { name: circuit.name, bytecode: circuit.bytecode, verificationKey: circuit.vk },
    witness: new Uint8Array(gunzipSync(gzippedWitness)),
    settings: targetSettings(target),
  });
  const proof = new Uint8Array(r.proof.length * 32);
  r.proof.forEach((field, i) => proof.set(field, i * 32));
  return { proof, publicInputs: r.publicInputs.map((f) => bytesToHex(f)) };
}

/** Verifies a proof against a stored verification key. A malformed proof counts as invalid. */
export async function verifyWithVk(bb: Bb, vk: Uint8Array, proof: RawProof, target: ProofTarget): Promise<boolean> {
  if (proof.proof.length === 0 || proof.proof.length % 32 !== 0) return false;
  const fields: Uint8Array[] = [];
  for (let i = 0; i < proof.proof.length; i += 32) fields.push(proof.proof.slice(i, i + 32));
  try {
    const r = await bb.circuitVerify({
      verificationKey: vk,
      publicInputs: proof.publicInputs.map((p) => hexToBytes(p)),
      proof: fields,
      settings: targetSettings(target),
    });
    return r.verified;
  } catch {
    // bb throws on structurally invalid input (e.g. points not on the curve): that is a rejection too.
    return false;
  }
}

/**
 * bb's key hash of a verification key: the Poseidon2 hash of its 115 fields (measured equal to the
 * hash circuitComputeVk returns, test/prover/aggregation.test.ts). It is what the recursion
 * constraint checks `key_hash` against in-circuit.
 */
export async function vkHashOf(bb: Bb, vk: Uint8Array): Promise<Hex> {
  const fields: Uint8Array[] = [];
  for (let i = 0; i < vk.length; i += 32) fields.push(vk.slice(i, i + 32));
  return bytesToHex((await bb.poseidon2Hash({ inputs: fields })).hash);
}
