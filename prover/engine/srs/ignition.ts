import { ignitionCrsDir, stockBbPath } from './paths.js';
import type { IgnitionSrs } from './types.js';

/**
 * The Ignition SRS. Nothing is patched: bb, its verification and the generated Solidity verifier are
 * used exactly as shipped. bb downloads the CRS on first use, which needs internet access (not
 * available on the project's build machines; see docs/srs.md).
 */
export function ignitionSrs(): IgnitionSrs {
  return { mode: 'ignition', insecure: false, bbPath: stockBbPath(), crsDir: ignitionCrsDir() };
}
