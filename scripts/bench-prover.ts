// Prover benchmark: `npm run bench:prover [-- --sizes 2,4,8] [--fresh-srs] [--fresh-build] [--market-gas-per-proof N]`.
// Prints Markdown tables: dev SRS generation, circuit build, inner proofs, each aggregation circuit
// (gates, prove time, bb peak RSS), full batches (total vs the sum of bb prove times = engine overhead),
// the root verifier on an in-process Hardhat EVM (gas, calldata, deployment), per-proof L1 gas at batch
// sizes 2..32, and verifying one rollup proof alone on L1 for comparison.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '2,4,8' },
    'fresh-srs': { type: 'boolean', default: false },
    'fresh-build': { type: 'boolean', default: false },
    parallelism: { type: 'string', default: '1' },
    'market-gas-per-proof': { type: 'string' },
    json: { type: 'string' },
    'build-dir': { type: 'string' },
    'srs-dir': { type: 'string' },
  },
});
const sizes = values.sizes.split(',').map(Number);
if (sizes.some((n) => ![2, 4, 8, 16, 32].includes(n))) throw new Error('--sizes takes powers of two in 2..32, e.g. 2,4,8');
const parallelism = Number(values.parallelism);
const marketGasPerProof = values['market-gas-per-proof'] !== undefined ? BigInt(values['market-gas-per-proof']) : undefined;
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
const needed = Math.max(...sizes);
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

// 6-7. L1: the root verifier and the single-rollup baseline on an in-process Hardhat EVM.
const { ethers } = await network.create();
const [signer] = await ethers.getSigners();
const rootV = fromVerifierBuild(await backend.rootVerifier());
const deployed = await deployVerifier(rootV, signer!);
const last = results[results.length - 1];
let verifyGas = 0n;
if (last) {
  const r = await evmVerify(rootV, deployed.address, signer!, last.res.proof, last.res.publicInputs);
  if (!r.verified) throw new Error(`root proof rejected on the EVM: ${r.error}`);
  verifyGas = r.gasUsed!;
  print(table('Root verifier on L1 (Hardhat EDR, cancun)', ['item', 'value'], [
    ['verify(proof, publicInputs) gas (tx gasUsed)', int(verifyGas)],
    ['calldata (bytes)', int(r.calldataBytes)],
    ['proof (bytes)', int(last.res.proof.length)],
    ...deployed.deployGas.map((d) => [`deploy ${d.name} (gas / code bytes)`, `${int(d.gas)} / ${int(d.codeBytes)}`]),
  ]));
}
const single = await backend.exampleRollupEvmCase();
await backend.close();
const singleV = compileVerifier(single.verifierSource);
const singleDeployed = await deployVerifier(singleV, signer!);
const singleRes = await evmVerify(singleV, singleDeployed.address, signer!, single.proof, single.publicInputs);
if (!singleRes.verified) throw new Error(`single rollup proof rejected on the EVM: ${singleRes.error}`);
if (verifyGas > 0n) {
  print(table('Per-proof L1 gas', ['batch size', 'verifier gas / proof', ...(marketGasPerProof !== undefined ? ['+ market per proof', 'total / proof'] : []), 'one rollup proof verified alone'],
    [2, 4, 8, 16, 32].map((n) => {
      const v = verifyGas / BigInt(n);
      return [n, int(v), ...(marketGasPerProof !== undefined ? [int(marketGasPerProof), int(v + marketGasPerProof)] : []), int(singleRes.gasUsed!)];
    })));
}
print(`Load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (1, 5, 15 min; the machine has ${os.cpus().length} cores: a load above that means other processes shared the CPU and times are inflated).\n`);
print(`One example rollup proof verified alone on L1 (its own generated verifier, evm target): ${int(singleRes.gasUsed!)} gas, calldata ${int(singleRes.calldataBytes)} B.\n`);
if (values.json) await writeFile(values.json, JSON.stringify({ results: results.map((r) => ({ size: r.size, stats: r.res.stats })), verifyGas: verifyGas.toString() }, null, 2));
