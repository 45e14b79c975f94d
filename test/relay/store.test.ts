// The relay store's semantics, run against both implementations: SQLite (a real file) and PostgreSQL (a
// real server started by test/helpers/postgres.ts). Same migrations, same answers.
import { expect } from 'chai';
import { join } from 'node:path';
import { keccak256, toHex, type Address, type Hex } from 'viem';
import { openStore } from '../../prover/relay/store/open.js';
import type { SqlRelayStore } from '../../prover/relay/store/sqlStore.js';
import { requestIdOf, StoreIdentityError, type NewRequest, type PostAttempt, type RequestId } from '../../prover/relay/store/types.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { tempDir } from './helpers/relay.js';

const ALICE: Address = '0x00000000000000000000000000000000000a11ce';
const BOB: Address = '0x0000000000000000000000000000000000000b0b';
const IDENTITY = {
  chainId: 31337,
  market: '0x00000000000000000000000000000000000000aa' as Address,
  relay: '0x00000000000000000000000000000000000000bb' as Address,
};
const FEE = 1000n;

const word = (label: string): Hex => keccak256(toHex(label));

/** A request with `count` statements and distinct contents per label. */
function newRequest(
  label: string,
  o: { payer?: Address; nonce?: bigint; count?: number; fee?: bigint; deadline?: number; acceptedAt?: number; hash?: Hex } = {},
): NewRequest {
  const count = o.count ?? 2;
  return {
    requestHash: o.hash ?? word(`request-${label}`),
    payer: o.payer ?? ALICE,
    request: {
      programId: word('program'),
      statementsHash: word(`statements-${label}`),
      count,
      feePerProof: o.fee ?? FEE,
      nonce: o.nonce ?? 0n,
      deadline: o.deadline ?? 2_000_000_000,
    },
    signature: `0x${'11'.repeat(65)}`,
    acceptedAt: o.acceptedAt ?? 1_800_000_000,
    postBy: 1_800_000_090,
    receiptSignature: `0x${'22'.repeat(65)}`,
    statements: Array.from({ length: count }, (_, i) => ({
      digest: word(`digest-${label}-${i}`),
      publicInputs: [`0x${(i + 1).toString(16).padStart(64, '0')}` as Hex],
      proof: Uint8Array.from({ length: 14_656 }, (_, j) => (j * 31 + i + label.length) % 256),
    })),
  };
}

const attempt = (n: number, sentAt = 1_800_000_000): PostAttempt => ({
  hash: word(`tx-${n}`),
  raw: `0x${n.toString(16).padStart(4, '0')}`,
  maxFeePerGas: 2n,
  maxPriorityFeePerGas: 1n,
  sentAt,
});
const idOf = (r: NewRequest): RequestId => requestIdOf(r.requestHash, r.payer);

interface Harness {
  open(): Promise<SqlRelayStore>;
  /** Another connection to the same database. */
  reopen(): SqlRelayStore;
  /**
   * Whether two connections of one process may write concurrently. PostgreSQL: yes (several relays may
   * share a database). SQLite: no; node:sqlite blocks the event loop while it waits for the file lock, so
   * a second writer in the same process would wait for a transaction that cannot finish. An embedded
   * store has one relay process and one connection.
   */
  readonly concurrentConnections: boolean;
}

