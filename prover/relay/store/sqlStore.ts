import type { Address, Hex } from 'viem';
import { migrationSql, MIGRATIONS, statementsOf } from './migrations.js';
import type { SqlDriver, SqlExecutor, SqlQueries, SqlRow } from './sql.js';
import {
  REQUEST_STATUSES,
  requestIdOf,
  StoreIdentityError,
  type AcceptOutcome,
  type NewRequest,
  type PostAttempt,
  type PostedOnChain,
  type PostRecord,
  type PostSettlement,
  type ProofRecord,
  type RelayStore,
  type RequestId,
  type RequestStatus,
  type StoredRequest,
  type StoredStatement,
  type StoreIdentity,
  type StoreStats,
} from './types.js';

const LIVE = `('accepted', 'posting')`;

/**
 * The relay store's logic, written once over `SqlDriver` and so identical on SQLite and PostgreSQL.
 * Every multi-statement change is one transaction; status changes are guarded by the status they leave
 * (`UPDATE ... WHERE status = ...`), so replays and races are harmless.
 */
export class SqlRelayStore implements RelayStore {
  readonly kind: 'sqlite' | 'postgres';

  constructor(
    private readonly db: SqlDriver,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.kind = db.dialect;
  }

  async init(identity: StoreIdentity): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.lock('relay-migrations');
      await tx.run(
        'CREATE TABLE IF NOT EXISTS relay_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const done = new Set((await tx.all('SELECT version FROM relay_migrations')).map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const stmt of statementsOf(migrationSql(m, this.db.dialect))) await tx.run(stmt);
        await tx.run('INSERT INTO relay_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, this.now()]);
      }
      const want: Record<string, string> = {
        chainId: String(identity.chainId),
        market: identity.market.toLowerCase(),
        relay: identity.relay.toLowerCase(),
      };
      const have = new Map((await tx.all('SELECT key, value FROM relay_meta')).map((r) => [String(r.key), String(r.value)]));
      const mismatches = Object.entries(want).filter(([k, v]) => have.has(k) && have.get(k) !== v);
      if (mismatches.length > 0) {
        throw new StoreIdentityError(
          `the relay store belongs to ${mismatches.map(([k]) => `${k} ${have.get(k)}`).join(', ')}, not ${mismatches.map(([k, v]) => `${k} ${v}`).join(', ')}`,
        );
      }
      for (const [k, v] of Object.entries(want))
        if (!have.has(k)) await tx.run('INSERT INTO relay_meta (key, value) VALUES (?, ?)', [k, v]);
    });
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async schemaVersion(): Promise<number> {
    const rows = await this.db.all('SELECT MAX(version) AS v FROM relay_migrations');
    return Number(rows[0]?.v ?? 0);
  }

  accept(n: NewRequest, free: bigint): Promise<AcceptOutcome> {
    const payer = lower(n.payer);
    const id = requestIdOf(n.requestHash, n.payer);
    return this.db.transaction(async (tx): Promise<AcceptOutcome> => {
      await tx.lock(`payer:${payer}`);
      const existing = await requestById(tx, id);
      if (existing) return { kind: 'duplicate', request: existing };
      const conflict = await tx.all(`SELECT request_hash FROM relay_requests WHERE payer = ? AND nonce = ? AND status IN ${LIVE} LIMIT 1`, [
        payer,
        nonceKey(n.request.nonce),
      ]);
      if (conflict[0]) return { kind: 'nonce-conflict', existing: conflict[0].request_hash as Hex };
      const used = (await tx.all(`SELECT MAX(nonce) AS n FROM relay_requests WHERE payer = ? AND status = 'posted'`, [payer]))[0]?.n;
      if (used !== null && used !== undefined && BigInt(String(used)) >= n.request.nonce)
        return { kind: 'nonce-used', usedUpTo: BigInt(String(used)) };
      const reserved = await reservedIn(tx, payer);
      const cost = BigInt(n.request.count) * n.request.feePerProof;
      if (reserved + cost > free) return { kind: 'insufficient-deposit', reserved, free, cost };
      const r = n.request;
      await tx.run(
        `INSERT INTO relay_requests (id, request_hash, payer, nonce, program_id, statements_hash, count, fee_per_proof, deadline, signature,
           accepted_at, post_by, receipt_signature, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?)`,
        [
          id,
          lower(n.requestHash),
          payer,
          nonceKey(r.nonce),
          lower(r.programId),
          lower(r.statementsHash),
          r.count,
          r.feePerProof.toString(),
          r.deadline,
          lower(n.signature),
          n.acceptedAt,
          n.postBy,
          lower(n.receiptSignature),
          this.now(),
        ],
      );
      for (const [i, s] of n.statements.entries()) {
        await tx.run('INSERT INTO relay_statements (request_id, idx, digest, public_inputs, proof) VALUES (?, ?, ?, ?, ?)', [
          id,
          i,
          lower(s.digest),
          JSON.stringify(s.publicInputs.map(lower)),
          s.proof,
        ]);
      }
      return { kind: 'stored', request: (await requestById(tx, id))! };
    });
  }

  getRequest(id: RequestId): Promise<StoredRequest | undefined> {
    return requestById(this.db, id);
  }

  async findRequests(requestHash: Hex): Promise<StoredRequest[]> {
    const rows = await this.db.all('SELECT * FROM relay_requests WHERE request_hash = ? ORDER BY accepted_at, payer', [lower(requestHash)]);
    return rows.map(toRequest);
  }

  async statementsOf(id: RequestId): Promise<StoredStatement[]> {
    const rows = await this.db.all(
      'SELECT s.*, r.request_hash FROM relay_statements s JOIN relay_requests r ON r.id = s.request_id WHERE s.request_id = ? ORDER BY s.idx',
      [lower(id)],
    );
    return rows.map(toStatement);
  }

  async digestsOf(ids: readonly RequestId[]): Promise<Map<RequestId, Hex[]>> {
    const out = new Map<RequestId, Hex[]>(ids.map((id) => [lower(id), []]));
    if (ids.length === 0) return out;
    const rows = await this.db.all(
      `SELECT request_id, idx, digest FROM relay_statements WHERE request_id IN (${marks(ids.length)}) ORDER BY request_id, idx`,
      ids.map(lower),
    );
    for (const r of rows) out.get(r.request_id as RequestId)?.push(r.digest as Hex);
    return out;
  }

  async proofOf(digest: Hex): Promise<ProofRecord | undefined> {
    const rows = await this.db.all(
      `SELECT s.request_id, r.request_hash, s.idx, s.digest, s.public_inputs, s.proof, r.program_id, r.status, r.batch_id, r.first_slot
         FROM relay_statements s JOIN relay_requests r ON r.id = s.request_id
        WHERE s.digest = ? AND s.proof IS NOT NULL
        ORDER BY CASE r.status WHEN 'posted' THEN 0 WHEN 'posting' THEN 1 WHEN 'accepted' THEN 2 ELSE 3 END, r.accepted_at DESC
        LIMIT 1`,
      [lower(digest)],
    );
    const r = rows[0];
    if (!r) return undefined;
    const st = toStatement(r);
    const firstSlot = r.first_slot === null || r.first_slot === undefined ? null : Number(r.first_slot);
    return {
      ...st,
      programId: r.program_id as Hex,
      status: r.status as RequestStatus,
      batchId: r.batch_id === null || r.batch_id === undefined ? null : BigInt(String(r.batch_id)),
      slot: firstSlot === null ? null : firstSlot + st.index,
    };
  }

  reservedOf(payer: Address): Promise<bigint> {
    return reservedIn(this.db, lower(payer));
  }

  async queue(): Promise<StoredRequest[]> {
    const rows = await this.db.all(`SELECT * FROM relay_requests WHERE status = 'accepted' ORDER BY accepted_at, payer, nonce`);
    return rows.map(toRequest);
  }

  voidBelow(payer: Address, chainNonce: bigint): Promise<number> {
    return this.db.run(
      `UPDATE relay_requests SET status = 'void', reason = 'nonce-consumed', updated_at = ? WHERE payer = ? AND status = 'accepted' AND nonce < ?`,
      [this.now(), lower(payer), nonceKey(chainNonce)],
    );
  }

  expire(now: number): Promise<number> {
    return this.db.run(
      `UPDATE relay_requests SET status = 'expired', reason = 'deadline', updated_at = ? WHERE status = 'accepted' AND deadline < ?`,
      [this.now(), now],
    );
  }

  beginPost(post: { txNonce: number; requestIds: readonly RequestId[]; attempt: PostAttempt }): Promise<number> {
    const ids = post.requestIds.map(lower);
    return this.db.transaction(async (tx) => {
      const moved = await tx.run(
        `UPDATE relay_requests SET status = 'posting', updated_at = ? WHERE id IN (${marks(ids.length)}) AND status = 'accepted'`,
        [this.now(), ...ids],
      );
      if (moved !== ids.length) throw new Error(`beginPost: ${ids.length - moved} of the requests are no longer accepted`);
      const rows = await tx.all(
        'INSERT INTO relay_posts (tx_nonce, request_ids, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
        [post.txNonce, JSON.stringify(ids), 'sent', this.now(), this.now()],
      );
      const id = Number(rows[0]!.id);
      await insertAttempt(tx, id, post.attempt);
      return id;
    });
  }

  async addAttempt(postId: number, attempt: PostAttempt): Promise<void> {
    await insertAttempt(this.db, postId, attempt);
  }

  async openPosts(): Promise<PostRecord[]> {
    const posts = await this.db.all(`SELECT * FROM relay_posts WHERE status = 'sent' ORDER BY tx_nonce, id`);
    const out: PostRecord[] = [];
    for (const p of posts) {
      const attempts = await this.db.all('SELECT * FROM relay_post_attempts WHERE post_id = ? ORDER BY sent_at, max_fee', [Number(p.id)]);
      out.push({
        id: Number(p.id),
        txNonce: Number(p.tx_nonce),
        requestIds: JSON.parse(String(p.request_ids)) as RequestId[],
        status: p.status as PostRecord['status'],
        minedHash: (p.mined_hash as Hex | null) ?? null,
        batchId: p.batch_id === null || p.batch_id === undefined ? null : BigInt(String(p.batch_id)),
        createdAt: Number(p.created_at),
        attempts: attempts.map((a) => ({
          hash: a.hash as Hex,
          raw: a.raw as Hex,
          maxFeePerGas: BigInt(String(a.max_fee)),
          maxPriorityFeePerGas: BigInt(String(a.max_priority_fee)),
          sentAt: Number(a.sent_at),
        })),
      });
    }
    return out;
  }

  settlePost(postId: number, s: PostSettlement | { status: 'reverted' | 'dropped'; minedHash?: Hex }, maxAttempts: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      const post = (await tx.all('SELECT * FROM relay_posts WHERE id = ?', [postId]))[0];
      if (!post || post.status !== 'sent') return;
      const ids = JSON.parse(String(post.request_ids)) as RequestId[];
      const now = this.now();
      if (s.status === 'mined') {
        for (const p of s.posted) {
          await tx.run(
            `UPDATE relay_requests SET status = 'posted', batch_id = ?, first_slot = ?, post_tx = ?, reason = NULL, updated_at = ? WHERE id = ? AND status = 'posting'`,
            [p.batchId.toString(), p.firstSlot, lower(s.minedHash), now, lower(p.id)],
          );
        }
        for (const k of s.skipped) {
          await tx.run(
            `UPDATE relay_requests SET status = 'skipped', reason = ?, post_tx = ?, updated_at = ? WHERE id = ? AND status = 'posting'`,
            [k.reason, lower(s.minedHash), now, lower(k.id)],
          );
        }
        await tx.run(
          `UPDATE relay_requests SET status = 'accepted', updated_at = ? WHERE id IN (${marks(ids.length)}) AND status = 'posting'`,
          [now, ...ids],
        );
        await tx.run(`UPDATE relay_posts SET status = 'mined', mined_hash = ?, block = ?, batch_id = ?, updated_at = ? WHERE id = ?`, [
          lower(s.minedHash),
          s.block.toString(),
          s.batchId === null ? null : s.batchId.toString(),
          now,
          postId,
        ]);
        return;
      }
      if (s.status === 'reverted') {
        // A request in `maxAttempts` reverted posts is given up (`skipped`): it would stall the queue.
        await tx.run(
          `UPDATE relay_requests SET post_attempts = post_attempts + 1,
             status = CASE WHEN post_attempts + 1 >= ? THEN 'skipped' ELSE 'accepted' END,
             reason = CASE WHEN post_attempts + 1 >= ? THEN 'post-reverted' ELSE reason END, updated_at = ?
           WHERE id IN (${marks(ids.length)}) AND status = 'posting'`,
          [maxAttempts, maxAttempts, now, ...ids],
        );
      } else {
        await tx.run(
          `UPDATE relay_requests SET status = 'accepted', updated_at = ? WHERE id IN (${marks(ids.length)}) AND status = 'posting'`,
          [now, ...ids],
        );
      }
      await tx.run('UPDATE relay_posts SET status = ?, mined_hash = ?, updated_at = ? WHERE id = ?', [
        s.status,
        s.minedHash ? lower(s.minedHash) : null,
        now,
        postId,
      ]);
    });
  }

  applyPosted(e: PostedOnChain): Promise<RequestId[]> {
    const payer = lower(e.payer);
    return this.db.transaction(async (tx) => {
      await tx.lock(`payer:${payer}`);
      const now = this.now();
      const updated: RequestId[] = [];
      const rows = await tx.all(`SELECT id, request_hash, status FROM relay_requests WHERE payer = ? AND nonce = ?`, [
        payer,
        nonceKey(e.nonce),
      ]);
      for (const r of rows) {
        const id = r.id as RequestId;
        if (r.request_hash === lower(e.requestHash)) {
          const n = await tx.run(
            `UPDATE relay_requests SET status = 'posted', batch_id = ?, first_slot = ?, post_tx = ?, reason = NULL, updated_at = ? WHERE id = ? AND status <> 'posted'`,
            [e.batchId.toString(), e.firstSlot, lower(e.txHash), now, id],
          );
          if (n > 0) updated.push(id);
        } else if (r.status === 'accepted') {
          await tx.run(`UPDATE relay_requests SET status = 'void', reason = 'nonce-consumed', updated_at = ? WHERE id = ?`, [now, id]);
          updated.push(id);
        }
      }
      const below = await tx.all(`SELECT id FROM relay_requests WHERE payer = ? AND status = 'accepted' AND nonce < ?`, [
        payer,
        nonceKey(e.nonce),
      ]);
      if (below.length > 0) {
        await tx.run(
          `UPDATE relay_requests SET status = 'void', reason = 'nonce-consumed', updated_at = ? WHERE payer = ? AND status = 'accepted' AND nonce < ?`,
          [now, payer, nonceKey(e.nonce)],
        );
        updated.push(...below.map((r) => r.id as RequestId));
      }
      return updated;
    });
  }

  giveUp(ids: readonly RequestId[], reason: string): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.db.run(
      `UPDATE relay_requests SET status = 'skipped', reason = ?, updated_at = ? WHERE id IN (${marks(ids.length)}) AND status = 'accepted'`,
      [reason, this.now(), ...ids.map(lower)],
    );
  }

  prune(o: { postedBefore: number; deadlineBefore: number }): Promise<number> {
    return this.db.run(
      `UPDATE relay_statements SET proof = NULL WHERE proof IS NOT NULL AND request_id IN (
         SELECT id FROM relay_requests
          WHERE (status = 'posted' AND updated_at < ?) OR (status IN ('skipped', 'expired', 'void') AND deadline < ?))`,
      [o.postedBefore, o.deadlineBefore],
    );
  }

  async stats(): Promise<StoreStats> {
    const requests = Object.fromEntries(REQUEST_STATUSES.map((s) => [s, 0])) as Record<RequestStatus, number>;
    for (const r of await this.db.all('SELECT status, COUNT(*) AS n FROM relay_requests GROUP BY status'))
      requests[r.status as RequestStatus] = Number(r.n);
    const q = (await this.db.all(`SELECT COALESCE(SUM(count), 0) AS n FROM relay_requests WHERE status = 'accepted'`))[0];
    const p = (await this.db.all(`SELECT COUNT(*) AS n FROM relay_posts WHERE status = 'sent'`))[0];
    return { requests, queuedStatements: Number(q?.n ?? 0), openPosts: Number(p?.n ?? 0) };
  }

  async getCursor(name: string): Promise<bigint | undefined> {
    const r = (await this.db.all('SELECT block FROM relay_cursor WHERE name = ?', [name]))[0];
    return r ? BigInt(String(r.block)) : undefined;
  }

  async setCursor(name: string, block: bigint): Promise<void> {
    await this.db.run('INSERT INTO relay_cursor (name, block) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET block = excluded.block', [
      name,
      block.toString(),
    ]);
  }
}

