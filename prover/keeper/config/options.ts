/**
 * Every keeper option in one table: its key in the config file, its environment variable, its
 * command-line flag, its default and its documentation. The loader, `nex keeper init`'s template
 * and docs/operator.md are all derived from (or checked against) this table.
 */
export type OptionKind = 'string' | 'int' | 'number' | 'bool' | 'wei' | 'address' | 'urls' | 'path';

export interface OptionSpec {
  /** Dotted key in the config file, e.g. `gas.bumpPercent`. */
  readonly key: string;
  readonly env: string;
  readonly flag: string;
  readonly kind: OptionKind;
  /** Default as it would be written in the config file; undefined = required or unset. */
  readonly default?: string | number | boolean | readonly string[];
  readonly doc: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'rpcUrls', env: 'NEX_KEEPER_RPC_URLS', flag: '--rpc-url', kind: 'urls', default: ['http://127.0.0.1:8545'],
    doc: 'JSON-RPC endpoints, primary first; the rest are fallbacks used when the primary fails. Env: comma separated.' },
  { key: 'chainId', env: 'NEX_KEEPER_CHAIN_ID', flag: '--chain-id', kind: 'int',
    doc: 'Expected chain id. When set, start-up fails if the RPC reports another chain.' },
  { key: 'marketAddress', env: 'NEX_KEEPER_MARKET_ADDRESS', flag: '--market', kind: 'address',
    doc: 'AggregationMarket address. Default: from deploymentsFile, else from .nex/deployments/<chainId>.json (NEX_DEPLOYMENTS_DIR) written by the deploy code.' },
  { key: 'deploymentsFile', env: 'NEX_KEEPER_DEPLOYMENTS_FILE', flag: '--deployments', kind: 'path',
    doc: 'Deployments file (format in docs/deploy.md) for addresses and startBlock not set explicitly.' },
  { key: 'stakingAddress', env: 'NEX_KEEPER_STAKING_ADDRESS', flag: '--staking', kind: 'address',
    doc: 'ProverStaking address. Default: read from the deployments file or market.staking().' },
  { key: 'tokenAddress', env: 'NEX_KEEPER_TOKEN_ADDRESS', flag: '--token', kind: 'address',
    doc: 'NEX token address (only needed by `stake`). Default: deployments file or staking.token().' },
  { key: 'startBlock', env: 'NEX_KEEPER_START_BLOCK', flag: '--start-block', kind: 'int', default: 0,
    doc: 'Market deployment block: the earliest block ever scanned (0 = the deployments file\'s startBlock, else genesis).' },
  { key: 'keystoreFile', env: 'NEX_KEEPER_KEYSTORE', flag: '--keystore', kind: 'path',
    doc: 'Encrypted key file (Web3 Secret Storage v3). Used when NEX_KEEPER_PRIVATE_KEY is not set. Password from NEX_KEEPER_KEYSTORE_PASSWORD or a prompt.' },
  { key: 'proverAddress', env: 'NEX_KEEPER_PROVER', flag: '--prover', kind: 'address',
    doc: 'The staked prover this key must act for (start-up fails otherwise). The keeper always uses staking.proverOf(key), or the key itself before staking.' },
  { key: 'gas.maxFeePerGas', env: 'NEX_KEEPER_MAX_FEE_PER_GAS', flag: '--max-fee-per-gas', kind: 'wei', default: '200 gwei',
    doc: 'Hard cap on maxFeePerGas of any transaction, also after bumping. Batches are not locked when the current fee exceeds it.' },
  { key: 'gas.maxPriorityFeePerGas', env: 'NEX_KEEPER_MAX_PRIORITY_FEE', flag: '--max-priority-fee', kind: 'wei', default: '5 gwei',
    doc: 'Hard cap on the priority fee (tip).' },
  { key: 'gas.bumpPercent', env: 'NEX_KEEPER_BUMP_PERCENT', flag: '--bump-percent', kind: 'int', default: 20,
    doc: 'Fee increase of a replacement transaction (nodes require at least 10).' },
  { key: 'gas.stuckAfterSeconds', env: 'NEX_KEEPER_STUCK_AFTER', flag: '--stuck-after', kind: 'int', default: 60,
    doc: 'A transaction not mined after this many seconds is replaced with bumped fees (same nonce).' },
  { key: 'gas.verifyGas', env: 'NEX_KEEPER_VERIFY_GAS', flag: '--verify-gas', kind: 'int', default: 1400000,
    doc: 'Gas the on-chain verification of an aggregated proof costs; used in the profit estimate. The default fits the optimized verifier (the deployed default, ~1.0M) with ~40% headroom; a deployment with the standard verifier needs 4500000 (`nex keeper run` warns).' },
  { key: 'capacity', env: 'NEX_KEEPER_CAPACITY', flag: '--capacity', kind: 'int', default: 1,
    doc: 'Maximum number of batches locked or being proven at once.' },
  { key: 'minProfit', env: 'NEX_KEEPER_MIN_PROFIT', flag: '--min-profit', kind: 'wei', default: '0',
    doc: 'Minimum expected profit (fees after protocol fee minus estimated gas) to take a batch. Units: wei, gwei or ether.' },
  { key: 'safetyBufferSeconds', env: 'NEX_KEEPER_SAFETY_BUFFER', flag: '--safety-buffer', kind: 'int', default: 120,
    doc: 'A batch is taken only if the estimated proving time plus this buffer fits before its deadline.' },
  { key: 'lookbackBlocks', env: 'NEX_KEEPER_LOOKBACK_BLOCKS', flag: '--lookback', kind: 'int', default: 7200,
    doc: 'Blocks scanned back from the head on the first start (no cursor in the database yet).' },
  { key: 'maxLogRange', env: 'NEX_KEEPER_MAX_LOG_RANGE', flag: '--max-log-range', kind: 'int', default: 2000,
    doc: 'Largest block range of one eth_getLogs request. Ranges are split further when the provider refuses.' },
  { key: 'reorgDepth', env: 'NEX_KEEPER_REORG_DEPTH', flag: '--reorg-depth', kind: 'int', default: 12,
    doc: 'Recent blocks re-read on every poll so that reorganised logs are picked up.' },
  { key: 'pollIntervalMs', env: 'NEX_KEEPER_POLL_MS', flag: '--poll-ms', kind: 'int', default: 4000,
    doc: 'Pause between chain polls.' },
  { key: 'dataDir', env: 'NEX_KEEPER_DATA_DIR', flag: '--data-dir', kind: 'path', default: '.nex/keeper',
    doc: 'Directory of the SQLite state file (keeper.sqlite) and the proving checkpoints.' },
  { key: 'metricsPort', env: 'NEX_KEEPER_METRICS_PORT', flag: '--metrics-port', kind: 'int', default: 9464,
    doc: 'Port of the /metrics and /healthz HTTP endpoints (0 = disabled).' },
  { key: 'metricsHost', env: 'NEX_KEEPER_METRICS_HOST', flag: '--metrics-host', kind: 'string', default: '127.0.0.1',
    doc: 'Address the metrics server binds to.' },
  { key: 'listenOnly', env: 'NEX_KEEPER_LISTEN_ONLY', flag: '--listen-only', kind: 'bool', default: false,
    doc: 'Watch, decide and log, but never send a transaction or prove.' },
  { key: 'drain', env: 'NEX_KEEPER_DRAIN', flag: '--drain', kind: 'bool', default: false,
    doc: 'Finish the batches already held but take no new ones (before unstaking or maintenance).' },
  { key: 'secondary', env: 'NEX_KEEPER_SECONDARY', flag: '--secondary', kind: 'bool', default: true,
    doc: 'Fulfil batches whose locker missed the lock deadline (earns the fees and part of the slashed collateral).' },
  { key: 'slash', env: 'NEX_KEEPER_SLASH', flag: '--slash', kind: 'bool', default: true,
    doc: 'Call slash() on batches past their final deadline (earns part of the slashed collateral).' },
  { key: 'seal', env: 'NEX_KEEPER_SEAL', flag: '--seal', kind: 'bool', default: true,
    doc: 'Call seal() on the open batch once its batch timeout has passed, so that it can be proven.' },
  { key: 'engine.workers', env: 'NEX_KEEPER_ENGINE_WORKERS', flag: '--workers', kind: 'int', default: 1,
    doc: 'Prover engine worker processes.' },
  { key: 'engine.queueUrl', env: 'NEX_KEEPER_QUEUE_URL', flag: '--queue', kind: 'string',
    doc: 'Distributed proving: redis:// or rediss:// URL of the proving queue; `nex worker` processes on any machine prove the batches (docs/operator.md). Unset = prove in local worker processes. Prefer the env variable (the URL holds the queue password).' },
  { key: 'engine.queueName', env: 'NEX_KEEPER_QUEUE_NAME', flag: '--queue-name', kind: 'string', default: 'prove',
    doc: 'Name of the proving queue (the workers use the same one).' },
  { key: 'engine.leafSeconds', env: 'NEX_KEEPER_LEAF_SECONDS', flag: '--leaf-seconds', kind: 'number', default: 90,
    doc: 'Conservative seconds per leaf proof until the keeper has measured its own (stored in the database).' },
  { key: 'engine.nodeSeconds', env: 'NEX_KEEPER_NODE_SECONDS', flag: '--node-seconds', kind: 'number', default: 90,
    doc: 'Conservative seconds per node proof until measured.' },
  { key: 'engine.padSeconds', env: 'NEX_KEEPER_PAD_SECONDS', flag: '--pad-seconds', kind: 'number', default: 20,
    doc: 'Conservative seconds per padding proof until measured.' },
  { key: 'log.level', env: 'NEX_KEEPER_LOG_LEVEL', flag: '--log-level', kind: 'string', default: 'info',
    doc: 'debug, info, warn or error.' },
  { key: 'log.format', env: 'NEX_KEEPER_LOG_FORMAT', flag: '--log-format', kind: 'string', default: 'auto',
    doc: 'json, pretty, or auto (pretty when stdout is a terminal).' },
];

/** Environment variables that hold secrets; never accepted from the config file or flags. */
export const SECRET_ENV = {
  privateKey: 'NEX_KEEPER_PRIVATE_KEY',
  keystorePassword: 'NEX_KEEPER_KEYSTORE_PASSWORD',
} as const;
