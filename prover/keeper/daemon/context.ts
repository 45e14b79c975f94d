import type { Address, PublicClient } from 'viem';
import type { QueueMetrics } from '../../engine/index.js';
import type { Addresses } from '../chain/addresses.js';
import type { CallTracer } from '../chain/callTrace.js';
import type { MarketReader } from '../chain/market.js';
import type { KeeperConfig } from '../config/config.js';
import type { KeeperDb } from '../db/keeperDb.js';
import type { KeeperEvents } from '../obs/events.js';
import type { Logger } from '../obs/logger.js';
import type { Metrics } from '../obs/metrics.js';
import type { TxManager } from '../tx/txManager.js';
import type { BatchProver } from '../work/batchProver.js';
import type { InputSource } from '../work/inputs.js';
import type { BlobSource } from '../work/sources/blobs.js';

/** What the keeper's services share (built once by Keeper.create; no global state). */
export interface KeeperContext {
  readonly config: KeeperConfig;
  readonly client: PublicClient;
  readonly addresses: Addresses;
  readonly reader: MarketReader;
  /** Call traces for submissions made through contracts (warns once per run when the RPC cannot trace). */
  readonly tracer: CallTracer;
  readonly db: KeeperDb;
  readonly tm: TxManager;
  readonly prover: BatchProver;
  readonly metrics: Metrics;
  /** Distributed proving (engine.queueUrl): queue depth, job times, failures, retries, workers; served on /metrics too. */
  readonly queueMetrics?: QueueMetrics | undefined;
  readonly log: Logger;
  /** Typed events: logged with their `event` code and delivered to in-process listeners. */
  readonly events: KeeperEvents;
  /** The signing account (owner or operator hot key). */
  readonly account: Address;
  /** The staked prover the account acts for (credited in fulfilments, bound into proofs). */
  readonly me: Address;
  readonly chainId: number;
  /** Where blob-channel proofs come from (config `blobSource`); undefined: none configured. */
  readonly blobs: BlobSource | undefined;
}

/** Where the keeper reads a batch's inputs from (chain data, relays and a blob source; cached in its database). */
export function inputSource(ctx: KeeperContext): InputSource {
  const { client, db, addresses, config, log, tracer, chainId, metrics } = ctx;
  return {
    client,
    db,
    market: addresses.market,
    chainId,
    startBlock: addresses.startBlock,
    maxLogRange: config.maxLogRange,
    log,
    tracer,
    relays: config.relays,
    blobSource: ctx.blobs,
    fetchTimeoutMs: config.fetchTimeoutMs,
    onFetchFailure: (source, kind) => metrics.inc('nex_keeper_fetch_failures_total', { source, kind }),
  };
}
