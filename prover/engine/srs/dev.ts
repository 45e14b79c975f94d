import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DEV_SEED, DEFAULT_LOG2_POINTS } from './constants.js';
import { ensurePatchedBb } from './bb-copy.js';
import { type DevG2, g2FromTau, g2ToBytes } from './curve.js';
import {
  type DevSrsManifest,
  INSECURE_WARNING,
  MANIFEST_KIND,
  MANIFEST_VERSION,
  fileRecord,
  g2FromManifest,
  g2ToManifest,
  readValidManifest,
} from './manifest.js';
import { ensureSrsgen, generateG1 } from './native.js';
import { defaultSrsCacheRoot, devSrsLayout, stockBbPath, type DevSrsLayout } from './paths.js';
import { deriveDevTau, seedId, tauHex } from './tau.js';
import { isAlive, withLockFile } from './lock.js';
import { checkSrsFiles } from './verify.js';

/** Points beyond 2^log2Points. bb 5.0 reads exactly 2^k points for a circuit of dyadic size 2^k
 * (measured); the margin covers an n+1-style requirement of another bb version. */
export const EXTRA_POINTS = 1024;

export const MIN_LOG2_POINTS = 2;
export const MAX_LOG2_POINTS = 25;

export function pointsFor(log2Points: number): number {
  return 2 ** log2Points + EXTRA_POINTS;
}

export type SrsPhase = 'compile' | 'generate' | 'check' | 'patch';

export interface SrsProgress {
  readonly phase: SrsPhase;
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

/** Structured log event; every event about a dev SRS carries insecure: true. */
export type SrsLogger = (event: { level: 'info' | 'warn'; msg: string; [key: string]: unknown }) => void;

export const stderrJsonLogger: SrsLogger = (event) => process.stderr.write(`${JSON.stringify({ component: 'srs', ...event })}\n`);

export interface DevSrsOptions {
  /** The SRS supports circuits of up to 2^log2Points gates (dyadic size). Default 21. */
  readonly log2Points?: number | undefined;
  /** Public seed tau is derived from. Default "nex-dev-srs-v1". */
  readonly seed?: string | undefined;
  /** Cache root. Default $NEX_SRS_DIR, else $XDG_CACHE_HOME/nex/srs, else ~/.cache/nex/srs. */
  readonly cacheDir?: string | undefined;
  /** Generator threads. Default: number of CPUs. */
  readonly threads?: number | undefined;
  readonly onProgress?: ((p: SrsProgress) => void) | undefined;
  readonly logger?: SrsLogger | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Where the native generator is compiled. Default: <default cache root>/tools, shared by all cache dirs. */
  readonly toolsDir?: string | undefined;
  /** bb binary to patch. Default: the one shipped in @aztec/bb.js. */
  readonly stockBbPath?: string | undefined;
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

interface ResolvedOptions {
  readonly log2Points: number;
  readonly seed: string;
  readonly root: string;
  readonly toolsDir: string;
  readonly threads: number;
  readonly onProgress: (p: SrsProgress) => void;
  readonly logger: SrsLogger;
  readonly signal: AbortSignal | undefined;
  readonly stockBb: string;
}

function resolveOptions(opts: DevSrsOptions): ResolvedOptions {
  const log2Points = opts.log2Points ?? DEFAULT_LOG2_POINTS;
  if (!Number.isInteger(log2Points) || log2Points < MIN_LOG2_POINTS || log2Points > MAX_LOG2_POINTS) {
    throw new Error(`log2Points must be an integer in [${MIN_LOG2_POINTS}, ${MAX_LOG2_POINTS}], got ${log2Points}`);
  }
  const threads = opts.threads ?? os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  return {
    log2Points,
    seed: opts.seed ?? DEFAULT_DEV_SEED,
    root: path.resolve(opts.cacheDir ?? defaultSrsCacheRoot()),
    toolsDir: path.resolve(opts.toolsDir ?? path.join(defaultSrsCacheRoot(), 'tools')),
    threads,
    onProgress: opts.onProgress ?? (() => {}),
    logger: opts.logger ?? stderrJsonLogger,
    signal: opts.signal,
    stockBb: opts.stockBbPath ?? stockBbPath(),
  };
}

/** Removes temporary directories left by generations whose process no longer runs. */
async function removeStaleTemps(root: string, prefix: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return;
  }
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && !isAlive(pid)) await rm(path.join(root, name), { recursive: true, force: true });
  }
}

