/** Binds the circuits build to an SRS from prover/engine/srs: the build id and the verifier patch follow the SRS. */
import { seedId, solidityVerifierFor, type Srs } from '../srs/index.js';
import { loadAggregationArtifacts } from './artifacts.js';
import type { Bb } from './backend.js';
import { buildCircuits, type BuildProgress, type BuildResult } from './build.js';
import type { AggregationArtifacts } from './types.js';

/** Identifier of an SRS in build ids: keys and verifiers depend on the SRS. */
export function srsIdOf(srs: Srs): string {
  return srs.mode === 'dev' ? `dev-${seedId(srs.seed)}` : 'ignition';
}

export interface EnsureArtifactsOptions {
  root?: string;
  force?: boolean;
  onProgress?: (p: BuildProgress) => void;
}

/** Builds the circuits for `srs` unless the cache has them (then `bb` is not called), and loads them. */
export async function ensureAggregationArtifacts(
  bb: () => Promise<Bb>,
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
