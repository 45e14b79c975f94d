import type { Address, PublicClient } from 'viem';
import type { QueueMetrics } from '../../engine/index.js';
import type { Addresses } from '../chain/addresses.js';
import type { CallTracer } from '../chain/callTrace.js';
import type { MarketReader } from '../chain/market.js';
import type { KeeperConfig } from '../config/config.js';
import type { KeeperDb } from '../db/keeperDb.js';
import type { Logger } from '../obs/logger.js';
import type { Metrics } from '../obs/metrics.js';
import type { TxManager } from '../tx/txManager.js';
import type { BatchProver } from '../work/batchProver.js';

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
  /** The signing account (owner or operator hot key). */
  readonly account: Address;
  /** The staked prover the account acts for (credited in fulfilments, bound into proofs). */
  readonly me: Address;
  readonly chainId: number;
}
