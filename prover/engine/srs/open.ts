/**
 * Opens the SRS a prover runs with. The runtime never generates or patches anything: a dev SRS must
 * have been set up by the toolchain (`nex srs setup`, `npm run circuits`, prover/toolchain/srs), and
 * opening it checks its manifest, its files' hashes and its patched bb.
 */
import path from 'node:path';
import { NexError } from '../../protocol/index.js';
import { DEFAULT_DEV_SEED, DEFAULT_LOG2_POINTS, MAX_LOG2_POINTS, MIN_LOG2_POINTS, pointsFor } from './constants.js';
import { type DevSrsManifest, g2FromManifest, type ManifestExpectation, readValidManifest } from './manifest.js';
import { patchedBbStatus } from './patchedBb.js';
import { defaultSrsCacheRoot, devSrsDir, devSrsLayout, stockBbPath, type DevSrsLayout } from './paths.js';
import { deriveDevTau, seedId } from './tau.js';
import { type DevSrs, type Srs, type SrsLogger, stderrJsonLogger } from './types.js';

/** Thrown when the dev SRS a prover needs has not been set up (or no longer matches its manifest). */
export class SrsNotReadyError extends NexError {
  override readonly name = 'SrsNotReadyError';
}

/** Which dev SRS: its seed, its size and the cache root it lives under. */
export interface DevSrsLocationOptions {
  /** The SRS supports circuits of up to 2^log2Points gates (dyadic size). Default 21. */
  readonly log2Points?: number | undefined;
  /** Public seed tau is derived from. Default "nex-dev-srs-v1". */
  readonly seed?: string | undefined;
  /** Cache root. Default $NEX_SRS_DIR, else $XDG_CACHE_HOME/nex/srs, else ~/.cache/nex/srs. */
  readonly cacheDir?: string | undefined;
}

/** Where a dev SRS lives and what its manifest must say. */
export interface DevSrsLocation {
  readonly seed: string;
  readonly log2Points: number;
  readonly tau: bigint;
  /** The cache root. */
  readonly root: string;
  readonly layout: DevSrsLayout;
  readonly expect: ManifestExpectation;
}

/** Resolves the options to a location; throws for a size out of [MIN_LOG2_POINTS, MAX_LOG2_POINTS]. */
export function locateDevSrs(opts: DevSrsLocationOptions = {}): DevSrsLocation {
  const log2Points = opts.log2Points ?? DEFAULT_LOG2_POINTS;
  if (!Number.isInteger(log2Points) || log2Points < MIN_LOG2_POINTS || log2Points > MAX_LOG2_POINTS) {
    throw new Error(`log2Points must be an integer in [${MIN_LOG2_POINTS}, ${MAX_LOG2_POINTS}], got ${log2Points}`);
  }
  const seed = opts.seed ?? DEFAULT_DEV_SEED;
  const root = path.resolve(opts.cacheDir ?? defaultSrsCacheRoot());
  const layout = devSrsLayout(devSrsDir(root, seed, log2Points));
  return {
    seed,
    log2Points,
    tau: deriveDevTau(seed),
    root,
    layout,
    expect: {
      seed,
      log2Points,
      points: pointsFor(log2Points),
      requiredFiles: [path.relative(layout.dir, layout.g1File), path.relative(layout.dir, layout.g2File)],
    },
  };
}

/** Reads and checks the manifest of the dev SRS at `loc` (sizes and SHA-256 of its files). */
export function readDevSrsManifest(loc: DevSrsLocation): Promise<{ manifest: DevSrsManifest } | { reason: string }> {
  return readValidManifest(loc.layout.dir, loc.layout.manifestFile, loc.expect);
}

/** The DevSrs of a location whose manifest checked out. */
export function devSrsOf(loc: DevSrsLocation, manifest: DevSrsManifest, generated: boolean): DevSrs {
  return {
    mode: 'dev',
    insecure: true,
    seed: loc.seed,
    tau: loc.tau,
    log2Points: loc.log2Points,
    points: manifest.points,
    dir: loc.layout.dir,
    crsDir: loc.layout.crsDir,
    bbPath: loc.layout.bbWrapper,
    patchedBbBinary: loc.layout.patchedBb,
    g2: g2FromManifest(manifest.g2),
    generated,
    manifest,
  };
}

export interface OpenDevSrsOptions extends DevSrsLocationOptions {
  readonly logger?: SrsLogger | undefined;
  /** bb binary the copy must have been patched from. Default: the one shipped in @aztec/bb.js. */
  readonly stockBbPath?: string | undefined;
}

/**
 * The INSECURE dev SRS set up by the toolchain, checked (manifest, file hashes, patched bb current).
 * Throws SrsNotReadyError with the command to run when it is missing or stale.
 */
export async function openDevSrs(opts: OpenDevSrsOptions = {}): Promise<DevSrs> {
  const loc = locateDevSrs(opts);
  const logger = opts.logger ?? stderrJsonLogger;
  const setup = `run \`nex srs setup${opts.cacheDir ? ` --cache-dir ${opts.cacheDir}` : ''}\` (or \`npm run circuits\`)`;
  const found = await readDevSrsManifest(loc);
  if (!('manifest' in found)) throw new SrsNotReadyError(`no usable dev SRS at ${loc.layout.dir} (${found.reason}): ${setup}`);
  const bb = await patchedBbStatus(opts.stockBbPath ?? stockBbPath(), loc.layout);
  if (!bb.current) throw new SrsNotReadyError(`the patched bb of the dev SRS at ${loc.layout.dir} is not usable (${bb.reason}): ${setup}`);
  logger({ level: 'warn', msg: 'using INSECURE dev SRS (tau is public)', insecure: true, seed: loc.seed, dir: loc.layout.dir });
  return devSrsOf(loc, found.manifest, false);
}

/** Identifier of an SRS in build ids: keys and verifiers depend on the SRS. */
export function srsIdOf(srs: Srs): string {
  return srs.mode === 'dev' ? `dev-${seedId(srs.seed)}` : 'ignition';
}
