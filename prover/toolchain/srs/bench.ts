/**
 * Benchmark of dev SRS generation: `npm run bench:srs -- [log2 ...]` (default 21).
 * Each size is generated from scratch in a temporary cache dir (the compiled generator is shared),
 * so this measures a first-time `nex srs setup`. Prints one table row per size: a single run each,
 * since runs take tens of seconds; the machine's load average is printed because it dominates.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDevSrs } from './dev.js';

const sizes = process.argv.slice(2).map(Number);
const threads = os.availableParallelism();
const rows: string[][] = [
  ['log2', 'points', 'threads', 'generate s (wall)', 'generate CPU s', 'total s (+compile, check, patch)', 'points/s', 'load avg before'],
];
for (const log2 of sizes.length ? sizes : [21]) {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'nex-srs-bench-'));
  try {
    const load = os.loadavg()[0]?.toFixed(2) ?? '?';
    const t0 = performance.now();
    const srs = await ensureDevSrs({ log2Points: log2, cacheDir, seed: `bench-${log2}`, threads, logger: () => {} });
    const total = (performance.now() - t0) / 1000;
    const gen = srs.manifest.generationMs / 1000;
    rows.push([
      String(log2),
      srs.points.toLocaleString('en-US'),
      String(threads),
      gen.toFixed(1),
      (srs.manifest.generationCpuMs / 1000).toFixed(1),
      total.toFixed(1),
      Math.round(srs.points / gen).toLocaleString('en-US'),
      load,
    ]);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((c, j) => c.padStart(widths[j]!)).join(' | '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
}
