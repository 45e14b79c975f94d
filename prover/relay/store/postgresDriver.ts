import pg from 'pg';
import { keccak256, stringToHex } from 'viem';
import { numberPlaceholders, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from './sql.js';

/**
 * PostgreSQL through a `pg` pool. Each transaction runs on one pooled client; `lock(key)` takes a
 * transaction-scoped advisory lock, so several relay processes may share one database.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;

  constructor(connectionString: string, opts: { max?: number } = {}) {
    this.#pool = new pg.Pool({ connectionString, max: opts.max ?? 10 });
    // An idle client's error (server restart) must not crash the process: the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return query(this.#pool, sql, params);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const res = await this.#pool.query(numberPlaceholders(sql), toPg(params));
    return res.rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx: SqlExecutor = {
      all: (sql, params = []) => query(client, sql, params),
      run: async (sql, params = []) => (await client.query(numberPlaceholders(sql), toPg(params))).rowCount ?? 0,
      lock: async (key) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [lockId(key)]);
      },
    };
    try {
      await client.query('BEGIN');
      const out = await fn(tx);
      await client.query('COMMIT');
      client.release();
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A broken connection must not go back to the pool.
      client.release(err instanceof Error ? err : true);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

async function query(q: pg.Pool | pg.PoolClient, sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
  const res = await q.query(numberPlaceholders(sql), toPg(params));
  return res.rows as SqlRow[];
}

function toPg(params: readonly SqlValue[]): unknown[] {
  return params.map((p) =>
    typeof p === 'bigint' ? p.toString() : p instanceof Uint8Array ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p,
  );
}

/** A signed 64-bit advisory-lock id for a string key. */
function lockId(key: string): string {
  return BigInt.asIntN(64, BigInt(keccak256(stringToHex(key)).slice(0, 18))).toString();
}
