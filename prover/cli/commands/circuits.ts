import { Option } from 'commander';
import type { Barretenberg } from '@aztec/bb.js';
import { ignitionSrs, srsIdOf, startBarretenberg, stderrJsonLogger, type Srs } from '../../engine/index.js';
import { ensureAggregationArtifacts, ensureDevSrs, type BuildProgress } from '../../toolchain/index.js';
import { action, type DefineCommand } from '../command.js';

interface BuildFlags {
  force: boolean;
  srs: 'dev' | 'ignition';
  json: boolean;
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
    for (const [circuit, kh] of Object.entries(artifacts.keyHashes)) print({ step: 'key hash', circuit, detail: kh });
  } finally {
    await bb?.destroy();
  }
  return 0;
}

/** `nex circuits …` */
export const circuits: DefineCommand = (group, ctx) => {
  group
    .command('build')
    .summary('Compile the circuits, compute verification keys and the root Solidity verifier (cached)')
    .description(
      [
        'Compiles the Noir circuits, computes their verification keys and key hashes once, and generates and',
        'compiles the root (node circuit, evm target) Solidity verifier. Cached by content hash in',
        '${NEX_BUILD_DIR:-.nex/build}: a rerun with the same inputs is a cache hit in seconds.',
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
