// The one file that binds the engine's proving to the circuits layer (prover/engine/circuits) and the
// SRS (prover/engine/srs). Everything else in the engine uses only the types and the `ProvingBackend`
// interface below, so a change in those layers' APIs touches this file only. The backend loads what
// the toolchain built (prover/toolchain: the SRS, the circuits build); it never builds anything.
import { AGG_CIRCUITS, type AggCircuit } from '../protocol/index.js';
import { loadAggregationArtifacts } from './circuits/artifacts.js';
import { type Bb, vkHashOf } from './circuits/bb.js';
import { checkRollupProof, proveNode, provePad, provePairLeaf, proveSingleLeaf, verifyAggProof } from './circuits/prove.js';
import type { AggProof, AggregationArtifacts, AggTarget, Hex, ProofTarget, RollupProof } from './circuits/types.js';
import { startBarretenberg } from './srs/barretenberg.js';
import { ignitionSrs } from './srs/ignition.js';
import { openDevSrs, srsIdOf } from './srs/open.js';
import type { Srs } from './srs/types.js';

export type { Hex };
export { AGG_CIRCUITS };
export type { AggCircuit, AggProof, AggTarget, ProofTarget, RollupProof };

/** Gate counts of a circuit as bb reports them. */
export interface CircuitSize {
  gates: number;
  dyadicGates: number;
}

/** Where the compiled aggregation circuits live, their key hashes (key-set order), the key set and sizes. */
export interface ArtifactsInfo {
  buildDir: string;
  /** Content id of the circuits build (sources, toolchain, SRS): what a proof cache or a worker keys on. */
  buildId: string;
  keyHashes: Record<AggCircuit, Hex>;
  /** The key-set root: public input 3 of every aggregation proof, pinned by the router. */
  keySet: Hex;
  sizes: Record<AggCircuit, CircuitSize>;
}

/** A compiled Solidity verifier: the contract with verify(bytes,bytes32[]) and the libraries it links (none or RelationsLib). */
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
  /** leaf_a over one rollup proof whose sibling slot is zero; `right` when it is the right slot of its pair. */
  proveSingleLeaf(args: { rollup: RollupProof; right: boolean; prover: Hex }): Promise<AggProof>;
  /** leaf_a_b over the two rollup proofs of one pair of slots (left slot, right slot). */
  provePairLeaf(args: { left: RollupProof; right: RollupProof; prover: Hex }): Promise<AggProof>;
  provePad(args: { height: number; prover: Hex }): Promise<AggProof>;
  proveNode(args: { left: AggProof; right: AggProof; prover: Hex; target: AggTarget }): Promise<AggProof>;
  /** Pre-check of one rollup proof: why it is invalid, or undefined when valid. Throws when bb fails to answer. */
  checkRollupProof(rollup: RollupProof): Promise<string | undefined>;
  /** checkRollupProof as a boolean. */
  verifyRollupProof(rollup: RollupProof): Promise<boolean>;
  /** The key hash bb computes for a rollup verification key (the program's vkHash). */
  vkHashOf(vk: Uint8Array): Promise<Hex>;
  verifyAggProof(p: AggProof): Promise<boolean>;
  /** The compiled Solidity verifier of the root (node circuit, evm-no-zk target), standard variant. */
  rootVerifier(): Promise<VerifierBuild>;
  /** Milliseconds bb itself spent in circuitProve since the last call of this function (excludes witness generation; job stats). */
  takeBbProveMs(): number;
  /** Process id of the native bb behind this backend, when there is one (peak-RSS sampling, killing an orphaned bb). */
  bbPid(): number | undefined;
  close(): Promise<void>;
}

/** One bb instance bound to an SRS, with the aggregation artifacts built for that SRS. */
export interface BackendSession {
  readonly srs: Srs;
  readonly bb: Bb;
  readonly artifacts: AggregationArtifacts;
}

interface BbWithProcess {
  backend?: { process?: { pid?: number } };
}

function bbPidOf(bb: Bb): number | undefined {
  // bb.js keeps the native process private; read it defensively (only used for peak-RSS sampling).
  const pid = (bb as unknown as BbWithProcess).backend?.process?.pid;
  return typeof pid === 'number' ? pid : undefined;
}

/** The SRS of backend options, as the toolchain set it up (the runtime never generates one). */
export async function openSrs(opts: Pick<BackendOptions, 'srs' | 'srsDir'>): Promise<Srs> {
  return (opts.srs ?? 'dev') === 'ignition' ? ignitionSrs() : openDevSrs({ cacheDir: opts.srsDir });
}

/** Opens the SRS, loads the aggregation artifacts built by `npm run circuits` for it, and starts bb. */
export async function openBackendSession(opts: BackendOptions): Promise<BackendSession> {
  const srs = await openSrs(opts);
  const artifacts = opts.buildDir
    ? await loadAggregationArtifacts({ buildDir: opts.buildDir })
    : await loadAggregationArtifacts({ srsId: srsIdOf(srs) });
  const bb = await startBarretenberg(srs, opts.threads);
  return { srs, bb, artifacts };
}

/** The proving backend of a session; its close() destroys the session's bb. */
export function provingBackend(session: BackendSession): ProvingBackend {
  const { bb, artifacts: art } = session;
  // Time bb's own proving on this instance (the job stats compare the worker's wall time with it).
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
  const sizes = Object.fromEntries(
    AGG_CIRCUITS.map((c) => [c, { gates: art.circuits[c].size.gates, dyadicGates: art.circuits[c].size.dyadicGates }]),
  ) as Record<AggCircuit, CircuitSize>;
  return {
    artifacts: { buildDir: art.buildDir, buildId: art.buildId, keyHashes: { ...art.keyHashes }, keySet: art.keySet.root, sizes },
    proveSingleLeaf: (a) => proveSingleLeaf(bb, art, a),
    provePairLeaf: (a) => provePairLeaf(bb, art, a),
    provePad: (a) => provePad(bb, art, a),
    proveNode: (a) => proveNode(bb, art, a),
    checkRollupProof: (r) => checkRollupProof(bb, r),
    verifyRollupProof: async (r) => (await checkRollupProof(bb, r)) === undefined,
    verifyAggProof: (p) => verifyAggProof(bb, art, p),
    async vkHashOf(vk) {
      // bb's key hash of an UltraHonk key is the poseidon2 hash of its 32-byte fields.
      if (vk.length === 0 || vk.length % 32 !== 0)
        throw new Error(`verification key of ${vk.length} bytes is not a list of 32-byte fields`);
      return vkHashOf(bb, vk);
    },
    async rootVerifier() {
      const v = art.verifier;
      return {
        name: v.contractName,
        abi: v.abi,
        bytecode: v.bytecode,
        linkReferences: v.linkReferences,
        libraries: v.libraries.map((l) => ({ name: l.name, abi: l.abi, bytecode: l.bytecode })),
      };
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

/** Opens a bb instance bound to the SRS and loads the aggregation artifacts built by `npm run circuits`. */
export async function openBackend(opts: BackendOptions): Promise<ProvingBackend> {
  return provingBackend(await openBackendSession(opts));
}
