/**
 * Running a relay as a process (`nex relay`, or `tsx prover/relay/main.ts`) from a loaded configuration: the
 * key from NEX_RELAY_PRIVATE_KEY, JSON-line logs on stdout that never show more of the RPC URL than its
 * origin, the production dependencies, then the relay until the stop signal (default: SIGINT or SIGTERM; a
 * second one exits at once). Returns the exit code: 0 stopped, 1 failed to start, 2 no usable key.
 */
import { isHex, type Hex } from 'viem';
import type { RelayConfig } from './config.js';
import { createRelayLogger } from './log.js';
import { openRelayDeps, startRelay, type RelayDeps, type RunningRelay } from './start.js';

export interface RunRelayOptions {
  readonly config: RelayConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the relay should stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: Promise<void>;
  /** Replaces openRelayDeps (tests run the real process with a chain double). */
  readonly openDeps?: typeof openRelayDeps;
  /** Called once the relay serves (tests and the CLI learn its URL; the log line says it too). */
  readonly onStarted?: (relay: RunningRelay) => void;
}

export async function runRelay(o: RunRelayOptions): Promise<number> {
  const { config } = o;
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
  o.onStarted?.(relay);
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
