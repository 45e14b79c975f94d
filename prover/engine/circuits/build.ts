/**
 * `npm run circuits`: compiles every circuit, computes verification keys and key hashes once,
 * generates the node circuit's Solidity verifier for the SRS in use and compiles it with solc-js.
 * Output goes to <build root>/circuits-<buildId>/, where buildId hashes everything the output depends
 * on (Noir sources, toolchain versions, SRS id); a second run with the same inputs is a cache hit.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acirBytes, circuitSize, computeVk, solidityVerifier, type Bb } from './backend.js';
import { compileNoirPackage, hashCircuitSources, toolchainVersions } from './compile.js';
import { bytesToHex } from './fields.js';
import { buildRoot, CIRCUIT_PACKAGES } from './paths.js';
import { compileVerifier, SOLC_SETTINGS, solcVersion } from './solidity.js';
import { AGG_CIRCUITS, EXAMPLE_ROLLUPS, type AggCircuit, type CircuitSize, type ExampleRollup, type Hex } from './types.js';

/** Bump when the layout of the build directory changes. */
const BUILD_FORMAT = 1;
export const MANIFEST_FILE = 'manifest.json';
export const VERIFIER_SOURCE_FILE = 'HonkVerifier.sol';
/** The verifier exactly as bb generates it (its [x]_2 is the Aztec Ignition one). */
export const STOCK_VERIFIER_SOURCE_FILE = 'HonkVerifier.stock.sol';
export const VERIFIER_ARTIFACT_FILE = 'verifier.json';
export const ROOT_VK_FILE = 'node.evm.vk';

export type BuiltCircuit = AggCircuit | ExampleRollup;
export const BUILT_CIRCUITS: readonly BuiltCircuit[] = [...AGG_CIRCUITS, ...EXAMPLE_ROLLUPS];

export interface CircuitManifestEntry {
  package: string;
  vkHash: Hex;
  size: CircuitSize;
  compileMs: number;
  vkMs: number;
}

export interface BuildManifest {
  format: number;
  buildId: string;
  sourcesHash: string;
  versions: Record<string, string>;
  srsId: string;
  noirVersion: string;
  solc: { version: string; settings: typeof SOLC_SETTINGS };
  circuits: Record<BuiltCircuit, CircuitManifestEntry>;
  keyHashes: Record<AggCircuit, Hex>;
  rootVk: { file: string; ms: number; sameAsRecursiveVk: boolean };
  verifier: { source: string; stockSource: string; artifact: string; generateMs: number; compileMs: number; deployedBytes: number; libraryDeployedBytes: Record<string, number> };
}

export interface BuildProgress {
  step: string;
  circuit?: string;
  ms?: number;
  detail?: string;
}

export interface BuildOptions {
  /** The Barretenberg instance, or a function that starts it: then bb is only started when something must be built. */
  bb: Bb | (() => Promise<Bb>);
  /** Identifier of the SRS the keys are computed with (keys depend on it). */
  srsId: string;
  /** Rewrites the generated Solidity verifier for the SRS in use (the dev SRS swaps [x]_2); identity for Ignition. */
  patchVerifier: (solidity: string) => string;
  /** Defaults to buildRoot(). */
  root?: string;
  /** Rebuild even if a complete build for the same inputs exists. */
  force?: boolean;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuildResult {
  buildDir: string;
  cacheHit: boolean;
  manifest: BuildManifest;
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

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: Math.round(performance.now() - t0) };
}

