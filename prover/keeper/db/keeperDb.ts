import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { Address, Hex } from 'viem';
import { MIGRATIONS } from './migrations.js';
import { ACTIVE_PHASES, isBatchOutcome, isBatchPhase, predecessorsOf, type BatchOutcome, type BatchPhase } from './phases.js';
import { isTxPurpose, type TxPurpose } from './txPurposes.js';

export { ACTIVE_PHASES, type BatchOutcome, type BatchPhase } from './phases.js';
export type { TxPurpose } from './txPurposes.js';

export interface BatchRow {
  batchId: bigint;
  phase: BatchPhase;
  role: 'primary' | 'secondary' | 'direct' | null;
  count: number | null;
  lockDeadline: number | null;
  finalDeadline: number | null;
  checkpointDir: string | null;
  proof: Hex | null;
  /** Bit i = slot i left out of the proof (the market's uint64 mask; stored as hex text). */
  excludedMask: bigint | null;
  outcome: BatchOutcome | null;
  note: string | null;
  provingStartedAt: number | null;
  provingSeconds: number | null;
  /** The channels its statements came through (`calldata`, `blob`, `offchain`), as ingested. */
  channels: string[];
  /** Unix seconds before which a batch job that hit an engine failure (not a verdict) does not resume. */
  retryAt: number | null;
  /** Engine failures (not verdicts) of this batch so far. */
  engineFailures: number;
}

export type TxStatus = 'pending' | 'mined' | 'reverted' | 'dropped';
export interface TxRow {
  id: number;
  purpose: TxPurpose;
  batchId: bigint | null;
  nonce: number;
  to: Address;
  data: Hex;
  value: bigint;
  gas: bigint;
  status: TxStatus;
  minedHash: Hex | null;
  block: bigint | null;
  createdAt: number;
}
export interface TxAttemptRow {
  hash: Hex;
  txId: number;
  maxFee: bigint;
  maxPriorityFee: bigint;
  raw: Hex;
  sentAt: number;
}

/** Columns a phase change (or `patchBatch`) may set besides the phase. */
export type BatchPatch = Partial<Omit<BatchRow, 'batchId' | 'phase' | 'channels'>>;

/** A registered program as the keeper stores it (from its registration event). */
export interface ProgramRow {
  programId: Hex;
  /** The registrant: programId = keccak256(abi.encode(owner, vkHash)). Undefined for rows of an older keeper. */
  owner: Address | undefined;
  vkHash: Hex | undefined;
  publicInputCount: number;
  vk: Hex;
}

/** A batch's inputs as fetched and checked before the lock (JSON documents, see work/batchInputs.ts). */
export interface StoredBatchInputs {
  batchId: bigint;
  /** The batch's submission count the inputs were fetched for. */
  count: number;
  /** JSON: one entry per slot 0..count-1. */
  slots: string;
  /** JSON: the engine's pre-check report (per-slot content digests), when the proofs were checked. */
  precheck: string | null;
  /** JSON: the batch content (groups, digests, commitment) the slots belong to. */
  content: string | null;
  validProofs: number;
  checkedAt: number;
}

type Row = Record<string, SQLInputValue>;

const BATCH_COLUMNS: Readonly<Record<string, string>> = {
  role: 'role',
  count: 'count',
  lockDeadline: 'lock_deadline',
  finalDeadline: 'final_deadline',
  checkpointDir: 'checkpoint_dir',
  proof: 'proof',
  excludedMask: 'excluded_mask',
  outcome: 'outcome',
  note: 'note',
  provingStartedAt: 'proving_started_at',
  provingSeconds: 'proving_seconds',
  retryAt: 'retry_at',
  engineFailures: 'engine_failures',
};

/**
 * The keeper's state file: one SQLite database in WAL mode. Every multi-step change runs in one
 * transaction, and phase changes are guarded (`UPDATE ... WHERE phase IN (...)`), so a kill -9 at
 * any point leaves a consistent state to resume from.
 */
