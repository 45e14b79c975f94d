/**
 * Starting the explorer: connect to the chain (checking the chain id), index the market's events from the
 * start block, bundle the page, listen, then follow the chain and the optional relay and keeper every
 * `pollIntervalMs`. `startExplorer(config)` is what `nex explorer`, `nex devnet` and the demo call.
 */
import type { FastifyInstance } from 'fastify';
import { NexError } from '../protocol/index.js';
import { openViemReader, type ChainReader } from './chain/reader.js';
import type { ExplorerConfig } from './config.js';
import { buildPageAssets } from './http/bundle.js';
import { buildExplorerServer } from './http/server.js';
import { ChainIndex } from './index/chainIndex.js';
import { Follower, oneLine } from './index/follower.js';
import { createExplorerLogger, type Logger } from './log.js';
import { ExplorerService } from './service.js';
import { httpKeeperSource } from './sources/keeper.js';
import { httpRelaySource } from './sources/relay.js';

export class ExplorerStartError extends NexError {
  override readonly name = 'ExplorerStartError';
}

export interface ExplorerDeps {
  readonly log?: Logger;
  /** A chain reader (default: viem on config.rpcUrl). */
  readonly reader?: ChainReader;
}

export interface RunningExplorer {
  /** Base URL of the page (the API is under /api). */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly service: ExplorerService;
  /** Stops polling and closes the server. */
  close(): Promise<void>;
}

export async function startExplorer(config: ExplorerConfig, deps: ExplorerDeps = {}): Promise<RunningExplorer> {
  const log = deps.log ?? createExplorerLogger({ level: config.log.level });
  const rpcOrigin = new URL(config.rpcUrl).origin;
  let reader: ChainReader;
  let chainId: number;
  try {
    reader = deps.reader ?? (await openViemReader(config.rpcUrl, config.market));
    chainId = await reader.chainId();
  } catch (err) {
    throw new ExplorerStartError(`cannot read the market ${config.market} through ${rpcOrigin}: ${oneLine(err)}`);
  }
  if (config.chainId !== undefined && chainId !== config.chainId)
    throw new ExplorerStartError(`the RPC ${rpcOrigin} serves chain ${chainId}, not the configured ${config.chainId}`);
  const index = new ChainIndex();
  const follower = new Follower(reader, index, {
    startBlock: config.startBlock,
    maxLogRange: config.maxLogRange,
    log: { info: (msg, f) => log.info(f ?? {}, msg), warn: (msg, f) => log.warn(f ?? {}, msg) },
  });
  const service = new ExplorerService({
    reader,
    index,
    follower,
    ...(config.relayUrl ? { relay: httpRelaySource(config.relayUrl) } : {}),
    ...(config.keeperMetricsUrl ? { keeper: httpKeeperSource(config.keeperMetricsUrl) } : {}),
    chainId,
    pollIntervalMs: config.pollIntervalMs,
    verifyAloneGas: config.verifyAloneGas,
  });
  await service.tick();
  if (!follower.status.ok) throw new ExplorerStartError(`indexing the market failed: ${follower.status.error ?? 'unknown error'}`);
  const assets = await buildPageAssets();
  const app = buildExplorerServer(service, assets, log);
  const url = await app.listen({ host: config.listen.host, port: config.listen.port });
  log.info({ url, chainId, market: config.market, syncedTo: follower.syncedTo.toString() }, 'explorer listening');

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = service.tick().finally(loop);
    }, config.pollIntervalMs);
  };
  loop();
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    service,
    close: () =>
      (closing ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await running;
        await app.close();
        log.info({}, 'explorer stopped');
      })()),
  };
}
