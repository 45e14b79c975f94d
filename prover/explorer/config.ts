/**
 * The explorer's configuration: one table of options (environment variable, `nex explorer` flag, kind,
 * default, documentation), loaded as defaults < NEX_EXPLORER_* environment < flags and validated at start-up
 * with every problem listed at once. The market address and the first block to index come from
 * `--market` / `--start-block`, or from a deployments file (`--deployments`, as `nex devnet` writes it).
 * docs/explorer.md's option table and the CLI's options are both checked against OPTIONS.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getAddress, isAddress, type Address } from 'viem';
import { NexError } from '../protocol/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The validated configuration. Built only by loadExplorerConfig() (or tests); immutable. */
export interface ExplorerConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly rpcUrl: string;
  /** Expected chain id (from the deployments file or --chain-id); start-up fails on another chain. */
  readonly chainId: number | undefined;
  readonly market: Address;
  /** First block the index reads events from (the market's deployment block). */
  readonly startBlock: bigint;
  /** A relay's base URL: its status, and the public inputs of off-chain statements. */
  readonly relayUrl: string | undefined;
  /** A keeper's /metrics URL: its state, and the proving tree of the batch it proves. */
  readonly keeperMetricsUrl: string | undefined;
  readonly pollIntervalMs: number;
  readonly maxLogRange: number;
  /** Gas of verifying one rollup proof alone on L1: what a batch's per-proof cost is compared with. */
  readonly verifyAloneGas: number;
  readonly log: { readonly level: LogLevel };
}

type Kind = 'string' | 'int' | 'url' | 'address' | 'path' | 'enum';

export interface OptionSpec {
  /** The key in ExplorerConfig terms (dotted for nested ones). */
  readonly key: string;
  readonly env: string;
  readonly flag: string;
  readonly kind: Kind;
  readonly values?: readonly string[];
  readonly default?: string | number;
  readonly doc: string;
}

/** Gas of a verify transaction of one rollup proof alone (docs/protocol.md, "Gas"). */
export const DEFAULT_VERIFY_ALONE_GAS = 766_220;

export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'listen.host',
    env: 'NEX_EXPLORER_HOST',
    flag: '--host',
    kind: 'string',
    default: '127.0.0.1',
    doc: 'Address the page and its API listen on (loopback by default; it has no authentication).',
  },
  { key: 'listen.port', env: 'NEX_EXPLORER_PORT', flag: '--port', kind: 'int', default: 8548, doc: 'TCP port (0 = any free port).' },
  {
    key: 'rpcUrl',
    env: 'NEX_EXPLORER_RPC_URL',
    flag: '--rpc-url',
    kind: 'url',
    default: 'http://127.0.0.1:8545',
    doc: 'JSON-RPC endpoint of the chain.',
  },
  {
    key: 'deployments',
    env: 'NEX_EXPLORER_DEPLOYMENTS_FILE',
    flag: '--deployments',
    kind: 'path',
    doc: 'Deployments file (.nex/deployments/<chainId>.json): market address, chain id and start block.',
  },
  { key: 'market', env: 'NEX_EXPLORER_MARKET', flag: '--market', kind: 'address', doc: 'AggregationMarket address (overrides the file).' },
  {
    key: 'chainId',
    env: 'NEX_EXPLORER_CHAIN_ID',
    flag: '--chain-id',
    kind: 'int',
    doc: 'Expected chain id (overrides the file); start-up fails when the RPC serves another chain.',
  },
  {
    key: 'startBlock',
    env: 'NEX_EXPLORER_START_BLOCK',
    flag: '--start-block',
    kind: 'int',
    doc: 'First block to index (overrides the file; default 0).',
  },
  { key: 'relayUrl', env: 'NEX_EXPLORER_RELAY_URL', flag: '--relay-url', kind: 'url', doc: "A relay's base URL (optional)." },
  {
    key: 'keeperMetricsUrl',
    env: 'NEX_EXPLORER_KEEPER_METRICS_URL',
    flag: '--keeper-metrics-url',
    kind: 'url',
    doc: "A keeper's /metrics URL (optional): its state and the progress of the batch it proves.",
  },
  {
    key: 'pollIntervalMs',
    env: 'NEX_EXPLORER_POLL_INTERVAL_MS',
    flag: '--poll-interval-ms',
    kind: 'int',
    default: 2000,
    doc: 'How often the chain, relay and keeper are read.',
  },
  {
    key: 'maxLogRange',
    env: 'NEX_EXPLORER_MAX_LOG_RANGE',
    flag: '--max-log-range',
    kind: 'int',
    default: 5000,
    doc: 'Blocks per eth_getLogs request.',
  },
  {
    key: 'verifyAloneGas',
    env: 'NEX_EXPLORER_VERIFY_ALONE_GAS',
    flag: '--verify-alone-gas',
    kind: 'int',
    default: DEFAULT_VERIFY_ALONE_GAS,
    doc: 'Gas of verifying one rollup proof alone, the comparison of the per-proof cost.',
  },
  {
    key: 'log.level',
    env: 'NEX_EXPLORER_LOG_LEVEL',
    flag: '--log-level',
    kind: 'enum',
    values: ['debug', 'info', 'warn', 'error', 'silent'],
    default: 'info',
    doc: 'Log level (JSON lines on stdout).',
  },
];

