/**
 * Generation of the INSECURE dev SRS: the points (native generator), their check, the manifest, and the
 * patched copy of bb that accepts them. The runtime (prover/engine/srs) only opens what this set up.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  defaultSrsCacheRoot,
  devSrsLayout,
  devSrsOf,
  fileRecord,
  g2ToManifest,
  INSECURE_WARNING,
  locateDevSrs,
  MANIFEST_KIND,
  MANIFEST_VERSION,
  pointsFor,
  readDevSrsManifest,
  stderrJsonLogger,
  stockBbPath,
  tauHex,
  type DevSrs,
  type DevSrsLocation,
  type DevSrsLocationOptions,
  type DevSrsManifest,
  type SrsLogger,
} from '../../engine/index.js';
import { ensurePatchedBb } from './bbCopy.js';
import { g2FromTau, g2ToBytes } from './curve.js';
import { isAlive, withLockFile } from './lock.js';
import { ensureSrsgen, generateG1 } from './native.js';
import { checkSrsFiles } from './verify.js';

export type SrsPhase = 'compile' | 'generate' | 'check' | 'patch';

export interface SrsProgress {
  readonly phase: SrsPhase;
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

export interface DevSrsOptions extends DevSrsLocationOptions {
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

interface ResolvedOptions {
  readonly loc: DevSrsLocation;
  readonly toolsDir: string;
  readonly threads: number;
  readonly onProgress: (p: SrsProgress) => void;
  readonly logger: SrsLogger;
  readonly signal: AbortSignal | undefined;
  readonly stockBb: string;
}

function resolveOptions(opts: DevSrsOptions): ResolvedOptions {
  const loc = locateDevSrs(opts);
  const threads = opts.threads ?? os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  return {
    loc,
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
async function generate(o: ResolvedOptions): Promise<void> {
  const { layout, tau, seed, log2Points, root } = o.loc;
  const t0 = performance.now();
  const progress = (phase: SrsPhase, done: number, total: number): void =>
    o.onProgress({ phase, done, total, elapsedMs: performance.now() - t0 });
  const tempPrefix = `.tmp-${path.basename(layout.dir)}-`;
  await mkdir(root, { recursive: true });
  await removeStaleTemps(root, tempPrefix);
  const tmpDir = path.join(root, `${tempPrefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  const tmp = devSrsLayout(tmpDir);
  const points = pointsFor(log2Points);
  try {
    await mkdir(tmp.crsDir, { recursive: true });
    progress('compile', 0, 1);
    const binary = await ensureSrsgen(o.toolsDir);
    progress('compile', 1, 1);
    o.logger({
      level: 'warn',
      msg: 'generating INSECURE dev SRS (tau derived from a public seed)',
      insecure: true,
      seed,
      points,
      dir: layout.dir,
    });
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
      seed,
      tau: `0x${tauHex(tau)}`,
      log2Points,
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
    await writeFile(tmp.readmeFile, `${INSECURE_WARNING}\nseed: ${JSON.stringify(seed)}\ntau: 0x${tauHex(tau)}\n`);
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
    o.logger({
      level: 'warn',
      msg: 'generated INSECURE dev SRS',
      insecure: true,
      seed,
      points,
      ms: Math.round(performance.now() - t0),
      checked: check,
    });
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/**
 * Returns the INSECURE dev SRS for (seed, log2Points), generating it on first use (progress through
 * onProgress) and reusing the cached one when its manifest and file hashes match. Also makes the
 * patched copy of bb that accepts it. Safe to call from several processes at once.
 */
export async function ensureDevSrs(opts: DevSrsOptions = {}): Promise<DevSrs> {
  const o = resolveOptions(opts);
  const { layout, seed } = o.loc;
  let found = await readDevSrsManifest(o.loc);
  let generated = false;
  if (!('manifest' in found)) {
    await mkdir(o.loc.root, { recursive: true });
    const lock = `${layout.dir}.lock`;
    const onWait = (pid: number): void =>
      o.logger({ level: 'info', msg: 'waiting for another process generating this dev SRS', pid, dir: layout.dir });
    found = await withLockFile(
      lock,
      async () => {
        const again = await readDevSrsManifest(o.loc);
        if ('manifest' in again) return again; // another process finished it while we waited
        if (existsSync(layout.dir))
          o.logger({ level: 'info', msg: 'cached dev SRS is unusable, regenerating', reason: again.reason, dir: layout.dir });
        await generate(o);
        generated = true;
        return readDevSrsManifest(o.loc);
      },
      { signal: o.signal, onWait },
    );
    if (!('manifest' in found)) throw new Error(`dev SRS at ${layout.dir} is invalid right after generation: ${found.reason}`);
  }
  const srs = devSrsOf(o.loc, found.manifest, generated);
  const tPatch = performance.now();
  o.onProgress({ phase: 'patch', done: 0, total: 1, elapsedMs: 0 });
  const patch = await ensurePatchedBb(o.stockBb, layout, srs.g2);
  if (patch.patched)
    o.logger({
      level: 'warn',
      msg: 'patched a copy of bb for the INSECURE dev SRS',
      insecure: true,
      bb: layout.patchedBb,
      replaced: patch.report?.replaced,
    });
  o.onProgress({ phase: 'patch', done: 1, total: 1, elapsedMs: performance.now() - tPatch });
  if (!generated) o.logger({ level: 'warn', msg: 'using INSECURE dev SRS (tau is public)', insecure: true, seed, dir: layout.dir });
  return srs;
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

/**
 * What the manifest records about the default dev SRS generation (a benchmark input), or, when `fresh`,
 * a generation from scratch into a temporary cache root, so the shared cache is left as it is.
 */
export async function devSrsGeneration(opts: {
  srsDir?: string | undefined;
  fresh?: boolean | undefined;
}): Promise<{ points: number; ms: number; fromCache: boolean }> {
  if (opts.fresh) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nex-srs-bench-'));
    try {
      const t = performance.now();
      const srs = await ensureDevSrs({ cacheDir: dir });
      return { points: srs.points, ms: Math.round(performance.now() - t), fromCache: false };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const srs = await ensureDevSrs({ cacheDir: opts.srsDir });
  return { points: srs.points, ms: srs.manifest.generationMs, fromCache: true };
}
