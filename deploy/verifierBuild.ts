/**
 * The aggregation verifier comes from the circuits build (`npm run circuits`), not from contracts/:
 * bb generates it from the root circuit's verification key in two variants, the build compiles both
 * with solc-js, and this module loads them (each a HonkVerifier plus the external libraries it links,
 * if any) and the key hashes of the aggregation circuits the router pins for the version. Which
 * variant is deployed is a deployment parameter (`verifierVariant`, default 'optimized').
 *
 * Build layout (prover/engine/circuits/buildLayout.ts, written by prover/toolchain/circuits/build.ts): <NEX_BUILD_DIR or .nex/build>/circuits-<id>/ with
 * manifest.json ({ srsId, keyHashes: {leaf1, leaf2, leaf4, pad, node},
 * verifiers: { standard: { artifact }, optimized: { artifact } } }) and per variant the verifier
 * artifact ({ contractName, abi, bytecode, deployedBytecode, linkReferences,
 * libraries: [{ name, abi, bytecode, deployedBytecode }], srsId }).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Artifact } from '@nomicfoundation/ignition-core';
import type { Hex } from 'viem';
import type { SrsMode } from '../prover/engine/index.js';
import { AGG_CIRCUITS, isCanonicalField, VERIFIER_VARIANTS, type VerifierVariant } from '../prover/protocol/index.js';
import { projectRoot } from '../prover/sdk/index.js';
import { assertNotTestArtifact } from './artifacts.js';
import { NexError } from '../prover/protocol/index.js';

/** Router order of the version-1 key hashes (docs/protocol.md): prover/protocol's AGG_CIRCUITS. */
export const KEY_HASH_ORDER = AGG_CIRCUITS;

/**
 * bb's two non-ZK Solidity verifiers for the root key, measured on Hardhat's EVM (docs/prover.md):
 * 'optimized' (one contract, ~0.83M gas per verify) and 'standard' (HonkVerifier + RelationsLib,
 * ~2.55M gas per verify). Both pass the same rejection suite.
 */
export { VERIFIER_VARIANTS, type VerifierVariant };
export const DEFAULT_VERIFIER_VARIANT: VerifierVariant = 'optimized';

export function isVerifierVariant(v: unknown): v is VerifierVariant {
  return typeof v === 'string' && (VERIFIER_VARIANTS as readonly string[]).includes(v);
}

/** One compiled verifier variant. */
export interface VerifierContracts {
  /** The generated HonkVerifier, with unlinked library placeholders (none for 'optimized'). */
  readonly verifier: Artifact;
  /** Library name (as in the verifier's linkReferences) -> artifact. */
  readonly libraries: Readonly<Record<string, Artifact>>;
}

export interface VerifierBuild {
  /** The variants present in the build (a format-3 build has both). */
  readonly variants: Readonly<Partial<Record<VerifierVariant, VerifierContracts>>>;
  /** Key hashes in router order. */
  readonly keyHashes: readonly Hex[];
  /** The trusted setup the verifier checks pairings against. */
  readonly srs: { readonly mode: SrsMode; readonly id: string };
  readonly buildDir: string;
}

export class VerifierBuildError extends NexError {
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

function loadVariant(buildDir: string, artifactFile: string, srsId: string): VerifierContracts {
  const verifierFile = path.join(buildDir, artifactFile);
  const raw = readJson(verifierFile) as RawContract & { libraries?: RawContract[]; srsId?: unknown };
  if (raw.srsId !== srsId) {
    throw new VerifierBuildError(`${verifierFile}: built for SRS ${String(raw.srsId)}, the manifest says ${srsId}`);
  }
  const verifier = toArtifact(raw, verifierFile);
  const libraries: Record<string, Artifact> = {};
  for (const lib of raw.libraries ?? []) {
    const artifact = toArtifact(lib, `${verifierFile} (library)`);
    libraries[artifact.contractName] = artifact;
  }
  const missing = linkedLibraryNames(verifier).filter((n) => !libraries[n]);
  if (missing.length > 0) throw new VerifierBuildError(`${verifierFile}: libraries missing for linking: ${missing.join(', ')}`);
  return { verifier, libraries };
}

/** The contracts of `variant`; a clear error when the build does not have it. */
export function verifierVariantOf(build: VerifierBuild, variant: VerifierVariant): VerifierContracts {
  const v = build.variants[variant];
  if (!v) {
    throw new VerifierBuildError(
      `the circuits build ${build.buildDir} has no '${variant}' verifier (it has: ${Object.keys(build.variants).join(', ') || 'none'}); ` +
        'rebuild the circuits (npm run circuits)',
    );
  }
  return v;
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
    verifiers?: Partial<Record<VerifierVariant, { artifact?: unknown }>>;
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
  const variants: Partial<Record<VerifierVariant, VerifierContracts>> = {};
  for (const variant of VERIFIER_VARIANTS) {
    const entry = manifest.verifiers?.[variant];
    if (entry === undefined) continue;
    if (typeof entry.artifact !== 'string') throw new VerifierBuildError(`${manifestFile}: verifiers.${variant}.artifact missing`);
    variants[variant] = loadVariant(buildDir, entry.artifact, manifest.srsId);
  }
  // Builds from before the variants (format 1) list only the standard verifier.
  if (manifest.verifiers === undefined && typeof manifest.verifier?.artifact === 'string') {
    variants.standard = loadVariant(buildDir, manifest.verifier.artifact, manifest.srsId);
  }
  if (Object.keys(variants).length === 0) throw new VerifierBuildError(`${manifestFile}: no verifier artifact listed`);
  return { variants, keyHashes, srs: { mode, id: manifest.srsId }, buildDir };
}
