// A throw-away local Redis for development, benchmarks and tests: `redis-server` (Debian package
// `redis-server`) on a free loopback port with its data in a temporary directory, a password, and the
// settings BullMQ wants (noeviction; append-only file unless `persistence: false`).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { NexError } from '../../protocol/index.js';

export interface LocalRedisOptions {
  /** Append-only file (default true). Without it a restart starts empty. */
  persistence?: boolean | undefined;
  /** Executable (default `redis-server` on PATH). */
  binary?: string | undefined;
  startTimeoutMs?: number | undefined;
}

export interface LocalRedis {
  /** redis://:<password>@127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL) and keeps its directory. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory; `wipe` deletes its data first. */
  restart(opts?: { wipe?: boolean }): Promise<void>;
  /** Stops it and deletes its directory. */
  dispose(): Promise<void>;
}

/** The redis-server binary is missing. */
export class RedisMissingError extends NexError {
  override readonly name = 'RedisMissingError';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited while starting: ${output()}`);
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') return;
    } catch {
      /* not yet */
    } finally {
      c.disconnect();
    }
    if (Date.now() > end) throw new Error(`redis-server did not answer within ${timeoutMs} ms: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a private redis-server. Throws RedisMissingError when the binary is not installed. */
export async function startLocalRedis(opts: LocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = opts.binary ?? 'redis-server';
  if (spawnSync(binary, ['--version'], { encoding: 'utf8' }).status !== 0) {
    throw new RedisMissingError(
      `${binary} not found: install the Debian package redis-server (apt-get install redis-server; .ci/run does it)`,
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nex-redis-'));
  const password = randomBytes(12).toString('hex');
  const persistence = opts.persistence ?? true;
  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  let port = 0;
  let child: ChildProcess | undefined;
  let out = '';

  const launch = async (): Promise<void> => {
    out = '';
    child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--requirepass',
        password,
        '--save',
        '',
        '--appendonly',
        persistence ? 'yes' : 'no',
        '--appendfsync',
        'everysec',
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
        '--logfile',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (b: Buffer): void => {
      out = (out + b.toString()).slice(-4_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitReady(`redis://:${password}@127.0.0.1:${port}`, child, timeoutMs, () => out);
  };

  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.kill('SIGTERM');
    });
  };

  for (let tries = 0; ; tries++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      await stop();
      if (tries >= 4) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    dir,
    stop,
    async restart({ wipe = false } = {}) {
      await stop();
      if (wipe) {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
      }
      await launch();
    },
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
