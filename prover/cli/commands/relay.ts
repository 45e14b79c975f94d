/**
 * `nex relay`: runs a relay, the off-chain entry point of the version-2 market (docs/relay.md), in the
 * foreground until SIGINT or SIGTERM. Its options come from the relay's options table
 * (prover/relay/config.ts: key, env variable, flag, default, help), turned into commander options here; the
 * relay module is imported only when `relay` runs (prover/cli/program.ts), so no other command loads it.
 */
import { type Command, Option } from 'commander';
import { loadRelayConfig, RELAY_OPTIONS, RelayConfigError, runRelay, type RelayOptionSpec } from '../../relay/index.js';
import { action, type DefineCommand, UsageError } from '../command.js';

const PLACEHOLDER: Readonly<Record<RelayOptionSpec['kind'], string>> = {
  string: '<value>',
  int: '<n>',
  bool: '',
  wei: '<amount>',
  address: '<address>',
  url: '<url>',
  path: '<path>',
  enum: '<value>',
};

/** The commander options of one row of the relay's options table. */
function toOptions(spec: RelayOptionSpec): Option[] {
  const o = new Option(`${spec.flag}${spec.kind === 'bool' ? '' : ` ${PLACEHOLDER[spec.kind]}`}`, spec.doc).env(spec.env);
  if (spec.values) o.choices(spec.values);
  if (spec.default !== undefined && spec.kind !== 'bool') o.default(spec.default);
  if (spec.kind !== 'bool') return [o];
  // Bool options also take --no-<flag>; it is listed when it is the one that changes the default.
  const on = spec.default === 'true';
  const no = new Option(`--no-${spec.flag.slice(2)}`, `set ${spec.key} to false`);
  return [on ? o.hideHelp() : o, on ? no : no.hideHelp()];
}

/** The option values given as flags on this command line, by option key (env and file are loadRelayConfig's). */
function flagsOf(cmd: Command): Record<string, string | boolean> {
  const flags: Record<string, string | boolean> = {};
  for (const spec of RELAY_OPTIONS) {
    const attr = new Option(spec.flag).attributeName();
    if (cmd.getOptionValueSource(attr) === 'cli') flags[spec.key] = cmd.getOptionValue(attr) as string | boolean;
  }
  return flags;
}

const FOOTER = [
  '',
  'Precedence: defaults < config file (--config or NEX_RELAY_CONFIG) < NEX_RELAY_* environment < flags',
  '(docs/relay.md). The relay key comes from NEX_RELAY_PRIVATE_KEY only: it signs receipts and pays for posts.',
  'Exit codes: 0 stopped (SIGINT/SIGTERM), 1 failed to start, 2 invalid configuration or no key.',
].join('\n');

/** `nex relay` */
export const relay: DefineCommand = (cmd, ctx) => {
  cmd
    .description(
      'Run a relay: accept signed off-chain requests over HTTP, check them (bb included), persist, acknowledge and post them to the market (docs/relay.md).',
    )
    .addOption(new Option('--config <file>', 'JSON config file (comments allowed)').env('NEX_RELAY_CONFIG'))
    .addHelpText('after', FOOTER);
  for (const spec of RELAY_OPTIONS) for (const o of toOptions(spec)) cmd.addOption(o);
  cmd.action(
    action(ctx, async (c) => {
      let config;
      try {
        // The file option's env variable is loadRelayConfig's too: only a --config flag is passed as the file.
        const file = c.getOptionValueSource('config') === 'cli' ? c.opts<{ config?: string }>().config : undefined;
        config = loadRelayConfig({ file, env: process.env, flags: flagsOf(c) });
      } catch (err) {
        if (err instanceof RelayConfigError) throw new UsageError(err.message);
        throw err;
      }
      return runRelay({ config, env: process.env });
    }),
  );
};
