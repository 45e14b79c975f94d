/**
 * The relay process without the CLI: `tsx prover/relay/main.ts [--config FILE]` (`nex relay` is the same
 * with every option also as a flag). Configuration from NEX_RELAY_* and an optional JSON file
 * (NEX_RELAY_CONFIG or `--config FILE`); the key from NEX_RELAY_PRIVATE_KEY. Exit codes: 0 stopped,
 * 1 failed, 2 invalid configuration.
 */
import { pathToFileURL } from 'node:url';
import { RelayConfigError, loadRelayConfig } from './config.js';
import { runRelay, type RunRelayOptions } from './run.js';

export { redact } from './run.js';

export interface MainOptions extends Omit<RunRelayOptions, 'config'> {
  readonly argv: readonly string[];
}

export async function main(o: MainOptions): Promise<number> {
  const i = o.argv.indexOf('--config');
  const file = i >= 0 ? o.argv[i + 1] : undefined;
  let config;
  try {
    config = loadRelayConfig({ env: o.env, file });
  } catch (err) {
    if (err instanceof RelayConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return runRelay({ ...o, config });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main({ argv: process.argv.slice(2), env: process.env });
}
