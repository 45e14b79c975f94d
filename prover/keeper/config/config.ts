import type { Address } from 'viem';
import { NexError } from '../../protocol/index.js';

/** The validated keeper configuration. Built only by loadConfig(); immutable afterwards. */
export interface KeeperConfig {
  readonly rpcUrls: readonly string[];
  readonly chainId?: number;
  readonly marketAddress?: Address;
  readonly deploymentsFile?: string;
  readonly stakingAddress?: Address;
  readonly tokenAddress?: Address;
  readonly startBlock: number;
  readonly keystoreFile?: string;
  readonly proverAddress?: Address;
  readonly gas: GasPolicy;
  readonly capacity: number;
  readonly minProfit: bigint;
  readonly safetyBufferSeconds: number;
  readonly lookbackBlocks: number;
  readonly maxLogRange: number;
  readonly reorgDepth: number;
  readonly pollIntervalMs: number;
  readonly dataDir: string;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly listenOnly: boolean;
  readonly drain: boolean;
  readonly secondary: boolean;
  /** Prove a batch assigned to us without locking it when the proof fits the assignment window. */
  readonly direct: boolean;
  readonly slash: boolean;
  readonly seal: boolean;
  /** Call release() on expired, unheld batches (off by default). */
  readonly release: boolean;
  /** Relay base URLs, tried in order. */
  readonly relays: readonly string[];
  readonly blobSource: BlobSourceSetting;
  /** Time limit of one relay or blob request. */
  readonly fetchTimeoutMs: number;
  readonly srs: SrsMode;
  readonly engine: EngineTuning;
  readonly log: { readonly level: LogLevel; readonly format: 'json' | 'pretty' | 'auto' };
}

/** The SRS the local circuits are built and proven with (the engine's `srs` option). */
export type SrsMode = 'dev' | 'ignition';

/** Where blob-channel proofs come from. */
export type BlobSourceSetting = { readonly kind: 'none' } | { readonly kind: 'anvil' } | { readonly kind: 'beacon'; readonly url: string };

export interface GasPolicy {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly bumpPercent: number;
  readonly stuckAfterSeconds: number;
  readonly verifyGas: number;
}

export interface EngineTuning {
  readonly workers: number;
  /** Proving queue (distributed proving); undefined = local worker processes. */
  readonly queueUrl?: string | undefined;
  readonly queueName: string;
  readonly leafSeconds: number;
  readonly nodeSeconds: number;
  readonly padSeconds: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Thrown for every invalid configuration; lists all problems at once. */
export class ConfigError extends NexError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid keeper configuration:\n  - ${problems.join('\n  - ')}`);
  }
}
