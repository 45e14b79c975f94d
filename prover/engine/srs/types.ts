/** The trusted setups (SRS) the prover runs with, as the runtime sees them. */
import type { DevSrsManifest } from './manifest.js';

export type SrsMode = 'dev' | 'ignition';

/**
 * A G2 point as four base-field words. `xC0 + xC1·u` is x in Fq2 (c0 the real part); same for y.
 * bb's bn254_g2.dat order is xC0, xC1, yC0, yC1; the EVM pairing precompile (and bb's Solidity
 * verifier) uses xC1, xC0, yC1, yC0.
 */
export interface DevG2 {
  readonly xC0: bigint;
  readonly xC1: bigint;
  readonly yC0: bigint;
  readonly yC1: bigint;
}

export interface AffineG1 {
  readonly x: bigint;
  readonly y: bigint;
}

/** A locally generated, INSECURE development SRS and the bb bound to it. */
export interface DevSrs {
  readonly mode: 'dev';
  readonly insecure: true;
  readonly seed: string;
  readonly tau: bigint;
  readonly log2Points: number;
  readonly points: number;
  /** Directory holding the SRS, its manifest and the patched bb. */
  readonly dir: string;
  /** CRS directory for bb: bn254_g1.dat and bn254_g2.dat. */
  readonly crsDir: string;
  /** Executable to use as bb: runs the patched bb with CRS_PATH=crsDir. */
  readonly bbPath: string;
  /** The patched bb binary itself (for callers passing `-c crsDir` explicitly). */
  readonly patchedBbBinary: string;
  /** [tau]G2 of this SRS (the 4 words swapped into Solidity verifiers). */
  readonly g2: DevG2;
  /** True when this call generated the points, false on a cache hit. */
  readonly generated: boolean;
  readonly manifest: DevSrsManifest;
}

/** The production setup: stock bb, unmodified, with the Aztec Ignition CRS in bb's default directory. */
export interface IgnitionSrs {
  readonly mode: 'ignition';
  readonly insecure: false;
  /** The stock bb shipped in @aztec/bb.js. */
  readonly bbPath: string;
  /** bb's default CRS directory, where it downloads the Ignition points (~/.bb-crs). */
  readonly crsDir: string;
}

export type Srs = DevSrs | IgnitionSrs;

/** Structured log event; every event about a dev SRS carries insecure: true. */
export type SrsLogger = (event: { level: 'info' | 'warn'; msg: string; [key: string]: unknown }) => void;

/** The default SrsLogger: one JSON line per event on stderr, component "srs". */
export const stderrJsonLogger: SrsLogger = (event) => process.stderr.write(`${JSON.stringify({ component: 'srs', ...event })}\n`);
