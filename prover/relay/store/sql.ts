/**
 * The small SQL surface the relay store needs, so that one implementation of the store's logic runs on
 * both SQLite and PostgreSQL. Statements use `?` placeholders (the PostgreSQL driver numbers them).
 */
export type SqlValue = string | number | bigint | null | Uint8Array;
export type SqlRow = Record<string, unknown>;

export interface SqlQueries {
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/** The queries of one transaction. */
export interface SqlExecutor extends SqlQueries {
  /**
   * Serialises transactions that use the same key until the end of the current transaction (PostgreSQL:
   * an advisory transaction lock; SQLite: a no-op, its write transactions are already exclusive).
   */
  lock(key: string): Promise<void>;
}

export interface SqlDriver extends SqlQueries {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Rewrites `?` placeholders to PostgreSQL's `$1, $2, ...` (the store's SQL has no `?` in literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
