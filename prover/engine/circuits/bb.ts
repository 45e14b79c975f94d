/**
 * Thin typed layer over bb.js's Barretenberg API: what proving and verifying need at runtime. (The
 * build steps, keys, sizes and Solidity verifiers, are prover/toolchain/circuits/bbBuild.ts.)
 * UltraHonkBackend is not used: it recomputes the verification key on every proof and every
 * verification (14 s for a 2^21 circuit); here the key computed once at build time is passed in.
 */
import type { Barretenberg } from '@aztec/bb.js';
import { gunzipSync } from 'node:zlib';
import { bytesToHex, hexToBytes } from 'viem';
import { toWord, type Hash2 } from '../../protocol/index.js';
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

/**
 * bb settings of a proof target, as bb.js's UltraHonkBackend derives them from its `verifierTarget`
 * names: poseidon2 transcript in-circuit, keccak on the EVM; zero knowledge only for `noir-recursive`
 * (rollup proofs) and `evm` (the baseline). Aggregation proofs prove only public facts: non-ZK.
 */
export function targetSettings(target: ProofTarget, optimizedSolidityVerifier = false): ProofSystemSettings {
  return {
    ipaAccumulation: false,
    oracleHashType: target === 'evm' || target === 'evm-no-zk' ? 'keccak' : 'poseidon2',
    disableZk: target === 'noir-recursive-no-zk' || target === 'evm-no-zk',
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

/**
 * True when bb answered a call with an error of its own (bb.js's BBApiException: the request was
 * malformed or rejected, e.g. a point not on the curve) rather than failing to answer (the process
 * died, the socket closed or timed out). Only the first is a verdict about the input.
 */
export function isBbVerdictError(err: unknown): boolean {
  return err instanceof Error && err.name === 'BBApiException';
}

/**
 * Verifies a proof against a stored verification key. A proof that is not a list of 32-byte fields, or
 * that bb refuses as malformed (BBApiException), is invalid; a transport or process failure of bb
 * (it died, its socket closed) is thrown, since it says nothing about the proof.
 */
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
  } catch (err) {
    if (isBbVerdictError(err)) return false;
    throw err;
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

/** poseidon2([a, b]) computed by bb: the key-set tree's pair hash (prover/protocol buildKeySet). */
export function bbHash2(bb: Pick<Bb, 'poseidon2Hash'>): Hash2 {
  return async (a, b) => bytesToHex((await bb.poseidon2Hash({ inputs: [hexToBytes(toWord(a)), hexToBytes(toWord(b))] })).hash);
}
