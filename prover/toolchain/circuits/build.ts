/**
 * `npm run circuits`: compiles every circuit, computes verification keys and key hashes once (the
 * aggregation circuits' for `noir-recursive-no-zk`, the example rollups' for `noir-recursive`, the
 * root node's for `evm-no-zk`), computes the key set (Poseidon2 Merkle root over the 11 key hashes,
 * with bb), generates bb's two non-ZK Solidity verifiers of the root key for the SRS in use and
 * compiles them with solc-js.
 * Output goes to <build root>/circuits-<buildId>/ in the layout of prover/engine/circuits/buildLayout.ts
 * (what the runtime loads); a second run with the same inputs is a cache hit.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  acirBytes,
  bbHash2,
  BUILD_FORMAT,
  BUILT_CIRCUITS,
  buildDirFor,
  CIRCUIT_PACKAGES,
  currentBuildId,
  MANIFEST_FILE,
  readManifest,
  ROOT_VK_FILE,
  VERIFIER_FILES,
  type Bb,
  type BuildManifest,
  type BuiltCircuit,
  type CircuitManifestEntry,
  type ProofTarget,
  type VerifierManifestEntry,
} from '../../engine/index.js';
import {
  AGG_CIRCUITS,
  buildKeySet,
  ROLLUP_PROOF_BYTES,
  VERIFIER_VARIANTS,
  VK_FIELDS,
  type AggCircuit,
  type Hex,
  type VerifierVariant,
} from '../../protocol/index.js';
import { compileVerifierArtifact, SOLC_SETTINGS, solcVersion } from '../verifier/solidity.js';
import { circuitSize, computeVk, solidityVerifier } from './bbBuild.js';
import { compileNoirPackage } from './compile.js';

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

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: Math.round(performance.now() - t0) };
}

/** The target of a circuit's key: aggregation proofs are verified in a node (non-ZK), rollup proofs are ZK. */
export function keyTarget(name: BuiltCircuit): ProofTarget {
  return (AGG_CIRCUITS as readonly string[]).includes(name) ? 'noir-recursive-no-zk' : 'noir-recursive';
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
  for (const name of BUILT_CIRCUITS) {
    const pkg = CIRCUIT_PACKAGES[name];
    const target = keyTarget(name);
    const compiled = await timed(() => compileNoirPackage(pkg));
    noirVersion = compiled.value.noirVersion;
    progress({ step: 'compile', circuit: name, ms: compiled.ms });
    const bytecode = acirBytes(compiled.value.bytecode);
    const size = await circuitSize(bb, name, bytecode, target);
    progress({ step: 'gates', circuit: name, detail: `${size.gates} gates, dyadic 2^${Math.log2(size.dyadicGates)}` });
    const vk = await timed(() => computeVk(bb, name, bytecode, target));
    progress({ step: 'vk', circuit: name, ms: vk.ms, detail: vk.value.hash });
    if (vk.value.fields.length !== VK_FIELDS)
      throw new Error(`${name}: expected a ${VK_FIELDS}-field verification key, got ${vk.value.fields.length}`);
    writeFileSync(join(tmpDir, `${name}.program.json`), JSON.stringify({ bytecode: compiled.value.bytecode, abi: compiled.value.abi }));
    writeFileSync(join(tmpDir, `${name}.vk`), vk.value.bytes);
    circuits[name] = { package: pkg, target, vkHash: vk.value.hash, size, compileMs: compiled.ms, vkMs: vk.ms };
    if (name === 'node') nodeBytecode = bytecode;
  }
  if (!nodeBytecode) throw new Error('node circuit missing from the build list');

  const rootVk = await timed(() => computeVk(bb, 'node', nodeBytecode, 'evm-no-zk'));
  writeFileSync(join(tmpDir, ROOT_VK_FILE), rootVk.value.bytes);
  progress({
    step: 'vk',
    circuit: 'node (evm-no-zk, the root)',
    ms: rootVk.ms,
    detail: `${rootVk.value.bytes.length} bytes, ${rootVk.value.hash}`,
  });

  const keyHashes = Object.fromEntries(AGG_CIRCUITS.map((c) => [c, circuits[c].vkHash])) as Record<AggCircuit, Hex>;
  const keySet = await buildKeySet(keyHashes, bbHash2(bb));
  progress({ step: 'key set', detail: keySet.root });

  const verifiers = {} as Record<VerifierVariant, VerifierManifestEntry>;
  for (const variant of VERIFIER_VARIANTS) {
    const files = VERIFIER_FILES[variant];
    const generated = await timed(() => solidityVerifier(bb, rootVk.value.bytes, variant === 'optimized'));
    const patched = opts.patchVerifier(generated.value);
    writeFileSync(join(tmpDir, files.stockSource), generated.value);
    writeFileSync(join(tmpDir, files.source), patched);
    progress({ step: 'solidity-verifier', circuit: variant, ms: generated.ms, detail: `${patched.length} chars` });
    const compiled = await timed(() => compileVerifierArtifact(patched, opts.srsId, variant));
    const artifact = compiled.value;
    writeFileSync(join(tmpDir, files.artifact), JSON.stringify(artifact, null, 1));
    const deployedBytes = (artifact.deployedBytecode.length - 2) / 2;
    const libraryDeployedBytes = Object.fromEntries(artifact.libraries.map((l) => [l.name, (l.deployedBytecode.length - 2) / 2]));
    const libs = artifact.libraries.map((l) => ` + ${l.name}`).join('');
    progress({ step: 'solc', circuit: variant, ms: compiled.ms, detail: `${artifact.contractName} ${deployedBytes} B${libs}` });
    verifiers[variant] = { ...files, generateMs: generated.ms, compileMs: compiled.ms, deployedBytes, libraryDeployedBytes };
  }

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
    keySet: { root: keySet.root, levels: keySet.levels.map((l) => [...l]) },
    rollupProofBytes: ROLLUP_PROOF_BYTES,
    rootVk: { file: ROOT_VK_FILE, hash: rootVk.value.hash, ms: rootVk.ms },
    verifiers,
    verifier: verifiers.standard,
  };
  writeFileSync(join(tmpDir, MANIFEST_FILE), JSON.stringify(manifest, null, 1));
  rmSync(buildDir, { recursive: true, force: true });
  renameSync(tmpDir, buildDir);
  progress({ step: 'done', detail: buildDir });
  return { buildDir, cacheHit: false, manifest };
}
