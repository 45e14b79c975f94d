/**
 * The relay's configuration: one table of options (config-file key, environment variable, `nex relay` flag,
 * kind, default, documentation), loaded as defaults < JSON config file < NEX_RELAY_* environment < flags,
 * validated at start-up with every problem listed at once. docs/relay.md's option table and the CLI's
 * options are checked against OPTIONS.
 * The private key is not an option: it comes from NEX_RELAY_PRIVATE_KEY only (main.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { getAddress, isAddress, parseUnits, type Address } from 'viem';
import { MAX_CAPACITY } from '../protocol/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The validated relay configuration. Built only by loadRelayConfig() (or tests); immutable. */
export interface RelayConfig {
  readonly listen: { readonly host: string; readonly port: number; readonly trustProxy: boolean };
  readonly rpcUrl: string;
  readonly chainId: number | undefined;
  readonly marketAddress: Address;
  readonly startBlock: bigint;
  readonly dataDir: string;
  /** A `postgres://` URL or a SQLite file path. */
  readonly db: string;
  readonly limits: {
    readonly bodyLimitBytes: number;
    readonly maxStatementsPerRequest: number;
    readonly ipPerMinute: number;
    readonly payerPerMinute: number;
    readonly maxPendingVerifications: number;
  };
  /** Run the posting loop (one process per sender key posts). */
  readonly posting: boolean;
  readonly capacity: number;
  readonly postTimeoutSeconds: number;
  readonly postMarginSeconds: number;
  readonly minDeadlineSeconds: number;
  readonly deadlineHorizonSeconds: number;
  readonly pollIntervalMs: number;
  readonly confirmations: number;
  readonly maxLogRange: number;
  readonly proofRetentionSeconds: number;
  readonly maxPostAttempts: number;
  readonly gas: { readonly maxFeePerGas: bigint; readonly bumpPercent: number; readonly stuckAfterSeconds: number };
  readonly engine: { readonly srs: 'dev' | 'ignition'; readonly buildDir: string | undefined; readonly threads: number | undefined };
  readonly log: { readonly level: LogLevel };
}

type Kind = 'string' | 'int' | 'bool' | 'wei' | 'address' | 'url' | 'path' | 'enum';

