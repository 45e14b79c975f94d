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
  const log = createRelayLogger({ level: config.log.level, scrub: [{ text: config.rpcUrl, by: redact(config.rpcUrl, config.rpcUrl) }] });
  const key = o.env.NEX_RELAY_PRIVATE_KEY;
  if (!key || !isHex(key, { strict: true }) || key.length !== 66) {
    log.error({ component: 'relay' }, 'NEX_RELAY_PRIVATE_KEY must be set to the relay key (32 bytes, 0x-prefixed hex)');
    return 2;
  }
  // RPC URLs often carry an API key: never print more than their origin.
  const failed = (err: unknown): number => {
    const text = String((err as { shortMessage?: string }).shortMessage ?? (err as Error).message ?? err).split('\n')[0]!;
    log.error({ component: 'relay', error: redact(text, config.rpcUrl) }, 'relay failed to start');
    return 1;
  };
  let deps: RelayDeps;
  try {
    deps = await (o.openDeps ?? openRelayDeps)(config, key as Hex, log);
  } catch (err) {
    return failed(err);
  }
  let relay;
  try {
    relay = await startRelay(config, deps);
  } catch (err) {
    await Promise.allSettled([deps.store.close(), deps.verifier.close()]);
    return failed(err);
  }
  await (o.stopSignal ?? signalled(log));
  await relay.close();
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function signalled(log: ReturnType<typeof createRelayLogger>): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      log.info({ component: 'relay', signal }, 'stopping');
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Replaces the RPC URL (path, query, credentials) by its origin in `text`. */
export function redact(text: string, rpcUrl: string): string {
  let origin = '<rpc>';
  try {
    origin = new URL(rpcUrl).origin;
  } catch {
    /* not a URL: replace it whole */
  }
  return text.split(rpcUrl).join(origin);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main({ argv: process.argv.slice(2), env: process.env });
}
