import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveQueueConfig } from '../../engine/index.js';
import { ConfigError, type BlobSourceSetting, type KeeperConfig, type SrsMode } from './config.js';
import { parseJsonc } from './jsonc.js';
import { OPTIONS, SECRET_ENV, type OptionSpec } from './options.js';
import { convert, type OptionValue } from './values.js';

export const DEFAULT_CONFIG_FILE = 'nex-keeper.jsonc';

export interface ConfigSources {
  /** Path of the config file; when undefined, ./nex-keeper.jsonc is used if it exists. */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Flag values by option key (the `nex keeper` commands pass the flags given on their command line). */
  readonly flags?: Readonly<Record<string, string | boolean>>;
  /** Directory relative paths are resolved against (default: process.cwd()). */
  readonly cwd?: string;
}

/**
 * Builds the keeper configuration: defaults < config file < NEX_KEEPER_* environment < flags.
 * Throws ConfigError listing every problem. Never reads or returns the private key.
 */
export function loadConfig(sources: ConfigSources): KeeperConfig {
  const cwd = sources.cwd ?? process.cwd();
  const problems: string[] = [];
  const values = new Map<string, OptionValue>();
  const set = (spec: OptionSpec, raw: unknown, origin: string): void => {
    try {
      values.set(spec.key, convert(spec.kind, raw));
    } catch (err) {
      problems.push(`${spec.key} (${origin}): ${(err as Error).message}`);
    }
  };

  for (const spec of OPTIONS) if (spec.default !== undefined) set(spec, spec.default, 'default');

  const file = sources.file ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
  if (file !== undefined) {
    const path = resolve(cwd, file);
    let fileValues: Record<string, unknown> = {};
    try {
      fileValues = flatten(parseJsonc(readFileSync(path, 'utf8'), path), path);
    } catch (err) {
      throw new ConfigError([`config file: ${(err as Error).message}`]);
    }
    for (const [key, raw] of Object.entries(fileValues)) {
      if (/private.?key|password|mnemonic/i.test(key)) {
        problems.push(`${key} (${path}): secrets are not accepted in the config file; use ${SECRET_ENV.privateKey} or keystoreFile`);
        continue;
      }
      const spec = OPTIONS.find((o) => o.key === key);
      if (!spec) {
        problems.push(`${key} (${path}): unknown option`);
        continue;
      }
      if (raw === null) values.delete(key);
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

  const config = build(values, cwd);
  problems.push(...crossCheck(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function flatten(obj: unknown, path: string, prefix = ''): Record<string, unknown> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new Error(`${path}: expected a JSON object at ${prefix || 'the top level'}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const nested = OPTIONS.some((o) => o.key.startsWith(`${key}.`));
    if (nested && typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(out, flatten(v, path, key));
    else out[key] = v;
  }
  return out;
}

function build(v: Map<string, OptionValue>, cwd: string): KeeperConfig {
  const get = <T extends OptionValue>(key: string): T | undefined => v.get(key) as T | undefined;
  const path = (key: string): string | undefined => {
    const p = get<string>(key);
    return p === undefined ? undefined : resolve(cwd, p);
  };
  return {
    rpcUrls: get<string[]>('rpcUrls') ?? [],
    chainId: get<number>('chainId'),
    marketAddress: get('marketAddress'),
    deploymentsFile: path('deploymentsFile'),
    stakingAddress: get('stakingAddress'),
    tokenAddress: get('tokenAddress'),
    startBlock: get<number>('startBlock') ?? 0,
    keystoreFile: path('keystoreFile'),
    proverAddress: get('proverAddress'),
    gas: {
      maxFeePerGas: get<bigint>('gas.maxFeePerGas') ?? 0n,
      maxPriorityFeePerGas: get<bigint>('gas.maxPriorityFeePerGas') ?? 0n,
      bumpPercent: get<number>('gas.bumpPercent') ?? 0,
      stuckAfterSeconds: get<number>('gas.stuckAfterSeconds') ?? 0,
      verifyGas: get<number>('gas.verifyGas') ?? 0,
    },
    capacity: get<number>('capacity') ?? 0,
    minProfit: get<bigint>('minProfit') ?? 0n,
    safetyBufferSeconds: get<number>('safetyBufferSeconds') ?? 0,
    lookbackBlocks: get<number>('lookbackBlocks') ?? 0,
    maxLogRange: get<number>('maxLogRange') ?? 0,
    reorgDepth: get<number>('reorgDepth') ?? 0,
    pollIntervalMs: get<number>('pollIntervalMs') ?? 0,
    dataDir: path('dataDir') ?? resolve(cwd, '.nex/keeper'),
    metricsPort: get<number>('metricsPort') ?? 0,
    metricsHost: get<string>('metricsHost') ?? '127.0.0.1',
    listenOnly: get<boolean>('listenOnly') ?? false,
    drain: get<boolean>('drain') ?? false,
    secondary: get<boolean>('secondary') ?? true,
    direct: get<boolean>('direct') ?? true,
    slash: get<boolean>('slash') ?? true,
    seal: get<boolean>('seal') ?? true,
    release: get<boolean>('release') ?? false,
    relays: get<string[]>('relays') ?? [],
    blobSource: blobSourceOf(get<string>('blobSource') ?? 'none'),
    fetchTimeoutMs: get<number>('fetchTimeoutMs') ?? 10_000,
    srs: (get<string>('srs') ?? 'dev') as SrsMode,
    engine: {
      workers: get<number>('engine.workers') ?? 1,
      queueUrl: get<string>('engine.queueUrl'),
      queueName: get<string>('engine.queueName') ?? 'prove',
      leafSeconds: get<number>('engine.leafSeconds') ?? 90,
      nodeSeconds: get<number>('engine.nodeSeconds') ?? 90,
      padSeconds: get<number>('engine.padSeconds') ?? 20,
    },
    log: {
      level: (get<string>('log.level') ?? 'info') as KeeperConfig['log']['level'],
      format: (get<string>('log.format') ?? 'auto') as KeeperConfig['log']['format'],
    },
  };
}

/** `none`, `anvil` or a beacon node's http(s) URL; anything else is reported by crossCheck. */
function blobSourceOf(raw: string): BlobSourceSetting {
  if (raw === 'none' || raw === '') return { kind: 'none' };
  if (raw === 'anvil') return { kind: 'anvil' };
  return { kind: 'beacon', url: raw };
}

function crossCheck(c: KeeperConfig): string[] {
  const p: string[] = [];
  if (c.srs !== 'dev' && c.srs !== 'ignition') p.push(`srs: expected dev or ignition, got "${c.srs}"`);
  if (c.blobSource.kind === 'beacon' && !/^https?:\/\/[^\s]+$/.test(c.blobSource.url))
    p.push(`blobSource: expected none, anvil or a beacon node's http(s) URL, got "${c.blobSource.url}"`);
  if (c.fetchTimeoutMs < 100) p.push('fetchTimeoutMs: must be at least 100');
  if (c.deploymentsFile && !existsSync(c.deploymentsFile)) p.push(`deploymentsFile: ${c.deploymentsFile} does not exist`);
  if (c.keystoreFile && !existsSync(c.keystoreFile)) p.push(`keystoreFile: ${c.keystoreFile} does not exist`);
  if (c.gas.bumpPercent < 10) p.push('gas.bumpPercent: must be at least 10 (nodes reject smaller replacements)');
  if (c.gas.maxPriorityFeePerGas > c.gas.maxFeePerGas) p.push('gas.maxPriorityFeePerGas: must not exceed gas.maxFeePerGas');
  if (c.gas.stuckAfterSeconds < 1) p.push('gas.stuckAfterSeconds: must be at least 1');
  if (c.capacity < 1) p.push('capacity: must be at least 1');
  if (c.maxLogRange < 1) p.push('maxLogRange: must be at least 1');
  if (c.pollIntervalMs < 100) p.push('pollIntervalMs: must be at least 100');
  if (c.metricsPort > 65535) p.push('metricsPort: must be a TCP port (0-65535)');
  if (c.engine.workers < 1) p.push('engine.workers: must be at least 1');
  if (c.engine.queueUrl !== undefined || c.engine.queueName !== 'prove') {
    try {
      resolveQueueConfig({ url: c.engine.queueUrl ?? 'redis://unset', name: c.engine.queueName });
      if (c.engine.queueUrl === undefined) p.push('engine.queueName: set engine.queueUrl too (the queue name alone does nothing)');
    } catch (err) {
      p.push(`engine.${/queue\.name/.test((err as Error).message) ? 'queueName' : 'queueUrl'}: ${(err as Error).message}`);
    }
  }
  if (!['debug', 'info', 'warn', 'error'].includes(c.log.level))
    p.push(`log.level: expected debug, info, warn or error, got "${c.log.level}"`);
  if (!['json', 'pretty', 'auto'].includes(c.log.format)) p.push(`log.format: expected json, pretty or auto, got "${c.log.format}"`);
  return p;
}

/**
 * Splits `nex keeper`-style arguments into option flags (by option key), the config file path and the
 * remaining positional arguments. Bool flags take no value; `--no-<flag>` sets false. The `nex` CLI
 * itself parses with commander (prover/cli/commands/keeper.ts, options derived from OPTIONS); this is
 * for callers holding a raw argument list.
 */
export function parseKeeperFlags(args: readonly string[]): {
  flags: Record<string, string | boolean>;
  configFile?: string;
  positionals: string[];
  unknown: string[];
} {
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const unknown: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (name === '--config') {
      configFile = inline ?? args[++i];
      continue;
    }
    const negated = name.startsWith('--no-') ? OPTIONS.find((o) => o.kind === 'bool' && o.flag === `--${name.slice(5)}`) : undefined;
    if (negated) {
      flags[negated.key] = false;
      continue;
    }
    const spec = OPTIONS.find((o) => o.flag === name);
    if (!spec) {
      unknown.push(name);
      continue;
    }
    if (spec.kind === 'bool') flags[spec.key] = inline ?? true;
    else {
      const value = inline ?? args[++i];
      if (value === undefined) unknown.push(`${name} (missing value)`);
      else flags[spec.key] = value;
    }
  }
  return { flags, configFile, positionals, unknown };
}