export interface OptionSpec {
  /** Dotted key in the config file. */
  readonly key: string;
  readonly env: string;
  /** The `nex relay` flag (bool options also take `--no-<flag>`). */
  readonly flag: string;
  readonly kind: Kind;
  readonly values?: readonly string[];
  /** Default as written in the config file; undefined = required or unset. */
  readonly default?: string | number;
  readonly doc: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'listen.host',
    env: 'NEX_RELAY_HOST',
    flag: '--host',
    kind: 'string',
    default: '127.0.0.1',
    doc: 'Address the HTTP API listens on (0.0.0.0 to serve other hosts; put a TLS proxy in front).',
  },
  {
    key: 'listen.port',
    env: 'NEX_RELAY_PORT',
    flag: '--port',
    kind: 'int',
    default: 8547,
    doc: 'TCP port of the HTTP API (0 = any free port).',
  },
  {
    key: 'listen.trustProxy',
    env: 'NEX_RELAY_TRUST_PROXY',
    flag: '--trust-proxy',
    kind: 'bool',
    default: 'false',
    doc: 'Take the client IP from X-Forwarded-For (only behind your own reverse proxy: the per-IP limit keys on it).',
  },
  { key: 'rpcUrl', env: 'NEX_RELAY_RPC_URL', flag: '--rpc-url', kind: 'url', doc: 'JSON-RPC endpoint of the chain (required).' },
  {
    key: 'chainId',
    env: 'NEX_RELAY_CHAIN_ID',
    flag: '--chain-id',
    kind: 'int',
    doc: 'Expected chain id; start-up fails when the RPC serves another chain.',
  },
  {
    key: 'marketAddress',
    env: 'NEX_RELAY_MARKET_ADDRESS',
    flag: '--market',
    kind: 'address',
    doc: 'AggregationMarket (version 2) address (required).',
  },
  {
    key: 'startBlock',
    env: 'NEX_RELAY_START_BLOCK',
    flag: '--start-block',
    kind: 'int',
    default: 0,
    doc: "The market's deployment block: where program registrations are searched from.",
  },
  {
    key: 'dataDir',
    env: 'NEX_RELAY_DATA_DIR',
    flag: '--data-dir',
    kind: 'path',
    default: '.nex/relay',
    doc: 'Directory of the embedded SQLite store.',
  },
  {
    key: 'db',
    env: 'NEX_RELAY_DB',
    flag: '--db',
    kind: 'string',
    doc: 'Store: a postgres:// URL (production) or a SQLite file path. Default: <dataDir>/relay.sqlite.',
  },
  {
    key: 'limits.bodyLimitBytes',
    env: 'NEX_RELAY_BODY_LIMIT',
    flag: '--body-limit',
    kind: 'int',
    default: 1_048_576,
    doc: 'Largest request body (bytes); larger ones get 413. A statement is ~29.5 KB of JSON.',
  },
  {
    key: 'limits.maxStatementsPerRequest',
    env: 'NEX_RELAY_MAX_STATEMENTS',
    flag: '--max-statements',
    kind: 'int',
    default: 32,
    doc: `Most statements one request may carry (1..${MAX_CAPACITY}, at most capacity).`,
  },
  {
    key: 'limits.ipPerMinute',
    env: 'NEX_RELAY_RATE_IP',
    flag: '--rate-ip',
    kind: 'int',
    default: 120,
    doc: 'Requests per minute per client IP, on every route but /healthz and /metrics (429 with Retry-After).',
  },
  {
    key: 'limits.payerPerMinute',
    env: 'NEX_RELAY_RATE_PAYER',
    flag: '--rate-payer',
    kind: 'int',
    default: 60,
    doc: "Submissions per minute per payer (the signature's address), whatever the IP (429 with Retry-After).",
  },
  {
    key: 'limits.maxPendingVerifications',
    env: 'NEX_RELAY_VERIFY_QUEUE',
    flag: '--verify-queue',
    kind: 'int',
    default: 256,
    doc: 'Proofs waiting for bb verification before new submissions get 503.',
  },
  {
    key: 'posting',
    env: 'NEX_RELAY_POSTING',
    flag: '--posting',
    kind: 'bool',
    default: 'true',
    doc: 'Run the posting loop. Of several processes sharing one PostgreSQL store and key, exactly one posts.',
  },
  {
    key: 'capacity',
    env: 'NEX_RELAY_CAPACITY',
    flag: '--capacity',
    kind: 'int',
    default: 32,
    doc: `Statements per posted batch (4..${MAX_CAPACITY}): a batch is posted as soon as this many wait.`,
  },
  {
    key: 'postTimeoutSeconds',
    env: 'NEX_RELAY_POST_TIMEOUT',
    flag: '--post-timeout',
    kind: 'int',
    default: 60,
    doc: 'A request waits at most this long for a full batch before it is posted anyway.',
  },
  {
    key: 'postMarginSeconds',
    env: 'NEX_RELAY_POST_MARGIN',
    flag: '--post-margin',
    kind: 'int',
    default: 30,
    doc: 'Time left for inclusion: a request is posted at least this long before its deadline, or not at all.',
  },
  {
    key: 'minDeadlineSeconds',
    env: 'NEX_RELAY_MIN_DEADLINE',
    flag: '--min-deadline',
    kind: 'int',
    default: 120,
    doc: 'Requests whose deadline is closer than this are refused (422 deadline-too-close).',
  },
  {
    key: 'deadlineHorizonSeconds',
    env: 'NEX_RELAY_DEADLINE_HORIZON',
    flag: '--deadline-horizon',
    kind: 'int',
    default: 3600,
    doc: 'Requests whose deadline is further than this are refused (422 deadline-too-far).',
  },
  {
    key: 'pollIntervalMs',
    env: 'NEX_RELAY_POLL_MS',
    flag: '--poll-ms',
    kind: 'int',
    default: 2000,
    doc: 'Period of the posting loop (settle posts, watch the market, post when due).',
  },
  {
    key: 'confirmations',
    env: 'NEX_RELAY_CONFIRMATIONS',
    flag: '--confirmations',
    kind: 'int',
    default: 2,
    doc: "Blocks behind the head the market watcher reads other posters' events at.",
  },
  {
    key: 'maxLogRange',
    env: 'NEX_RELAY_MAX_LOG_RANGE',
    flag: '--max-log-range',
    kind: 'int',
    default: 2000,
    doc: 'Largest block range of one eth_getLogs call.',
  },
  {
    key: 'proofRetentionSeconds',
    env: 'NEX_RELAY_PROOF_RETENTION',
    flag: '--proof-retention',
    kind: 'int',
    default: 604_800,
    doc: 'How long proofs of posted requests stay served to provers (those of skipped, expired and void ones go at their deadline).',
  },
  {
    key: 'maxPostAttempts',
    env: 'NEX_RELAY_MAX_POST_ATTEMPTS',
    flag: '--max-post-attempts',
    kind: 'int',
    default: 3,
    doc: 'A request in this many reverted posts is given up (skipped, reason post-reverted).',
  },
  {
    key: 'gas.maxFeePerGas',
    env: 'NEX_RELAY_MAX_FEE_PER_GAS',
    flag: '--max-fee-per-gas',
    kind: 'wei',
    default: '200 gwei',
    doc: 'Cap on maxFeePerGas of a post, also after bumping.',
  },
  {
    key: 'gas.bumpPercent',
    env: 'NEX_RELAY_BUMP_PERCENT',
    flag: '--bump-percent',
    kind: 'int',
    default: 20,
    doc: 'Fee increase of a replacement post (>= 10, nodes refuse less).',
  },
  {
    key: 'gas.stuckAfterSeconds',
    env: 'NEX_RELAY_STUCK_AFTER',
    flag: '--stuck-after',
    kind: 'int',
    default: 90,
    doc: 'A post pending this long is replaced with bumped fees at the same nonce.',
  },
  {
    key: 'engine.srs',
    env: 'NEX_RELAY_SRS',
    flag: '--srs',
    kind: 'enum',
    values: ['dev', 'ignition'],
    default: 'dev',
    doc: "SRS of bb's verifier: 'ignition' (production) or 'dev' (INSECURE local devnets).",
  },
  {
    key: 'engine.buildDir',
    env: 'NEX_RELAY_BUILD_DIR',
    flag: '--build-dir',
    kind: 'path',
    doc: "Circuits build directory (default: the engine's, $NEX_BUILD_DIR or .nex/build).",
  },
  { key: 'engine.threads', env: 'NEX_RELAY_BB_THREADS', flag: '--bb-threads', kind: 'int', doc: "bb threads (default: bb's, all cores)." },
  {
    key: 'log.level',
    env: 'NEX_RELAY_LOG_LEVEL',
    flag: '--log-level',
    kind: 'enum',
    values: ['debug', 'info', 'warn', 'error', 'silent'],
    default: 'info',
    doc: 'Least severe level logged (JSON lines on stdout).',
  },
];