async function requestById(q: SqlQueries, id: RequestId): Promise<StoredRequest | undefined> {
  const r = (await q.all('SELECT * FROM relay_requests WHERE id = ?', [lower(id)]))[0];
  return r ? toRequest(r) : undefined;
}

async function reservedIn(q: SqlQueries, payer: string): Promise<bigint> {
  const rows = await q.all(`SELECT count, fee_per_proof FROM relay_requests WHERE payer = ? AND status IN ${LIVE}`, [payer]);
  return rows.reduce((sum, r) => sum + BigInt(Number(r.count)) * BigInt(String(r.fee_per_proof)), 0n);
}

async function insertAttempt(q: SqlQueries | SqlExecutor, postId: number, a: PostAttempt): Promise<void> {
  await q.run('INSERT INTO relay_post_attempts (hash, post_id, raw, max_fee, max_priority_fee, sent_at) VALUES (?, ?, ?, ?, ?, ?)', [
    lower(a.hash),
    postId,
    a.raw,
    a.maxFeePerGas.toString(),
    a.maxPriorityFeePerGas.toString(),
    a.sentAt,
  ]);
}

function toRequest(r: SqlRow): StoredRequest {
  return {
    id: r.id as RequestId,
    requestHash: r.request_hash as Hex,
    payer: r.payer as Address,
    request: {
      programId: r.program_id as Hex,
      statementsHash: r.statements_hash as Hex,
      count: Number(r.count),
      feePerProof: BigInt(String(r.fee_per_proof)),
      nonce: BigInt(String(r.nonce)),
      deadline: Number(r.deadline),
    },
    signature: r.signature as Hex,
    acceptedAt: Number(r.accepted_at),
    postBy: Number(r.post_by),
    receiptSignature: r.receipt_signature as Hex,
    status: r.status as RequestStatus,
    batchId: r.batch_id === null || r.batch_id === undefined ? null : BigInt(String(r.batch_id)),
    firstSlot: r.first_slot === null || r.first_slot === undefined ? null : Number(r.first_slot),
    postTx: (r.post_tx as Hex | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    postAttempts: Number(r.post_attempts),
    updatedAt: Number(r.updated_at),
  };
}

function toStatement(r: SqlRow): StoredStatement {
  const proof = r.proof;
  return {
    requestId: r.request_id as RequestId,
    requestHash: r.request_hash as Hex,
    index: Number(r.idx),
    digest: r.digest as Hex,
    publicInputs: JSON.parse(String(r.public_inputs)) as Hex[],
    proof: proof === null || proof === undefined ? null : new Uint8Array(proof as Uint8Array),
  };
}

/** A uint64 as 20-digit zero-padded decimal: exact, and sorts like the number on both engines. */
function nonceKey(n: bigint): string {
  return n.toString().padStart(20, '0');
}

function lower<T extends string>(s: T): T {
  return s.toLowerCase() as T;
}

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
