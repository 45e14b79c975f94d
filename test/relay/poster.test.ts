// The posting loop against the FakeMarket double and a real SQLite store: batching, nonce order, the
// market's skipped groups, requests posted elsewhere or superseded, crash recovery (intent persisted before
// broadcast), dropped, stuck and reverted posts, poisoned requests, expiry and pruning.
import { expect } from 'chai';
import { join } from 'node:path';
import { keccak256, parseEther, toHex, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { silentLogger } from '../../prover/relay/log.js';
import { RelayMetrics } from '../../prover/relay/metrics.js';
import { Poster, type PosterOptions } from '../../prover/relay/post/poster.js';
import { programIdOf } from '../../prover/protocol/index.js';
import { openStore } from '../../prover/relay/store/open.js';
import type { SqlRelayStore } from '../../prover/relay/store/sqlStore.js';
import { requestIdOf, type RequestId } from '../../prover/relay/store/types.js';
import { Clock, FakeMarket, SKIP } from './helpers/fakeMarket.js';
import { KEYS, relayAccount, tempDir } from './helpers/relay.js';
import { signSubmission, type Statement } from './helpers/requests.js';

const alice = privateKeyToAccount(KEYS.alice);
const bob = privateKeyToAccount(KEYS.bob);
const FEE = 10n ** 15n;
const PROGRAM = programIdOf('0x00000000000000000000000000000000000000e1', `0x${'07'.repeat(32)}`);

const OPTIONS: PosterOptions = {
  capacity: 4,
  postTimeoutSeconds: 60,
  postMarginSeconds: 30,
  pollIntervalMs: 10,
  confirmations: 0,
  maxLogRange: 1000,
  proofRetentionSeconds: 3600,
  maxPostAttempts: 2,
  stuckAfterSeconds: 90,
};

/** Statements with distinct public inputs; the poster never looks at proofs. */
function statements(label: string, count: number): Statement[] {
  return Array.from({ length: count }, (_, i) => ({
    publicInputs: [`0x${(BigInt(keccak256(toHex(`${label}-${i}`))) >> 8n).toString(16).padStart(64, '0')}` as Hex],
    proof: new Uint8Array(14_656).fill(i),
  }));
}

describe('relay posting loop', function () {
  this.timeout(60_000);
  let clock: Clock;
  let chain: FakeMarket;
  let store: SqlRelayStore;
  let dbPath: string;
  let metrics: RelayMetrics;

  const poster = (o: Partial<PosterOptions> = {}) =>
    new Poster({ chain, store, metrics, log: silentLogger(), now: clock.now }, { ...OPTIONS, ...o });

  /** Signs a request and stores it as the acceptance pipeline would. */
  async function accept(
    account: PrivateKeyAccount,
    label: string,
    count: number,
    o: { nonce?: bigint; deadline?: number } = {},
  ): Promise<{ id: RequestId; hash: Hex; digests: Hex[] }> {
    const st = statements(label, count);
    const s = await signSubmission({
      account,
      domain: chain.domain,
      programId: PROGRAM,
      statements: st,
      feePerProof: FEE,
      nonce: o.nonce ?? 0n,
      deadline: o.deadline ?? clock.t + 600,
    });
    const out = await store.accept(
      {
        requestHash: s.hash,
        payer: account.address,
        request: s.request,
        signature: s.body.signature as Hex,
        acceptedAt: clock.t,
        postBy: clock.t + 90,
        receiptSignature: '0x00',
        statements: st.map((x, i) => ({ digest: s.digests[i]!, publicInputs: x.publicInputs, proof: x.proof })),
      },
      parseEther('1'),
    );
    expect(out.kind).to.equal('stored');
    return { id: requestIdOf(s.hash, account.address), hash: s.hash, digests: s.digests };
  }

  const statusOf = async (id: RequestId) => (await store.getRequest(id))!;

  beforeEach(async () => {
    clock = new Clock();
    chain = new FakeMarket({ sender: relayAccount.address, clock });
    chain.register({
      programId: PROGRAM,
      owner: '0x00000000000000000000000000000000000000e1',
      vkHash: `0x${'07'.repeat(32)}`,
      vk: new Uint8Array(3680),
      publicInputCount: 1,
    });
    chain.deposit(alice.address, parseEther('1'));
    chain.deposit(bob.address, parseEther('1'));
    dbPath = join(tempDir('poster'), 'relay.sqlite');
    store = openStore(dbPath, { now: clock.now });
    await store.init({ chainId: chain.chainId, market: chain.market, relay: relayAccount.address });
    metrics = new RelayMetrics({ processMetrics: false });
  });

  afterEach(async () => {
    await store.close();
  });

  it("posts a full batch at once and records each request's batch and slots from the events", async () => {
    const a = await accept(alice, 'a', 2);
    clock.advance(1);
    const b = await accept(bob, 'b', 2);
    const p = poster();
    await p.tick();
    expect(chain.batches).to.have.length(1);
    expect(chain.batches[0]!.digests).to.deep.equal([...a.digests, ...b.digests]);
    expect((await statusOf(a.id)).status).to.equal('posting');
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'posted', batchId: 1n, firstSlot: 0 });
    expect(await statusOf(b.id)).to.deep.include({ status: 'posted', batchId: 1n, firstSlot: 2 });
    expect(chain.accounts.get(alice.address.toLowerCase())).to.deep.include({ nonce: 1n, balance: parseEther('1') - 2n * FEE });
    expect(await store.openPosts()).to.deep.equal([]);
    const text = await metrics.registry.metrics();
    expect(text).to.match(/nex_relay_posts_total\{outcome="sent"\} 1/);
    expect(text).to.match(/nex_relay_posts_total\{outcome="mined"\} 1/);
    expect(text).to.match(/nex_relay_requests_settled_total\{status="posted"\} 2/);
    expect(p.lastTickAt).to.equal(clock.t);
  });

  it('waits postTimeout for a batch that is not full, then posts what it has', async () => {
    const a = await accept(alice, 'a', 1);
    const p = poster();
    await p.tick();
    clock.advance(59);
    await p.tick();
    expect(chain.batches).to.have.length(0);
    clock.advance(1);
    await p.tick();
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'posted', batchId: 1n, firstSlot: 0 });
  });

  it("posts a payer's requests in nonce order, and what does not fit in the next batch", async () => {
    const n1 = await accept(alice, 'n1', 2, { nonce: 1n });
    const n0 = await accept(alice, 'n0', 2, { nonce: 0n });
    const n2 = await accept(alice, 'n2', 1, { nonce: 2n });
    const p = poster();
    await p.tick();
    await p.tick();
    expect(chain.batches[0]!.digests).to.deep.equal([...n0.digests, ...n1.digests]);
    expect(await statusOf(n0.id)).to.deep.include({ status: 'posted', firstSlot: 0 });
    expect(await statusOf(n1.id)).to.deep.include({ status: 'posted', firstSlot: 2 });
    expect((await statusOf(n2.id)).status).to.equal('accepted');
    clock.advance(60);
    await p.tick();
    await p.tick();
    expect(await statusOf(n2.id)).to.deep.include({ status: 'posted', batchId: 2n, firstSlot: 0 });
    expect(chain.accounts.get(alice.address.toLowerCase())!.nonce).to.equal(3n);
  });

  it("records the market's skipped groups (deposit withdrawn) and posts the others", async () => {
    const a = await accept(alice, 'a', 2);
    clock.advance(1);
    const b = await accept(bob, 'b', 2);
    chain.requestWithdrawal(bob.address, parseEther('1'));
    const p = poster();
    await p.tick();
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'posted', firstSlot: 0 });
    expect(await statusOf(b.id)).to.deep.include({ status: 'skipped', reason: `market:${SKIP.balance}` });
    expect(chain.batches[0]!.digests).to.deep.equal(a.digests);
    // A skipped request's proofs stay until its deadline.
    expect((await store.proofOf(b.digests[0]!))?.status).to.equal('skipped');
  });

  it('learns of a request posted by someone else and does not post it again', async () => {
    const a = await accept(alice, 'a', 1);
    const s = (await store.getRequest(a.id))!;
    await chain.postAsOther({ groups: [{ request: s.request, signature: s.signature }], digests: a.digests });
    const p = poster();
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'posted', batchId: 1n, firstSlot: 0 });
    clock.advance(60);
    await p.tick();
    expect(chain.batches).to.have.length(1);
    expect(chain.batches[0]!.poster).to.not.equal(relayAccount.address);
    expect(chain.calls.signPost).to.equal(0);
  });

  it('voids requests whose nonce the chain consumed before posting', async () => {
    const low = await accept(alice, 'low', 1, { nonce: 0n });
    const high = await accept(alice, 'high', 1, { nonce: 1n });
    chain.accounts.get(alice.address.toLowerCase())!.nonce = 1n;
    clock.advance(60);
    const p = poster();
    await p.tick();
    await p.tick();
    expect(await statusOf(low.id)).to.deep.include({ status: 'void', reason: 'nonce-consumed' });
    expect(await statusOf(high.id)).to.deep.include({ status: 'posted', firstSlot: 0 });
  });

  it('persists the signed post before broadcasting and rebroadcasts it after a restart', async () => {
    const a = await accept(alice, 'a', 4);
    chain.broadcastMode = 'lose';
    await poster().tick();
    const [open] = await store.openPosts();
    expect(open!.requestIds).to.deep.equal([a.id]);
    expect(open!.attempts).to.have.length(1);
    expect(chain.txs.get(open!.attempts[0]!.hash)).to.not.equal(undefined);
    expect(chain.batches).to.have.length(0);
    // "Restart": a new store connection and a new loop.
    await store.close();
    store = openStore(dbPath, { now: clock.now });
    await store.init({ chainId: chain.chainId, market: chain.market, relay: relayAccount.address });
    chain.broadcastMode = 'ok';
    const p = poster();
    await p.tick();
    expect(chain.batches).to.have.length(1);
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'posted', batchId: 1n });
    expect(chain.minedSenderNonce).to.equal(1);
  });

  it('puts the requests of a post whose nonce another transaction used back in the queue and posts them again', async () => {
    const a = await accept(alice, 'a', 4);
    chain.autoMine = false;
    const p = poster();
    await p.tick();
    chain.consumeSenderNonce();
    chain.autoMine = true;
    // The same pass settles the dropped post and, the batch being full, posts it again at the next nonce.
    await p.tick();
    expect(await metrics.registry.getSingleMetricAsString('nex_relay_posts_total')).to.match(/outcome="dropped"\} 1/);
    expect((await statusOf(a.id)).status).to.equal('posting');
    expect((await store.openPosts())[0]!.txNonce).to.equal(1);
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'posted', batchId: 1n });
  });

  it('replaces a stuck post with bumped fees at the same nonce', async () => {
    const a = await accept(alice, 'a', 4);
    chain.autoMine = false;
    const p = poster();
    await p.tick();
    clock.advance(89);
    await p.tick();
    expect((await store.openPosts())[0]!.attempts).to.have.length(1);
    clock.advance(1);
    await p.tick();
    const [open] = await store.openPosts();
    expect(open!.attempts).to.have.length(2);
    expect(open!.attempts[1]!.maxFeePerGas > open!.attempts[0]!.maxFeePerGas).to.equal(true);
    expect(chain.mempool.get(0)!.hash).to.equal(open!.attempts[1]!.hash);
    await chain.mine();
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'posted', postTx: open!.attempts[1]!.hash });
  });

  it('retries a reverted post and gives its requests up after maxPostAttempts', async () => {
    const a = await accept(alice, 'a', 4);
    chain.revertMined = true;
    const p = poster();
    await p.tick();
    // Settled as reverted and posted again in the same pass.
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'posting', postAttempts: 1 });
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'skipped', postAttempts: 2, reason: 'post-reverted' });
    expect(await metrics.registry.getSingleMetricAsString('nex_relay_posts_total')).to.match(/outcome="reverted"\} 2/);
  });

  it('gives up the one request that makes postBatch revert and posts the others', async () => {
    const good = await accept(alice, 'good', 2);
    const bad = await accept(bob, 'bad', 2);
    chain.poison.add(bad.hash);
    const p = poster();
    await p.tick();
    expect(await statusOf(bad.id)).to.deep.include({ status: 'skipped', reason: 'post-reverted' });
    clock.advance(60);
    await p.tick();
    await p.tick();
    expect(await statusOf(good.id)).to.deep.include({ status: 'posted' });
  });

  it('leaves the queue intact when the node refuses a post, and retries later', async () => {
    const a = await accept(alice, 'a', 4);
    chain.broadcastMode = 'reject';
    const p = poster();
    await p.tick();
    expect((await statusOf(a.id)).status).to.equal('accepted');
    expect(await store.openPosts()).to.deep.equal([]);
    chain.broadcastMode = 'ok';
    clock.advance(1);
    await p.tick();
    expect((await statusOf(a.id)).status).to.equal('accepted');
    clock.advance(4);
    await p.tick();
    await p.tick();
    expect((await statusOf(a.id)).status).to.equal('posted');
  });

  it('expires requests it could not post before their deadline and prunes their proofs then', async () => {
    const a = await accept(alice, 'a', 1, { deadline: clock.t + 130 });
    chain.failReads = true;
    const p = poster();
    clock.advance(61);
    let failed = false;
    await p.tick().catch(() => (failed = true));
    expect(failed).to.equal(true);
    chain.failReads = false;
    clock.advance(70);
    await p.tick();
    expect(await statusOf(a.id)).to.deep.include({ status: 'expired', reason: 'deadline' });
    expect(await store.proofOf(a.digests[0]!)).to.equal(undefined);
    expect(chain.batches).to.have.length(0);
  });

  it('runs until aborted and survives failing passes', async () => {
    const a = await accept(alice, 'a', 4);
    chain.failReads = true;
    const p = poster();
    const stop = new AbortController();
    const running = p.run(stop.signal);
    await new Promise((r) => setTimeout(r, 50));
    chain.failReads = false;
    for (let i = 0; i < 100 && (await statusOf(a.id)).status !== 'posted'; i++) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await running;
    expect((await statusOf(a.id)).status).to.equal('posted');
    expect(await metrics.registry.getSingleMetricAsString('nex_relay_errors_total')).to.match(/component="post"\} [1-9]/);
  });
});