type Value = string | number | bigint | boolean;

/** Thrown for an invalid configuration; lists every problem. */
export class RelayConfigError extends Error {
  override readonly name = 'RelayConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid relay configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export interface RelayConfigSources {
  /** A JSON (comments allowed) config file; keys nested (`{"limits": {"ipPerMinute": 10}}`) or dotted. */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Values given as `nex relay` flags, by option key (commander's parse). */
  readonly flags?: Readonly<Record<string, string | boolean>>;
  readonly cwd?: string;
}

/** Builds and validates the configuration: defaults < file < environment < flags. Throws RelayConfigError. */
export function loadRelayConfig(sources: RelayConfigSources): RelayConfig {
  const cwd = sources.cwd ?? process.cwd();
  const problems: string[] = [];
  const values = new Map<string, Value>();
  const set = (spec: OptionSpec, raw: unknown, origin: string): void => {
    try {
      values.set(spec.key, convert(spec, raw, cwd));
    } catch (err) {
      problems.push(`${spec.key} (${origin}): ${(err as Error).message}`);
    }
  };
  for (const spec of OPTIONS) if (spec.default !== undefined) set(spec, spec.default, 'default');
  const file = sources.file ?? sources.env.NEX_RELAY_CONFIG;
  if (file) {
    const path = resolve(cwd, file);
    for (const [key, raw] of Object.entries(readConfigFile(path))) {
      const spec = OPTIONS.find((o) => o.key === key);
      if (/private.?key|mnemonic|password/i.test(key))
        problems.push(`${key} (${path}): secrets are not accepted in the config file; use NEX_RELAY_PRIVATE_KEY`);
      else if (!spec) problems.push(`${key} (${path}): unknown option`);
      else if (raw === null) values.delete(key);
      else set(spec, raw, path);
    }
  }
  for (const spec of OPTIONS) {
    const raw = sources.env[spec.env];
    if (raw !== undefined && raw !== '') set(spec, raw, spec.env);
  }
  for (const [key, raw] of Object.entries(sources.flags ?? {})) {
    const spec = OPTIONS.find((o) => o.key === key);
    if (!spec) problems.push(`${key}: unknown option`);
    else set(spec, raw, spec.flag);
  }
  for (const spec of OPTIONS) {
    if (spec.default === undefined && ['rpcUrl', 'marketAddress'].includes(spec.key) && !values.has(spec.key))
      problems.push(`${spec.key}: required (${spec.env} or ${spec.flag})`);
  }
  if (problems.length > 0) throw new RelayConfigError(problems);
  const config = build(values, cwd);
  const cross = crossCheck(config);
  if (cross.length > 0) throw new RelayConfigError(cross);
  return config;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RelayConfigError([`config file ${path}: ${(err as Error).message}`]);
  }
  const errors: ParseError[] = [];
  const parsed: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length > 0)
    throw new RelayConfigError(errors.map((e) => `config file ${path}: ${printParseErrorCode(e.error)} at offset ${e.offset}`));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new RelayConfigError([`config file ${path}: expected a JSON object`]);
  return flatten(parsed as Record<string, unknown>);
}