/** Builds (or finds in the cache) every circuit artifact and the root verifier. */
export async function buildCircuits(opts: BuildOptions): Promise<BuildResult> {
  const progress = opts.onProgress ?? ((): void => {});
  const { buildId, sourcesHash, versions } = currentBuildId(opts.srsId);
  const buildDir = buildDirFor(buildId, opts.root);
  if (!opts.force && existsSync(join(buildDir, MANIFEST_FILE))) {
    progress({ step: 'cache-hit', detail: buildDir });
    return { buildDir, cacheHit: true, manifest: readManifest(buildDir) };
  }
  // Build into a private directory and rename it into place at the end, so a crashed or concurrent
  // build never leaves a half-written directory that looks complete.
  const bb = typeof opts.bb === 'function' ? await opts.bb() : opts.bb;
  const tmpDir = `${buildDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });

  const circuits = {} as Record<BuiltCircuit, CircuitManifestEntry>;
  let noirVersion = '';
  let nodeBytecode: Uint8Array | undefined;
  let nodeRecursiveVk: Uint8Array | undefined;
  for (const name of BUILT_CIRCUITS) {
    const pkg = CIRCUIT_PACKAGES[name];
    const compiled = await timed(() => compileNoirPackage(pkg));
    noirVersion = compiled.value.noirVersion;
    progress({ step: 'compile', circuit: name, ms: compiled.ms });
    const bytecode = acirBytes(compiled.value.bytecode);
    const size = await circuitSize(bb, name, bytecode, 'noir-recursive');
    progress({ step: 'gates', circuit: name, detail: `${size.gates} gates, dyadic 2^${Math.log2(size.dyadicGates)}` });
    const vk = await timed(() => computeVk(bb, name, bytecode, 'noir-recursive'));
    progress({ step: 'vk', circuit: name, ms: vk.ms, detail: vk.value.hash });
    if (vk.value.fields.length !== 115) throw new Error(`${name}: expected a 115-field verification key, got ${vk.value.fields.length}`);
    writeFileSync(join(tmpDir, `${name}.program.json`), JSON.stringify({ bytecode: compiled.value.bytecode, abi: compiled.value.abi }));
    writeFileSync(join(tmpDir, `${name}.vk`), vk.value.bytes);
    circuits[name] = { package: pkg, vkHash: vk.value.hash, size, compileMs: compiled.ms, vkMs: vk.ms };
    if (name === 'node') {
      nodeBytecode = bytecode;
      nodeRecursiveVk = vk.value.bytes;
    }
  }
  if (!nodeBytecode || !nodeRecursiveVk) throw new Error('node circuit missing from the build list');

  const rootVk = await timed(() => computeVk(bb, 'node', nodeBytecode, 'evm'));
  writeFileSync(join(tmpDir, ROOT_VK_FILE), rootVk.value.bytes);
  const sameAsRecursiveVk = bytesToHex(rootVk.value.bytes) === bytesToHex(nodeRecursiveVk);
  progress({ step: 'vk', circuit: 'node (evm target)', ms: rootVk.ms, detail: sameAsRecursiveVk ? 'same key as noir-recursive' : 'differs from noir-recursive' });

  const generated = await timed(() => solidityVerifier(bb, rootVk.value.bytes));
  const patched = opts.patchVerifier(generated.value);
  writeFileSync(join(tmpDir, STOCK_VERIFIER_SOURCE_FILE), generated.value);
  writeFileSync(join(tmpDir, VERIFIER_SOURCE_FILE), patched);
  progress({ step: 'solidity-verifier', ms: generated.ms, detail: `${patched.length} chars` });
  const compiledVerifier = await timed(() => compileVerifier(patched, opts.srsId));
  const artifact = compiledVerifier.value;
  writeFileSync(join(tmpDir, VERIFIER_ARTIFACT_FILE), JSON.stringify(artifact, null, 1));
  const deployedBytes = (artifact.deployedBytecode.length - 2) / 2;
  const libraryDeployedBytes = Object.fromEntries(artifact.libraries.map((l) => [l.name, (l.deployedBytecode.length - 2) / 2]));
  progress({ step: 'solc', ms: compiledVerifier.ms, detail: `${artifact.contractName} ${deployedBytes} B + ${artifact.libraries.map((l) => l.name).join(', ')}` });

  const keyHashes = Object.fromEntries(AGG_CIRCUITS.map((c) => [c, circuits[c].vkHash])) as Record<AggCircuit, Hex>;
  const manifest: BuildManifest = {
    format: BUILD_FORMAT,
    buildId,
    sourcesHash,
    versions,
    srsId: opts.srsId,
    noirVersion,
    solc: { version: solcVersion(), settings: SOLC_SETTINGS },
    circuits,
    keyHashes,
    rootVk: { file: ROOT_VK_FILE, ms: rootVk.ms, sameAsRecursiveVk },
    verifier: {
      source: VERIFIER_SOURCE_FILE,
      stockSource: STOCK_VERIFIER_SOURCE_FILE,
      artifact: VERIFIER_ARTIFACT_FILE,
      generateMs: generated.ms,
      compileMs: compiledVerifier.ms,
      deployedBytes,
      libraryDeployedBytes,
    },
  };
  writeFileSync(join(tmpDir, MANIFEST_FILE), JSON.stringify(manifest, null, 1));
  rmSync(buildDir, { recursive: true, force: true });
  renameSync(tmpDir, buildDir);
  progress({ step: 'done', detail: buildDir });
  return { buildDir, cacheHit: false, manifest };
}
