/**
 * The build steps of bb.js's Barretenberg API: gate counts, verification keys and Solidity verifiers.
 * Proving and verifying are the engine's (prover/engine/circuits/bb.ts).
 */
import { bytesToHex } from 'viem';
import { type Bb, type CircuitSize, type Hex, type ProofTarget, targetSettings } from '../../engine/index.js';
import { bytesToFields } from '../../protocol/index.js';

export async function circuitSize(bb: Bb, name: string, bytecode: Uint8Array, target: ProofTarget): Promise<CircuitSize> {
  const r = await bb.circuitStats({
    circuit: { name, bytecode, verificationKey: new Uint8Array(0) },
    includeGatesPerOpcode: false,
    settings: targetSettings(target),
  });
  return { gates: r.numGates, dyadicGates: r.numGatesDyadic, acirOpcodes: r.numAcirOpcodes };
}

export interface VerificationKey {
  bytes: Uint8Array;
  fields: Hex[];
  hash: Hex;
}

export async function computeVk(bb: Bb, name: string, bytecode: Uint8Array, target: ProofTarget): Promise<VerificationKey> {
  const r = await bb.circuitComputeVk({ circuit: { name, bytecode }, settings: targetSettings(target) });
  return { bytes: r.bytes, fields: bytesToFields(r.bytes), hash: bytesToHex(r.hash) };
}

/**
 * The Solidity verifier bb generates for a verification key of an EVM target: `evm-no-zk` (the batch
 * root, default) or `evm` (a ZK proof: the benchmarks' "one rollup proof alone" baseline). `optimized`
 * selects bb's optimized generator.
 */
export async function solidityVerifier(
  bb: Bb,
  evmVk: Uint8Array,
  optimized = false,
  target: 'evm' | 'evm-no-zk' = 'evm-no-zk',
): Promise<string> {
  const r = await bb.circuitWriteSolidityVerifier({ verificationKey: evmVk, settings: targetSettings(target, optimized) });
  return r.solidityCode;
}
