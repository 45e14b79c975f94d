/**
 * The layout of a circuits build: what `npm run circuits` (prover/toolchain/circuits/build.ts) writes
 * and the runtime loads (artifacts.ts). A build lives in <build root>/circuits-<buildId>/, where
 * buildId hashes everything the output depends on (Noir sources, toolchain versions, SRS id), so the
 * runtime finds the build of its own sources without building anything.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { AggCircuit, Hex, VerifierVariant } from '../../protocol/index.js';
import { AGG_CIRCUITS } from '../../protocol/index.js';
import { buildRoot, CIRCUIT_PACKAGES, CIRCUITS_DIR, REPO_ROOT } from './paths.js';
import { EXAMPLE_ROLLUPS, type CircuitSize, type ExampleRollup, type ProofTarget } from './types.js';

/** Bump when the layout of the build directory changes. */
export const BUILD_FORMAT = 4;
export const MANIFEST_FILE = 'manifest.json';
/** Files of each verifier variant: the source for the SRS in use, the source exactly as bb generates it
 * (its [x]_2 is the Aztec Ignition one), and the compiled artifact. */
export const VERIFIER_FILES: Readonly<Record<VerifierVariant, { source: string; stockSource: string; artifact: string }>> = {
  standard: { source: 'HonkVerifier.sol', stockSource: 'HonkVerifier.stock.sol', artifact: 'verifier.json' },
  optimized: { source: 'HonkVerifier.optimized.sol', stockSource: 'HonkVerifier.optimized.stock.sol', artifact: 'verifier.optimized.json' },
};
/** The node's key for the evm-no-zk target (the root proof's; another encoding than its in-circuit key). */
export const ROOT_VK_FILE = 'node.evm-no-zk.vk';

export type BuiltCircuit = AggCircuit | ExampleRollup;
export const BUILT_CIRCUITS: readonly BuiltCircuit[] = [...AGG_CIRCUITS, ...EXAMPLE_ROLLUPS];

/** solc settings the verifier was compiled with (prover/toolchain/verifier/solidity.ts SOLC_SETTINGS). */
export interface SolcSettings {
  readonly optimizer: { readonly enabled: boolean; readonly runs: number };
  readonly evmVersion: string;
}

export interface CircuitManifestEntry {
  package: string;
  /** The target its key (and `vkHash`) is for: noir-recursive-no-zk for aggregation circuits, noir-recursive for rollups. */
  target: ProofTarget;
  vkHash: Hex;
  size: CircuitSize;
  compileMs: number;
  vkMs: number;
}

export interface VerifierManifestEntry {
  source: string;
  stockSource: string;
  artifact: string;
  generateMs: number;
  compileMs: number;
  deployedBytes: number;
  libraryDeployedBytes: Record<string, number>;
}

export interface BuildManifest {
  format: number;
  buildId: string;
  sourcesHash: string;
  versions: Record<string, string>;
  srsId: string;
  noirVersion: string;
  solc: { version: string; settings: SolcSettings };
  circuits: Record<BuiltCircuit, CircuitManifestEntry>;
  keyHashes: Record<AggCircuit, Hex>;
  /** The Poseidon2 key-set tree over `keyHashes` (levels[0] = 16 leaves, levels[4] = [root]). */
  keySet: { root: Hex; levels: Hex[][] };
  /** Bytes of a rollup proof the leaves take (the router's rollupProofBytes). */
  rollupProofBytes: number;
  rootVk: { file: string; hash: Hex; ms: number };
  verifiers: Record<VerifierVariant, VerifierManifestEntry>;
  /** = verifiers.standard (kept for readers of the format-1 manifest). */
  verifier: VerifierManifestEntry;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry === 'target' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (entry.endsWith('.nr') || entry === 'Nargo.toml') out.push(path);
  }
  return out;
}

/** The directories of the path dependencies a package's Nargo.toml declares (`name = { path = "..." }`). */
function pathDependencies(packageDir: string): string[] {
  const toml = readFileSync(join(packageDir, 'Nargo.toml'), 'utf8');
  return [...toml.matchAll(/\bpath\s*=\s*"([^"]+)"/g)].map(([, p]) => resolve(packageDir, p!));
}

/**
 * The package directories a build compiles: every built circuit and, transitively, the libraries they
 * depend on. Test-only programs (prover/circuits/tests) are not among them.
 */
export function buildPackageDirs(): string[] {
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const dep of pathDependencies(dir)) visit(dep);
  };
  for (const name of BUILT_CIRCUITS) visit(resolve(CIRCUITS_DIR, CIRCUIT_PACKAGES[name]));
  return [...seen].sort();
}

/**
 * SHA-256 over the Noir sources and manifests of the packages the build uses (relative path +
 * content): a change anywhere else under prover/circuits (a test program) does not change the build.
 */
export function hashCircuitSources(): string {
  const h = createHash('sha256');
  for (const dir of buildPackageDirs()) {
    for (const path of listSources(dir)) h.update(relative(CIRCUITS_DIR, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return h.digest('hex');
}

/** Installed versions of the packages whose output the build depends on. */
export function toolchainVersions(): Record<string, string> {
  const versionOf = (pkg: string): string =>
    (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  return Object.fromEntries(['@noir-lang/noir_wasm', '@noir-lang/noir_js', '@aztec/bb.js', 'solc'].map((p) => [p, versionOf(p)]));
}

/** The id of the build for the current sources and toolchain under `srsId`. */
export function currentBuildId(srsId: string): { buildId: string; sourcesHash: string; versions: Record<string, string> } {
  const sourcesHash = hashCircuitSources();
  const versions = toolchainVersions();
  const buildId = createHash('sha256')
    .update(JSON.stringify({ format: BUILD_FORMAT, sourcesHash, versions, srsId }))
    .digest('hex')
    .slice(0, 24);
  return { buildId, sourcesHash, versions };
}

export function buildDirFor(buildId: string, root: string = buildRoot()): string {
  return join(root, `circuits-${buildId}`);
}

export function readManifest(buildDir: string): BuildManifest {
  return JSON.parse(readFileSync(join(buildDir, MANIFEST_FILE), 'utf8')) as BuildManifest;
}
