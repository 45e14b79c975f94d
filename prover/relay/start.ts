/**
 * Starting a relay: the HTTP API, the acceptance pipeline and the posting loop on their dependencies
 * (`startRelay`), and the production dependencies from a configuration (`openRelayDeps`).
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { privateKeyToAccount, type LocalAccount } from 'viem/accounts';
import type { Address, Hex } from 'viem';
import { AcceptancePipeline } from './accept/pipeline.js';
import type { RelayChain } from './chain/types.js';
import { createViemRelayChain } from './chain/viemChain.js';
import type { RelayConfig } from './config.js';
import { buildHttpServer } from './http/server.js';
import { silentLogger } from './log.js';
import { RelayMetrics } from './metrics.js';
import { Poster } from './post/poster.js';
import { openStore } from './store/open.js';
import type { RelayStore } from './store/types.js';
import { openEngineVerifier, type ProofVerifier } from './verify.js';

/** What a relay runs on. `startRelay` takes ownership: `close()` closes the store and the verifier. */
export interface RelayDeps {
  readonly chain: RelayChain;
  /** Not initialised yet: startRelay runs its migrations and checks its identity. */
  readonly store: RelayStore;
  readonly verifier: ProofVerifier;
  /** The relay's key: signs receipts and posts. */
  readonly account: LocalAccount;
  readonly log?: Logger;
  /** Unix seconds (default: the system clock). */
  readonly now?: () => number;
  readonly metrics?: RelayMetrics;
  /** Run the posting loop (default: `config.posting`; false serves the API only). */
  readonly posting?: boolean;
}

export interface RunningRelay {
  /** Base URL of the HTTP API. */
  readonly url: string;
  readonly address: Address;
  readonly app: FastifyInstance;
  readonly store: RelayStore;
  readonly poster: Poster;
  readonly metrics: RelayMetrics;
  /** Stops accepting, finishes in-flight requests, stops the loop, closes the store and the verifier. */
  close(): Promise<void>;
}

/** Starts the HTTP API and the posting loop. */
export async function startRelay(config: RelayConfig, deps: RelayDeps): Promise<RunningRelay> {
  const log = deps.log ?? silentLogger();
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  const metrics = deps.metrics ?? new RelayMetrics();
  const { chain, store, verifier, account } = deps;
  await store.init({ chainId: chain.chainId, market: chain.market, relay: account.address });

  const pipeline = new AcceptancePipeline(
    { chain, store, verifier, account, metrics, log: log.child({ component: 'relay:accept' }), now },
    {
      maxStatementsPerRequest: config.limits.maxStatementsPerRequest,
      minDeadlineSeconds: config.minDeadlineSeconds,
      deadlineHorizonSeconds: config.deadlineHorizonSeconds,
      postTimeoutSeconds: config.postTimeoutSeconds,
      postMarginSeconds: config.postMarginSeconds,
    },
  );
  const poster = new Poster(
    { chain, store, metrics, log: log.child({ component: 'relay:post' }), now },
    {
      capacity: config.capacity,
      postTimeoutSeconds: config.postTimeoutSeconds,
      postMarginSeconds: config.postMarginSeconds,
      pollIntervalMs: config.pollIntervalMs,
      confirmations: config.confirmations,
      maxLogRange: config.maxLogRange,
      proofRetentionSeconds: config.proofRetentionSeconds,
      maxPostAttempts: config.maxPostAttempts,
      stuckAfterSeconds: config.gas.stuckAfterSeconds,
    },
  );
  const posting = deps.posting ?? config.posting;
  const app = await buildHttpServer(
    {
      pipeline,
      store,
      metrics,
      log: log.child({ component: 'relay:http' }),
      relay: account.address,
      chainId: chain.chainId,
      market: chain.market,
      lastTickAt: () => (posting ? poster.lastTickAt : now()),
      now,
    },
    {
      bodyLimitBytes: config.limits.bodyLimitBytes,
      trustProxy: config.listen.trustProxy,
      ipPerMinute: config.limits.ipPerMinute,
      payerPerMinute: config.limits.payerPerMinute,
      maxStatementsPerRequest: config.limits.maxStatementsPerRequest,
      capacity: config.capacity,
      postTimeoutSeconds: config.postTimeoutSeconds,
      minDeadlineSeconds: config.minDeadlineSeconds,
      deadlineHorizonSeconds: config.deadlineHorizonSeconds,
      staleTickSeconds: posting ? Math.max(30, Math.ceil((config.pollIntervalMs * 10) / 1000)) : 0,
    },
  );
  const url = await app.listen({ host: config.listen.host, port: config.listen.port });
  const stop = new AbortController();
  const loop = posting ? poster.run(stop.signal) : Promise.resolve();
  log.info(
    { component: 'relay', url, relay: account.address, chainId: chain.chainId, market: chain.market, store: store.kind, posting },
    'relay listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    address: account.address,
    app,
    store,
    poster,
    metrics,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        stop.abort();
        await loop;
        await store.close();
        await verifier.close();
        log.info({ component: 'relay' }, 'relay stopped');
      })()),
  };
}

/** The production dependencies from the configuration: viem chain, store at `config.db`, bb through the engine. */
export async function openRelayDeps(config: RelayConfig, privateKey: Hex, log: Logger): Promise<RelayDeps> {
  const account = privateKeyToAccount(privateKey);
  const chain = await createViemRelayChain({
    rpcUrl: config.rpcUrl,
    market: config.marketAddress,
    account,
    chainId: config.chainId,
    startBlock: config.startBlock,
    maxLogRange: config.maxLogRange,
    gas: { maxFeePerGas: config.gas.maxFeePerGas, bumpPercent: config.gas.bumpPercent },
  });
  const verifier = await openEngineVerifier({
    srs: config.engine.srs,
    buildDir: config.engine.buildDir,
    threads: config.engine.threads,
    maxPending: config.limits.maxPendingVerifications,
  });
  return { chain, store: openStore(config.db), verifier, account, log };
}
