import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { MIGRATIONS } from '../../prover/keeper/db/migrations.js';
import { ACTIVE_PHASES, ALL_PHASES, BATCH_PHASES, predecessorsOf, type BatchPhase } from '../../prover/keeper/db/phases.js';

const HASH = `0x${'ab'.repeat(32)}` as const;

function tmpDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'nex-keeper-db-')), 'keeper.sqlite');
}

describe('keeper database', () => {
  it('migrates once, in WAL mode, and binds to one identity', () => {
    const path = tmpDb();
    const db = new KeeperDb(path);
    expect(db.schemaVersion()).to.equal(MIGRATIONS.length);
    db.bindIdentity({ chainId: '31337', market: '0xAa' });
    db.close();
    const again = new KeeperDb(path);
    expect(again.schemaVersion()).to.equal(MIGRATIONS.length);
    expect(() => again.bindIdentity({ chainId: '1', market: '0xaa' })).to.throw(/belongs to chainId=31337/);
    again.bindIdentity({ chainId: '31337', market: '0xAA' });
    again.close();
    const raw = new DatabaseSync(path);
    expect((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).to.equal('wal');
    expect(raw.prepare('SELECT COUNT(*) AS n FROM migrations').get()).to.deep.include({ n: MIGRATIONS.length });
    raw.close();
  });

  it('guards phase transitions by the phase graph and counts capacity', () => {
    const db = new KeeperDb(':memory:');
    db.noteBatch(7n);
    db.noteBatch(7n);
    expect(db.getBatch(7n)?.phase).to.equal('seen');
    // Not edges of the graph: seen -> proved, seen -> fulfilling, seen -> seen.
    expect(db.transition(7n, 'proved')).to.equal(false);
    expect(db.transition(7n, 'fulfilling')).to.equal(false);
    expect(db.transition(7n, 'seen')).to.equal(false);
    expect(db.getBatch(7n)?.phase).to.equal('seen');
    expect(db.transition(7n, 'locking', { role: 'primary', count: 2 })).to.equal(true);
    expect(db.transition(7n, 'locking')).to.equal(false);
    expect(db.activeCount()).to.equal(1);
    expect(db.transition(7n, 'done', { outcome: 'lock-lost' })).to.equal(true);
    expect(db.activeCount()).to.equal(0);
    expect(db.getBatch(7n)).to.deep.include({ phase: 'done', outcome: 'lock-lost', role: 'primary', count: 2 });
    // done is final.
    for (const to of ALL_PHASES) expect(db.transition(7n, to), `done -> ${to}`).to.equal(false);
    expect(() => db.transition(8n, 'locking', { bogus: 1 } as never)).to.throw(/unknown batch column/);
    // A batch that is not known does not move.
    expect(db.transition(9n, 'locking')).to.equal(false);
  });

  it('moves along every edge of the phase graph and nowhere else', () => {
    const db = new KeeperDb(':memory:');
    let id = 100n;
    // A fresh batch in phase `p`, reached through the graph itself from seen.
    const batchIn = (p: BatchPhase): bigint => {
      const path: BatchPhase[] = {
        seen: [],
        locking: ['locking'],
        proving: ['proving'],
        proved: ['proving', 'proved'],
        fulfilling: ['proving', 'proved', 'fulfilling'],
        done: ['done'],
      }[p] as BatchPhase[];
      db.noteBatch(++id);
      for (const step of path) expect(db.transition(id, step), `seen .. ${step}`).to.equal(true);
      expect(db.getBatch(id)?.phase).to.equal(p);
      return id;
    };
    for (const from of ALL_PHASES) {
      for (const to of ALL_PHASES) {
        const b = batchIn(from);
        const allowed = to in BATCH_PHASES[from].next;
        expect(db.transition(b, to), `${from} -> ${to}`).to.equal(allowed);
        expect(db.getBatch(b)?.phase).to.equal(allowed ? to : from);
      }
    }
    expect(predecessorsOf('done')).to.deep.equal(['seen', 'locking', 'proving', 'proved', 'fulfilling']);
    expect(predecessorsOf('seen')).to.deep.equal(['locking']);
    expect(ACTIVE_PHASES).to.deep.equal(['locking', 'proving', 'proved', 'fulfilling']);
  });

  it('patches a batch only in the named phase, and refuses unknown phases, outcomes and purposes read back', () => {
    const path = tmpDb();
    const db = new KeeperDb(path);
    db.noteBatch(3n);
    expect(db.patchBatch(3n, 'proving', { checkpointDir: '/x' })).to.equal(false);
    expect(db.transition(3n, 'proving', { role: 'secondary' })).to.equal(true);
    expect(db.patchBatch(3n, 'proving', { checkpointDir: '/x', provingStartedAt: 5 })).to.equal(true);
    expect(db.getBatch(3n)).to.deep.include({ phase: 'proving', checkpointDir: '/x', provingStartedAt: 5, role: 'secondary' });
    const txId = db.insertTx(
      { purpose: 'fulfill', batchId: 3n, nonce: 0, to: '0x0000000000000000000000000000000000000001', data: '0x', value: 0n, gas: 1n },
      { hash: HASH, raw: '0x01', maxFee: 2n, maxPriorityFee: 1n },
    );
    expect(db.txsFor(3n, 'fulfill').map((t) => t.purpose)).to.deep.equal(['fulfill']);
    expect(db.txsFor(3n, 'lock')).to.deep.equal([]);
    db.close();
    const raw = new DatabaseSync(path);
    raw.prepare(`UPDATE batches SET phase = 'limbo' WHERE batch_id = 3`).run();
    raw.prepare(`UPDATE txs SET purpose = 'bribe' WHERE id = ?`).run(txId);
    raw.close();
    const again = new KeeperDb(path);
    expect(() => again.getBatch(3n)).to.throw(/unknown batch phase limbo/);
    expect(() => again.getTx(txId)).to.throw(/unknown tx purpose bribe/);
    again.close();
  });

  it("stores a batch's checked inputs, replaces them, and drops them when the batch is done", () => {
    const db = new KeeperDb(':memory:');
    db.noteBatch(5n);
    expect(db.getBatchInputs(5n)).to.equal(undefined);
    db.putBatchInputs(5n, { count: 2, slots: '[1]', precheck: null, validProofs: 0 });
    db.putBatchInputs(5n, { count: 2, slots: '[2]', precheck: '{"checks":[]}', validProofs: 1 });
    expect(db.getBatchInputs(5n)).to.deep.include({ batchId: 5n, count: 2, slots: '[2]', precheck: '{"checks":[]}', validProofs: 1 });
    expect(db.transition(5n, 'locking')).to.equal(true);
    expect(db.getBatchInputs(5n), 'kept while the batch is held').to.not.equal(undefined);
    expect(db.transition(5n, 'seen')).to.equal(true);
    expect(db.getBatchInputs(5n), 'kept when the lock did not land').to.not.equal(undefined);
    expect(db.transition(5n, 'done', { outcome: 'no-valid-proofs' })).to.equal(true);
    expect(db.getBatchInputs(5n)).to.equal(undefined);
  });

  it('keeps one pending tx per nonce and settles only pending txs', () => {
    const db = new KeeperDb(':memory:');
    const base = {
      purpose: 'lock' as const,
      batchId: 1n,
      to: '0x0000000000000000000000000000000000000001' as const,
      data: '0x' as const,
      value: 0n,
      gas: 1n,
    };
    const id = db.insertTx({ ...base, nonce: 0 }, { hash: HASH, raw: '0x01', maxFee: 2n, maxPriorityFee: 1n });
    expect(() =>
      db.insertTx({ ...base, nonce: 0 }, { hash: `0x${'cd'.repeat(32)}`, raw: '0x01', maxFee: 2n, maxPriorityFee: 1n }),
    ).to.throw();
    // The failed insert left nothing behind (the attempt shares the transaction).
    expect(db.attemptsOf(id)).to.have.length(1);
    expect(db.maxPendingNonce()).to.equal(0);
    expect(db.settleTx(id, 'mined', { hash: HASH, block: 5n, gasUsed: 21000n, effectiveGasPrice: 2n })).to.equal(true);
    expect(db.settleTx(id, 'dropped')).to.equal(false);
    expect(db.getTx(id)).to.deep.include({ status: 'mined', minedHash: HASH, block: 5n });
    expect(db.gasSpent()).to.equal(42000n);
    expect(db.maxPendingNonce()).to.equal(undefined);
  });

  it('records speed conservatively and sums earnings', () => {
    const db = new KeeperDb(':memory:');
    db.recordSpeed('leaf', 40);
    db.recordSpeed('leaf', 10);
    const s = db.getSpeed('leaf')!;
    expect(s.samples).to.equal(2);
    expect(s.seconds).to.equal(31); // 0.7 * 40 + 0.3 * 10: one fast run does not make the estimate optimistic
    db.recordEarning({ batchId: 1n, feesPaid: 95n, protocolFee: 5n, late: false, txHash: HASH, block: 1n });
    db.recordEarning({ batchId: 1n, feesPaid: 95n, protocolFee: 5n, late: false, txHash: HASH, block: 2n });
    db.recordEarning({ batchId: 2n, feesPaid: 10n, protocolFee: 1n, late: true, txHash: HASH, block: 3n });
    expect(db.totals()).to.deep.include({ feesEarned: 105n, batchesFulfilled: 2 });
  });

  it('survives kill -9 mid-write: every lock intent is whole, and writing resumes', async function () {
    this.timeout(60_000);
    const path = tmpDb();
    const fixture = join(import.meta.dirname, 'fixtures', 'dbWriter.ts');
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, NEX_KEEPER_TEST_FIXTURE: '1' },
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await new Promise((r) => setTimeout(r, 150 + round * 100));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const db = new KeeperDb(path);
    const cursor = Number(db.getCursor('writer'));
    expect(cursor).to.be.greaterThan(10);
    const locking = db.batchesIn(['locking']);
    // Every batch in 'locking' has exactly one tx with one attempt; at most the last noted batch
    // (noted but not yet transitioned when killed) is still 'seen'.
    expect(locking.length).to.equal(cursor);
    for (const b of locking) {
      const txs = db.txsFor(b.batchId, 'lock');
      expect(txs, `batch ${b.batchId}`).to.have.length(1);
      expect(db.attemptsOf(txs[0]!.id)).to.have.length(1);
    }
    const seen = db.batchesIn(['seen']);
    expect(seen.length).to.be.at.most(3);
    for (const b of seen) expect(db.txsFor(b.batchId)).to.have.length(0);
    const nonces = db.pendingTxs().map((t) => t.nonce);
    expect(nonces).to.deep.equal([...Array(cursor).keys()]);
    db.close();
  });
});
