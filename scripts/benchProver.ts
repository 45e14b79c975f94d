// Prover benchmark: `npm run bench:prover [-- --sizes 2,4,8|none] [--shapes both|v2|v1] [--fresh-srs] [--fresh-build]
// [--parallelism n] [--market-gas none|auto] [--root-proof agg.json] [--queue none|local|redis://...] [--queue-size 8]
// [--queue-setups 1x2,2x1] [--json out.json]`.
// With --queue: one full batch of --queue-size proofs proven in-process and through the queue by NxT
// `nex worker` processes (N workers of T bb threads), with the queue's overhead (scripts/benchQueue.ts).
//
// Prints Markdown tables: dev SRS generation, circuit build, inner (rollup) proofs, each aggregation
// circuit (gates, bb prove time, bb peak RSS), and for each batch size N, in the same run on the same
// machine, the seconds per inner proof of
//   - version 2's tree shape: N proofs in the smallest batch that holds them (pair leaves, a single leaf
//     for an odd slot, pads), and
//   - version 1's tree shape, emulated with the version-2 circuits: the N proofs on every other slot of a
//     2N batch, so every height-1 unit is a single leaf: N leaves of 2^20 and N - 1 nodes of 2^21, the
//     same work as version 1's tree,
// with the engine overhead (wall time not spent in bb) as a percentage and the peak memory of each job;
// then the root verifiers on an in-process Hardhat EVM (gas, calldata, deployment, both variants) and the
// per-proof L1 share at batch sizes 4..64, against verifying one rollup proof alone. Batches are proven
// from fresh checkpoint directories (nothing cached), one at a time.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { network } from 'hardhat';
import { hexToBytes } from 'viem';
import {
  aggregateBatch,
  jsonLogger,
  loadAggregationArtifacts,
  peakRssMiB,
  planBatch,
  type AggregateResult,
  type BackendOptions,
  type Batch,
  type RollupProof,
  startLocalRedis,
} from '../prover/engine/index.js';
import { AGG_CIRCUITS, capacityFor, MAX_CAPACITY, VERIFIER_VARIANTS, type AggCircuit } from '../prover/protocol/index.js';
import {
  circuitBuild,
  compileVerifier,
  deployVerifier,
  devSrsGeneration,
  evmVerify,
  fromVerifierBuild,
  openExampleBackend,
} from '../prover/toolchain/index.js';
import { benchQueueRun, type QueueRun } from './benchQueue.js';

/**
 * The market's per-proof overhead by batch size, from `npm run bench:gas`'s machine-readable output
 * (`NEX_BENCH_JSON=1`; only with --market-gas auto): the off-chain reference mix in steady state, every
 * transaction of the batch's life except the root verify transaction (the fulfilment's 21,000 base is that
 * transaction's), divided by the batch size.
 */
