// Prover benchmark: `npm run bench:prover [-- --sizes 2,4,8|none] [--fresh-srs] [--fresh-build] [--market-gas auto|none]
// [--root-proof agg.json] [--parallelism n] [--queue none|local|redis://...] [--queue-size 8] [--queue-setups 1x2,2x1] [--json out.json]`.
// With --queue: one batch of --queue-size proven in-process and through the queue by NxT worker
// processes (N workers of T bb threads), with the queue's overhead (scripts/bench-queue.ts).
// Prints Markdown tables: dev SRS generation, circuit build, inner proofs, each aggregation circuit
// (gates, prove time, bb peak RSS), full batches (total vs the sum of bb prove times = engine overhead),
// the root verifier on an in-process Hardhat EVM (gas, calldata, deployment), per-proof L1 gas at batch
// sizes 2..32, and verifying one rollup proof alone on L1 for comparison.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { network } from 'hardhat';
import {
  AGG_CIRCUITS, type AggCircuit, type BackendOptions, circuitBuild, devSrsGeneration, openBackend, type RollupProof,
} from '../prover/engine/backend.js';
import type { Batch } from '../prover/engine/batch.js';
import { compileVerifier, deployVerifier, evmVerify, fromVerifierBuild } from '../prover/engine/evm-verifier.js';
import { aggregateBatch, type AggregateResult, jsonLogger } from '../prover/engine/index.js';
import { hexToBytes } from 'viem';
import { startLocalRedis } from '../prover/engine/queue/local-server.js';
import { benchQueueRun, type QueueRun } from './bench-queue.js';

/**
 * The market's per-proof overhead by batch size (submit + seal, lock, fulfil excluding the verifier),
 * parsed from the "Per-proof market overhead by batch size" table that `npm run bench:gas` prints.
 */