/** Every problem of a configuration, one per line. */
export class ExplorerConfigError extends NexError {
  override readonly name = 'ExplorerConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid explorer configuration:\n  ${problems.join('\n  ')}`);
  }
}

export interface ExplorerConfigSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Flag values by option key (`nex explorer` passes the ones given on its command line). */
  readonly flags?: Readonly<Record<string, string | number>>;
  readonly cwd?: string;
}

type Value = string | number | Address;

function convert(spec: OptionSpec, raw: unknown): Value {
  const text = String(raw).trim();
  switch (spec.kind) {
    case 'int': {
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`must be a non-negative integer, got '${text}'`);
      return Number(text);
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new Error(`must be an http(s) URL, got '${text}'`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`must be an http(s) URL, got '${text}'`);
      return text;
    }
    case 'address':
      if (!isAddress(text, { strict: false })) throw new Error(`must be a 20-byte 0x address, got '${text}'`);
      return getAddress(text);
    case 'enum':
      if (!spec.values?.includes(text)) throw new Error(`must be one of ${spec.values?.join(', ')}, got '${text}'`);
      return text;
    default:
      if (text === '') throw new Error('must not be empty');
      return text;
  }
}

/** What the explorer needs from a deployments file (any format that has these fields). */
export interface DeploymentsInfo {
  readonly chainId: number;
  readonly market: Address;
  readonly startBlock: bigint;
}

/** Reads the market address, chain id and start block of a deployments file; throws naming the bad field. */
export function readDeploymentsInfo(path: string): DeploymentsInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  const d = raw as { chainId?: unknown; startBlock?: unknown; contracts?: { AggregationMarket?: { address?: unknown } } };
  const market = d.contracts?.AggregationMarket?.address;
  if (typeof market !== 'string' || !isAddress(market, { strict: false }))
    throw new Error(`${path}: contracts.AggregationMarket.address is missing`);
  if (typeof d.chainId !== 'number' || !Number.isSafeInteger(d.chainId)) throw new Error(`${path}: chainId is missing`);
  const start = d.startBlock ?? '0';
  if ((typeof start !== 'string' && typeof start !== 'number') || !/^\d+$/.test(String(start)))
    throw new Error(`${path}: startBlock is not a block number`);
  return { chainId: d.chainId, market: getAddress(market), startBlock: BigInt(start) };
}

/** Loads and validates the configuration (defaults < environment < flags). Throws ExplorerConfigError. */
export function loadExplorerConfig(sources: ExplorerConfigSources): ExplorerConfig {
  const cwd = sources.cwd ?? process.cwd();
  const problems: string[] = [];
  const values = new Map<string, Value>();
  const set = (spec: OptionSpec, raw: unknown, origin: string): void => {
    try {
      values.set(spec.key, convert(spec, raw));
    } catch (err) {
      problems.push(`${spec.key} (${origin}): ${(err as Error).message}`);
    }
  };
  for (const spec of OPTIONS) if (spec.default !== undefined) set(spec, spec.default, 'default');
  for (const spec of OPTIONS) {
    const raw = sources.env[spec.env];
    if (raw !== undefined && raw !== '') set(spec, raw, spec.env);
  }
  for (const [key, raw] of Object.entries(sources.flags ?? {})) {
    const spec = OPTIONS.find((o) => o.key === key);
    if (!spec) problems.push(`${key}: unknown option`);
    else set(spec, raw, spec.flag);
  }
  let file: DeploymentsInfo | undefined;
  const deployments = values.get('deployments');
  if (typeof deployments === 'string') {
    try {
      file = readDeploymentsInfo(resolve(cwd, deployments));
    } catch (err) {
      problems.push(`deployments: ${(err as Error).message}`);
    }
  }
  const market = (values.get('market') as Address | undefined) ?? file?.market;
  if (!market && !problems.some((p) => p.startsWith('deployments') || p.startsWith('market')))
    problems.push('market: required (--market or NEX_EXPLORER_MARKET, or a deployments file with --deployments)');
  const port = values.get('listen.port') as number;
  if (port > 65_535) problems.push(`listen.port: must be at most 65535, got ${port}`);
  if ((values.get('pollIntervalMs') as number) < 100) problems.push('pollIntervalMs: must be at least 100');
  if ((values.get('maxLogRange') as number) < 1) problems.push('maxLogRange: must be at least 1');
  if (problems.length > 0) throw new ExplorerConfigError(problems);
  const startBlock = values.get('startBlock');
  return {
    listen: { host: values.get('listen.host') as string, port },
    rpcUrl: values.get('rpcUrl') as string,
    chainId: (values.get('chainId') as number | undefined) ?? file?.chainId,
    market: market!,
    startBlock: startBlock !== undefined ? BigInt(startBlock) : (file?.startBlock ?? 0n),
    relayUrl: trimSlash(values.get('relayUrl') as string | undefined),
    keeperMetricsUrl: values.get('keeperMetricsUrl') as string | undefined,
    pollIntervalMs: values.get('pollIntervalMs') as number,
    maxLogRange: values.get('maxLogRange') as number,
    verifyAloneGas: values.get('verifyAloneGas') as number,
    log: { level: values.get('log.level') as LogLevel },
  };
}

function trimSlash(url: string | undefined): string | undefined {
  return url?.replace(/\/+$/, '');
}
