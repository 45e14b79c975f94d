/**
 * A keeper daemon as a child process: `nex keeper run` configured through NEX_KEEPER_* variables. A log
 * line with an `event` code is one of the keeper's typed events (prover/keeper/obs/events.ts), which is
 * what the demo follows.
 */
import type { Hex } from 'viem';
import type { KeeperLogLine } from '../keeper/index.js';
import { NexProcess } from './nexProcess.js';

/** One line of the keeper's output: a JSON log line, or raw text (`level: 'raw'`). */
export type KeeperLine = KeeperLogLine;

export interface KeeperProcessOptions {
  name: string;
  root: string;
  privateKey: Hex;
  rpcUrl: string;
  deploymentsFile: string;
  dataDir: string;
  /** Relays the keeper fetches off-chain statements' proofs from. */
  relays?: readonly string[] | undefined;
  pollMs?: number;
}

export class KeeperProcess extends NexProcess<KeeperLine & { msg: string; level: string }> {
  constructor(opts: KeeperProcessOptions) {
    super({
      name: opts.name,
      root: opts.root,
      args: ['keeper', 'run'],
      dataDir: opts.dataDir,
      logName: 'keeper.log',
      env: {
        NEX_KEEPER_PRIVATE_KEY: opts.privateKey,
        NEX_KEEPER_RPC_URLS: opts.rpcUrl,
        NEX_KEEPER_DEPLOYMENTS_FILE: opts.deploymentsFile,
        NEX_KEEPER_DATA_DIR: opts.dataDir,
        NEX_KEEPER_POLL_MS: String(opts.pollMs ?? 1_000),
        NEX_KEEPER_METRICS_PORT: '0',
        NEX_KEEPER_LOG_FORMAT: 'json',
        NEX_KEEPER_LOG_LEVEL: 'info',
        ...(opts.relays && opts.relays.length > 0 ? { NEX_KEEPER_RELAYS: opts.relays.join(',') } : {}),
      },
    });
  }
}
