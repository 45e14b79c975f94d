/**
 * The aggregation verifier comes from the circuits build (`npm run circuits`), not from contracts/:
 * bb generates it from the root circuit's verification key in two non-ZK variants, the build compiles
 * both with solc-js, and this module loads them (each a HonkVerifier plus the external libraries it
 * links, if any), the key set the router pins for the version (the Poseidon2 root over the 11
 * aggregation key hashes), and the rollup proof length the version's leaf circuits take. Which variant
 * is deployed is a deployment parameter (`verifierVariant`, default 'optimized').
 *
 * Which build: the one of the current circuit sources and toolchain for the SRS the deployment uses
 * (the toolchain's build id, prover/engine/circuits/buildLayout.ts `currentBuildId`), never merely the
 * newest directory: an older build left in the cache after a source change would deploy a verifier
 * whose keys the runtime no longer proves with. The SRS is 'dev' (INSECURE, local devnets only) or
 * 'ignition' (Aztec's Ignition CRS: what any non-local chain gets).
 *
 * Build layout: <NEX_BUILD_DIR or .nex/build>/circuits-<buildId>/ with manifest.json ({ srsId,
 * keyHashes: {leaf_1, ..., node}, keySet: { root, levels }, rollupProofBytes, circuits: {...},
 * verifiers: { standard: { artifact }, optimized: { artifact } } }) and per variant the verifier
 * artifact ({ contractName, abi, bytecode, deployedBytecode, linkReferences,
 * libraries: [{ name, abi, bytecode, deployedBytecode }], srsId }).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Artifact } from '@nomicfoundation/ignition-core';
import type { Hex } from 'viem';
import { buildDirFor, buildRoot, currentBuildId, DEFAULT_DEV_SEED, seedId, type SrsMode } from '../prover/engine/index.js';
import {
  AGG_CIRCUITS,
  isCanonicalField,
  keySetFromLevels,
  VERIFIER_VARIANTS,
  type AggCircuit,
  type VerifierVariant,
} from '../prover/protocol/index.js';
import { assertNotTestArtifact } from './artifacts.js';
import { NexError } from '../prover/protocol/index.js';

/** Order of the 11 aggregation key hashes in the key set (docs/protocol.md): prover/protocol's AGG_CIRCUITS. */
export const KEY_HASH_ORDER = AGG_CIRCUITS;

/**
 * bb's two non-ZK Solidity verifiers for the root key, measured on Hardhat's EVM (docs/prover.md):
 * 'optimized' (one contract, ~0.84M gas per verify transaction) and 'standard' (HonkVerifier +
 * RelationsLib). Both pass the same rejection suite.
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
  /** The variants present in the build. */
  readonly variants: Readonly<Partial<Record<VerifierVariant, VerifierContracts>>>;
  /** The 11 aggregation key hashes in key-set order (AGG_CIRCUITS). */
  readonly keyHashes: readonly Hex[];
  /** The key-set root the router pins for the version (public input 3 of every aggregation proof). */
  readonly keySet: Hex;
  /** Byte length of the rollup proofs the leaf circuits take (the router's rollupProofBytes). */
  readonly rollupProofBytes: number;
  /** The trusted setup the verifier checks pairings against. */
  readonly srs: { readonly mode: SrsMode; readonly id: string };
  readonly buildDir: string;
}

export class VerifierBuildError extends NexError {
  override readonly name = 'VerifierBuildError';
}

/** Parent of the circuits builds: $NEX_BUILD_DIR or .nex/build (the toolchain's buildRoot). */
export function buildRootDir(): string {
  return buildRoot();
}

/** Which SRS a verifier is built for: the dev SRS (seed default "nex-dev-srs-v1") or Aztec Ignition. */
export type VerifierSrs = { readonly mode: 'dev'; readonly seed?: string | undefined } | { readonly mode: 'ignition' };

