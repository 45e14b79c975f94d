/** Binds the circuits build to an SRS: the build id and the verifier patch follow the SRS. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  buildDirFor,
  currentBuildId,
  ignitionSrs,
  loadAggregationArtifacts,
  MANIFEST_FILE,
  readManifest,
  srsIdOf,
  startBarretenberg,
  type AggregationArtifacts,
  type BackendOptions,
  type Bb,
  type Srs,
} from '../../engine/index.js';
import { ensureDevSrs } from '../srs/dev.js';
import { solidityVerifierFor } from '../srs/patch.js';
import { buildCircuits, type BuildProgress, type BuildResult } from './build.js';

export interface EnsureArtifactsOptions {
  root?: string;
  force?: boolean;
  onProgress?: (p: BuildProgress) => void;
}

/** Builds the circuits for `srs` unless the cache has them (then `bb` is not called), and loads them. */
export async function ensureAggregationArtifacts(
  bb: Bb | (() => Promise<Bb>),
  srs: Srs,
  opts: EnsureArtifactsOptions = {},
): Promise<{ artifacts: AggregationArtifacts; build: BuildResult }> {
  const build = await buildCircuits({
    bb,
    srsId: srsIdOf(srs),
    patchVerifier: (sol) => solidityVerifierFor(srs, sol),
    ...opts,
  });
  return { artifacts: await loadAggregationArtifacts({ buildDir: build.buildDir }), build };
}

/** The SRS of backend options, set up when it is a dev SRS that is not cached yet (the toolchain may generate). */
export async function setupSrs(opts: Pick<BackendOptions, 'srs' | 'srsDir'>): Promise<Srs> {
  return (opts.srs ?? 'dev') === 'ignition' ? ignitionSrs() : ensureDevSrs({ cacheDir: opts.srsDir });
}

/**
 * Sets up the SRS and builds the circuits for backend options (or reads the cached build's manifest),
 * and reports the build time: what a clean checkout needs before the engine can open a backend.
 */
export async function circuitBuild(opts: BackendOptions & { fresh?: boolean }): Promise<{ ms: number; fromCache: boolean }> {
  const srs = await setupSrs(opts);
  const cached = opts.buildDir ?? buildDirFor(currentBuildId(srsIdOf(srs)).buildId);
  if (!opts.fresh && existsSync(path.join(cached, MANIFEST_FILE))) {
    const m = readManifest(cached);
    const ms =
      Object.values(m.circuits).reduce((a, c) => a + c.compileMs + c.vkMs, 0) + m.rootVk.ms + m.verifier.generateMs + m.verifier.compileMs;
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
