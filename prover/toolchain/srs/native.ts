import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const SOURCE = fileURLToPath(new URL('./native/srsgen.c', import.meta.url));
const CC = process.env.CC ?? 'gcc';
// -march=native: the binary lives in a per-machine cache and is rebuilt when the source changes.
const CFLAGS = ['-O3', '-march=native', '-pthread', '-std=gnu11', '-Wall', '-Wextra'];

/**
 * Compiles the native generator into `toolsDir` on first use and returns its path. The binary name
 * carries a hash of the source and flags, so an edited source is recompiled, and it is written to a
 * temporary name and renamed, so a killed compile never leaves a usable-looking binary.
 */
export async function ensureSrsgen(toolsDir: string): Promise<string> {
  const source = await readFile(SOURCE);
  // The CPU model is part of the id: -march=native code may not run on another CPU sharing this cache.
  const id = createHash('sha256')
    .update(source)
    .update(JSON.stringify([CC, CFLAGS, os.cpus()[0]?.model ?? '']))
    .digest('hex')
    .slice(0, 16);
  const binary = path.join(toolsDir, `srsgen-${id}`);
  if (existsSync(binary)) return binary;
  await mkdir(toolsDir, { recursive: true });
  const tmp = `${binary}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await execFileAsync(CC, [...CFLAGS, '-o', tmp, SOURCE]);
  } catch (err) {
    await rm(tmp, { force: true });
    const detail = err instanceof Error && 'stderr' in err ? String((err as { stderr: unknown }).stderr) : String(err);
    throw new Error(`compiling the dev SRS generator with ${CC} failed:\n${detail}`);
  }
  await rename(tmp, binary);
  return binary;
}

export interface GenerateG1Options {
  readonly binary: string;
  readonly outFile: string;
  readonly points: number;
  readonly tauHex: string;
  readonly threads: number;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Runs the native generator: writes [tau^i]G1, i < points, to outFile in bb's g1 format. */
export async function generateG1(opts: GenerateG1Options): Promise<{ cpuMs: number }> {
  const child = spawn(opts.binary, [opts.outFile, String(opts.points), opts.tauHex, String(opts.threads)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: opts.signal,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let cpuMs = Number.NaN;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const m = /^(progress|done) (\d+) (\d+)$/.exec(line);
    if (!m) return;
    const done = Number(m[2]);
    if (m[1] === 'done') cpuMs = Number(m[3]);
    opts.onProgress?.(done, m[1] === 'done' ? done : Number(m[3]));
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`dev SRS generator exited with code ${code}: ${stderr.trim()}`);
  if (!Number.isFinite(cpuMs)) throw new Error('dev SRS generator exited without reporting completion');
  return { cpuMs };
}