/** The SRS id the toolchain keys a build with ('ignition', or 'dev-<seed id>'). */
export function srsIdFor(srs: VerifierSrs): string {
  return srs.mode === 'ignition' ? 'ignition' : `dev-${seedId(srs.seed ?? DEFAULT_DEV_SEED)}`;
}

/**
 * The directory of the circuits build of the current sources and toolchain for `srs` (whether it
 * exists or not): `circuits-<buildId>` with the toolchain's build id.
 */
export function currentBuildDir(srs: VerifierSrs, root: string = buildRootDir()): string {
  return buildDirFor(currentBuildId(srsIdFor(srs)).buildId, root);
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

/**
 * Loads a circuits build: a build directory as is, or (default: the dev SRS) the build of the current
 * circuit sources for an SRS, failing with the command that makes it when it is missing.
 */
export function loadVerifierBuild(
  from: string | { readonly srs: VerifierSrs; readonly root?: string } = { srs: { mode: 'dev' } },
): VerifierBuild {
  const buildDir = typeof from === 'string' ? from : currentBuildDir(from.srs, from.root);
  if (typeof from !== 'string' && !existsSync(path.join(buildDir, 'manifest.json'))) {
    const how = from.srs.mode === 'ignition' ? 'npm run circuits -- --srs ignition' : 'npm run circuits';
    throw new VerifierBuildError(
      `no circuits build of the current sources for the ${srsIdFor(from.srs)} SRS (${buildDir}): build it first (${how})`,
    );
  }
  const manifestFile = path.join(buildDir, 'manifest.json');
  const manifest = readJson(manifestFile) as {
    srsId?: unknown;
    keyHashes?: Record<string, unknown>;
    keySet?: { root?: unknown; levels?: unknown };
    rollupProofBytes?: unknown;
    verifiers?: Partial<Record<VerifierVariant, { artifact?: unknown }>>;
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
  // The key set is recomputed from its levels and checked against the key hashes: the router pins it
  // for good, so a manifest that disagrees with itself must never reach a chain.
  const levels = manifest.keySet?.levels;
  if (!Array.isArray(levels) || typeof manifest.keySet?.root !== 'string') {
    throw new VerifierBuildError(`${manifestFile}: keySet missing (a build from before version 2: rebuild with npm run circuits)`);
  }
  let keySet: Hex;
  try {
    keySet = keySetFromLevels(
      levels as Hex[][],
      Object.fromEntries(KEY_HASH_ORDER.map((n, i) => [n, keyHashes[i]!])) as Record<AggCircuit, Hex>,
    ).root;
  } catch (err) {
    throw new VerifierBuildError(`${manifestFile}: keySet: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (keySet !== manifest.keySet.root.toLowerCase())
    throw new VerifierBuildError(`${manifestFile}: keySet.root is not the root of keySet.levels`);
  const rollupProofBytes = manifest.rollupProofBytes;
  if (
    typeof rollupProofBytes !== 'number' ||
    !Number.isSafeInteger(rollupProofBytes) ||
    rollupProofBytes <= 0 ||
    rollupProofBytes >= 2 ** 24
  ) {
    throw new VerifierBuildError(`${manifestFile}: rollupProofBytes is not a positive uint24`);
  }
  const variants: Partial<Record<VerifierVariant, VerifierContracts>> = {};
  for (const variant of VERIFIER_VARIANTS) {
    const entry = manifest.verifiers?.[variant];
    if (entry === undefined) continue;
    if (typeof entry.artifact !== 'string') throw new VerifierBuildError(`${manifestFile}: verifiers.${variant}.artifact missing`);
    variants[variant] = loadVariant(buildDir, entry.artifact, manifest.srsId);
  }
  if (Object.keys(variants).length === 0) throw new VerifierBuildError(`${manifestFile}: no verifier artifact listed`);
  return { variants, keyHashes, keySet, rollupProofBytes, srs: { mode, id: manifest.srsId }, buildDir };
}
