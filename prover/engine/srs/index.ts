/**
 * Trusted-setup (SRS) modes of the NEX prover. Everything that depends on which BN254 KZG setup is
 * in use lives here:
 *
 * - 'ignition' (production): stock bb with the Aztec Ignition CRS; nothing is modified.
 * - 'dev' (local devnets, tests): an INSECURE SRS generated locally from a public seed, a patched
 *   copy of bb that accepts it, and a patch for the G2 point in generated Solidity verifiers.
 */
import type { DevSrs } from './dev.js';
import type { IgnitionSrs } from './ignition.js';
import { patchSolidityVerifierG2 } from './patch.js';

export type SrsMode = 'dev' | 'ignition';
export type Srs = DevSrs | IgnitionSrs;

export { DEFAULT_DEV_SEED, DEFAULT_LOG2_POINTS, LOCAL_DEVNET_CHAIN_IDS } from './constants.js';
export { type AffineG1, type DevG2, g1FromBytes, g2FromTau } from './curve.js';
export {
  type DevSrs,
  type DevSrsOptions,
  type SrsLogger,
  type SrsPhase,
  type SrsProgress,
  EXTRA_POINTS,
  devSrsDir,
  ensureDevSrs,
  listDevSrs,
  type CachedDevSrs,
  pointsFor,
  stderrJsonLogger,
} from './dev.js';
export { type IgnitionSrs, ignitionSrs } from './ignition.js';
export { type CreateBarretenbergOptions, createBarretenberg } from './barretenberg.js';
export { InsecureSrsError, assertSrsAllowedOnChain, isLocalDevnet } from './policy.js';
export { type BbPatchReport, patchBbBytes, patchSolidityVerifierG2 } from './patch.js';
export { type SrsCheckReport, checkSrsFiles } from './verify.js';
export { defaultSrsCacheRoot, stockBbPath } from './paths.js';
export { deriveDevTau, seedId } from './tau.js';

/** Solidity verifier source for `srs`: as generated for Ignition, G2-patched for a dev SRS. */
export function solidityVerifierFor(srs: Srs, generated: string): string {
  return srs.mode === 'ignition' ? generated : patchSolidityVerifierG2(generated, srs.g2);
}
