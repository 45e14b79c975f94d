/**
 * Types shared by the circuits layer of the prover engine (see docs/prover.md). The protocol constants
 * (circuits, proof and key sizes, public-input counts) are prover/protocol's.
 */
import type { Address } from 'viem';
import type { AggCircuit, Hex, KeySet, VerifierVariant } from '../../protocol/index.js';

export type { Hex };

/** Example rollup circuits (demos and tests), by number of public inputs: 1, 2 and 4. */
export const EXAMPLE_ROLLUPS = ['rollup_counter', 'rollup_transfer', 'rollup_ledger'] as const;
export type ExampleRollup = (typeof EXAMPLE_ROLLUPS)[number];

/**
 * bb.js 5 proof targets (its `verifierTarget` names). Rollup proofs are `noir-recursive` (ZK, poseidon2
 * transcript); aggregation proofs verified in a node are `noir-recursive-no-zk`; the batch root is a
 * node proven for `evm-no-zk` (keccak transcript, bb's non-ZK Solidity verifiers). `evm` (ZK, keccak)
 * only serves the "one rollup proof verified alone on L1" baseline of the benchmarks.
 */
export type ProofTarget = 'noir-recursive' | 'noir-recursive-no-zk' | 'evm-no-zk' | 'evm';
/** The targets of aggregation proofs: inner (verified by a node) or the root (verified on L1). */
export type AggTarget = 'noir-recursive-no-zk' | 'evm-no-zk';
export const AGG_TARGETS: readonly AggTarget[] = ['noir-recursive-no-zk', 'evm-no-zk'];

/** A rollup's UltraHonk ZK proof (noir-recursive target) with the key it verifies against and its program's owner. */
export interface RollupProof {
  /** Verification key bytes (115 fields, 3,680 bytes). */
  vk: Uint8Array;
  /** bb's key hash of `vk` (the program's vkHash). */
  vkHash: Hex;
  /** The address that registered the program: programId = keccak256(abi.encode(owner, vkHash)). */
  owner: Address;
  /** Proof bytes (458 fields). */
  proof: Uint8Array;
  /** Public inputs, each a canonical field element as a 32-byte hex word. */
  publicInputs: Hex[];
}

/** A proof of one of the aggregation circuits. */
export interface AggProof {
  circuit: AggCircuit;
  proof: Uint8Array;
  /** The 4 public inputs [root_hi, root_lo, prover, key_set]. */
  publicInputs: Hex[];
  /** The batch-tree value the proof commits (root_hi || root_lo). */
  root: Hex;
  target: AggTarget;
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
  /** Verification key of the circuit's in-circuit target (noir-recursive-no-zk for aggregation circuits, noir-recursive for rollups). */
  vk: Uint8Array;
  vkFields: Hex[];
  vkHash: Hex;
  size: CircuitSize;
}

/** A compiled Solidity verifier of the root key (node circuit, evm-no-zk target) and the libraries it links. */
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
  /** Content hash of the inputs (the sources the build uses, package versions, SRS id). */
  buildId: string;
  srsId: string;
  keyHashes: Record<AggCircuit, Hex>;
  /** The Poseidon2 key-set tree over the 11 key hashes: its root is public input 3 of every aggregation proof. */
  keySet: KeySet;
  circuits: Record<AggCircuit, CircuitArtifact>;
  /** Node verification key for the evm-no-zk target (the root proof's). */
  rootVk: Uint8Array;
  /** The standard verifier (HonkVerifier + RelationsLib). */
  verifier: VerifierArtifact;
  /** Both variants; verifiers.standard === verifier. */
  verifiers: Record<VerifierVariant, VerifierArtifact>;
  examples: Record<ExampleRollup, CircuitArtifact>;
}
