// The one file that binds the engine to the circuits module (prover/engine/circuits) and the SRS module
// (prover/engine/srs). Everything else in the engine uses only the types and the `ProvingBackend`
// interface below, so a change in those modules' APIs touches this file only.
import { loadAggregationArtifacts } from './circuits/artifacts.js';
import { type Bb, computeVk, proveCircuit, solidityVerifier, vkHashOf } from './circuits/backend.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildDirFor, currentBuildId, MANIFEST_FILE, readManifest } from './circuits/build.js';
import { ensureAggregationArtifacts, srsIdOf, startBarretenberg } from './circuits/setup.js';
import { noirExecutor } from './circuits/compile.js';
import { exampleRollupInputs, proveExampleRollup, tamperRollupProof } from './circuits/examples.js';
import { proveLeaf, proveNode, provePad, verifyAggProof, verifyRollupProof } from './circuits/prove.js';
import { AGG_CIRCUITS, type AggCircuit, type AggProof, type ProofTarget, type ExampleRollup, type RollupProof } from './circuits/types.js';
import { ensureDevSrs, ignitionSrs, solidityVerifierFor, type Srs } from './srs/index.js';
import type { Hex } from './commitment.js';

export type { Hex };
export { AGG_CIRCUITS };
export type { AggCircuit, AggProof, ProofTarget, RollupProof };

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
  /** 'dev' (INSECURE local SRS, default) or 'ignition' (production: stock bb and the Aztec CRS). */
  srs?: 'dev' | 'ignition' | undefined;
  /** Dev SRS cache root; undefined = the SRS module's default ($NEX_SRS_DIR or ~/.cache/nex/srs). */
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
   * `optimized` selects bb's optimized Solidity verifier generator (default: the standard one).
   */
  exampleRollupEvmCase(opts?: { optimized?: boolean }): Promise<{ verifierSource: string; proof: Uint8Array; publicInputs: Hex[] }>;
  /** Milliseconds bb itself spent in circuitProve since the last call of this function (excludes witness generation). */
  takeBbProveMs(): number;
  /** Process id of the native bb behind this backend, when there is one (for peak-RSS sampling). */
  bbPid(): number | undefined;
  close(): Promise<void>;
}

interface BbWithProcess {
  backend?: { process?: { pid?: number } };
}

function bbPidOf(bb: Bb): number | undefined {
  // bb.js keeps the native process private; read it defensively (only used for peak-RSS sampling).
  const pid = (bb as unknown as BbWithProcess).backend?.process?.pid;
  return typeof pid === 'number' ? pid : undefined;
}

async function openSrs(opts: BackendOptions): Promise<Srs> {
  return (opts.srs ?? 'dev') === 'ignition' ? ignitionSrs() : ensureDevSrs({ cacheDir: opts.srsDir });
}


const EXAMPLE_FOR: Record<1 | 2 | 4, ExampleRollup> = { 1: 'rollup_counter', 2: 'rollup_transfer', 4: 'rollup_ledger' };

