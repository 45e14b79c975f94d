import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DEV_SEED, DEFAULT_LOG2_POINTS, G1_POINT_BYTES } from './constants.js';
import { type DevG2, g1FromBytes, g2FromTau, g2ToBytes } from './curve.js';
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
import { type BbPatchReport, writePatchedBb } from './patch.js';
import { defaultSrsCacheRoot, devSrsLayout, stockBbPath, type DevSrsLayout } from './paths.js';
import { deriveDevTau, seedId, tauHex } from './tau.js';
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
    threads,
    onProgress: opts.onProgress ?? (() => {}),
    logger: opts.logger ?? stderrJsonLogger,
    signal: opts.signal,
    stockBb: opts.stockBbPath ?? stockBbPath(),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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

const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

function wrapperScript(layout: DevSrsLayout): string {
  return [
    '#!/bin/sh',
    '# INSECURE dev SRS (tau is public): runs the patched bb with CRS_PATH bound to this SRS.',
    '# Generated by prover/engine/srs. Never use for anything but local devnets and tests.',
    `CRS_PATH=${shellQuote(layout.crsDir)}`,
    'export CRS_PATH',
    `exec ${shellQuote(layout.patchedBb)} "$@"`,
    '',
  ].join('\n');
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
    const binary = await ensureSrsgen(path.join(o.root, 'tools'));
    progress('compile', 1, 1);
    o.logger({ level: 'warn', msg: 'generating INSECURE dev SRS (tau derived from a public seed)', insecure: true, seed: o.seed, points, dir: layout.dir });
    await generateG1({
      binary,
      outFile: tmp.g1File,
      points,
      tauHex: tauHex(tau),
      threads: o.threads,
      signal: o.signal,
      onProgress: (done, total) => progress('generate', done, total),
    });
    const generationMs = performance.now() - t0;
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

interface PatchRecord {
  readonly stockBb: string;
  readonly stockSha256: string;
  readonly patchedSha256: string;
  readonly report: BbPatchReport;
}

/** Makes sure bin/ holds a patched copy of the current stock bb for this SRS, and its wrapper. */
async function ensurePatchedBb(o: ResolvedOptions, layout: DevSrsLayout, g2: DevG2, progress: (p: SrsProgress) => void): Promise<void> {
  const stock = await fileRecord(o.stockBb);
  try {
    const record = JSON.parse(await readFile(layout.patchRecord, 'utf8')) as PatchRecord;
    if (record.stockSha256 === stock.sha256 && (await fileRecord(layout.patchedBb)).sha256 === record.patchedSha256) {
      if ((await readFile(layout.bbWrapper, 'utf8')) === wrapperScript(layout)) return;
    }
  } catch {
    // missing or unreadable: (re)patch below
  }
  const t0 = performance.now();
  progress({ phase: 'patch', done: 0, total: 1, elapsedMs: 0 });
  await mkdir(layout.binDir, { recursive: true });
  const second = await readSecondPoint(layout.g1File);
  const report = await writePatchedBb(o.stockBb, layout.patchedBb, g2, g1FromBytes(second));
  const tmpWrapper = `${layout.bbWrapper}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmpWrapper, wrapperScript(layout), { mode: 0o755 });
  await rename(tmpWrapper, layout.bbWrapper);
  const record: PatchRecord = { stockBb: o.stockBb, stockSha256: stock.sha256, patchedSha256: (await fileRecord(layout.patchedBb)).sha256, report };
  const tmpRecord = `${layout.patchRecord}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmpRecord, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmpRecord, layout.patchRecord);
  o.logger({ level: 'warn', msg: 'patched a copy of bb for the INSECURE dev SRS', insecure: true, bb: layout.patchedBb, offsets: report.offsets });
  progress({ phase: 'patch', done: 1, total: 1, elapsedMs: performance.now() - t0 });
}

async function readSecondPoint(g1File: string): Promise<Buffer> {
  const fh = await open(g1File, 'r');
  try {
    const buf = Buffer.alloc(G1_POINT_BYTES);
    await fh.read(buf, 0, G1_POINT_BYTES, G1_POINT_BYTES);
    return buf;
  } finally {
    await fh.close();
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
  const expect = { seed: o.seed, log2Points: o.log2Points, points: pointsFor(o.log2Points) };
  let found = await readValidManifest(layout.dir, layout.manifestFile, expect);
  let generated = false;
  if (!('manifest' in found)) {
    if (existsSync(layout.dir)) o.logger({ level: 'info', msg: 'cached dev SRS is unusable, regenerating', reason: found.reason, dir: layout.dir });
    await generate(o, layout, tau);
    generated = true;
    found = await readValidManifest(layout.dir, layout.manifestFile, expect);
    if (!('manifest' in found)) throw new Error(`dev SRS at ${layout.dir} is invalid right after generation: ${found.reason}`);
  }
  const manifest = found.manifest;
  if (!manifest.files['crs/bn254_g1.dat'] || !manifest.files['crs/bn254_g2.dat']) throw new Error(`${layout.manifestFile} does not list the CRS files`);
  const g2 = g2FromManifest(manifest.g2);
  await ensurePatchedBb(o, layout, g2, o.onProgress);
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
