import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import { action, type DefineCommand, nonNegativeInt } from '../command.js';
import {
  DEFAULT_DEV_SEED,
  DEFAULT_LOG2_POINTS,
  defaultSrsCacheRoot,
  deriveDevTau,
  ignitionSrs,
  stderrJsonLogger,
} from '../../engine/index.js';
import { checkSrsFiles, ensureDevSrs, listDevSrs, progressReporter } from '../../toolchain/index.js';

/** `nex srs …` */
export const srs: DefineCommand = (group, ctx) => {
  group.description(
    'Trusted-setup (SRS) modes: the Aztec Ignition CRS for production, an INSECURE dev SRS for devnets and tests (docs/srs.md).',
  );

  group
    .command('setup')
    .summary('Generate (or reuse) the INSECURE dev SRS and the patched bb for devnets and tests')
    .description(
      [
        'Generates [tau^i]G1 for i < 2^N + 1024 with tau derived from the public seed S, checks the points,',
        'caches them and patches a copy of bb that accepts them. INSECURE: anyone knowing S can forge proofs;',
        'the deploy code refuses this SRS on any chain but a local devnet.',
      ].join('\n'),
    )
    .addOption(new Option('--log2 <N>', 'circuits of up to 2^N gates').default(DEFAULT_LOG2_POINTS).argParser(nonNegativeInt('log2')))
    .addOption(new Option('--seed <S>', 'public seed').default(DEFAULT_DEV_SEED))
    .option('--cache-dir <dir>', 'cache root (default $NEX_SRS_DIR, else $XDG_CACHE_HOME/nex/srs, else ~/.cache/nex/srs)')
    .addOption(new Option('--threads <T>', 'generator threads (default: CPU count)').argParser(nonNegativeInt('threads')))
    .action(
      action(ctx, async (cmd) => {
        const values = cmd.opts<{ log2: number; seed: string; cacheDir?: string; threads?: number }>();
        const reporter = progressReporter();
        const t0 = performance.now();
        const srs = await ensureDevSrs({
          log2Points: values.log2,
          seed: values.seed,
          cacheDir: values.cacheDir,
          threads: values.threads,
          onProgress: reporter.onProgress,
          logger: (event) => {
            reporter.finish(); // end a half-drawn progress line before the log line
            stderrJsonLogger(event);
          },
        }).finally(() => reporter.finish()); // a bar left running would keep the process alive
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
      }),
    );

  group
    .command('info')
    .summary('Show the SRS modes, the cached dev SRSs and (with --verify) check them')
    .option('--cache-dir <dir>', 'cache root to inspect')
    .option('--verify', 're-check every cached dev SRS: noble spot checks and pairings')
    .option('--json', 'machine-readable output')
    .action(
      action(ctx, async (cmd) => {
        const values = cmd.opts<{ cacheDir?: string; verify?: boolean; json?: boolean }>();
        const root = path.resolve(values.cacheDir ?? defaultSrsCacheRoot());
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
          entries.push({
            dir: c.dir,
            seed: c.manifest?.seed,
            log2Points: c.manifest?.log2Points,
            points: c.manifest?.points,
            created: c.manifest?.created,
            insecure: c.manifest?.INSECURE,
            patchedBb: c.patchedBb,
            check,
          });
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
      }),
    );
};
