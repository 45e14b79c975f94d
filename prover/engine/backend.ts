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

/** Where the compiled aggregation circuits live and their key hashes (router order). */
export interface ArtifactsInfo {
  buildDir: string;
  keyHashes: Record<AggCircuit, Hex>;
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

/** Proves one statement of the example rollup circuit (valid, or deliberately invalid for tests and demos). */
export async function proveExampleRollup(opts: BackendOptions & { publicInputCount?: 1 | 2 | 4; valid?: boolean }): Promise<RollupProof> {
  await loadModules();
  void opts;
  throw new Error('prover engine: example rollup binding not written yet (waiting for the circuits branch)');
}

/** Source of the Solidity verifier generated for the root (node circuit, evm target), as used on chain. */
export async function loadRootVerifierSource(opts: BackendOptions): Promise<string> {
  await loadModules();
  void opts;
  throw new Error('prover engine: verifier binding not written yet (waiting for the circuits branch)');
}

/** Opens a bb instance and loads the aggregation artifacts. */
export async function openBackend(opts: BackendOptions): Promise<ProvingBackend> {
  await loadModules();
  void opts;
  throw new Error('prover engine: backend binding not written yet (waiting for the circuits and srs branches)');
}
