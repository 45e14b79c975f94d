/**
 * `nex explorer`: serves the explorer page and its JSON API (docs/explorer.md) in the foreground until
 * SIGINT or SIGTERM. Its options come from the explorer's options table (prover/explorer/config.ts), turned
 * into commander options here; the explorer module is imported only when `explorer` runs.
 */
import { type Command, Option } from 'commander';
import { ExplorerConfigError, EXPLORER_OPTIONS, loadExplorerConfig, runExplorer, type ExplorerOptionSpec } from '../../explorer/index.js';
import { action, type DefineCommand, UsageError } from '../command.js';

const PLACEHOLDER: Readonly<Record<ExplorerOptionSpec['kind'], string>> = {
  string: '<value>',
  int: '<n>',
  url: '<url>',
  address: '<address>',
  path: '<path>',
  enum: '<value>',
};

function flagsOf(cmd: Command): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const spec of EXPLORER_OPTIONS) {
    const attr = new Option(spec.flag).attributeName();
    if (cmd.getOptionValueSource(attr) === 'cli') flags[spec.key] = String(cmd.getOptionValue(attr));
  }
  return flags;
}

const FOOTER = [
  '',
  'Precedence: defaults < NEX_EXPLORER_* environment < flags (docs/explorer.md). It listens on loopback by',
  'default and has no authentication. Exit codes: 0 stopped (SIGINT/SIGTERM), 1 failed to start, 2 invalid configuration.',
].join('\n');

/** `nex explorer` */
export const explorer: DefineCommand = (cmd, ctx) => {
  cmd
    .description(
      'Serve the explorer: a web page and JSON API over the market (batches, slots, programs, provers), live (docs/explorer.md).',
    )
    .addHelpText('after', FOOTER);
  for (const spec of EXPLORER_OPTIONS) {
    // Defaults and the environment are loadExplorerConfig's (only flags given here are passed); help shows both.
    const o = new Option(
      `${spec.flag} ${PLACEHOLDER[spec.kind]}`,
      `${spec.doc}${spec.default !== undefined ? ` (default: ${spec.default})` : ''}`,
    ).env(spec.env);
    if (spec.values) o.choices(spec.values);
    cmd.addOption(o);
  }
  cmd.action(
    action(ctx, async (c) => {
      let config;
      try {
        config = loadExplorerConfig({ env: process.env, flags: flagsOf(c) });
      } catch (err) {
        if (err instanceof ExplorerConfigError) throw new UsageError(err.message);
        throw err;
      }
      return runExplorer({ config });
    }),
  );
};
