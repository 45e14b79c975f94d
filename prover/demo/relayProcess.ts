/**
 * The demo's relay: `nex relay` as a child process (its own SQLite store in the run's directory, real bb
 * verification of every proof it accepts, its own posting key), configured through NEX_RELAY_* variables.
 * The demo's rollups hand it their off-chain requests; the keepers fetch the proofs of the batch it posts.
 */
import path from 'node:path';
import type { Hex } from 'viem';
import type { Cleanup } from './cleanup.js';
import { NexProcess } from './nexProcess.js';
import { until } from './stage.js';
import { DemoError } from './types.js';

export interface RelayProcessOptions {
  readonly root: string;
  /** The posting key (pays the post's gas, earns the market's poster share of the verified fees). */
  readonly privateKey: Hex;
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly market: Hex;
  readonly dataDir: string;
  /** Capacity of the batches it posts (the devnet's: 4). */
  readonly capacity: number;
  /** Posts a partial batch once its oldest request waited this long. */
  readonly postTimeoutSeconds: number;
}

export class RelayProcess extends NexProcess {
  constructor(opts: RelayProcessOptions) {
    super({
      name: 'relay',
      root: opts.root,
      args: ['relay'],
      dataDir: opts.dataDir,
      logName: 'relay.log',
      env: {
        NEX_RELAY_PRIVATE_KEY: opts.privateKey,
        NEX_RELAY_RPC_URL: opts.rpcUrl,
        NEX_RELAY_CHAIN_ID: String(opts.chainId),
        NEX_RELAY_MARKET_ADDRESS: opts.market,
        NEX_RELAY_HOST: '127.0.0.1',
        NEX_RELAY_PORT: '0',
        NEX_RELAY_DATA_DIR: opts.dataDir,
        NEX_RELAY_CAPACITY: String(opts.capacity),
        NEX_RELAY_MAX_STATEMENTS: String(opts.capacity),
        NEX_RELAY_POST_TIMEOUT: String(opts.postTimeoutSeconds),
        // A devnet mines a block a second and does not reorganise.
        NEX_RELAY_CONFIRMATIONS: '0',
        NEX_RELAY_POLL_MS: '500',
        NEX_RELAY_LOG_LEVEL: 'info',
      },
    });
  }

  /** The URL it serves, once its `relay listening` line is out; throws when it exits first. */
  url(timeoutMs = 120_000): Promise<string> {
    return until('the relay to listen', timeoutMs, () => {
      const l = this.find((x) => x.msg === 'relay listening' && typeof x.url === 'string');
      if (l) return Promise.resolve(l.url as string);
      if (!this.running) {
        throw new DemoError(`the relay exited at start-up (log: ${this.logFile}); last errors: ${this.lastErrors().join(' | ') || 'none'}`);
      }
      return Promise.resolve(undefined);
    });
  }
}

/** Relay: `nex relay` started (stopped by the cleanup), its URL once it listens. */
export async function startRelay(opts: RelayProcessOptions, cleanup: Cleanup): Promise<{ relay: RelayProcess; url: string }> {
  const relay = new RelayProcess({ ...opts, dataDir: path.resolve(opts.dataDir) });
  relay.start();
  cleanup.add('relay', () => relay.stop());
  return { relay, url: await relay.url() };
}
