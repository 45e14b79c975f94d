import { ignitionCrsDir, stockBbPath } from './paths.js';

/** The production setup: stock bb, unmodified, with the Aztec Ignition CRS in bb's default directory. */
export interface IgnitionSrs {
  readonly mode: 'ignition';
  readonly insecure: false;
  /** The stock bb shipped in @aztec/bb.js. */
  readonly bbPath: string;
  /** bb's default CRS directory, where it downloads the Ignition points (~/.bb-crs). */
  readonly crsDir: string;
}

/**
 * The Ignition SRS. Nothing is patched: bb, its verification and the generated Solidity verifier are
 * used exactly as shipped. bb downloads the CRS on first use, which needs internet access (not
 * available on the project's build machines; see docs/srs.md).
 */
export function ignitionSrs(): IgnitionSrs {
  return { mode: 'ignition', insecure: false, bbPath: stockBbPath(), crsDir: ignitionCrsDir() };
}
