import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql.js';

/**
 * SQLite through node:sqlite: WAL journal, `synchronous = FULL` (a committed transaction survives a
 * power cut, not only a process kill), foreign keys on. node:sqlite is synchronous; a mutex keeps one
 * transaction's statements from interleaving with other callers' across its awaits.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly #db: DatabaseSync;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  readonly #direct: SqlExecutor = {
    all: async (sql, params = []) =>
      this.#db
        .prepare(sql)
        .all(...bind(params))
        .map((r) => ({ ...r }) as SqlRow),
    run: async (sql, params = []) => Number(this.#db.prepare(sql).run(...bind(params)).changes),
    lock: async () => undefined,
  };

  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.#exclusive(() => this.#direct.all(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#exclusive(() => this.#direct.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(this.#direct);
        this.#db.exec('COMMIT');
        return out;
      } catch (err) {
        this.#db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.#exclusive(async () => this.#db.close());
  }
}

function bind(params: readonly SqlValue[]): SQLInputValue[] {
  return params.map((p) => p);
}
