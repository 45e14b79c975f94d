/**
 * The aggregation verifier comes from the circuits build (`npm run circuits`), not from contracts/:
 * bb generates it from the root circuit's verification key, the build compiles it with solc-js, and
 * this module loads the compiled HonkVerifier, its external libraries (deployed first and linked) and
 * the key hashes of the aggregation circuits the router pins for the version.
 *
 * Build layout (prover/engine/circuits/build.ts): <NEX_BUILD_DIR or .nex/build>/circuits-<id>/ with
 * manifest.json ({ srsId, keyHashes: {leaf1, leaf2, leaf4, pad, node}, verifier: { artifact } }) and
 * the verifier artifact ({ contractName, abi, bytecode, deployedBytecode, linkReferences,
 * libraries: [{ name, abi, bytecode, deployedBytecode }], srsId }).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Artifact } from '@nomicfoundation/ignition-core';
import type { Hex } from 'viem';
import type { SrsMode } from '../prover/engine/srs/index.js';
import { projectRoot } from '../prover/sdk/deployments.js';
import { isCanonicalField } from '../prover/sdk/field.js';
import { assertNotTestArtifact } from './artifacts.js';

/** Router order of the version-1 key hashes (docs/protocol.md). */
export const KEY_HASH_ORDER = ['leaf1', 'leaf2', 'leaf4', 'pad', 'node'] as const;

export interface VerifierBuild {
  /** The generated HonkVerifier, with unlinked library placeholders. */
  readonly verifier: Artifact;
  /** Library name (as in the verifier's linkReferences) -> artifact. */
  readonly libraries: Readonly<Record<string, Artifact>>;
  /** Key hashes in router order. */
  readonly keyHashes: readonly Hex[];
  /** The trusted setup the verifier checks pairings against. */
  readonly srs: { readonly mode: SrsMode; readonly id: string };
  readonly buildDir: string;
}

export class VerifierBuildError extends Error {
  override readonly name = 'VerifierBuildError';
}

/** Parent of the circuits builds. */
export function buildRootDir(): string {
  return process.env.NEX_BUILD_DIR ?? path.join(projectRoot(), '.nex', 'build');
}

/** The most recently written complete circuits build under `root`, if any. */
export function latestBuildDir(root: string = buildRootDir()): string | undefined {
  if (!existsSync(root)) return undefined;
  const builds = readdirSync(root)
    .filter((d) => d.startsWith('circuits-') && !d.includes('.tmp'))
    .map((d) => path.join(root, d))
    .filter((d) => existsSync(path.join(d, 'manifest.json')))
    .sort((a, b) => statSync(path.join(b, 'manifest.json')).mtimeMs - statSync(path.join(a, 'manifest.json')).mtimeMs);
  return builds[0];
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new VerifierBuildError(`${file} not found: build the circuits first (npm run circuits)`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

interface RawContract {
  contractName?: string;
  name?: string;
  abi?: unknown;
  bytecode?: unknown;
  deployedBytecode?: unknown;
  linkReferences?: Artifact['linkReferences'];
}

function toArtifact(raw: RawContract, where: string): Artifact {
  const contractName = raw.contractName ?? raw.name;
  if (typeof contractName !== 'string' || !Array.isArray(raw.abi) || typeof raw.bytecode !== 'string') {
    throw new VerifierBuildError(`${where}: not a contract artifact (name, abi, bytecode)`);
  }
  const artifact: Artifact = {
    _format: 'hh3-artifact-1',
    contractName,
    sourceName: 'HonkVerifier.sol',
    abi: raw.abi,
    bytecode: raw.bytecode,
    deployedBytecode: typeof raw.deployedBytecode === 'string' ? raw.deployedBytecode : '0x',
    linkReferences: raw.linkReferences ?? {},
    deployedLinkReferences: {},
  };
  assertNotTestArtifact(artifact);
  return artifact;
}

/** Library names the artifact's bytecode must be linked with. */
export function linkedLibraryNames(artifact: Artifact): string[] {
  return Object.values(artifact.linkReferences).flatMap((refs) => Object.keys(refs));
}

/** Loads a circuits build (default: the latest under .nex/build). */
export function loadVerifierBuild(buildDir: string | undefined = latestBuildDir()): VerifierBuild {
  if (!buildDir) {
    throw new VerifierBuildError(`no circuits build under ${buildRootDir()}: build the circuits first (npm run circuits)`);
  }
  const manifestFile = path.join(buildDir, 'manifest.json');
  const manifest = readJson(manifestFile) as {
    srsId?: unknown;
    keyHashes?: Record<string, unknown>;
    verifier?: { artifact?: unknown };
  };
  if (typeof manifest.srsId !== 'string') throw new VerifierBuildError(`${manifestFile}: srsId missing`);
  const mode: SrsMode = manifest.srsId === 'ignition' ? 'ignition' : 'dev';
  const keyHashes = KEY_HASH_ORDER.map((name) => {
    const v = manifest.keyHashes?.[name];
    if (typeof v !== 'string' || !isCanonicalField(v as Hex)) {
      throw new VerifierBuildError(`${manifestFile}: keyHashes.${name} is not a canonical field element`);
    }
    return v as Hex;
  });
  if (typeof manifest.verifier?.artifact !== 'string') throw new VerifierBuildError(`${manifestFile}: verifier.artifact missing`);
  const verifierFile = path.join(buildDir, manifest.verifier.artifact);
  const raw = readJson(verifierFile) as RawContract & { libraries?: RawContract[]; srsId?: unknown };
  if (raw.srsId !== manifest.srsId) {
    throw new VerifierBuildError(`${verifierFile}: built for SRS ${String(raw.srsId)}, the manifest says ${manifest.srsId}`);
  }
  const verifier = toArtifact(raw, verifierFile);
  const libraries: Record<string, Artifact> = {};
  for (const lib of raw.libraries ?? []) {
    const artifact = toArtifact(lib, `${verifierFile} (library)`);
    libraries[artifact.contractName] = artifact;
  }
  const missing = linkedLibraryNames(verifier).filter((n) => !libraries[n]);
  if (missing.length > 0) throw new VerifierBuildError(`${verifierFile}: libraries missing for linking: ${missing.join(', ')}`);
  return { verifier, libraries, keyHashes, srs: { mode, id: manifest.srsId }, buildDir };
}