/** What the SRS module's cache manifest records about the dev SRS generation, or a fresh generation when `fresh`. */
export async function devSrsGeneration(opts: BackendOptions & { fresh?: boolean }): Promise<{ points: number; ms: number; fromCache: boolean }> {
  if (opts.fresh) {
    // A fresh generation into a temporary cache root, so the shared cache is left as it is.
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nex-srs-bench-'));
    try {
      const t = performance.now();
      const srs = await ensureDevSrs({ cacheDir: dir });
      return { points: srs.points, ms: Math.round(performance.now() - t), fromCache: false };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const srs = await ensureDevSrs({ cacheDir: opts.srsDir });
  return { points: srs.points, ms: srs.manifest.generationMs, fromCache: true };
}

/** Builds the circuits (or reads the cached build's manifest) and reports the build time. */
export async function circuitBuild(opts: BackendOptions & { fresh?: boolean }): Promise<{ ms: number; fromCache: boolean }> {
  const srs = await openSrs(opts);
  const cached = opts.buildDir ?? buildDirFor(currentBuildId(srsIdOf(srs)).buildId);
  if (!opts.fresh && existsSync(path.join(cached, MANIFEST_FILE))) {
    const m = readManifest(cached);
    const ms = Object.values(m.circuits).reduce((a, c) => a + c.compileMs + c.vkMs, 0) + m.rootVk.ms + m.verifier.generateMs + m.verifier.compileMs;
    return { ms, fromCache: true };
  }
  let bb: Bb | undefined;
  try {
    const t = performance.now();
    await ensureAggregationArtifacts(async () => (bb ??= await startBarretenberg(srs, opts.threads)), srs, { force: opts.fresh });
    return { ms: Math.round(performance.now() - t), fromCache: false };
  } finally {
    await bb?.destroy();
  }
}

/** Opens a bb instance bound to the SRS and loads the aggregation artifacts built by `npm run circuits`. */
export async function openBackend(opts: BackendOptions): Promise<ProvingBackend> {
  const srs = await openSrs(opts);
  const art = opts.buildDir
    ? await loadAggregationArtifacts({ buildDir: opts.buildDir })
    : await loadAggregationArtifacts({ srsId: srsIdOf(srs) });
  const bb = await startBarretenberg(srs, opts.threads);
  // Time bb's own proving on this instance (the benchmark compares the engine's wall time with it).
  let bbProveMs = 0;
  const circuitProve = bb.circuitProve.bind(bb);
  bb.circuitProve = async (command) => {
    const t = performance.now();
    try {
      return await circuitProve(command);
    } finally {
      bbProveMs += performance.now() - t;
    }
  };
  const sizes = Object.fromEntries(AGG_CIRCUITS.map((c) => [c, { gates: art.circuits[c].size.gates, dyadicGates: art.circuits[c].size.dyadicGates }])) as Record<AggCircuit, CircuitSize>;
  return {
    artifacts: { buildDir: art.buildDir, keyHashes: { ...art.keyHashes }, sizes },
    proveLeaf: (a) => proveLeaf(bb, art, a),
    provePad: (a) => provePad(bb, art, a),
    proveNode: (a) => proveNode(bb, art, a),
    verifyRollupProof: (r) => verifyRollupProof(bb, r),
    verifyAggProof: (p) => verifyAggProof(bb, art, p),
    async vkHashOf(vk) {
      // bb's key hash of an UltraHonk key is the poseidon2 hash of its 32-byte fields.
      if (vk.length === 0 || vk.length % 32 !== 0) throw new Error(`verification key of ${vk.length} bytes is not a list of 32-byte fields`);
      return vkHashOf(bb, vk);
    },
    async proveExampleRollup({ publicInputCount, seed, valid = true }) {
      const kind = EXAMPLE_FOR[publicInputCount];
      const proof = await proveExampleRollup(bb, art, kind, seed);
      return valid ? proof : tamperRollupProof(proof, 'proof-byte');
    },
    async rootVerifier() {
      const v = art.verifier;
      return {
        name: v.contractName, abi: v.abi, bytecode: v.bytecode, linkReferences: v.linkReferences,
        libraries: v.libraries.map((l) => ({ name: l.name, abi: l.abi, bytecode: l.bytecode })),
      };
    },
    async exampleRollupEvmCase(opts: { optimized?: boolean } = {}) {
      const kind = EXAMPLE_FOR[1];
      const c = art.examples[kind];
      const evmVk = await computeVk(bb, kind, c.bytecode, 'evm');
      const { witness } = await noirExecutor(c.program).execute(exampleRollupInputs(kind, 'bench-evm'));
      const raw = await proveCircuit(bb, { name: kind, bytecode: c.bytecode, vk: evmVk.bytes }, witness, 'evm');
      const verifierSource = solidityVerifierFor(srs, await solidityVerifier(bb, evmVk.bytes, opts.optimized === true));
      return { verifierSource, proof: raw.proof, publicInputs: raw.publicInputs };
    },
    takeBbProveMs() {
      const ms = Math.round(bbProveMs);
      bbProveMs = 0;
      return ms;
    },
    bbPid: () => bbPidOf(bb),
    close: () => bb.destroy(),
  };
}
