/**
 * `npm run circuits`: compiles the Noir circuits, computes their verification keys and key hashes,
 * generates and compiles the root (node, evm target) Solidity verifier. Cached by content hash in
 * ${NEX_BUILD_DIR:-.nex/build}; rerunning with the same inputs is a cache hit.
 *
 * Options: --force (rebuild), --srs dev|ignition (default dev; ignition needs the downloaded
 * Aztec CRS, see docs/srs.md), --json (machine-readable progress).
 */
import { parseArgs } from 'node:util';
import type { Barretenberg } from '@aztec/bb.js';
import { ensureDevSrs, ignitionSrs, stderrJsonLogger, type Srs } from '../prover/engine/srs/index.js';
import type { BuildProgress } from '../prover/engine/circuits/build.js';
import { ensureAggregationArtifacts, srsIdOf, startBarretenberg } from '../prover/engine/circuits/setup.js';

const { values } = parseArgs({
  options: { force: { type: 'boolean', default: false }, srs: { type: 'string', default: 'dev' }, json: { type: 'boolean', default: false } },
});
if (values.srs !== 'dev' && values.srs !== 'ignition') throw new Error(`--srs must be dev or ignition, got ${values.srs}`);

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
if (srs.mode === 'dev') print({ step: 'srs', detail: `INSECURE dev SRS ${srsIdOf(srs)} (${srs.crsDir}); never use it outside a local devnet` });
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