export class KeeperDb {
  readonly #db: DatabaseSync;
  #depth = 0;

  constructor(
    readonly path: string,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    this.#migrate();
  }

  close(): void {
    this.#db.close();
  }

  /** Runs `fn` in one IMMEDIATE transaction (all or nothing, also across a crash). */
  tx<T>(fn: () => T): T {
    // Nested calls become savepoints of the outer transaction.
    const depth = this.#depth++;
    this.#db.exec(depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT sp${depth}`);
    try {
      const out = fn();
      this.#db.exec(depth === 0 ? 'COMMIT' : `RELEASE sp${depth}`);
      return out;
    } catch (err) {
      this.#db.exec(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO sp${depth}; RELEASE sp${depth}`);
      throw err;
    } finally {
      this.#depth--;
    }
  }

  #migrate(): void {
    this.#db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const done = new Set((this.#db.prepare('SELECT version FROM migrations').all() as { version: number }[]).map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      this.tx(() => {
        this.#db.exec(m.sql);
        this.#db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, this.now());
      });
    }
  }

  schemaVersion(): number {
    const r = this.#db.prepare('SELECT MAX(version) AS v FROM migrations').get() as { v: number | null };
    return r.v ?? 0;
  }

  // ---- identity ----------------------------------------------------------------------------

  /**
   * Binds this data dir to one chain, market and account on first use; afterwards throws if any
   * differs (a data dir reused for another deployment would resume the wrong batches).
   */
  bindIdentity(identity: Record<string, string>): void {
    this.tx(() => {
      for (const [key, value] of Object.entries(identity)) {
        const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
        if (!row) this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, value);
        else if (row.value.toLowerCase() !== value.toLowerCase()) {
          throw new Error(`data dir ${this.path} belongs to ${key}=${row.value}, not ${value}; use another dataDir`);
        }
      }
    });
  }

  // ---- cursor ------------------------------------------------------------------------------

  getCursor(name: string): bigint | undefined {
    const r = this.#db.prepare('SELECT block FROM cursor WHERE name = ?').get(name) as { block: number } | undefined;
    return r ? BigInt(r.block) : undefined;
  }

  setCursor(name: string, block: bigint): void {
    this.#db
      .prepare('INSERT INTO cursor (name, block) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET block = excluded.block')
      .run(name, Number(block));
  }

  // ---- programs ------------------------------------------------------------------------

  upsertProgram(p: { programId: Hex; owner: Address; vkHash: Hex; publicInputCount: number; vk: Hex; block: bigint }): void {
    this.#db
      .prepare(
        `INSERT INTO programs (program_id, owner, vk_hash, public_input_count, vk, block) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (program_id) DO UPDATE SET owner = excluded.owner, vk_hash = excluded.vk_hash,
          public_input_count = excluded.public_input_count, vk = excluded.vk, block = excluded.block`,
      )
      .run(p.programId.toLowerCase(), p.owner, p.vkHash, p.publicInputCount, p.vk, Number(p.block));
  }

  getProgram(programId: Hex): ProgramRow | undefined {
    const r = this.#db.prepare('SELECT * FROM programs WHERE program_id = ?').get(programId.toLowerCase()) as Row | undefined;
    if (!r) return undefined;
    return {
      programId: r.program_id as Hex,
      owner: typeof r.owner === 'string' ? (r.owner as Address) : undefined,
      vkHash: typeof r.vk_hash === 'string' ? (r.vk_hash as Hex) : undefined,
      publicInputCount: Number(r.public_input_count),
      vk: r.vk as Hex,
    };
  }

  // ---- batches -----------------------------------------------------------------------------

  /** Records a batch the first time it is seen (no-op afterwards). */
  noteBatch(batchId: bigint): void {
    this.#db
      .prepare(`INSERT INTO batches (batch_id, phase, updated_at) VALUES (?, 'seen', ?) ON CONFLICT (batch_id) DO NOTHING`)
      .run(Number(batchId), this.now());
  }

  /** Adds `channel` to the channels a batch's statements came through (status report). */
  noteChannel(batchId: bigint, channel: 'calldata' | 'blob' | 'offchain'): void {
    this.noteBatch(batchId);
    const r = this.#db.prepare('SELECT channels FROM batches WHERE batch_id = ?').get(Number(batchId)) as { channels: string | null };
    const set = new Set((r.channels ?? '').split(',').filter(Boolean));
    if (set.has(channel)) return;
    set.add(channel);
    this.#db.prepare('UPDATE batches SET channels = ? WHERE batch_id = ?').run([...set].sort().join(','), Number(batchId));
  }

  /** Batches by channel and whether they are held (active phases), for the status report. */
  channelCounts(): { channel: string; seen: number; active: number; done: number }[] {
    const rows = this.#db.prepare('SELECT channels, phase FROM batches').all() as { channels: string | null; phase: string }[];
    const out = new Map<string, { seen: number; active: number; done: number }>();
    for (const r of rows) {
      const key = r.channels ?? 'unknown';
      const c = out.get(key) ?? { seen: 0, active: 0, done: 0 };
      if (r.phase === 'done') c.done++;
      else if ((ACTIVE_PHASES as readonly string[]).includes(r.phase)) c.active++;
      else c.seen++;
      out.set(key, c);
    }
    return [...out.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([channel, c]) => ({ channel, ...c }));
  }

  getBatch(batchId: bigint): BatchRow | undefined {
    const r = this.#db.prepare('SELECT * FROM batches WHERE batch_id = ?').get(Number(batchId)) as Row | undefined;
    return r ? toBatch(r) : undefined;
  }

  batchesIn(phases: readonly BatchPhase[]): BatchRow[] {
    const marks = phases.map(() => '?').join(',');
    return (this.#db.prepare(`SELECT * FROM batches WHERE phase IN (${marks}) ORDER BY batch_id`).all(...phases) as Row[]).map(toBatch);
  }

  allBatches(limit = 1000): BatchRow[] {
    return (this.#db.prepare('SELECT * FROM batches ORDER BY batch_id DESC LIMIT ?').all(limit) as Row[]).map(toBatch);
  }

  activeCount(): number {
    const marks = ACTIVE_PHASES.map(() => '?').join(',');
    return Number(
      (this.#db.prepare(`SELECT COUNT(*) AS n FROM batches WHERE phase IN (${marks})`).get(...ACTIVE_PHASES) as { n: number }).n,
    );
  }

  /**
   * Moves a batch to `to` if its current phase may precede `to` in the phase graph (db/phases.ts);
   * returns whether it moved. The guard is the SQL statement itself (`UPDATE ... WHERE phase IN
   * (...)`), so of two writers racing for the same move only one succeeds. `patch` sets other columns
   * in the same statement. A batch that reaches `done` no longer needs its stored inputs: they go in
   * the same transaction.
   */
  transition(batchId: bigint, to: BatchPhase, patch: BatchPatch = {}): boolean {
    return this.tx(() => {
      const moved = this.#update(batchId, predecessorsOf(to), to, patch);
      if (moved && to === 'done') this.#db.prepare('DELETE FROM batch_inputs WHERE batch_id = ?').run(Number(batchId));
      return moved;
    });
  }

  /** Sets columns of a batch while it is in `phase` (no phase change); returns whether it was in it. */
  patchBatch(batchId: bigint, phase: BatchPhase, patch: BatchPatch): boolean {
    return this.#update(batchId, [phase], phase, patch);
  }

  #update(batchId: bigint, from: readonly BatchPhase[], to: BatchPhase, patch: BatchPatch): boolean {
    if (from.length === 0) return false;
    const cols: string[] = ['phase = ?', 'updated_at = ?'];
    const vals: SQLInputValue[] = [to, this.now()];
    for (const [k, v] of Object.entries(patch)) {
      const col = BATCH_COLUMNS[k];
      if (!col) throw new Error(`unknown batch column ${k}`);
      cols.push(`${col} = ?`);
      // A uint64 mask may not fit SQLite's signed integers: it is stored as hex text.
      vals.push(v === undefined || v === null ? null : typeof v === 'bigint' ? `0x${v.toString(16)}` : (v as SQLInputValue));
    }
    const marks = from.map(() => '?').join(',');
    const r = this.#db
      .prepare(`UPDATE batches SET ${cols.join(', ')} WHERE batch_id = ? AND phase IN (${marks}) RETURNING batch_id`)
      .all(...vals, Number(batchId), ...from);
    return r.length === 1;
  }

  // ---- fetched and pre-checked batch inputs ------------------------------------------------

  /**
   * Stores what the pre-lock check fetched and verified for a batch (replacing what was stored):
   * `slots` and `precheck` are JSON documents of prover/keeper/work/batchInputs.ts.
   */
  putBatchInputs(batchId: bigint, i: Omit<StoredBatchInputs, 'batchId' | 'checkedAt'>): void {
    this.#db
      .prepare(
        `INSERT INTO batch_inputs (batch_id, count, slots, precheck, content, valid_proofs, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (batch_id) DO UPDATE SET count = excluded.count, slots = excluded.slots, precheck = excluded.precheck,
          content = excluded.content, valid_proofs = excluded.valid_proofs, checked_at = excluded.checked_at`,
      )
      .run(Number(batchId), i.count, i.slots, i.precheck, i.content, i.validProofs, this.now());
  }

  getBatchInputs(batchId: bigint): StoredBatchInputs | undefined {
    const r = this.#db.prepare('SELECT * FROM batch_inputs WHERE batch_id = ?').get(Number(batchId)) as Row | undefined;
    if (!r) return undefined;
    return {
      batchId,
      count: Number(r.count),
      slots: r.slots as string,
      precheck: (r.precheck as string | null) ?? null,
      content: (r.content as string | null) ?? null,
      validProofs: Number(r.valid_proofs),
      checkedAt: Number(r.checked_at),
    };
  }

  // ---- transactions ------------------------------------------------------------------------

  maxPendingNonce(): number | undefined {
    const r = this.#db.prepare(`SELECT MAX(nonce) AS n FROM txs WHERE status = 'pending'`).get() as { n: number | null };
    return r.n ?? undefined;
  }

  /** Inserts a tx intent and its first signed attempt in one transaction; returns the tx id. */
  insertTx(t: Omit<TxRow, 'id' | 'status' | 'minedHash' | 'block' | 'createdAt'>, attempt: Omit<TxAttemptRow, 'txId' | 'sentAt'>): number {
    return this.tx(() => {
      const now = this.now();
      const r = this.#db
        .prepare(
          `INSERT INTO txs (purpose, batch_id, nonce, to_addr, data, value, gas, status, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
        )
        .get(
          t.purpose,
          t.batchId === null ? null : Number(t.batchId),
          t.nonce,
          t.to,
          t.data,
          t.value.toString(),
          t.gas.toString(),
          now,
          now,
        ) as { id: number };
      this.insertAttempt({ ...attempt, txId: r.id });
      return r.id;
    });
  }

  insertAttempt(a: Omit<TxAttemptRow, 'sentAt'>): void {
    this.#db
      .prepare('INSERT OR IGNORE INTO tx_attempts (hash, tx_id, max_fee, max_priority_fee, raw, sent_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(a.hash, a.txId, a.maxFee.toString(), a.maxPriorityFee.toString(), a.raw, this.now());
  }

  /** Restarts the stuck timer of an attempt that was rebroadcast unchanged. */
  touchAttempt(hash: Hex): void {
    this.#db.prepare('UPDATE tx_attempts SET sent_at = ? WHERE hash = ?').run(this.now(), hash);
  }

  pendingTxs(): TxRow[] {
    return (this.#db.prepare(`SELECT * FROM txs WHERE status = 'pending' ORDER BY nonce`).all() as Row[]).map(toTx);
  }

  getTx(id: number): TxRow | undefined {
    const r = this.#db.prepare('SELECT * FROM txs WHERE id = ?').get(id) as Row | undefined;
    return r ? toTx(r) : undefined;
  }

  txsFor(batchId: bigint, purpose?: TxPurpose): TxRow[] {
    const rows = purpose
      ? this.#db.prepare('SELECT * FROM txs WHERE batch_id = ? AND purpose = ? ORDER BY id').all(Number(batchId), purpose)
      : this.#db.prepare('SELECT * FROM txs WHERE batch_id = ? ORDER BY id').all(Number(batchId));
    return (rows as Row[]).map(toTx);
  }

  recentTxs(limit = 20): TxRow[] {
    return (this.#db.prepare('SELECT * FROM txs ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(toTx);
  }

  attemptsOf(txId: number): TxAttemptRow[] {
    const rows = this.#db.prepare('SELECT * FROM tx_attempts WHERE tx_id = ? ORDER BY sent_at, rowid').all(txId) as Row[];
    return rows.map((r) => ({
      hash: r.hash as Hex,
      txId: Number(r.tx_id),
      maxFee: BigInt(r.max_fee as string),
      maxPriorityFee: BigInt(r.max_priority_fee as string),
      raw: r.raw as Hex,
      sentAt: Number(r.sent_at),
    }));
  }

  /** Final status of a tx intent (guarded: only a pending tx changes). */
  settleTx(
    id: number,
    status: Exclude<TxStatus, 'pending'>,
    info: { hash?: Hex; block?: bigint; gasUsed?: bigint; effectiveGasPrice?: bigint } = {},
  ): boolean {
    const r = this.#db
      .prepare(
        `UPDATE txs SET status = ?, mined_hash = ?, block = ?, gas_used = ?, effective_gas_price = ?, updated_at = ?
        WHERE id = ? AND status = 'pending' RETURNING id`,
      )
      .all(
        status,
        info.hash ?? null,
        info.block === undefined ? null : Number(info.block),
        info.gasUsed?.toString() ?? null,
        info.effectiveGasPrice?.toString() ?? null,
        this.now(),
        id,
      );
    return r.length === 1;
  }

  gasSpent(): bigint {
    const rows = this.#db
      .prepare(`SELECT gas_used, effective_gas_price FROM txs WHERE status IN ('mined', 'reverted') AND gas_used IS NOT NULL`)
      .all() as Row[];
    return rows.reduce((s, r) => s + BigInt(r.gas_used as string) * BigInt((r.effective_gas_price as string | null) ?? '0'), 0n);
  }

  // ---- speed and earnings ------------------------------------------------------------------

  getSpeed(kind: string): { seconds: number; samples: number } | undefined {
    return this.#db.prepare('SELECT seconds, samples FROM speed WHERE kind = ?').get(kind) as
      { seconds: number; samples: number } | undefined;
  }

  /** Folds a measurement into the stored speed: the max of the EMA and the new sample's 80%. */
  recordSpeed(kind: string, seconds: number): void {
    this.tx(() => {
      const cur = this.getSpeed(kind);
      const next = cur ? Math.max(cur.seconds * 0.7 + seconds * 0.3, seconds * 0.8) : seconds;
      this.#db
        .prepare(
          'INSERT INTO speed (kind, seconds, samples) VALUES (?, ?, 1) ON CONFLICT (kind) DO UPDATE SET seconds = ?, samples = samples + 1',
        )
        .run(kind, next, next);
    });
  }

  recordEarning(e: { batchId: bigint; feesPaid: bigint; protocolFee: bigint; late: boolean; txHash: Hex; block: bigint }): void {
    this.#db
      .prepare(
        `INSERT INTO earnings (batch_id, fees_paid, protocol_fee, late, tx_hash, block) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (batch_id) DO UPDATE SET fees_paid = excluded.fees_paid, protocol_fee = excluded.protocol_fee,
          late = excluded.late, tx_hash = excluded.tx_hash, block = excluded.block`,
      )
      .run(Number(e.batchId), e.feesPaid.toString(), e.protocolFee.toString(), e.late ? 1 : 0, e.txHash, Number(e.block));
  }

  recordSlashReward(r: { batchId: bigint; txHash: Hex; rewarded: bigint; block: bigint }): void {
    this.#db
      .prepare('INSERT OR REPLACE INTO slash_rewards (batch_id, tx_hash, rewarded, block) VALUES (?, ?, ?, ?)')
      .run(Number(r.batchId), r.txHash, r.rewarded.toString(), Number(r.block));
  }

  totals(): { feesEarned: bigint; batchesFulfilled: number; slashRewards: bigint; slashes: number } {
    const e = this.#db.prepare('SELECT fees_paid FROM earnings').all() as Row[];
    const s = this.#db.prepare('SELECT rewarded FROM slash_rewards').all() as Row[];
    return {
      feesEarned: e.reduce((a, r) => a + BigInt(r.fees_paid as string), 0n),
      batchesFulfilled: e.length,
      slashRewards: s.reduce((a, r) => a + BigInt(r.rewarded as string), 0n),
      slashes: s.length,
    };
  }
}

function toBatch(r: Row): BatchRow {
  const n = (v: SQLInputValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    batchId: BigInt(r.batch_id as number),
    phase: phaseOf(r.phase),
    role: (r.role as BatchRow['role']) ?? null,
    count: n(r.count),
    lockDeadline: n(r.lock_deadline),
    finalDeadline: n(r.final_deadline),
    checkpointDir: (r.checkpoint_dir as string | null) ?? null,
    proof: (r.proof as Hex | null) ?? null,
    excludedMask: r.excluded_mask === null || r.excluded_mask === undefined ? null : BigInt(r.excluded_mask as string | number),
    outcome: outcomeOf(r.outcome),
    note: (r.note as string | null) ?? null,
    provingStartedAt: n(r.proving_started_at),
    provingSeconds: n(r.proving_seconds),
    channels: typeof r.channels === 'string' ? r.channels.split(',').filter(Boolean) : [],
    retryAt: n(r.retry_at),
    engineFailures: Number(r.engine_failures ?? 0),
  };
}

function toTx(r: Row): TxRow {
  return {
    id: Number(r.id),
    purpose: purposeOf(r.purpose),
    batchId: r.batch_id === null ? null : BigInt(r.batch_id as number),
    nonce: Number(r.nonce),
    to: r.to_addr as Address,
    data: r.data as Hex,
    value: BigInt(r.value as string),
    gas: BigInt(r.gas as string),
    status: r.status as TxStatus,
    minedHash: (r.mined_hash as Hex | null) ?? null,
    block: r.block === null ? null : BigInt(r.block as number),
    createdAt: Number(r.created_at),
  };
}

function phaseOf(v: SQLInputValue | undefined): BatchPhase {
  if (!isBatchPhase(v)) throw new Error(`keeper database: unknown batch phase ${String(v)}`);
  return v;
}

function outcomeOf(v: SQLInputValue | undefined): BatchOutcome | null {
  if (v === null || v === undefined) return null;
  if (!isBatchOutcome(v)) throw new Error(`keeper database: unknown batch outcome ${String(v)}`);
  return v;
}

function purposeOf(v: SQLInputValue | undefined): TxPurpose {
  if (!isTxPurpose(v)) throw new Error(`keeper database: unknown tx purpose ${String(v)}`);
  return v;
}
