import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { DEFAULT_DEV_SEED, DEFAULT_LOG2_POINTS, defaultSrsCacheRoot, deriveDevTau, ignitionSrs, stderrJsonLogger } from '../../engine/index.js';
import { checkSrsFiles, ensureDevSrs, listDevSrs, progressReporter } from '../../toolchain/index.js';

function parse<const O extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function intOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a non-negative integer, got ${String(value)}`);
  return n;
}

const setup: Command = {
  path: ['srs', 'setup'],
  summary: 'Generate (or reuse) the INSECURE dev SRS and the patched bb for devnets and tests',
  usage: [
    'Usage: nex srs setup [--log2 N] [--seed S] [--cache-dir DIR] [--threads T]',
    '',
    'Generates [tau^i]G1 for i < 2^N + 1024 with tau derived from the public seed S, checks the points,',
    'caches them and patches a copy of bb that accepts them. INSECURE: anyone knowing S can forge proofs;',
    'the deploy code refuses this SRS on any chain but a local devnet.',
    '',
    `  --log2 N         circuits of up to 2^N gates (default ${DEFAULT_LOG2_POINTS})`,
    `  --seed S         public seed (default "${DEFAULT_DEV_SEED}")`,
    '  --cache-dir DIR  cache root (default $NEX_SRS_DIR, else $XDG_CACHE_HOME/nex/srs, else ~/.cache/nex/srs)',
    '  --threads T      generator threads (default: CPU count)',
  ].join('\n'),
  async run(args) {
    const { values } = parse(args, {
      log2: { type: 'string' },
      seed: { type: 'string' },
      'cache-dir': { type: 'string' },
      threads: { type: 'string' },
    });
    const reporter = progressReporter();
    const t0 = performance.now();
    const srs = await ensureDevSrs({
      log2Points: intOption(values.log2, 'log2', DEFAULT_LOG2_POINTS),
      seed: typeof values.seed === 'string' ? values.seed : undefined,
      cacheDir: typeof values['cache-dir'] === 'string' ? values['cache-dir'] : undefined,
      threads: values.threads === undefined ? undefined : intOption(values.threads, 'threads', 1),
      onProgress: reporter.onProgress,
      logger: (event) => {
        reporter.finish(); // end a half-drawn progress line before the log line
        stderrJsonLogger(event);
      },
    });
    reporter.finish();
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(
      [
        `INSECURE dev SRS ${srs.generated ? `generated in ${secs} s` : 'reused from cache'} (tau is public; local devnets and tests only)`,
        `  seed:     ${JSON.stringify(srs.seed)}`,
        `  points:   ${srs.points.toLocaleString('en-US')} (circuits up to 2^${srs.log2Points} gates)`,
        `  crs dir:  ${srs.crsDir}`,
        `  bb:       ${srs.bbPath}  (patched copy, CRS_PATH bound)`,
      ].join('\n'),
    );
    return 0;
  },
};

const info: Command = {
  path: ['srs', 'info'],
  summary: 'Show the SRS modes, the cached dev SRSs and (with --verify) check them',
  usage: [
    'Usage: nex srs info [--cache-dir DIR] [--verify] [--json]',
    '',
    '  --cache-dir DIR  cache root to inspect',
    '  --verify         re-check every cached dev SRS: noble spot checks and pairings',
    '  --json           machine-readable output',
  ].join('\n'),
  async run(args) {
    const { values } = parse(args, {
      'cache-dir': { type: 'string' },
      verify: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const root = path.resolve(typeof values['cache-dir'] === 'string' ? values['cache-dir'] : defaultSrsCacheRoot());
    const cached = await listDevSrs(root);
    let ignition: { bbPath?: string; crsDir?: string; crsPresent?: boolean; error?: string };
    try {
      const ign = ignitionSrs();
      ignition = { bbPath: ign.bbPath, crsDir: ign.crsDir, crsPresent: existsSync(path.join(ign.crsDir, 'bn254_g1.dat')) };
    } catch (err) {
      ignition = { error: err instanceof Error ? err.message : String(err) };
    }
    const entries = [];
    let failures = 0;
    for (const c of cached) {
      let check: string | undefined;
      if (values.verify && c.manifest) {
        try {
          const r = await checkSrsFiles({
            g1File: path.join(c.dir, 'crs', 'bn254_g1.dat'),
            g2File: path.join(c.dir, 'crs', 'bn254_g2.dat'),
            tau: deriveDevTau(c.manifest.seed),
          });
          check = `ok (points ${r.spotChecked.join(', ')} recomputed; pairings at ${r.pairingChecked.join(', ')})`;
        } catch (err) {
          failures++;
          check = `FAILED: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      entries.push({ dir: c.dir, seed: c.manifest?.seed, log2Points: c.manifest?.log2Points, points: c.manifest?.points, created: c.manifest?.created, insecure: c.manifest?.INSECURE, patchedBb: c.patchedBb, check });
    }
    if (values.json) {
      console.log(JSON.stringify({ cacheRoot: root, ignition, dev: entries }, null, 2));
      return failures ? 1 : 0;
    }
    const lines = [
      'SRS modes',
      `  ignition (production): stock bb ${ignition.bbPath ?? `(unavailable: ${ignition.error})`}`,
      `                         CRS ${ignition.crsDir ?? '-'} ${ignition.crsPresent ? '(present)' : '(absent: bb downloads it on first use; needs internet)'}`,
      `  dev (INSECURE, local devnets/tests only): cache ${root}`,
    ];
    if (entries.length === 0) lines.push('    none generated yet: run `nex srs setup`');
    for (const e of entries) {
      lines.push(
        e.seed === undefined
          ? `    ${e.dir}: no manifest (incomplete; \`nex srs setup\` regenerates it)`
          : `    ${path.basename(e.dir)}: INSECURE seed ${JSON.stringify(e.seed)}, 2^${e.log2Points} (+margin) = ${e.points?.toLocaleString('en-US')} points, created ${e.created}, patched bb ${e.patchedBb ? 'yes' : 'no'}`,
      );
      if (e.check) lines.push(`      check: ${e.check}`);
    }
    console.log(lines.join('\n'));
    return failures ? 1 : 0;
  },
};

/** `nex srs ...` commands; the lead lists them in prover/cli/registry.ts. */
export const srsCommands: Command[] = [setup, info];