async function marketOverheadFromBenchGas(): Promise<Map<number, bigint> | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('npx', ['hardhat', 'run', 'scripts/bench-gas.ts'], { maxBuffer: 1 << 24 }));
  } catch (err) {
    console.error(`bench:gas failed, the per-proof table shows the verifier share only: ${(err as Error).message}`);
    return undefined;
  }
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Per-proof market overhead by batch size'));
  const header = start < 0 ? -1 : lines.slice(start).findIndex((l) => /^size\s/.test(l));
  if (start < 0 || header < 0) return undefined;
  // Column titles contain spaces, so rely on the layout: `total/pf` is the last column.
  if (!lines[start + header]!.trim().endsWith('total/pf')) return undefined;
  const out = new Map<number, bigint>();
  for (const line of lines.slice(start + header + 1)) {
    const cells = line.trim().split(/\s+/);
    if (!/^\d+$/.test(cells[0] ?? '') || !/^\d+$/.test(cells[cells.length - 1] ?? '')) break;
    out.set(Number(cells[0]), BigInt(cells[cells.length - 1]!));
  }
  return out.size > 0 ? out : undefined;
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '2,4,8' },
    'fresh-srs': { type: 'boolean', default: false },
    'fresh-build': { type: 'boolean', default: false },
    parallelism: { type: 'string', default: '1' },
    'market-gas': { type: 'string', default: 'auto' },
    'root-proof': { type: 'string' },
    json: { type: 'string' },
    'build-dir': { type: 'string' },
    'srs-dir': { type: 'string' },
    queue: { type: 'string', default: 'none' },
    'queue-size': { type: 'string', default: '8' },
    'queue-setups': { type: 'string', default: '1x2,2x1' },
  },
});
const queueSize = Number(values['queue-size']);
if (![2, 4, 8, 16, 32].includes(queueSize)) throw new Error('--queue-size takes a power of two in 2..32');
const queueSetups = values['queue-setups'].split(',').map((s) => {
  const m = /^(\d+)x(\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--queue-setups takes WORKERSxTHREADS items, e.g. 1x2,2x1 (got ${s})`);
  return { workers: Number(m[1]), threads: Number(m[2]) };
});
if (values.queue !== 'none' && values.queue !== 'local' && !/^rediss?:\/\//.test(values.queue)) throw new Error('--queue takes none, local or a redis:// URL');
const sizes = values.sizes === 'none' ? [] : values.sizes.split(',').map(Number);
if (sizes.some((n) => ![2, 4, 8, 16, 32].includes(n))) throw new Error('--sizes takes powers of two in 2..32, e.g. 2,4,8');
const parallelism = Number(values.parallelism);
if (values['market-gas'] !== 'auto' && values['market-gas'] !== 'none') throw new Error('--market-gas takes auto or none');
const bopts: BackendOptions = { buildDir: values['build-dir'], srsDir: values['srs-dir'] };
const logger = jsonLogger({ level: 'warn' });

const sec = (ms: number): string => (ms / 1000).toFixed(1);
const int = (n: number | bigint): string => n.toLocaleString('en-US');
function table(title: string, head: string[], rows: (string | number)[][]): string {
  const lines = [`### ${title}`, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}
const out: string[] = [];
const print = (s: string): void => {
  out.push(s);
  console.log(s);
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

console.log(`# Prover benchmark (${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, parallelism ${parallelism}, ${new Date().toISOString()}, load average at start ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})\n`);

// 1-2. Setup.
const srs = await devSrsGeneration({ ...bopts, fresh: values['fresh-srs'] });
const build = await circuitBuild({ ...bopts, fresh: values['fresh-build'] });
print(table('Setup', ['step', 'time (s)', 'source'], [
  [`dev SRS generation (${int(srs.points)} points)`, sec(srs.ms), srs.fromCache ? 'cache manifest' : 'fresh run'],
  ['circuit build (compile + VKs + verifier)', sec(build.ms), build.fromCache ? 'cache manifest' : 'fresh run'],
]));

// 3. Inner proofs (example rollups with 1, 2 and 4 public inputs) and their pre-check.
const backend = await openBackend(bopts);
const innerRows: (string | number)[][] = [];
const pool: Record<1 | 2 | 4, RollupProof[]> = { 1: [], 2: [], 4: [] };
const needed = Math.max(3, ...sizes, values.queue === 'none' ? 0 : queueSize);
let padMs = 0;
let padRss: number | undefined;
try {
  for (let i = 0; i < needed; i++) {
    const n = ([1, 2, 4] as const)[i % 3]!;
    const t = performance.now();
    const r = await backend.proveExampleRollup({ publicInputCount: n, seed: `bench-${i}` });
    const proveMs = performance.now() - t;
    const v = performance.now();
    const ok = await backend.verifyRollupProof(r);
    const verifyMs = performance.now() - v;
    if (!ok) throw new Error('an example rollup proof does not verify');
    pool[n].push(r);
    if (i < 3) innerRows.push([`example rollup, ${n} public input(s)`, sec(proveMs), verifyMs.toFixed(0), int(r.proof.length)]);
  }
  print(table('Inner proofs (noir-recursive target, native bb)', ['proof', 'prove (s)', 'pre-check verify (ms)', 'proof bytes'], innerRows));
  const t = performance.now();
  await backend.provePad({ height: 1, prover: '0x000000000000000000000000000000000000dead' });
  padMs = performance.now() - t;
  const pid = backend.bbPid();
  if (pid !== undefined) padRss = (await import('../prover/engine/rss.js').then((m) => m.peakRssMiB(pid))) ?? undefined;
} catch (err) {
  await backend.close();
  throw err;
}

// 4-5. Full batches.
const prover = '0x00000000000000000000000000000000000b0b00';
const results: { size: number; res: AggregateResult }[] = [];
for (const size of sizes) {
  const slots: Batch['slots'] = Array.from({ length: size }, (_, i) => {
    const n = ([1, 2, 4] as const)[i % 3]!;
    return { kind: 'proof', rollup: pool[n][Math.floor(i / 3)]! };
  });
  const checkpointDir = await mkdtemp(path.join(os.tmpdir(), 'nex-bench-'));
  try {
    console.error(`proving a full batch of ${size}...`);
    const res = await aggregateBatch({ batch: { capacity: size, slots }, prover, parallelism, checkpointDir, backend: bopts, logger });
    results.push({ size, res });
    const sum = res.stats.jobs.reduce((a, j) => a + (j.bbMs ?? j.ms), 0);
    console.error(`batch of ${size}: total ${sec(res.stats.totalMs)} s, sum of bb prove ${sec(sum)} s, jobs ${JSON.stringify(res.stats.jobs)}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await rm(checkpointDir, { recursive: true, force: true });
  }
}
const art = backend.artifacts;
const perCircuit = new Map<string, { ms: number[]; bb: number[]; rss: number[] }>();
for (const { res } of results) {
  const rootId = res.stats.jobs[res.stats.jobs.length - 1]!.id;
  for (const j of res.stats.jobs) {
    const key = j.id === rootId ? 'node (evm root)' : j.circuit;
    const e = perCircuit.get(key) ?? { ms: [], bb: [], rss: [] };
    e.ms.push(j.ms);
    e.bb.push(j.bbMs ?? j.ms);
    if (j.rssMiB !== undefined) e.rss.push(j.rssMiB);
    perCircuit.set(key, e);
  }
}
const circuitRows = [...AGG_CIRCUITS, 'node (evm root)'].map((c) => {
  const size = art.sizes[(c === 'node (evm root)' ? 'node' : c) as AggCircuit];
  const e = c === 'pad' ? { ms: [padMs], bb: [padMs], rss: padRss !== undefined ? [padRss] : [] } : perCircuit.get(c);
  return [c, int(size.gates), `2^${Math.log2(size.dyadicGates)}`, e ? sec(median(e.bb)) : 'n/a', e ? sec(median(e.ms)) : 'n/a', e?.ms.length ?? 0,
    e?.rss.length ? int(Math.max(...e.rss)) : 'n/a'];
});
print(table('Aggregation circuits', ['circuit', 'gates', 'dyadic', 'bb prove (s, median)', 'job incl. witness (s, median)', 'samples', 'bb peak RSS (MiB)'], circuitRows));
print(table(`Full batches (parallelism ${parallelism})`, ['batch', 'jobs', 'total (s)', 'sum of bb prove (s)', 'engine overhead (total / sum of bb prove)', 'pre-check (ms)'],
  results.map(({ size, res }) => {
    const sum = res.stats.jobs.reduce((a, j) => a + (j.bbMs ?? j.ms), 0);
    return [size, res.stats.jobs.length, sec(res.stats.totalMs), sec(sum), (res.stats.totalMs / sum).toFixed(3), res.stats.precheckMs];
  })));

// 5b. Distributed proving: the same kind of batch in-process and through the queue.
const fullBatch = (size: number): Batch => ({
  capacity: size,
  slots: Array.from({ length: size }, (_, i) => ({ kind: 'proof' as const, rollup: pool[([1, 2, 4] as const)[i % 3]!][Math.floor(i / 3)]! })),
});
const queueRuns: QueueRun[] = [];
let queueInProcess: AggregateResult | undefined;
if (values.queue !== 'none') {
  const local = values.queue === 'local' ? await startLocalRedis() : undefined;
  const url = local?.url ?? values.queue;
  try {
    queueInProcess = results.find((r) => r.size === queueSize)?.res;
    if (!queueInProcess) {
      const checkpointDir = await mkdtemp(path.join(os.tmpdir(), 'nex-bench-'));
      console.error(`proving a batch of ${queueSize} in-process for the queue comparison...`);
      queueInProcess = await aggregateBatch({ batch: fullBatch(queueSize), prover, parallelism, checkpointDir, backend: bopts, logger }).finally(() =>
        rm(checkpointDir, { recursive: true, force: true }));
    }
    for (const setup of queueSetups) {
      console.error(`proving a batch of ${queueSize} through the queue with ${setup.workers} worker(s) of ${setup.threads} bb thread(s)...`);
      const r = await benchQueueRun({ url, batch: fullBatch(queueSize), prover, setup, bopts, logger });
      queueRuns.push(r);
      console.error(`queue ${setup.workers}x${setup.threads}: wall ${sec(r.wallMs)} s, bb makespan ${sec(r.idealMs)} s, jobs per worker ${JSON.stringify(r.jobsPerWorker)}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    }
  } finally {
    await local?.dispose();
  }
  const inSum = queueInProcess.stats.jobs.reduce((a, j) => a + (j.bbMs ?? j.ms), 0);
  print(table(`Distributed proving: batch of ${queueSize} (${os.cpus().length} cores shared by all workers)`,
    ['setup', 'wall (s)', 'sum of bb prove (s)', 'bb makespan on the workers (s)', 'overhead (wall - makespan) / wall', 'jobs per worker'], [
      [`in-process (parallelism ${parallelism}, bb all cores)`, sec(queueInProcess.stats.totalMs), sec(inSum), sec(inSum),
        `${((100 * (queueInProcess.stats.totalMs - inSum)) / queueInProcess.stats.totalMs).toFixed(1)} %`, '-'],
      ...queueRuns.map((r) => [`queue: ${r.workers} worker(s) x ${r.threads} bb thread(s)`, sec(r.wallMs), sec(r.bbSumMs), sec(r.idealMs),
        `${(100 * r.overhead).toFixed(1)} %`, Object.values(r.jobsPerWorker).join(' / ')]),
    ]));
  print('Makespan = the wall time the same jobs would take on that many workers if nothing but bb took time (jobs start as soon as their ' +
    'inputs are proven and a worker is free). The overhead is everything else: queue round trips, input verification, witness generation, ' +
    'worker start of each job, the pre-check and the root check.\n');
}

// 6-7. L1: the root verifier and the single-rollup baseline on an in-process Hardhat EVM.
const { ethers } = await network.create();
const [signer] = await ethers.getSigners();
const rootV = fromVerifierBuild(await backend.rootVerifier());
const deployed = await deployVerifier(rootV, signer!);
let last: { proof: Uint8Array; publicInputs: `0x${string}`[] } | undefined = results.length > 0 ? results[results.length - 1]!.res : undefined;
if (!last && values['root-proof']) {
  const j = JSON.parse(await readFile(values['root-proof'], 'utf8')) as { proof: `0x${string}`; publicInputs: `0x${string}`[] };
  last = { proof: hexToBytes(j.proof), publicInputs: j.publicInputs };
}
let verifyGas = 0n;
if (last) {
  const r = await evmVerify(rootV, deployed.address, signer!, last.proof, last.publicInputs);
  if (!r.verified) throw new Error(`root proof rejected on the EVM: ${r.error}`);
  verifyGas = r.gasUsed!;
  print(table('Root verifier on L1 (Hardhat EDR, cancun)', ['item', 'value'], [
    ['verify(proof, publicInputs) gas (tx gasUsed)', int(verifyGas)],
    ['calldata (bytes)', int(r.calldataBytes)],
    ['proof (bytes)', int(last.proof.length)],
    ...deployed.deployGas.map((d) => [`deploy ${d.name} (gas / code bytes)`, `${int(d.gas)} / ${int(d.codeBytes)}`]),
  ]));
}
const single = await backend.exampleRollupEvmCase();
await backend.close();
const singleV = compileVerifier(single.verifierSource);
const singleDeployed = await deployVerifier(singleV, signer!);
const singleRes = await evmVerify(singleV, singleDeployed.address, signer!, single.proof, single.publicInputs);
if (!singleRes.verified) throw new Error(`single rollup proof rejected on the EVM: ${singleRes.error}`);
const market = values['market-gas'] === 'auto' ? await marketOverheadFromBenchGas() : undefined;
if (verifyGas > 0n) {
  print(table('Per-proof L1 gas', ['batch size', 'root verify tx / proof', ...(market ? ['market / proof (bench:gas total/pf)', 'total / proof'] : []), 'one rollup proof verified alone (tx)'],
    [2, 4, 8, 16, 32].map((n) => {
      const v = verifyGas / BigInt(n);
      const m = market?.get(n);
      return [n, int(v), ...(market ? [m !== undefined ? int(m) : 'n/a', m !== undefined ? int(v + m) : 'n/a'] : []), int(singleRes.gasUsed!)];
    })));
  print('Root verify tx / proof = the gasUsed of the root verify transaction (21,000 + calldata + verification) divided by the batch size. ' +
    'Market / proof (from `npm run bench:gas`) covers submit + seal, lock and fulfil excluding the verifier call, measured with 64-byte proofs: ' +
    'the rollup proof bytes each submission carries (14,656 B for a bb UltraHonk ZK proof) add their calldata cost on top (see bench:gas).\n');
}
print(`Load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (1, 5, 15 min; the machine has ${os.cpus().length} cores: a load above that means other processes shared the CPU and times are inflated).\n`);
print(`One example rollup proof verified alone on L1 (its own generated verifier, evm target): ${int(singleRes.gasUsed!)} gas, calldata ${int(singleRes.calldataBytes)} B.\n`);
if (values.json) {
  await writeFile(values.json, JSON.stringify({
    results: results.map((r) => ({ size: r.size, stats: r.res.stats })),
    verifyGas: verifyGas.toString(),
    queue: queueInProcess ? {
      size: queueSize,
      inProcess: { totalMs: queueInProcess.stats.totalMs, jobs: queueInProcess.stats.jobs },
      runs: queueRuns.map((r) => ({ workers: r.workers, threads: r.threads, wallMs: r.wallMs, bbSumMs: r.bbSumMs, idealMs: r.idealMs, overhead: r.overhead, jobsPerWorker: r.jobsPerWorker, jobs: r.res.stats.jobs })),
    } : undefined,
  }, null, 2));
}
