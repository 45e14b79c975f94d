// A throw-away PostgreSQL server for tests: a temporary data directory, a free loopback port, trust
// authentication. initdb refuses to run as root, so as root the server runs as the `postgres` user
// (runuser). Binaries: $NEX_PG_BIN or /usr/lib/postgresql/15/bin (Debian's `postgresql` package; .ci/run
// installs it when missing).
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const PG_BIN = process.env.NEX_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** Connection URL of the `postgres` database as the `postgres` superuser. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** A fresh empty database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** True when the PostgreSQL binaries are installed (tests that need them fail with a clear message otherwise). */
export function postgresAvailable(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

/** Runs a PostgreSQL binary, as the `postgres` user when this process is root. */
function asPostgres(bin: string, args: string[]): { file: string; args: string[] } {
  const path = join(PG_BIN, bin);
  return process.getuid?.() === 0 ? { file: 'runuser', args: ['-u', 'postgres', '--', path, ...args] } : { file: path, args };
}

/** Starts a PostgreSQL server; `stop()` shuts it down and deletes its data. */
export async function startPostgres(): Promise<PostgresServer> {
  if (!postgresAvailable()) throw new Error(`PostgreSQL binaries not found in ${PG_BIN} (apt-get install postgresql, or set NEX_PG_BIN)`);
  const dir = await mkdtemp(join(tmpdir(), 'nex-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const init = asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  await run(init.file, init.args);
  const port = await freePort();
  const ctl = (args: string[]) => asPostgres('pg_ctl', ['-D', data, ...args]);
  const start = ctl(['-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  await run(start.file, start.args);
  // If the test process dies without stop(), do not leave a server running.
  const emergency = (): void => {
    const s = ctl(['-m', 'immediate', 'stop']);
    try {
      execFileSync(s.file, s.args, { stdio: 'ignore' });
    } catch {
      /* already stopped */
    }
  };
  process.once('exit', emergency);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dir,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop(): Promise<void> {
      process.removeListener('exit', emergency);
      const s = ctl(['-m', 'fast', '-w', 'stop']);
      await run(s.file, s.args).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
