/**
 * The aggregation verifier comes from the circuits build (`npm run circuits`), not from contracts/:
 * bb generates it from the root circuit's verification key, the build compiles it, and this module
 * loads the compiled HonkVerifier, its external libraries (which must be deployed and linked) and the
 * key hashes of the aggregation circuits the router pins for the version.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Artifact } from '@nomicfoundation/ignition-core';
import type { Hex } from 'viem';
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
  /** The trusted setup the verifier was generated for. */
  readonly srs: 'dev' | 'production';
  readonly buildDir: string;
}

export class VerifierBuildError extends Error {
  override readonly name = 'VerifierBuildError';
}

export function defaultBuildDir(): string {
  return process.env.NEX_BUILD_DIR ?? path.join(projectRoot(), '.nex', 'build');
}

function readJson(file: string): unknown {
  if (!existsSync(file)) {
    throw new VerifierBuildError(`${file} not found: build the circuits first (npm run circuits)`);
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}

function asArtifact(raw: unknown, file: string): Artifact {
  const a = raw as Partial<Artifact>;
  if (!a || typeof a.bytecode !== 'string' || !Array.isArray(a.abi) || typeof a.contractName !== 'string') {
    throw new VerifierBuildError(`${file}: not a contract artifact (abi, bytecode, contractName)`);
  }
  const artifact: Artifact = {
    _format: a._format ?? 'hh3-artifact-1',
    contractName: a.contractName,
    sourceName: a.sourceName ?? `${a.contractName}.sol`,
    abi: a.abi,
    bytecode: a.bytecode,
    deployedBytecode: a.deployedBytecode ?? '0x',
    linkReferences: a.linkReferences ?? {},
    deployedLinkReferences: a.deployedLinkReferences ?? {},
  };
  assertNotTestArtifact(artifact);
  return artifact;
}

/** Library names the artifact's bytecode must be linked with. */
export function linkedLibraryNames(artifact: Artifact): string[] {
  return Object.values(artifact.linkReferences).flatMap((refs) => Object.keys(refs));
}

/**
 * Loads the verifier build from `buildDir` (default .nex/build):
 * `verifier/manifest.json` = { srs: 'dev'|'production', keyHashes: {leaf1, leaf2, leaf4, pad, node},
 * verifier: '<artifact file>', libraries: ['<artifact file>', ...] } with paths relative to verifier/.
 */
export function loadVerifierBuild(buildDir: string = defaultBuildDir()): VerifierBuild {
  const dir = path.join(buildDir, 'verifier');
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJson(manifestFile) as {
    srs?: unknown;
    keyHashes?: Record<string, unknown>;
    verifier?: unknown;
    libraries?: unknown;
  };
  if (manifest.srs !== 'dev' && manifest.srs !== 'production') {
    throw new VerifierBuildError(`${manifestFile}: srs must be 'dev' or 'production'`);
  }
  const keyHashes = KEY_HASH_ORDER.map((name) => {
    const v = manifest.keyHashes?.[name];
    if (typeof v !== 'string' || !isCanonicalField(v as Hex)) {
      throw new VerifierBuildError(`${manifestFile}: keyHashes.${name} is not a canonical field element`);
    }
    return v as Hex;
  });
  if (typeof manifest.verifier !== 'string' || !Array.isArray(manifest.libraries)) {
    throw new VerifierBuildError(`${manifestFile}: verifier (file) and libraries (files) are required`);
  }
  const verifierFile = path.join(dir, manifest.verifier);
  const verifier = asArtifact(readJson(verifierFile), verifierFile);
  const libraries: Record<string, Artifact> = {};
  for (const f of manifest.libraries) {
    const file = path.join(dir, String(f));
    const lib = asArtifact(readJson(file), file);
    libraries[lib.contractName] = lib;
  }
  const needed = linkedLibraryNames(verifier);
  const missing = needed.filter((n) => !libraries[n]);
  if (missing.length > 0) throw new VerifierBuildError(`${manifestFile}: libraries missing for linking: ${missing.join(', ')}`);
  return { verifier, libraries, keyHashes, srs: manifest.srs, buildDir };
}
