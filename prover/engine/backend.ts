// The one file that binds the engine to the circuits module (prover/engine/circuits, branch `circuits`)
// and the SRS module (prover/engine/srs, branch `srs`). Everything else in the engine uses only the
// types and the `ProvingBackend` interface below, so integrating a changed circuits API touches this file.
import type { Hex } from './commitment.js';

export type { Hex };
export type AggCircuit = 'leaf1' | 'leaf2' | 'leaf4' | 'pad' | 'node';
export type ProofTarget = 'noir-recursive' | 'evm';
export const AGG_CIRCUITS: readonly AggCircuit[] = ['leaf1', 'leaf2', 'leaf4', 'pad', 'node'];

/** A rollup's UltraHonk proof as posted to the market (engine-api.md). */
export interface RollupProof {
  vk: Uint8Array;
  vkHash: Hex;
  proof: Uint8Array;
  publicInputs: Hex[];
}

/** An aggregation proof (engine-api.md). */
export interface AggProof {
  circuit: AggCircuit;
  proof: Uint8Array;
  publicInputs: Hex[];
  root: Hex;
  target: ProofTarget;
}

/** Gate counts of a circuit as bb reports them. */
export interface CircuitSize {
  gates: number;
  dyadicGates: number;
}

/** Where the compiled aggregation circuits live, their key hashes (router order) and sizes. */
export interface ArtifactsInfo {
  buildDir: string;
  keyHashes: Record<AggCircuit, Hex>;
  sizes: Record<AggCircuit, CircuitSize>;
}

/** A compiled Solidity verifier: the contract with verify(bytes,bytes32[]) and the libraries it links. */
export interface VerifierBuild {
  name: string;
  abi: unknown[];
  /** Creation bytecode with unlinked library placeholders (hex). */
  bytecode: Hex;
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
  libraries: { name: string; abi: unknown[]; bytecode: Hex }[];
}

/** Options a worker needs to open its own backend (plain JSON: it crosses the IPC boundary). */
export interface BackendOptions {
  /** Directory of the compiled aggregation artifacts (`npm run circuits`); undefined = module default. */
  buildDir?: string | undefined;
  /** SRS directory (dev SRS cache); undefined = module default. */
  srsDir?: string | undefined;
  /** bb threads per instance; undefined = bb default (all cores). */
  threads?: number | undefined;
}

/** The proving functions of the circuits module, bound to one bb instance and one artifact set. */
export interface ProvingBackend {
  readonly artifacts: ArtifactsInfo;
  proveLeaf(args: { rollup: RollupProof; prover: Hex }): Promise<AggProof>;
  provePad(args: { height: number; prover: Hex }): Promise<AggProof>;
  proveNode(args: { left: AggProof; right: AggProof; prover: Hex; target: ProofTarget }): Promise<AggProof>;
  verifyRollupProof(rollup: RollupProof): Promise<boolean>;
  /** The key hash bb computes for a rollup verification key (the program's vkHash). */
  vkHashOf(vk: Uint8Array): Promise<Hex>;
  verifyAggProof(p: AggProof): Promise<boolean>;
  /** Proves a statement of the example rollup program with `publicInputCount` public inputs (noir-recursive target). */
  proveExampleRollup(args: { publicInputCount: 1 | 2 | 4; seed: string; valid?: boolean }): Promise<RollupProof>;
  /** The compiled Solidity verifier of the root (node circuit, evm target), as deployed on chain. */
  rootVerifier(): Promise<VerifierBuild>;
  /**
   * An example rollup proof made for the EVM (keccak transcript) with the Solidity verifier source of that
   * rollup circuit (for the current SRS): the "verify one rollup proof alone on L1" baseline of the benchmark.
   */
  exampleRollupEvmCase(): Promise<{ verifierSource: string; proof: Uint8Array; publicInputs: Hex[] }>;
  /** Process id of the native bb behind this backend, when there is one (for peak-RSS sampling). */
  bbPid(): number | undefined;
  close(): Promise<void>;
}

// Module paths are held in variables until the circuits and srs branches are merged, so that the engine
// type-checks without them. After the merge these become static imports.
const CIRCUITS_MODULE = './circuits/index.js';
const SRS_MODULE = './srs/index.js';

async function loadModules(): Promise<{ circuits: Record<string, unknown>; srs: Record<string, unknown> }> {
  try {
    return {
      circuits: (await import(CIRCUITS_MODULE)) as Record<string, unknown>,
      srs: (await import(SRS_MODULE)) as Record<string, unknown>,
    };
  } catch (err) {
    throw new Error(
      `prover engine: the circuits/SRS modules are not available (${err instanceof Error ? err.message : String(err)}); ` +
        'merge the `circuits` and `srs` branches and run `npm run circuits`',
    );
  }
}

/** What the SRS module's cache manifest records about the dev SRS generation, or a fresh generation when `fresh`. */
export async function devSrsGeneration(opts: BackendOptions & { fresh?: boolean }): Promise<{ points: number; ms: number; fromCache: boolean }> {
  await loadModules();
  void opts;
  throw new Error('prover engine: SRS binding not written yet (waiting for the srs branch)');
}

/** Builds the circuits (or reads the cached build's manifest) and reports the build time. */
export async function circuitBuild(opts: BackendOptions & { fresh?: boolean }): Promise<{ ms: number; fromCache: boolean }> {
  await loadModules();
  void opts;
  throw new Error('prover engine: circuits build binding not written yet (waiting for the circuits branch)');
}

/** Opens a bb instance and loads the aggregation artifacts. */
export async function openBackend(opts: BackendOptions): Promise<ProvingBackend> {
  await loadModules();
  void opts;
  throw new Error('prover engine: backend binding not written yet (waiting for the circuits and srs branches)');
}
