/**
 * Types shared by the circuits layer of the prover engine (see docs/prover.md). The protocol constants
 * (circuits, proof and key sizes, public-input counts) are prover/protocol's.
 */
import type { AggCircuit, Hex, VerifierVariant } from '../../protocol/index.js';

export type { Hex };

/** Example rollup circuits (demos and tests), by number of public inputs: 1, 2 and 4. */
export const EXAMPLE_ROLLUPS = ['rollup_counter', 'rollup_transfer', 'rollup_ledger'] as const;
export type ExampleRollup = (typeof EXAMPLE_ROLLUPS)[number];

/** Where a proof is meant to be verified: in a Noir circuit (poseidon2 transcript) or on the EVM (keccak). */
export type ProofTarget = 'noir-recursive' | 'evm';

/** A rollup's UltraHonk ZK proof (noir-recursive target) with the key it verifies against. */
export interface RollupProof {
  /** Verification key bytes (115 fields, 3,680 bytes). */
  vk: Uint8Array;
  /** bb's key hash of `vk` = the program id. */
  vkHash: Hex;
  /** Proof bytes (458 fields). */
  proof: Uint8Array;
  /** Public inputs, each a canonical field element as a 32-byte hex word. */
  publicInputs: Hex[];
}

/** A proof of one of the aggregation circuits. */
export interface AggProof {
  circuit: AggCircuit;
  proof: Uint8Array;
  /** The 8 public inputs [root_hi, root_lo, prover, kh_leaf1, kh_leaf2, kh_leaf4, kh_pad, kh_node]. */
  publicInputs: Hex[];
  /** The Merkle value the proof commits (root_hi || root_lo). */
  root: Hex;
  target: ProofTarget;
}

/** Gate counts of a circuit as bb reports them. */
export interface CircuitSize {
  gates: number;
  /** Circuit size rounded up to the next power of two (what proving time follows). */
  dyadicGates: number;
  acirOpcodes: number;
}

/** A compiled circuit with its verification key, loaded from the build directory. */
export interface CircuitArtifact {
  name: string;
  /** The ACIR program as noir_wasm emits it (base64 gzipped bytecode + ABI), for noir_js. */
  program: { bytecode: string; abi: unknown };
  /** Uncompressed ACIR bytecode, for bb. */
  bytecode: Uint8Array;
  /** Verification key for the noir-recursive target. */
  vk: Uint8Array;
  vkFields: Hex[];
  vkHash: Hex;
  size: CircuitSize;
}

/** The compiled Solidity verifier of the node circuit (evm target) and the libraries it links. */
export interface VerifierArtifact {
  contractName: string;
  variant: VerifierVariant;
  abi: unknown[];
  /** Creation bytecode with unlinked library placeholders. */
  bytecode: Hex;
  deployedBytecode: Hex;
  /** solc link references: source file -> library -> byte ranges to overwrite with the library address. */
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
  libraries: { name: string; abi: unknown[]; bytecode: Hex; deployedBytecode: Hex }[];
  /** Identifier of the SRS whose [x]_2 the verifier checks pairings against. */
  srsId: string;
}

/** Everything `npm run circuits` produces for one set of sources, package versions and SRS. */
export interface AggregationArtifacts {
  buildDir: string;
  /** Content hash of the inputs (circuit sources, package versions, SRS id). */
  buildId: string;
  srsId: string;
  keyHashes: Record<AggCircuit, Hex>;
  circuits: Record<AggCircuit, CircuitArtifact>;
  /** Node verification key for the evm target (the root proof's). */
  rootVk: Uint8Array;
  /** The standard verifier (HonkVerifier + RelationsLib + ZKTranscriptLib). */
  verifier: VerifierArtifact;
  /** Both variants; verifiers.standard === verifier. */
  verifiers: Record<VerifierVariant, VerifierArtifact>;
  examples: Record<ExampleRollup, CircuitArtifact>;
}
