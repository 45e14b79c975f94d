import { Option } from 'commander';
import type { Barretenberg } from '@aztec/bb.js';
import {
  ignitionSrs,
  readManifest,
  srsIdOf,
  startBarretenberg,
  stderrJsonLogger,
  type BuildManifest,
  type Srs,
} from '../../engine/index.js';
import { AGG_CIRCUITS } from '../../protocol/index.js';
import { ensureAggregationArtifacts, ensureDevSrs, type BuildProgress } from '../../toolchain/index.js';
import { action, type DefineCommand } from '../command.js';

interface BuildFlags {
  force: boolean;
  srs: 'dev' | 'ignition';
  json: boolean;
}

/** What a build provides, for `--json` and the table: sizes and key hashes per circuit, the key set, the root key, the verifiers. */
export function buildSummary(m: BuildManifest): Record<string, unknown> {
  return {
    buildId: m.buildId,
    srsId: m.srsId,
    circuits: AGG_CIRCUITS.map((c) => ({
      circuit: c,
      target: m.circuits[c].target,
      gates: m.circuits[c].size.gates,
      dyadicGates: m.circuits[c].size.dyadicGates,
      keyHash: m.keyHashes[c],
    })),
    rootKey: { target: 'evm-no-zk', hash: m.rootVk.hash },
    keySet: m.keySet.root,
    rollupProofBytes: m.rollupProofBytes,
    verifiers: Object.fromEntries(
      Object.entries(m.verifiers).map(([v, e]) => [v, { deployedBytes: e.deployedBytes, libraries: e.libraryDeployedBytes }]),
    ),
  };
}

/** The build as a table: one row per aggregation circuit, then the root key, the key set and the verifiers. */
export function summaryTable(m: BuildManifest): string {
  const n = (x: number): string => x.toLocaleString('en');
  const rows = [
    ['circuit', 'key target', 'gates', 'dyadic', 'key hash'],
    ...AGG_CIRCUITS.map((c) => {
      const e = m.circuits[c];
      return [c, e.target, n(e.size.gates), `2^${Math.log2(e.size.dyadicGates)}`, m.keyHashes[c]];
    }),
    ['node (root)', 'evm-no-zk', n(m.circuits.node.size.gates), `2^${Math.log2(m.circuits.node.size.dyadicGates)}`, m.rootVk.hash],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const verifiers = Object.entries(m.verifiers).map(([v, e]) => {
    const libs = Object.entries(e.libraryDeployedBytes)
      .map(([l, b]) => ` + ${l} ${n(b)} B`)
      .join('');
    return `${v} ${n(e.deployedBytes)} B${libs}`;
  });
  return [
    ...rows.map(line),
    `key set (public input 3, pinned by the router): ${m.keySet.root}`,
    `rollup proof bytes (rollupProofBytes): ${n(m.rollupProofBytes)}`,
    `root verifiers (non-ZK, deployed code): ${verifiers.join('; ')}`,
    `build ${m.buildId}, SRS ${m.srsId}`,
  ].join('\n');
}

/** Builds (or confirms) the aggregation circuit artifacts (`nex circuits build`, `npm run circuits`). */
async function buildCircuits(values: BuildFlags): Promise<number> {
  const t0 = performance.now();
  const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`.padStart(7);
  const print = (p: BuildProgress): void => {
    if (values.json) {
      console.log(JSON.stringify({ component: 'circuits', ...p }));
      return;
    }
    const what = [p.step, p.circuit].filter(Boolean).join(' ');
    const ms = p.ms !== undefined ? ` (${(p.ms / 1000).toFixed(1)} s)` : '';
    console.log(`[circuits ${elapsed()}] ${what}${ms}${p.detail ? `: ${p.detail}` : ''}`);
  };

  const srs: Srs = values.srs === 'dev' ? await ensureDevSrs({ logger: stderrJsonLogger }) : ignitionSrs();
  if (srs.mode === 'dev')
    print({ step: 'srs', detail: `INSECURE dev SRS ${srsIdOf(srs)} (${srs.crsDir}); never use it outside a local devnet` });
  // bb is only started when something has to be built (a cache hit needs no prover).
  let bb: Barretenberg | undefined;
  try {
    const { artifacts, build } = await ensureAggregationArtifacts(async () => (bb = await startBarretenberg(srs)), srs, {
      force: values.force,
      onProgress: print,
    });
    print({ step: build.cacheHit ? 'ready (cached)' : 'ready', detail: artifacts.buildDir });
    const manifest = readManifest(artifacts.buildDir);
    if (values.json) console.log(JSON.stringify({ component: 'circuits', step: 'summary', ...buildSummary(manifest) }));
    else console.log(summaryTable(manifest));
  } finally {
    await bb?.destroy();
  }
  return 0;
}

/** `nex circuits …` */
export const circuits: DefineCommand = (group, ctx) => {
  group
    .command('build')
    .summary('Compile the circuits, compute verification keys, the key set and the root Solidity verifiers (cached)')
    .description(
      [
        'Compiles the Noir circuits, computes their verification keys and key hashes once (and the key set over',
        'them), and generates and compiles the root (node circuit, evm-no-zk target) non-ZK Solidity verifiers.',
        'Prints one row per aggregation circuit. Cached by content hash in ${NEX_BUILD_DIR:-.nex/build}: a rerun',
        'with the same inputs is a cache hit in seconds.',
      ].join('\n'),
    )
    .option('--force', 'rebuild even when the cache matches', false)
    .addOption(
      new Option(
        '--srs <mode>',
        'dev: the INSECURE deterministic dev SRS (local devnets and tests only); ignition: the Aztec Ignition CRS with stock bb (needs the downloaded CRS, see docs/srs.md)',
      )
        .choices(['dev', 'ignition'])
        .default('dev'),
    )
    .option('--json', 'one JSON object per progress line', false)
    .action(action(ctx, (cmd) => buildCircuits(cmd.opts<BuildFlags>())));
};
