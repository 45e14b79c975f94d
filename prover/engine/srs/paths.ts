import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedId } from './tau.js';

/** Root of the dev SRS cache: $NEX_SRS_DIR, else $XDG_CACHE_HOME/nex/srs, else ~/.cache/nex/srs. */
export function defaultSrsCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NEX_SRS_DIR) return path.resolve(env.NEX_SRS_DIR);
  const cache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(cache, 'nex', 'srs');
}

/** Layout of one dev SRS inside the cache root. */
export interface DevSrsLayout {
  readonly dir: string;
  readonly crsDir: string;
  readonly g1File: string;
  readonly g2File: string;
  readonly manifestFile: string;
  readonly readmeFile: string;
  readonly binDir: string;
  /** The patched copy of bb. */
  readonly patchedBb: string;
  /** Wrapper that runs the patched bb with CRS_PATH set to crsDir. */
  readonly bbWrapper: string;
  readonly patchRecord: string;
}

export const MANIFEST_NAME = 'INSECURE-dev-srs.json';

export function devSrsLayout(dir: string): DevSrsLayout {
  const crsDir = path.join(dir, 'crs');
  const binDir = path.join(dir, 'bin');
  return {
    dir,
    crsDir,
    g1File: path.join(crsDir, 'bn254_g1.dat'),
    g2File: path.join(crsDir, 'bn254_g2.dat'),
    manifestFile: path.join(dir, MANIFEST_NAME),
    readmeFile: path.join(dir, 'INSECURE-README.txt'),
    binDir,
    patchedBb: path.join(binDir, 'bb-INSECURE-dev'),
    bbWrapper: path.join(binDir, 'bb-INSECURE-dev.sh'),
    patchRecord: path.join(binDir, 'bb-patch.json'),
  };
}

const BUILD_DIRS: Readonly<Record<string, string>> = {
  'x64-linux': 'amd64-linux',
  'x64-darwin': 'amd64-macos',
  'arm64-linux': 'arm64-linux',
  'arm64-darwin': 'arm64-macos',
};

/** Path of the stock bb binary shipped in @aztec/bb.js (never modified by this module). */
export function stockBbPath(): string {
  const buildDir = BUILD_DIRS[`${process.arch}-${process.platform}`];
  if (!buildDir) throw new Error(`@aztec/bb.js ships no native bb for ${process.arch}-${process.platform}`);
  let dir = path.dirname(fileURLToPath(import.meta.resolve('@aztec/bb.js')));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@aztec/bb.js') break;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot locate the @aztec/bb.js package root');
    dir = parent;
  }
  const bb = path.join(dir, 'build', buildDir, 'bb');
  if (!existsSync(bb)) throw new Error(`stock bb not found at ${bb}`);
  return bb;
}

/** bb's default CRS directory (where it downloads the Ignition CRS): ~/.bb-crs. */
export function ignitionCrsDir(): string {
  return path.join(os.homedir(), '.bb-crs');
}

/** Directory of the dev SRS for a seed and size under a cache root. */
export function devSrsDir(root: string, seed: string, log2Points: number): string {
  return path.join(root, `${seedId(seed)}-${log2Points}`);
}
