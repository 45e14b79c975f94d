/**
 * The relay process: `tsx prover/relay/main.ts` (the CLI integration wires it as `nex relay`).
 * Configuration from NEX_RELAY_* and an optional JSON file (NEX_RELAY_CONFIG or `--config FILE`); the key
 * from NEX_RELAY_PRIVATE_KEY. Logs JSON lines on stdout; stops cleanly on SIGINT/SIGTERM (a second signal
 * exits at once). Exit codes: 0 stopped, 1 failed, 2 invalid configuration.
 */
import { pathToFileURL } from 'node:url';
import { isHex, type Hex } from 'viem';
import { RelayConfigError, loadRelayConfig } from './config.js';
import { openRelayDeps, startRelay, type RelayDeps } from './index.js';
import { createRelayLogger } from './log.js';

export interface MainOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the process should stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: Promise<void>;
  /** Replaces openRelayDeps (tests run the real process with a chain double). */
  readonly openDeps?: typeof openRelayDeps;
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
  const log = createRelayLogger({ level: config.log.level });
  const key = o.env.NEX_RELAY_PRIVATE_KEY;
  if (!key || !isHex(key, { strict: true }) || key.length !== 66) {
    log.error({ component: 'relay' }, 'NEX_RELAY_PRIVATE_KEY must be set to the relay key (32 bytes, 0x-prefixed hex)');
    return 2;
  }
  let deps: RelayDeps;
  try {
    deps = await (o.openDeps ?? openRelayDeps)(config, key as Hex, log);
  } catch (err) {
    log.error({ component: 'relay', err }, 'relay failed to start');
    return 1;
  }
  const relay = await startRelay(config, deps).catch((err: unknown) => {
    log.error({ component: 'relay', err }, 'relay failed to start');
    return undefined;
  });
  if (!relay) return 1;
  await (o.stopSignal ?? signalled(log));
  await relay.close();
  return 0;
}

function signalled(log: ReturnType<typeof createRelayLogger>): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info({ component: 'relay', signal }, 'stopping');
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main({ argv: process.argv.slice(2), env: process.env });
}