function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && OPTIONS.some((o) => o.key.startsWith(`${key}.`)))
      Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = v;
  }
  return out;
}

function convert(spec: OptionSpec, raw: unknown, cwd: string): Value {
  switch (spec.kind) {
    case 'string':
    case 'path': {
      if (typeof raw !== 'string' || raw.trim() === '') throw new Error('expected a non-empty string');
      return spec.kind === 'path' ? resolve(cwd, raw) : raw;
    }
    case 'int': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got ${show(raw)}`);
      return n;
    }
    case 'bool':
      if (raw === true || raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === false || raw === 'false' || raw === '0' || raw === 'no') return false;
      throw new Error(`expected true or false, got ${show(raw)}`);
    case 'enum':
      if (typeof raw !== 'string' || !spec.values!.includes(raw))
        throw new Error(`expected one of ${spec.values!.join(', ')}, got ${show(raw)}`);
      return raw;
    case 'address':
      if (typeof raw !== 'string' || !isAddress(raw, { strict: false }))
        throw new Error(`expected a 0x-prefixed 20-byte address, got ${show(raw)}`);
      return getAddress(raw);
    case 'url': {
      if (typeof raw !== 'string') throw new Error(`expected a URL, got ${show(raw)}`);
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error('not a URL');
      }
      if (!/^(https?|wss?):$/.test(url.protocol)) throw new Error(`unsupported URL scheme ${url.protocol} (http, https, ws, wss)`);
      return raw;
    }
    case 'wei': {
      if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return BigInt(raw);
      const m = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(wei|gwei|ether|eth)?\s*$/i.exec(raw) : null;
      if (!m) throw new Error(`expected an amount like "5 gwei" or "0.01 ether", got ${show(raw)}`);
      const unit = (m[2] ?? 'wei').toLowerCase();
      if (unit === 'wei' && m[1]!.includes('.')) throw new Error(`wei amounts are integers, got ${show(raw)}`);
      return parseUnits(m[1]!, unit === 'wei' ? 0 : unit === 'gwei' ? 9 : 18);
    }
    default: {
      const never: never = spec.kind;
      throw new Error(`unknown option kind ${String(never)}`);
    }
  }
}

function build(v: Map<string, Value>, cwd: string): RelayConfig {
  const num = (k: string): number => v.get(k) as number;
  const opt = <T extends Value>(k: string): T | undefined => v.get(k) as T | undefined;
  const dataDir = opt<string>('dataDir') ?? resolve(cwd, '.nex/relay');
  return {
    listen: { host: opt<string>('listen.host')!, port: num('listen.port'), trustProxy: v.get('listen.trustProxy') === true },
    rpcUrl: opt<string>('rpcUrl')!,
    chainId: opt<number>('chainId'),
    marketAddress: opt<Address>('marketAddress')!,
    startBlock: BigInt(num('startBlock')),
    dataDir,
    db: opt<string>('db') ?? resolve(dataDir, 'relay.sqlite'),
    limits: {
      bodyLimitBytes: num('limits.bodyLimitBytes'),
      maxStatementsPerRequest: num('limits.maxStatementsPerRequest'),
      ipPerMinute: num('limits.ipPerMinute'),
      payerPerMinute: num('limits.payerPerMinute'),
      maxPendingVerifications: num('limits.maxPendingVerifications'),
    },
    posting: v.get('posting') === true,
    capacity: num('capacity'),
    postTimeoutSeconds: num('postTimeoutSeconds'),
    postMarginSeconds: num('postMarginSeconds'),
    minDeadlineSeconds: num('minDeadlineSeconds'),
    deadlineHorizonSeconds: num('deadlineHorizonSeconds'),
    pollIntervalMs: num('pollIntervalMs'),
    confirmations: num('confirmations'),
    maxLogRange: num('maxLogRange'),
    proofRetentionSeconds: num('proofRetentionSeconds'),
    maxPostAttempts: num('maxPostAttempts'),
    gas: {
      maxFeePerGas: v.get('gas.maxFeePerGas') as bigint,
      bumpPercent: num('gas.bumpPercent'),
      stuckAfterSeconds: num('gas.stuckAfterSeconds'),
    },
    engine: {
      srs: opt<'dev' | 'ignition'>('engine.srs')!,
      buildDir: opt<string>('engine.buildDir'),
      threads: opt<number>('engine.threads'),
    },
    log: { level: opt<LogLevel>('log.level')! },
  };
}

/** Relations between options; exported for tests that build a config by hand. */
export function crossCheck(c: RelayConfig): string[] {
  const p: string[] = [];
  if (c.listen.port > 65_535) p.push('listen.port: must be a TCP port (0-65535)');
  if (c.capacity < 4 || c.capacity > MAX_CAPACITY) p.push(`capacity: must be in 4..${MAX_CAPACITY}`);
  const m = c.limits.maxStatementsPerRequest;
  if (m < 1 || m > c.capacity) p.push(`limits.maxStatementsPerRequest: must be in 1..capacity (${c.capacity})`);
  if (c.limits.bodyLimitBytes < 4096) p.push('limits.bodyLimitBytes: must be at least 4096');
  if (c.limits.ipPerMinute < 1 || c.limits.payerPerMinute < 1) p.push('limits.ipPerMinute, limits.payerPerMinute: must be at least 1');
  if (c.limits.maxPendingVerifications < 1) p.push('limits.maxPendingVerifications: must be at least 1');
  if (c.postTimeoutSeconds < 1) p.push('postTimeoutSeconds: must be at least 1');
  if (c.minDeadlineSeconds < 2 * c.postMarginSeconds)
    p.push('minDeadlineSeconds: must be at least twice postMarginSeconds (time to post and to be included)');
  if (c.deadlineHorizonSeconds <= c.minDeadlineSeconds) p.push('deadlineHorizonSeconds: must exceed minDeadlineSeconds');
  if (c.pollIntervalMs < 50) p.push('pollIntervalMs: must be at least 50');
  if (c.maxLogRange < 1) p.push('maxLogRange: must be at least 1');
  if (c.maxPostAttempts < 1) p.push('maxPostAttempts: must be at least 1');
  if (c.gas.bumpPercent < 10) p.push('gas.bumpPercent: must be at least 10 (nodes refuse smaller replacements)');
  if (c.gas.stuckAfterSeconds < 1) p.push('gas.stuckAfterSeconds: must be at least 1');
  return p;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
