/**
 * Schema migrations, applied in order at start-up inside one transaction each. Never edit a
 * released migration: append a new one.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      -- Identity of the chain/market/account this data dir belongs to (refuse to mix).
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      -- Log-scanner cursors: last block whose logs were fully processed.
      CREATE TABLE cursor (name TEXT PRIMARY KEY, block INTEGER NOT NULL);
      CREATE TABLE programs (
        program_id TEXT PRIMARY KEY,
        public_input_count INTEGER NOT NULL,
        vk TEXT NOT NULL,
        block INTEGER NOT NULL
      );
      CREATE TABLE submissions (
        submission_id TEXT PRIMARY KEY,
        batch_id INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        program_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        proof_hash TEXT NOT NULL,
        fee TEXT NOT NULL,
        tx_hash TEXT NOT NULL,
        block INTEGER NOT NULL
      );
      CREATE INDEX submissions_batch ON submissions (batch_id);
      -- The keeper's own view of a batch. phase: seen | locking | proving | proved | fulfilling | done.
      CREATE TABLE batches (
        batch_id INTEGER PRIMARY KEY,
        phase TEXT NOT NULL,
        role TEXT,
        count INTEGER,
        lock_deadline INTEGER,
        final_deadline INTEGER,
        checkpoint_dir TEXT,
        proof TEXT,
        excluded_mask INTEGER,
        outcome TEXT,
        note TEXT,
        proving_started_at INTEGER,
        proving_seconds REAL,
        updated_at INTEGER NOT NULL
      );
      -- One row per transaction intent (one nonce); replacements are extra attempts.
      CREATE TABLE txs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        purpose TEXT NOT NULL,
        batch_id INTEGER,
        nonce INTEGER NOT NULL,
        to_addr TEXT NOT NULL,
        data TEXT NOT NULL,
        value TEXT NOT NULL,
        gas TEXT NOT NULL,
        status TEXT NOT NULL,
        mined_hash TEXT,
        block INTEGER,
        gas_used TEXT,
        effective_gas_price TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX txs_pending_nonce ON txs (nonce) WHERE status = 'pending';
      CREATE INDEX txs_batch ON txs (batch_id, purpose);
      -- Every signed attempt, written before it is broadcast (so a restart can rebroadcast it).
      CREATE TABLE tx_attempts (
        hash TEXT PRIMARY KEY,
        tx_id INTEGER NOT NULL REFERENCES txs (id),
        max_fee TEXT NOT NULL,
        max_priority_fee TEXT NOT NULL,
        raw TEXT NOT NULL,
        sent_at INTEGER NOT NULL
      );
      -- Measured engine speed (exponential moving average of seconds per proof kind).
      CREATE TABLE speed (kind TEXT PRIMARY KEY, seconds REAL NOT NULL, samples INTEGER NOT NULL);
      CREATE TABLE earnings (
        batch_id INTEGER PRIMARY KEY,
        fees_paid TEXT NOT NULL,
        protocol_fee TEXT NOT NULL,
        late INTEGER NOT NULL,
        tx_hash TEXT NOT NULL,
        block INTEGER NOT NULL
      );
      CREATE TABLE slash_rewards (
        batch_id INTEGER NOT NULL,
        tx_hash TEXT PRIMARY KEY,
        rewarded TEXT NOT NULL,
        block INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'batch inputs',
    sql: `
      -- What the pre-lock check fetched from chain data and verified, reused after the lock and
      -- after a restart instead of fetching and verifying again (prover/keeper/work/batchInputs.ts).
      -- slots: JSON, one entry per slot; precheck: JSON, the engine's report (per-slot digests).
      -- Deleted when the batch reaches phase done.
      CREATE TABLE batch_inputs (
        batch_id INTEGER PRIMARY KEY,
        count INTEGER NOT NULL,
        slots TEXT NOT NULL,
        precheck TEXT,
        valid_proofs INTEGER NOT NULL,
        checked_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'program owners',
    sql: `
      -- The address that registered the program (ProgramRegistered's owner): the prover engine binds
      -- each statement to programId = keccak256(abi.encode(owner, vkHash)). NULL for rows written
      -- before this migration; inputs.ts then reads the registration event again.
      ALTER TABLE programs ADD COLUMN owner TEXT;
    `,
  },
];
