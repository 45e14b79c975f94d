/**
 * Schema migrations of the relay store, shared by SQLite and PostgreSQL. Applied in order at start-up,
 * each in one transaction. Never edit a released migration: append a new one.
 *
 * Portable types: TEXT, INTEGER, BIGINT; `{bytes}` is BLOB (SQLite) or BYTEA (PostgreSQL) and `{id}` an
 * auto-increment primary key. uint64 values that must sort (nonces) are 20-digit zero-padded decimal TEXT;
 * wei amounts and batch ids are decimal TEXT (exact on both engines).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      -- chainId, market and relay address this store belongs to (a relay refuses to mix them).
      CREATE TABLE relay_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      -- One row per request: id = '<EIP-712 hash>:<payer>' (the idempotency key; see RequestId).
      CREATE TABLE relay_requests (
        id TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        payer TEXT NOT NULL,
        nonce TEXT NOT NULL,
        program_id TEXT NOT NULL,
        statements_hash TEXT NOT NULL,
        count INTEGER NOT NULL,
        fee_per_proof TEXT NOT NULL,
        deadline BIGINT NOT NULL,
        signature TEXT NOT NULL,
        accepted_at BIGINT NOT NULL,
        post_by BIGINT NOT NULL,
        receipt_signature TEXT NOT NULL,
        status TEXT NOT NULL,
        batch_id TEXT,
        first_slot INTEGER,
        post_tx TEXT,
        reason TEXT,
        post_attempts INTEGER NOT NULL DEFAULT 0,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX relay_requests_hash ON relay_requests (request_hash);
      CREATE INDEX relay_requests_payer ON relay_requests (payer, status, nonce);
      CREATE INDEX relay_requests_status ON relay_requests (status, accepted_at);
      CREATE TABLE relay_statements (
        request_id TEXT NOT NULL REFERENCES relay_requests (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        digest TEXT NOT NULL,
        public_inputs TEXT NOT NULL,
        proof {bytes},
        PRIMARY KEY (request_id, idx)
      );
      CREATE INDEX relay_statements_digest ON relay_statements (digest);
      -- One row per post intent (one sender nonce); attempts are its signed transactions (fee bumps).
      CREATE TABLE relay_posts (
        id {id},
        tx_nonce BIGINT NOT NULL,
        request_ids TEXT NOT NULL,
        status TEXT NOT NULL,
        mined_hash TEXT,
        block TEXT,
        batch_id TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      -- A dropped post's transaction may be signed again, byte for byte, by the next post (same nonce,
      -- call and fees): a hash is unique per post only.
      CREATE TABLE relay_post_attempts (
        post_id BIGINT NOT NULL REFERENCES relay_posts (id),
        hash TEXT NOT NULL,
        raw TEXT NOT NULL,
        max_fee TEXT NOT NULL,
        max_priority_fee TEXT NOT NULL,
        sent_at BIGINT NOT NULL,
        PRIMARY KEY (post_id, hash)
      );
      -- Last block whose market events were applied, per watcher.
      CREATE TABLE relay_cursor (name TEXT PRIMARY KEY, block TEXT NOT NULL);
    `,
  },
];

/** The migration's SQL for one engine. */
export function migrationSql(m: Migration, dialect: 'sqlite' | 'postgres'): string {
  return m.sql
    .replaceAll('{bytes}', dialect === 'sqlite' ? 'BLOB' : 'BYTEA')
    .replaceAll('{id}', dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY');
}

/** Splits a migration into statements (the PostgreSQL driver runs one statement per query). */
export function statementsOf(sql: string): string[] {
  return sql
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