/** Generates the points into a temporary directory, checks them and renames the directory into place. */
async function generate(o: ResolvedOptions, layout: DevSrsLayout, tau: bigint): Promise<void> {
  const t0 = performance.now();
  const progress = (phase: SrsPhase, done: number, total: number): void =>
    o.onProgress({ phase, done, total, elapsedMs: performance.now() - t0 });
  const tempPrefix = `.tmp-${path.basename(layout.dir)}-`;
  await mkdir(o.root, { recursive: true });
  await removeStaleTemps(o.root, tempPrefix);
  const tmpDir = path.join(o.root, `${tempPrefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  const tmp = devSrsLayout(tmpDir);
  const points = pointsFor(o.log2Points);
  try {
    await mkdir(tmp.crsDir, { recursive: true });
    progress('compile', 0, 1);
    const binary = await ensureSrsgen(o.toolsDir);
    progress('compile', 1, 1);
    o.logger({ level: 'warn', msg: 'generating INSECURE dev SRS (tau derived from a public seed)', insecure: true, seed: o.seed, points, dir: layout.dir });
    const tGenerate = performance.now();
    const { cpuMs } = await generateG1({
      binary,
      outFile: tmp.g1File,
      points,
      tauHex: tauHex(tau),
      threads: o.threads,
      signal: o.signal,
      onProgress: (done, total) => progress('generate', done, total),
    });
    const generationMs = performance.now() - tGenerate;
    const g2 = g2FromTau(tau);
    await writeFile(tmp.g2File, g2ToBytes(g2));
    progress('check', 0, 1);
    const check = await checkSrsFiles({ g1File: tmp.g1File, g2File: tmp.g2File, tau });
    progress('check', 1, 1);
    const manifest: DevSrsManifest = {
      kind: MANIFEST_KIND,
      version: MANIFEST_VERSION,
      INSECURE: true,
      warning: INSECURE_WARNING,
      seed: o.seed,
      tau: `0x${tauHex(tau)}`,
      log2Points: o.log2Points,
      points,
      g2: g2ToManifest(g2),
      created: new Date().toISOString(),
      generationMs: Math.round(generationMs),
      generationCpuMs: cpuMs,
      threads: o.threads,
      files: {
        [path.relative(tmpDir, tmp.g1File)]: await fileRecord(tmp.g1File),
        [path.relative(tmpDir, tmp.g2File)]: await fileRecord(tmp.g2File),
      },
    };
    await writeFile(tmp.manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(tmp.readmeFile, `${INSECURE_WARNING}\nseed: ${JSON.stringify(o.seed)}\ntau: 0x${tauHex(tau)}\n`);
    if (existsSync(layout.dir)) {
      // An invalid or partial SRS from an older run: move it aside, then replace it.
      const trash = `${tmpDir}-old`;
      await rename(layout.dir, trash);
      await rm(trash, { recursive: true, force: true });
    }
    try {
      await rename(tmpDir, layout.dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another process finished the same SRS first; ours is identical, keep theirs.
    }
    o.logger({ level: 'warn', msg: 'generated INSECURE dev SRS', insecure: true, seed: o.seed, points, ms: Math.round(performance.now() - t0), checked: check });
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/** Directory of the dev SRS for a seed and size under a cache root. */
export function devSrsDir(root: string, seed: string, log2Points: number): string {
  return path.join(root, `${seedId(seed)}-${log2Points}`);
}

/**
 * Returns the INSECURE dev SRS for (seed, log2Points), generating it on first use (progress through
 * onProgress) and reusing the cached one when its manifest and file hashes match. Also makes the
 * patched copy of bb that accepts it. Safe to call from several processes at once.
 */
export async function ensureDevSrs(opts: DevSrsOptions = {}): Promise<DevSrs> {
  const o = resolveOptions(opts);
  const layout = devSrsLayout(devSrsDir(o.root, o.seed, o.log2Points));
  const tau = deriveDevTau(o.seed);
  const expect = {
    seed: o.seed,
    log2Points: o.log2Points,
    points: pointsFor(o.log2Points),
    requiredFiles: [path.relative(layout.dir, layout.g1File), path.relative(layout.dir, layout.g2File)],
  };
  let found = await readValidManifest(layout.dir, layout.manifestFile, expect);
  let generated = false;
  if (!('manifest' in found)) {
    await mkdir(o.root, { recursive: true });
    const lock = `${layout.dir}.lock`;
    const onWait = (pid: number): void => o.logger({ level: 'info', msg: 'waiting for another process generating this dev SRS', pid, dir: layout.dir });
    found = await withLockFile(lock, async () => {
      const again = await readValidManifest(layout.dir, layout.manifestFile, expect);
      if ('manifest' in again) return again; // another process finished it while we waited
      if (existsSync(layout.dir)) o.logger({ level: 'info', msg: 'cached dev SRS is unusable, regenerating', reason: again.reason, dir: layout.dir });
      await generate(o, layout, tau);
      generated = true;
      return readValidManifest(layout.dir, layout.manifestFile, expect);
    }, { signal: o.signal, onWait });
    if (!('manifest' in found)) throw new Error(`dev SRS at ${layout.dir} is invalid right after generation: ${found.reason}`);
  }
  const manifest = found.manifest;
  const g2 = g2FromManifest(manifest.g2);
  const tPatch = performance.now();
  o.onProgress({ phase: 'patch', done: 0, total: 1, elapsedMs: 0 });
  const patch = await ensurePatchedBb(o.stockBb, layout, g2);
  if (patch.patched) o.logger({ level: 'warn', msg: 'patched a copy of bb for the INSECURE dev SRS', insecure: true, bb: layout.patchedBb, replaced: patch.report?.replaced });
  o.onProgress({ phase: 'patch', done: 1, total: 1, elapsedMs: performance.now() - tPatch });
  if (!generated) o.logger({ level: 'warn', msg: 'using INSECURE dev SRS (tau is public)', insecure: true, seed: o.seed, dir: layout.dir });
  return {
    mode: 'dev',
    insecure: true,
    seed: o.seed,
    tau,
    log2Points: o.log2Points,
    points: manifest.points,
    dir: layout.dir,
    crsDir: layout.crsDir,
    bbPath: layout.bbWrapper,
    patchedBbBinary: layout.patchedBb,
    g2,
    generated,
    manifest,
  };
}

export interface CachedDevSrs {
  readonly dir: string;
  /** The manifest, when the directory has a readable one (files are not re-hashed here). */
  readonly manifest?: DevSrsManifest | undefined;
  readonly patchedBb: boolean;
}

/** Lists the dev SRS directories under a cache root (without generating or re-hashing anything). */
export async function listDevSrs(cacheDir?: string): Promise<CachedDevSrs[]> {
  const root = path.resolve(cacheDir ?? defaultSrsCacheRoot());
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: CachedDevSrs[] = [];
  for (const name of names.filter((n) => /^[0-9a-f]{16}-\d+$/.test(n)).sort()) {
    const layout = devSrsLayout(path.join(root, name));
    let manifest: DevSrsManifest | undefined;
    try {
      manifest = JSON.parse(await readFile(layout.manifestFile, 'utf8')) as DevSrsManifest;
    } catch {
      manifest = undefined;
    }
    out.push({ dir: layout.dir, manifest, patchedBb: existsSync(layout.patchedBb) && existsSync(layout.bbWrapper) });
  }
  return out;
}