function storeSuite(kind: 'sqlite' | 'postgres', harness: () => Promise<Harness>): void {
  describe(`relay store on ${kind}`, function () {
    this.timeout(60_000);
    let h: Harness;
    let store: SqlRelayStore;

    beforeEach(async () => {
      h = await harness();
      store = await h.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('migrates once, records its identity and refuses another chain, market or relay key', async () => {
      expect(store.kind).to.equal(kind);
      expect(await store.schemaVersion()).to.equal(1);
      const again = h.reopen();
      await again.init(IDENTITY);
      expect(await again.schemaVersion()).to.equal(1);
      for (const other of [
        { ...IDENTITY, chainId: 1 },
        { ...IDENTITY, market: BOB },
        { ...IDENTITY, relay: BOB },
      ]) {
        let err: unknown;
        await again.init(other).catch((e: unknown) => (err = e));
        expect(err).to.be.instanceOf(StoreIdentityError);
      }
      await again.close();
    });

    it('stores a request with its statements once, byte for byte, and survives reopening', async () => {
      const r = newRequest('a');
      const out = await store.accept(r, 10n ** 18n);
      expect(out.kind).to.equal('stored');
      const dup = await store.accept({ ...r, acceptedAt: r.acceptedAt + 5, receiptSignature: `0x${'33'.repeat(65)}` }, 10n ** 18n);
      expect(dup.kind).to.equal('duplicate');
      if (dup.kind !== 'duplicate') throw new Error('unreachable');
      expect(dup.request.acceptedAt).to.equal(r.acceptedAt);
      expect(dup.request.receiptSignature).to.equal(r.receiptSignature);
      await store.close();
      store = h.reopen();
      await store.init(IDENTITY);
      const got = await store.getRequest(idOf(r));
      expect(got).to.deep.include({
        requestHash: r.requestHash,
        payer: ALICE,
        status: 'accepted',
        signature: r.signature,
        acceptedAt: r.acceptedAt,
        postBy: r.postBy,
        postAttempts: 0,
      });
      expect(got!.request).to.deep.equal(r.request);
      const st = await store.statementsOf(idOf(r));
      expect(st.map((s) => s.digest)).to.deep.equal(r.statements.map((s) => s.digest));
      expect(st[1]!.publicInputs).to.deep.equal(r.statements[1]!.publicInputs);
      expect(Buffer.from(st[1]!.proof!).equals(Buffer.from(r.statements[1]!.proof))).to.equal(true);
      expect((await store.digestsOf([idOf(r)])).get(idOf(r))).to.deep.equal(r.statements.map((s) => s.digest));
      expect((await store.findRequests(r.requestHash)).map((x) => x.id)).to.deep.equal([idOf(r)]);
    });

    it('keeps two payers of one request hash apart', async () => {
      const a = newRequest('same', { payer: ALICE });
      const b = newRequest('same', { payer: BOB });
      expect((await store.accept(a, 10n ** 18n)).kind).to.equal('stored');
      expect((await store.accept(b, 10n ** 18n)).kind).to.equal('stored');
      expect((await store.findRequests(a.requestHash)).map((x) => x.payer)).to.have.members([ALICE, BOB]);
    });

    it('refuses a second live request with a held nonce, and a nonce at or below a posted one', async () => {
      await store.accept(newRequest('a', { nonce: 3n }), 10n ** 18n);
      const conflict = await store.accept(newRequest('b', { nonce: 3n }), 10n ** 18n);
      expect(conflict).to.deep.equal({ kind: 'nonce-conflict', existing: word('request-a') });
      expect((await store.accept(newRequest('b', { nonce: 3n, payer: BOB }), 10n ** 18n)).kind).to.equal('stored');
      await store.applyPosted({ payer: ALICE, nonce: 3n, requestHash: word('request-a'), batchId: 7n, firstSlot: 0, txHash: word('tx') });
      expect(await store.accept(newRequest('c', { nonce: 3n }), 10n ** 18n)).to.deep.equal({ kind: 'nonce-used', usedUpTo: 3n });
      expect(await store.accept(newRequest('d', { nonce: 2n }), 10n ** 18n)).to.deep.equal({ kind: 'nonce-used', usedUpTo: 3n });
      expect((await store.accept(newRequest('e', { nonce: 4n }), 10n ** 18n)).kind).to.equal('stored');
    });

    it('reserves the deposit for accepted and posting requests, not posted ones', async () => {
      const free = 5n * FEE;
      expect((await store.accept(newRequest('a', { nonce: 0n }), free)).kind).to.equal('stored');
      expect((await store.accept(newRequest('b', { nonce: 1n }), free)).kind).to.equal('stored');
      expect(await store.reservedOf(ALICE)).to.equal(4n * FEE);
      expect(await store.accept(newRequest('c', { nonce: 2n }), free)).to.deep.equal({
        kind: 'insufficient-deposit',
        reserved: 4n * FEE,
        free,
        cost: 2n * FEE,
      });
      await store.beginPost({ txNonce: 0, requestIds: [idOf(newRequest('a', { nonce: 0n }))], attempt: attempt(1) });
      expect(await store.reservedOf(ALICE)).to.equal(4n * FEE);
      await store.applyPosted({ payer: ALICE, nonce: 0n, requestHash: word('request-a'), batchId: 1n, firstSlot: 0, txHash: word('tx') });
      expect(await store.reservedOf(ALICE)).to.equal(2n * FEE);
      expect(await store.reservedOf(BOB)).to.equal(0n);
    });

    it('serialises concurrent accepts of one payer: never reserves more than the deposit, stores a racing duplicate once', async () => {
      const free = 6n * FEE;
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.accept(newRequest(`r${i}`, { nonce: BigInt(i) }), free)));
      expect(results.filter((r) => r.kind === 'stored')).to.have.length(3);
      expect(results.filter((r) => r.kind === 'insufficient-deposit')).to.have.length(5);
      expect(await store.reservedOf(ALICE)).to.equal(6n * FEE);
      const other = h.concurrentConnections ? h.reopen() : store;
      if (other !== store) await other.init(IDENTITY);
      try {
        const r = newRequest('race', { payer: BOB });
        const both = await Promise.all([store.accept(r, free), other.accept(r, free), store.accept(r, free), other.accept(r, free)]);
        expect(both.map((x) => x.kind).sort()).to.deep.equal(['duplicate', 'duplicate', 'duplicate', 'stored']);
        expect((await store.findRequests(r.requestHash)).length).to.equal(1);
        expect((await store.statementsOf(idOf(r))).length).to.equal(2);
      } finally {
        if (other !== store) await other.close();
      }
    });

    it('queues accepted requests oldest first, voids consumed nonces and expires past deadlines', async () => {
      await store.accept(newRequest('late', { nonce: 5n, acceptedAt: 1_800_000_010 }), 10n ** 18n);
      await store.accept(newRequest('early', { nonce: 1n, acceptedAt: 1_800_000_001 }), 10n ** 18n);
      await store.accept(newRequest('bob', { payer: BOB, acceptedAt: 1_800_000_005, deadline: 1_800_000_100 }), 10n ** 18n);
      expect((await store.queue()).map((r) => r.requestHash)).to.deep.equal([
        word('request-early'),
        word('request-bob'),
        word('request-late'),
      ]);
      expect(await store.voidBelow(ALICE, 2n)).to.equal(1);
      expect((await store.getRequest(idOf(newRequest('early'))))!.status).to.equal('void');
      expect(await store.expire(1_800_000_100)).to.equal(0);
      expect(await store.expire(1_800_000_101)).to.equal(1);
      expect((await store.getRequest(idOf(newRequest('bob', { payer: BOB }))))!.status).to.equal('expired');
      expect((await store.queue()).map((r) => r.requestHash)).to.deep.equal([word('request-late')]);
      expect(await store.giveUp([idOf(newRequest('late'))], 'post-reverted')).to.equal(1);
      expect((await store.getRequest(idOf(newRequest('late'))))!.reason).to.equal('post-reverted');
      const stats = await store.stats();
      expect(stats.requests).to.deep.equal({ accepted: 0, posting: 0, posted: 0, skipped: 1, expired: 1, void: 1 });
    });

    it('records a post with its signed bytes atomically, refusing requests that are no longer accepted', async () => {
      const a = newRequest('a', { nonce: 0n });
      const b = newRequest('b', { nonce: 1n });
      await store.accept(a, 10n ** 18n);
      await store.accept(b, 10n ** 18n);
      await store.voidBelow(ALICE, 1n);
      let err: unknown;
      await store.beginPost({ txNonce: 0, requestIds: [idOf(a), idOf(b)], attempt: attempt(1) }).catch((e: unknown) => (err = e));
      expect(String(err)).to.match(/no longer accepted/);
      expect(await store.openPosts()).to.deep.equal([]);
      expect((await store.getRequest(idOf(b)))!.status).to.equal('accepted');
      const id = await store.beginPost({ txNonce: 4, requestIds: [idOf(b)], attempt: attempt(1) });
      await store.addAttempt(id, { ...attempt(2), maxFeePerGas: 3n, sentAt: 1_800_000_050 });
      const [post] = await store.openPosts();
      expect(post).to.deep.include({ id, txNonce: 4, requestIds: [idOf(b)], status: 'sent', minedHash: null, batchId: null });
      expect(post!.attempts.map((x) => x.raw)).to.deep.equal(['0x0001', '0x0002']);
      expect(post!.attempts[1]!.maxFeePerGas).to.equal(3n);
      expect((await store.getRequest(idOf(b)))!.status).to.equal('posting');
      expect((await store.stats()).openPosts).to.equal(1);
    });

    it('settles a mined post: posted and skipped as reported, the rest back in the queue; once', async () => {
      const [a, b, c] = [newRequest('a', { nonce: 0n }), newRequest('b', { payer: BOB }), newRequest('c', { nonce: 1n })];
      for (const r of [a, b, c]) await store.accept(r, 10n ** 18n);
      const id = await store.beginPost({ txNonce: 0, requestIds: [idOf(a), idOf(b), idOf(c)], attempt: attempt(1) });
      const settlement = {
        status: 'mined' as const,
        minedHash: word('tx-1'),
        block: 12n,
        batchId: 9n,
        posted: [{ id: idOf(a), batchId: 9n, firstSlot: 0 }],
        skipped: [{ id: idOf(b), reason: 'market:InsufficientBalance' }],
      };
      await store.settlePost(id, settlement, 3);
      await store.settlePost(id, { status: 'dropped' }, 3);
      expect(await store.getRequest(idOf(a))).to.deep.include({ status: 'posted', batchId: 9n, firstSlot: 0, postTx: word('tx-1') });
      expect(await store.getRequest(idOf(b))).to.deep.include({ status: 'skipped', reason: 'market:InsufficientBalance' });
      expect((await store.getRequest(idOf(c)))!.status).to.equal('accepted');
      expect(await store.openPosts()).to.deep.equal([]);
      const proof = await store.proofOf(a.statements[1]!.digest);
      expect(proof).to.deep.include({ status: 'posted', batchId: 9n, slot: 1, programId: word('program'), requestHash: a.requestHash });
    });

    it('puts a reverted post back, and gives a request up after maxAttempts reverts; a dropped post costs no attempt', async () => {
      const a = newRequest('a');
      await store.accept(a, 10n ** 18n);
      for (let i = 0; i < 2; i++) {
        const id = await store.beginPost({ txNonce: i, requestIds: [idOf(a)], attempt: attempt(10 + i) });
        await store.settlePost(id, { status: 'dropped' }, 2);
      }
      expect(await store.getRequest(idOf(a))).to.deep.include({ status: 'accepted', postAttempts: 0 });
      let id = await store.beginPost({ txNonce: 2, requestIds: [idOf(a)], attempt: attempt(20) });
      await store.settlePost(id, { status: 'reverted', minedHash: word('tx-20') }, 2);
      expect(await store.getRequest(idOf(a))).to.deep.include({ status: 'accepted', postAttempts: 1 });
      id = await store.beginPost({ txNonce: 3, requestIds: [idOf(a)], attempt: attempt(21) });
      await store.settlePost(id, { status: 'reverted', minedHash: word('tx-21') }, 2);
      expect(await store.getRequest(idOf(a))).to.deep.include({ status: 'skipped', postAttempts: 2, reason: 'post-reverted' });
    });

    it('applies posts seen on chain: the matching request is posted, same-nonce and lower-nonce ones are void', async () => {
      const [n1, n2, n2b, n3] = [
        newRequest('n1', { nonce: 1n }),
        newRequest('n2', { nonce: 2n }),
        newRequest('n2b', { nonce: 2n, payer: BOB }),
        newRequest('n3', { nonce: 3n }),
      ];
      for (const r of [n1, n2, n2b, n3]) await store.accept(r, 10n ** 18n);
      await store.expire(0);
      const other = { payer: ALICE, nonce: 2n, requestHash: word('someone-else'), batchId: 4n, firstSlot: 3, txHash: word('tx-x') };
      expect((await store.applyPosted(other)).sort()).to.deep.equal([idOf(n1), idOf(n2)].sort());
      expect((await store.getRequest(idOf(n2)))!.status).to.equal('void');
      expect((await store.getRequest(idOf(n1)))!.status).to.equal('void');
      expect((await store.getRequest(idOf(n3)))!.status).to.equal('accepted');
      expect((await store.getRequest(idOf(n2b)))!.status).to.equal('accepted');
      // A request this relay gave up on (expired here) but someone posted in time is posted.
      await store.expire(3_000_000_000);
      expect(await store.applyPosted({ ...other, nonce: 3n, requestHash: n3.requestHash })).to.deep.equal([idOf(n3)]);
      expect(await store.getRequest(idOf(n3))).to.deep.include({ status: 'posted', batchId: 4n, firstSlot: 3, reason: null });
      expect(await store.applyPosted({ ...other, nonce: 3n, requestHash: n3.requestHash })).to.deep.equal([]);
    });

    it('prunes proofs of posted requests after the retention and of dead ones after their deadline', async () => {
      const posted = newRequest('posted', { nonce: 0n });
      const dead = newRequest('dead', { payer: BOB, deadline: 1_900_000_000 });
      const live = newRequest('live', { nonce: 1n });
      for (const r of [posted, dead, live]) await store.accept(r, 10n ** 18n);
      await store.applyPosted({ payer: ALICE, nonce: 0n, requestHash: posted.requestHash, batchId: 1n, firstSlot: 0, txHash: word('tx') });
      await store.giveUp([idOf(dead)], 'post-reverted');
      const postedAt = (await store.getRequest(idOf(posted)))!.updatedAt;
      expect(await store.prune({ postedBefore: postedAt, deadlineBefore: 1_900_000_000 })).to.equal(0);
      expect(await store.prune({ postedBefore: postedAt + 1, deadlineBefore: 1_900_000_001 })).to.equal(4);
      expect(await store.proofOf(posted.statements[0]!.digest)).to.equal(undefined);
      expect(await store.proofOf(dead.statements[0]!.digest)).to.equal(undefined);
      expect((await store.proofOf(live.statements[0]!.digest))!.proof).to.have.length(14_656);
      expect((await store.statementsOf(idOf(posted)))[0]!.proof).to.equal(null);
    });

    it('keeps cursors', async () => {
      expect(await store.getCursor('x')).to.equal(undefined);
      await store.setCursor('x', 5n);
      await store.setCursor('x', 2n ** 63n);
      expect(await store.getCursor('x')).to.equal(2n ** 63n);
    });
  });
}

storeSuite('sqlite', async () => {
  const path = join(tempDir('store'), 'relay.sqlite');
  return {
    open: async () => {
      const s = openStore(path);
      await s.init(IDENTITY);
      return s;
    },
    reopen: () => openStore(path),
    concurrentConnections: false,
  };
});

describe('PostgreSQL', function () {
  this.timeout(120_000);
  let pg: PostgresServer | undefined;
  let n = 0;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
  });
  storeSuite('postgres', async () => {
    const url = await pg!.createDatabase(`relay_store_${++n}`);
    return {
      open: async () => {
        const s = openStore(url);
        await s.init(IDENTITY);
        return s;
      },
      reopen: () => openStore(url),
      concurrentConnections: true,
    };
  });
});
