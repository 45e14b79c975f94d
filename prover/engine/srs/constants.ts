/** Identity and size of the dev SRS: what the runtime needs to find the SRS the toolchain set up. */

/** Default seed of the dev SRS. Public on purpose: anyone can recompute tau from it. */
export const DEFAULT_DEV_SEED = 'nex-dev-srs-v1';
/** Default size: enough points for circuits of 2^21 gates. */
export const DEFAULT_LOG2_POINTS = 21;

/** Points beyond 2^log2Points. bb 5.0 reads exactly 2^k points for a circuit of dyadic size 2^k
 * (measured); the margin covers an n+1-style requirement of another bb version. */
export const EXTRA_POINTS = 1024;

export const MIN_LOG2_POINTS = 2;
export const MAX_LOG2_POINTS = 25;

export function pointsFor(log2Points: number): number {
  return 2 ** log2Points + EXTRA_POINTS;
}
