// The queue server: a Redis URL, validated once at start-up, and the connection options BullMQ gets.
//
// BullMQ 6 runs on Redis or on PostgreSQL; this engine uses Redis (docs/prover.md, "Distributed
// proving", says why). Every BullMQ object (Queue, Worker, FlowProducer, QueueEvents) opens its own
// connections from these options, and a blocking connection must have `maxRetriesPerRequest: null`.
import { Redis, type RedisOptions } from 'ioredis';
import { NexError } from '../../protocol/index.js';
import { ConfigError } from '../config.js';
import type { Logger } from '../logger.js';

/** Where the queue lives. */
export interface QueueConfigInput {
  /** `redis://[:password@]host:port[/db]` or `rediss://...` (TLS). */
  url: string;
  /** BullMQ queue name (default `prove`). Keeper and workers must use the same one. */
  name?: string | undefined;
  /** Redis key prefix (default `nex`): keys are `<prefix>:<name>:...`. */
  prefix?: string | undefined;
}

export interface QueueConfig {
  readonly url: string;
  readonly name: string;
  readonly prefix: string;
}

export const DEFAULT_QUEUE_NAME = 'prove';
export const DEFAULT_QUEUE_PREFIX = 'nex';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Validates the queue settings (a URL string is accepted for `{ url }`). Throws ConfigError. */
export function resolveQueueConfig(input: QueueConfigInput | string): QueueConfig {
  const o = typeof input === 'string' ? { url: input } : input;
  if (typeof o !== 'object' || o === null || typeof o.url !== 'string' || o.url === '') {
    throw new ConfigError('queue.url must be a redis:// or rediss:// URL');
  }
  let u: URL;
  try {
    u = new URL(o.url);
  } catch {
    throw new ConfigError(`queue.url ${JSON.stringify(redactUrl(o.url))} is not a URL`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(`queue.url must use redis:// or rediss:// (Redis is the queue server), got ${u.protocol}//`);
  }
  if (u.hostname === '') throw new ConfigError('queue.url has no host');
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const prefix = o.prefix ?? DEFAULT_QUEUE_PREFIX;
  if (!NAME.test(name)) throw new ConfigError(`queue.name ${JSON.stringify(name)} must be 1-64 of [A-Za-z0-9_.-]`);
  if (!NAME.test(prefix)) throw new ConfigError(`queue.prefix ${JSON.stringify(prefix)} must be 1-64 of [A-Za-z0-9_.-]`);
  return { url: o.url, name, prefix };
}

/** The URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/** ioredis options for BullMQ objects (retry forever; BullMQ requires it for blocking connections). */
export function bullConnection(cfg: QueueConfig): RedisOptions & { url: string } {
  return { url: cfg.url, maxRetriesPerRequest: null, enableReadyCheck: true };
}

/** A plain client (heartbeats, status) on the same server. */
export function plainClient(cfg: QueueConfig): Redis {
  return new Redis(cfg.url, { maxRetriesPerRequest: null, lazyConnect: true });
}

/** The queue server could not be reached or refused us at start-up. */
export class QueueServerError extends NexError {
  override readonly name = 'QueueServerError';
}

/**
 * Start-up guard: connects once with a timeout, checks the password and the server version (BullMQ 6
 * needs Redis >= 6.2), and warns when the server may evict keys (it must not: `maxmemory-policy
 * noeviction`). Fails fast with a clear message instead of retrying forever in the background.
 */
export async function checkQueueServer(cfg: QueueConfig, logger: Logger, timeoutMs = 10_000): Promise<{ version: string }> {
  const client = new Redis(cfg.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined; // e.g. WRONGPASS: ioredis emits it, then the command only sees "Connection is closed"
  client.on('error', (err: Error) => (lastError = err));
  const where = redactUrl(cfg.url);
  try {
    await client.connect();
    await client.ping();
    const info = await client.info('server');
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1]?.trim() ?? 'unknown';
    const [maj = 0, min = 0] = version.split('.').map(Number);
    if (maj < 6 || (maj === 6 && min < 2)) throw new QueueServerError(`queue server ${where} runs Redis ${version}; BullMQ 6 needs >= 6.2`);
    try {
      const policy = (await client.config('GET', 'maxmemory-policy')) as string[];
      if (policy[1] && policy[1] !== 'noeviction') {
        logger.log('warn', 'queue server may evict keys: set maxmemory-policy noeviction', { queue: where, policy: policy[1] });
      }
    } catch {
      /* CONFIG is disabled on some managed servers */
    }
    return { version };
  } catch (err) {
    if (err instanceof QueueServerError) throw err;
    const why =
      lastError && lastError.message !== (err as Error).message
        ? `${lastError.message} (${(err as Error).message})`
        : (err as Error).message;
    throw new QueueServerError(`cannot use the queue server ${where}: ${why}`, { cause: err });
  } finally {
    client.disconnect();
  }
}