async function marketOverheadFromBenchGas(): Promise<Map<number, bigint> | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('npx', ['hardhat', 'run', 'scripts/benchGas.ts'], {
      maxBuffer: 1 << 24,
      env: { ...process.env, NEX_BENCH_JSON: '1' },
    }));
  } catch (err) {
    console.error(`bench:gas failed, the per-proof table shows the verifier share only: ${(err as Error).message}`);
    return undefined;
  }
  type Row = {
    state: string;
    channel: string;
    mix: string;
    proofs: number;
    intake: number;
    seal: number;
    lock: number;
    fulfilBookkeeping: number;
  };
  let rows: Row[];
  try {
    rows = (JSON.parse(stdout.slice(stdout.indexOf('{'))) as { perProof: Row[] }).perProof;
  } catch (err) {
    console.error(`bench:gas printed no JSON, the per-proof table shows the verifier share only: ${(err as Error).message}`);
    return undefined;
  }
  const out = new Map<number, bigint>();
  for (const r of rows) {
    if (r.state !== 'steady' || r.channel !== 'off-chain' || r.mix !== 'reference') continue;
    out.set(r.proofs, BigInt(Math.floor((r.intake + r.seal + r.lock + r.fulfilBookkeeping - 21_000) / r.proofs)));
  }
  return out.size > 0 ? out : undefined;
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '2,4,8' },
    shapes: { type: 'string', default: 'both' },
    'fresh-srs': { type: 'boolean', default: false },
    'fresh-build': { type: 'boolean', default: false },
    parallelism: { type: 'string', default: '1' },
    'market-gas': { type: 'string', default: 'none' },
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
if (![4, 8, 16, 32, 64].includes(queueSize)) throw new Error('--queue-size takes a batch capacity in 4, 8, 16, 32, 64');
const queueSetups = values['queue-setups'].split(',').map((s) => {
  const m = /^(\d+)x(\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--queue-setups takes WORKERSxTHREADS items, e.g. 1x2,2x1 (got ${s})`);
  return { workers: Number(m[1]), threads: Number(m[2]) };
});
if (values.queue !== 'none' && values.queue !== 'local' && !/^rediss?:\/\//.test(values.queue))
  throw new Error('--queue takes none, local or a redis:// URL');
const sizes = values.sizes === 'none' ? [] : values.sizes.split(',').map(Number);
if (sizes.some((n) => ![2, 4, 8, 16, 32].includes(n)))
  throw new Error("--sizes takes inner-proof counts in 2, 4, 8, 16, 32 (version 1's shape needs a batch of 2N <= 64), e.g. 2,4,8");
if (!['both', 'v2', 'v1'].includes(values.shapes)) throw new Error('--shapes takes both, v2 or v1');
const shapes = (values.shapes === 'both' ? ['v2', 'v1'] : [values.shapes]) as ('v2' | 'v1')[];
const parallelism = Number(values.parallelism);
if (values['market-gas'] !== 'auto' && values['market-gas'] !== 'none') throw new Error('--market-gas takes auto or none');
const bopts: BackendOptions = { buildDir: values['build-dir'], srsDir: values['srs-dir'] };
const logger = jsonLogger({ level: 'warn' });

const sec = (ms: number): string => (ms / 1000).toFixed(1);
const int = (n: number | bigint): string => n.toLocaleString('en-US');
const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
function table(title: string, head: string[], rows: (string | number)[][]): string {
  const lines = [`### ${title}`, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}
const print = (s: string): void => {
  console.log(s);
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const loadAtStart = load();
console.log(
  `# Prover benchmark (${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, parallelism ${parallelism}, ${new Date().toISOString()}, load average at start ${loadAtStart})\n`,
);

// 1-2. Setup.
const srs = await devSrsGeneration({ ...bopts, fresh: values['fresh-srs'] });
const build = await circuitBuild({ ...bopts, fresh: values['fresh-build'] });
print(
  table(
    'Setup',
    ['step', 'time (s)', 'source'],
    [
      [`dev SRS generation (${int(srs.points)} points)`, sec(srs.ms), srs.fromCache ? 'cache manifest' : 'fresh run'],
      ['circuit build (compile + keys + key set + verifiers)', sec(build.ms), build.fromCache ? 'cache manifest' : 'fresh run'],
    ],
  ),
);

// 3. Inner proofs (example rollups with 1, 2 and 4 public inputs) and their pre-check.
const backend = await openExampleBackend(bopts);
const innerRows: (string | number)[][] = [];
const rollups: RollupProof[] = [];
let padMs = 0;
let padRss: number | undefined;
try {
  for (let i = 0; i < Math.max(3, ...sizes, values.queue === 'none' ? 0 : queueSize); i++) {
    const n = ([1, 2, 4] as const)[i % 3]!;
    const t = performance.now();
    const r = await backend.proveExampleRollup({ publicInputCount: n, seed: `bench-${i}` });
    const proveMs = performance.now() - t;
    const v = performance.now();
    const ok = await backend.verifyRollupProof(r);
    const verifyMs = performance.now() - v;
    if (!ok) throw new Error('an example rollup proof does not verify');
    rollups.push(r);
    if (i < 3) innerRows.push([`example rollup, ${n} public input(s)`, sec(proveMs), verifyMs.toFixed(0), int(r.proof.length)]);
  }
  print(
    table('Inner proofs (noir-recursive target, ZK, native bb)', ['proof', 'prove (s)', 'pre-check verify (ms)', 'proof bytes'], innerRows),
  );
  const t = performance.now();
  await backend.provePad({ height: 1, prover: '0x000000000000000000000000000000000000dead' });
  padMs = performance.now() - t;
  const pid = backend.bbPid();
  if (pid !== undefined) padRss = (await peakRssMiB(pid)) ?? undefined;
} catch (err) {
  await backend.close();
  throw err;
}

/** The batch of a shape for N inner proofs: v2 fills the first N slots of the smallest batch; v1 every other slot of a 2N batch. */
function batchOf(shape: 'v2' | 'v1', n: number): Batch {
  const capacity = shape === 'v2' ? capacityFor(n) : 2 * n;
  if (capacity > MAX_CAPACITY) throw new Error(`a batch of ${capacity} exceeds ${MAX_CAPACITY}`);
  return {
    capacity,
    slots: Array.from({ length: capacity }, (_, i) => {
      const k = shape === 'v2' ? i : i / 2;
      const used = shape === 'v2' ? i < n : i % 2 === 0;
      return used ? { kind: 'proof' as const, rollup: rollups[k]! } : { kind: 'empty' as const };
    }),
  };
}

// 4-5. Full batches, both shapes, one at a time from fresh checkpoint directories.
interface Run {
  shape: 'v2' | 'v1';
  n: number;
  capacity: number;
  res: AggregateResult;
  bbMs: number;
  peakRssMiB: number | undefined;
  load: string;
}
const prover = '0x00000000000000000000000000000000000b0b00';
const runs: Run[] = [];
for (const n of sizes) {
  for (const shape of shapes) {
    const batch = batchOf(shape, n);
    const checkpointDir = await mkdtemp(path.join(os.tmpdir(), 'nex-bench-'));
    try {
      const plan = planBatch(batch);
      console.error(
        `proving ${n} inner proofs in ${shape}'s shape (batch of ${batch.capacity}: ${plan.jobs.map((j) => `${j.id}:${j.circuit}`).join(' ')}), load ${load()}...`,
      );
      const res = await aggregateBatch({ batch, prover, parallelism, checkpointDir, backend: bopts, logger });
      const bbMs = res.stats.jobs.reduce((a, j) => a + (j.bbMs ?? j.ms), 0);
      const rss = res.stats.jobs.flatMap((j) => (j.rssMiB === undefined ? [] : [j.rssMiB]));
      runs.push({ shape, n, capacity: batch.capacity, res, bbMs, peakRssMiB: rss.length ? Math.max(...rss) : undefined, load: load() });
      console.error(
        `  ${shape} N=${n}: total ${sec(res.stats.totalMs)} s, sum of bb prove ${sec(bbMs)} s, jobs ${JSON.stringify(res.stats.jobs)}`,
      );
    } finally {
      await rm(checkpointDir, { recursive: true, force: true });
    }
  }
}
const art = backend.artifacts;
const perCircuit = new Map<string, { ms: number[]; bb: number[]; rss: number[] }>();
for (const { res } of runs) {
  const rootId = res.stats.jobs[res.stats.jobs.length - 1]!.id;
  for (const j of res.stats.jobs) {
    const key = j.id === rootId ? 'node (evm-no-zk root)' : j.circuit;
    const e = perCircuit.get(key) ?? { ms: [], bb: [], rss: [] };
    e.ms.push(j.ms);
    e.bb.push(j.bbMs ?? j.ms);
    if (j.rssMiB !== undefined) e.rss.push(j.rssMiB);
    perCircuit.set(key, e);
  }
}
const circuitRows = [...AGG_CIRCUITS, 'node (evm-no-zk root)'].flatMap((c) => {
  const size = art.sizes[(c === 'node (evm-no-zk root)' ? 'node' : c) as AggCircuit];
  const e = c === 'pad' ? { ms: [padMs], bb: [padMs], rss: padRss !== undefined ? [padRss] : [] } : perCircuit.get(c);
  if (!e) return [];
  return [
    [
      c,
      int(size.gates),
      `2^${Math.log2(size.dyadicGates)}`,
      sec(median(e.bb)),
      sec(median(e.ms)),
      e.ms.length,
      e.rss.length ? int(Math.max(...e.rss)) : 'n/a',
    ],
  ];
});
print(
  table(
    'Aggregation circuits (jobs of the batches below)',
    ['circuit', 'gates', 'dyadic', 'bb prove (s, median)', 'job incl. witness (s, median)', 'samples', 'bb peak RSS (MiB, max)'],
    circuitRows,
  ),
);
const overheadPct = (r: Run): number => (100 * (r.res.stats.totalMs - r.bbMs)) / r.res.stats.totalMs;
print(
  table(
    `Full batches (parallelism ${parallelism}; fresh checkpoints)`,
    [
      'inner proofs N',
      'shape',
      'batch',
      'jobs',
      'total (s)',
      'sum of bb prove (s)',
      's per inner proof',
      'engine overhead (time not in bb)',
      'peak RSS of a job (MiB)',
      'load at end',
    ],
    runs.map((r) => [
      r.n,
      r.shape === 'v2' ? 'version 2 (pair leaves)' : 'version 1 (single leaves)',
      r.capacity,
      r.res.stats.jobs.length,
      sec(r.res.stats.totalMs),
      sec(r.bbMs),
      sec(r.res.stats.totalMs / r.n),
      `${overheadPct(r).toFixed(1)} %`,
      r.peakRssMiB === undefined ? 'n/a' : int(r.peakRssMiB),
      r.load,
    ]),
  ),
);
const ratios = sizes.flatMap((n) => {
  const v2 = runs.find((r) => r.n === n && r.shape === 'v2');
  const v1 = runs.find((r) => r.n === n && r.shape === 'v1');
  return v2 && v1 ? [{ n, wall: v2.res.stats.totalMs / v1.res.stats.totalMs, bb: v2.bbMs / v1.bbMs }] : [];
});
if (ratios.length > 0) {
  print(
    table(
      'Version 2 against version 1 (same run, same machine)',
      ['inner proofs N', 'wall-time ratio v2 / v1', 'bb-time ratio v2 / v1'],
      ratios.map((x) => [x.n, x.wall.toFixed(2), x.bb.toFixed(2)]),
    ),
  );
}

// 5b. Distributed proving: one full batch in-process and through the queue.
const queueRuns: QueueRun[] = [];
let queueInProcess: AggregateResult | undefined;
if (values.queue !== 'none') {
  const local = values.queue === 'local' ? await startLocalRedis() : undefined;
  const url = local?.url ?? values.queue;
  const batch = batchOf('v2', queueSize);
  try {
    queueInProcess = runs.find((r) => r.shape === 'v2' && r.n === queueSize)?.res;
    if (!queueInProcess) {
      const checkpointDir = await mkdtemp(path.join(os.tmpdir(), 'nex-bench-'));
      console.error(`proving a batch of ${queueSize} in-process for the queue comparison, load ${load()}...`);
      queueInProcess = await aggregateBatch({ batch, prover, parallelism, checkpointDir, backend: bopts, logger }).finally(() =>
        rm(checkpointDir, { recursive: true, force: true }),
      );
    }
    for (const setup of queueSetups) {
      console.error(
        `proving a batch of ${queueSize} through the queue with ${setup.workers} worker(s) of ${setup.threads} bb thread(s)...`,
      );
      const r = await benchQueueRun({ url, batch, prover, setup, bopts, logger });
      queueRuns.push(r);
      console.error(
        `queue ${setup.workers}x${setup.threads}: wall ${sec(r.wallMs)} s, bb makespan ${sec(r.idealMs)} s, jobs per worker ${JSON.stringify(r.jobsPerWorker)}, load ${load()}`,
      );
    }
  } finally {
    await local?.dispose();
  }
  const inSum = queueInProcess.stats.jobs.reduce((a, j) => a + (j.bbMs ?? j.ms), 0);
  print(
    table(
      `Distributed proving: batch of ${queueSize} (${os.cpus().length} cores shared by all workers)`,
      [
        'setup',
        'wall (s)',
        'sum of bb prove (s)',
        'bb makespan on the workers (s)',
        'overhead (wall - makespan) / wall',
        'jobs per worker',
      ],
      [
        [
          `in-process (parallelism ${parallelism}, bb all cores)`,
          sec(queueInProcess.stats.totalMs),
          sec(inSum),
          sec(inSum),
          `${((100 * (queueInProcess.stats.totalMs - inSum)) / queueInProcess.stats.totalMs).toFixed(1)} %`,
          '-',
        ],
        ...queueRuns.map((r) => [
          `queue: ${r.workers} worker(s) x ${r.threads} bb thread(s)`,
          sec(r.wallMs),
          sec(r.bbSumMs),
          sec(r.idealMs),
          `${(100 * r.overhead).toFixed(1)} %`,
          Object.values(r.jobsPerWorker).join(' / '),
        ]),
      ],
    ),
  );
  print(
    'Makespan = the wall time the same jobs would take on that many workers if nothing but bb took time (jobs start as soon as their ' +
      'inputs are proven and a worker is free). The overhead is everything else: queue round trips, input verification, witness ' +
      'generation, the start of each job, the pre-check and the root check.\n',
  );
}

// 6-7. L1: the root verifiers and the single-rollup baseline on an in-process Hardhat EVM.
const { ethers } = await network.create();
const [signer] = await ethers.getSigners();
let last: { proof: Uint8Array; publicInputs: `0x${string}`[] } | undefined = runs.length > 0 ? runs[runs.length - 1]!.res : undefined;
if (!last && values['root-proof']) {
  const j = JSON.parse(await readFile(values['root-proof'], 'utf8')) as { proof: `0x${string}`; publicInputs: `0x${string}`[] };
  last = { proof: hexToBytes(j.proof), publicInputs: j.publicInputs };
}
const verifyGas: Partial<Record<(typeof VERIFIER_VARIANTS)[number], bigint>> = {};
if (last) {
  const full = await loadAggregationArtifacts({ buildDir: art.buildDir });
  const rows: (string | number)[][] = [];
  for (const variant of VERIFIER_VARIANTS) {
    const v = full.verifiers[variant];
    const compiled = fromVerifierBuild({
      name: v.contractName,
      abi: v.abi,
      bytecode: v.bytecode,
      linkReferences: v.linkReferences,
      libraries: v.libraries.map((l) => ({ name: l.name, abi: l.abi, bytecode: l.bytecode })),
    });
    const deployed = await deployVerifier(compiled, signer!);
    const r = await evmVerify(compiled, deployed.address, signer!, last.proof, last.publicInputs);
    if (!r.verified) throw new Error(`root proof rejected on the EVM (${variant}): ${r.error}`);
    verifyGas[variant] = r.gasUsed!;
    rows.push(
      [`${variant}: verify(proof, publicInputs) gas (tx gasUsed)`, int(r.gasUsed!)],
      [`${variant}: calldata (bytes)`, int(r.calldataBytes)],
    );
    for (const d of deployed.deployGas)
      rows.push([`${variant}: deploy ${d.name} (gas / code bytes)`, `${int(d.gas)} / ${int(d.codeBytes)}`]);
  }
  rows.push(['root proof (bytes)', int(last.proof.length)]);
  print(table('Root verifiers on L1 (non-ZK, Hardhat EDR, cancun, 4 public inputs)', ['item', 'value'], rows));
}
const single = await backend.exampleRollupEvmCase({ optimized: true });
await backend.close();
const singleV = compileVerifier(single.verifierSource, { runs: 200 });
const singleDeployed = await deployVerifier(singleV, signer!);
const singleRes = await evmVerify(singleV, singleDeployed.address, signer!, single.proof, single.publicInputs);
if (!singleRes.verified) throw new Error(`single rollup proof rejected on the EVM: ${singleRes.error}`);
const market = values['market-gas'] === 'auto' ? await marketOverheadFromBenchGas() : undefined;
if (verifyGas.optimized !== undefined) {
  const g = verifyGas.optimized;
  print(
    table(
      'Per-proof L1 share of the root verification (optimized verifier, the deployed default)',
      [
        'batch size',
        'root verify tx / proof',
        ...(market ? ['market / proof (bench:gas off-chain reference, steady)', 'total / proof'] : []),
        'one rollup proof verified alone (optimized, tx)',
      ],
      [4, 8, 16, 32, 64].map((n) => {
        const v = g / BigInt(n);
        const m = market?.get(n);
        return [
          n,
          int(v),
          ...(market ? [m !== undefined ? int(m) : 'n/a', m !== undefined ? int(v + m) : 'n/a'] : []),
          int(singleRes.gasUsed!),
        ];
      }),
    ),
  );
}
print(
  `Load average at start ${loadAtStart}, at the end ${load()} (1, 5, 15 min; the machine has ${os.cpus().length} cores: a load above that means other processes shared the CPU and times are inflated; compare shapes by the ratios).\n`,
);
print(
  `One example rollup proof verified alone on L1 (its own optimized verifier, evm target, ZK): ${int(singleRes.gasUsed!)} gas, calldata ${int(singleRes.calldataBytes)} B.\n`,
);
if (values.json) {
  await writeFile(
    values.json,
    JSON.stringify(
      {
        machine: { cores: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), parallelism },
        loadAtStart,
        loadAtEnd: load(),
        runs: runs.map((r) => ({
          shape: r.shape,
          innerProofs: r.n,
          capacity: r.capacity,
          totalMs: r.res.stats.totalMs,
          bbMs: r.bbMs,
          secondsPerInnerProof: r.res.stats.totalMs / 1000 / r.n,
          engineOverheadPct: overheadPct(r),
          peakRssMiB: r.peakRssMiB,
          load: r.load,
          jobs: r.res.stats.jobs,
        })),
        ratios,
        verifyGas: Object.fromEntries(Object.entries(verifyGas).map(([k, v]) => [k, v.toString()])),
        singleRollupVerifyGas: singleRes.gasUsed!.toString(),
        queue: queueInProcess
          ? {
              size: queueSize,
              inProcess: { totalMs: queueInProcess.stats.totalMs, jobs: queueInProcess.stats.jobs },
              runs: queueRuns.map((r) => ({
                workers: r.workers,
                threads: r.threads,
                wallMs: r.wallMs,
                bbSumMs: r.bbSumMs,
                idealMs: r.idealMs,
                overhead: r.overhead,
                jobsPerWorker: r.jobsPerWorker,
                jobs: r.res.stats.jobs,
              })),
            }
          : undefined,
      },
      null,
      2,
    ),
  );
}
