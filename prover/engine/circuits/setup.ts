/** Binds the circuits build to an SRS from prover/engine/srs: the build id and the verifier patch follow the SRS. */
import { createBarretenberg, seedId, solidityVerifierFor, type Srs } from '../srs/index.js';
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

/**
 * Starts bb for `srs` and waits until it answers. bb.js gives the native bb 5 s to create its socket
 * and leaves that failure unobserved until the first call; on a loaded machine the start can take
 * longer, so a first call observes it here and the start is retried (3 attempts).
 */
export async function startBarretenberg(srs: Srs, threads?: number): Promise<Bb> {
  for (let attempt = 1; ; attempt++) {
    const bb = await createBarretenberg(srs, { threads });
    try {
      await bb.poseidon2Hash({ inputs: [new Uint8Array(32)] });
      return bb;
    } catch (err) {
      await bb.destroy().catch(() => undefined);
      if (attempt >= 3 || !/Timeout waiting for bb/.test((err as Error).message)) throw err;
    }
  }
}
