import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';

const HASH = `0x${'ab'.repeat(32)}` as const;

function tmpDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'nex-keeper-db-')), 'keeper.sqlite');
}

describe('keeper database', () => {
  it('migrates once, in WAL mode, and binds to one identity', () => {
    const path = tmpDb();
    const db = new KeeperDb(path);
    expect(db.schemaVersion()).to.equal(1);
    db.bindIdentity({ chainId: '31337', market: '0xAa' });
    db.close();
    const again = new KeeperDb(path);
    expect(again.schemaVersion()).to.equal(1);
    expect(() => again.bindIdentity({ chainId: '1', market: '0xaa' })).to.throw(/belongs to chainId=31337/);
    again.bindIdentity({ chainId: '31337', market: '0xAA' });
    again.close();
    const raw = new DatabaseSync(path);
    expect((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).to.equal('wal');
    expect(raw.prepare('SELECT COUNT(*) AS n FROM migrations').get()).to.deep.include({ n: 1 });
    raw.close();
  });

  it('guards phase transitions and counts capacity', () => {
    const db = new KeeperDb(':memory:');
    db.noteBatch(7n);
    db.noteBatch(7n);
    expect(db.getBatch(7n)?.phase).to.equal('seen');
    expect(db.transition(7n, ['locking'], 'proving')).to.equal(false);
    expect(db.transition(7n, ['seen'], 'locking', { role: 'primary', count: 2 })).to.equal(true);
    expect(db.transition(7n, ['seen'], 'locking')).to.equal(false);
    expect(db.activeCount()).to.equal(1);
    expect(db.transition(7n, ['locking'], 'done', { outcome: 'lost' })).to.equal(true);
    expect(db.activeCount()).to.equal(0);
    expect(db.getBatch(7n)).to.deep.include({ phase: 'done', outcome: 'lost', role: 'primary', count: 2 });
    expect(() => db.transition(7n, ['done'], 'seen', { bogus: 1 } as never)).to.throw(/unknown batch column/);
  });

  it('keeps one pending tx per nonce and settles only pending txs', () => {
    const db = new KeeperDb(':memory:');
    const base = { purpose: 'lock', batchId: 1n, to: '0x0000000000000000000000000000000000000001' as const, data: '0x' as const, value: 0n, gas: 1n };
    const id = db.insertTx({ ...base, nonce: 0 }, { hash: HASH, raw: '0x01', maxFee: 2n, maxPriorityFee: 1n });
    expect(() => db.insertTx({ ...base, nonce: 0 }, { hash: `0x${'cd'.repeat(32)}`, raw: '0x01', maxFee: 2n, maxPriorityFee: 1n })).to.throw();
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
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NEX_KEEPER_TEST_FIXTURE: '1' } });
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
