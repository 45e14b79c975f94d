// The keeper daemon on the version-2 market (Hardhat network, MockVerifier): it reads batches of the
// calldata and off-chain channels, waits for the lazy draw, locks, "proves" with a stand-in prover that
// builds what the MockVerifier accepts (the root of the batch's digests with the excluded slots zeroed),
// fulfils with the settlement it rebuilt, closes a locked batch in which nothing is provable, retries an
// engine failure without excluding anything, and refuses to start with circuits the router does not pin.
// The real engine's verdicts and proofs are covered by the [proofs] suites.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { network } from 'hardhat';
import { custom, type Hex } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { batchRoot, statementDigest } from '../../prover/protocol/index.js';
import { ConfigError } from '../../prover/keeper/config/config.js';
import { loadConfig } from '../../prover/keeper/config/load.js';
import { Secret } from '../../prover/keeper/config/secret.js';
import { Keeper } from '../../prover/keeper/daemon/keeper.js';
import { statusReport } from '../../prover/keeper/daemon/status.js';
import { KeeperEvents, type KeeperEvent } from '../../prover/keeper/obs/events.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import type { BatchProver, ProveRequest, ProveResult } from '../../prover/keeper/work/batchProver.js';
import type { SlotFetch } from '../../prover/keeper/work/inputs.js';
import {
  BatchState,
  Book,
  E18,
  KEY_SET,
  PROVER_STAKE,
  deadlineIn,
  deployMarket,
  freshStatements,
  mockProof,
  post,
  rollupProof,
  sealByTimeout,
  signRequest,
  submitN,
  type MarketFixture,
} from '../market/fixture.js';
import { startFakeServer, type FakeServer } from './helpers/fakeRelay.js';

const { ethers, networkHelpers, provider } = await network.create();
const { time } = networkHelpers;
const chain = { time, mine: (n?: number) => networkHelpers.mine(n) };

const MNEMONIC = 'test test test test test test test test test test test junk';
/** The fixture's signer order: alice (a staked prover) is account 6. */
const ALICE_INDEX = 6;
const FEE = E18 / 100n;

type Mode = 'prove' | 'nothing-provable' | 'engine-crash';

/** A stand-in engine: the pre-check accepts every usable slot; `prove` builds the MockVerifier's proof. */
function mockProver(keySet: Hex = KEY_SET): BatchProver & { mode: Mode; requests: ProveRequest[] } {
  const self = {
    mode: 'prove' as Mode,
    requests: [] as ProveRequest[],
    async precheck(_capacity: number, slots: readonly SlotFetch[]) {
      const checks = slots.filter((s) => s.ok).map((s) => ({ slot: s.slot, valid: true, ms: 1, digest: `0x${'00'.repeat(32)}` as Hex }));
      return { invalidSlots: [], checks, totalMs: 0 };
    },
    async prove(req: ProveRequest): Promise<ProveResult> {
      self.requests.push(req);
      if (self.mode === 'engine-crash') throw new Error('bb exited with signal SIGSEGV');
      const excluded = req.slots.filter((s) => !s.ok).map((s) => s.slot);
      if (self.mode === 'nothing-provable')
        return { kind: 'nothing-provable', excludedSlots: req.slots.map((s) => s.slot), reason: 'every leaf failed' };
      const mask = excluded.reduce((m, i) => m | (1n << BigInt(i)), 0n);
      const root = batchRoot([...req.digests], req.capacity, mask);
      return {
        kind: 'proved',
        proof: mockProof(root, req.prover, keySet),
        excludedMask: mask,
        excludedSlots: excluded,
        jobs: [],
        totalMs: 1,
      };
    },
    async identity() {
      return { keySet, srs: 'dev' as const };
    },
  };
  return self;
}

describe('keeper daemon on the version-2 market (Hardhat network, MockVerifier)', function () {
  this.timeout(180_000);
  let f: MarketFixture;
  let relay: FakeServer;
  let dir: string;
  const events: KeeperEvent[] = [];
  const log = createLogger({ level: 'error', format: 'json', write: () => undefined });
  const keyOf = (addressIndex: number): Hex => {
    const hd = mnemonicToAccount(MNEMONIC, { addressIndex }).getHdKey();
    return `0x${Buffer.from(hd.privateKey!).toString('hex')}`;
  };
  const aliceKey = (): Hex => keyOf(ALICE_INDEX);

  async function makeKeeper(name: string, prover: BatchProver, extra: Record<string, string> = {}, addressIndex = ALICE_INDEX) {
    const config = loadConfig({
      cwd: dir,
      env: {
        NEX_KEEPER_MARKET_ADDRESS: f.market.target as string,
        NEX_KEEPER_DATA_DIR: join(dir, name),
        NEX_KEEPER_METRICS_PORT: '0',
        NEX_KEEPER_LEAF_SECONDS: '1',
        NEX_KEEPER_NODE_SECONDS: '1',
        NEX_KEEPER_PAD_SECONDS: '1',
        NEX_KEEPER_RELAYS: relay.url,
        NEX_KEEPER_FETCH_TIMEOUT_MS: '2000',
        ...extra,
      },
    });
    const key = addressIndex === ALICE_INDEX ? aliceKey() : keyOf(addressIndex);
    const bus = new KeeperEvents();
    bus.on('*', (e) => events.push(e));
    const keeper = await Keeper.create({
      config,
      signer: { account: privateKeyToAccount(key), key: new Secret(key) },
      log,
      transport: custom(provider),
      prover,
      events: bus,
    });
    return keeper;
  }

  /** Ticks the keeper (its batch jobs run in the background) until `done` or the attempts run out. */
  async function drive(keeper: Keeper, done: () => Promise<boolean>, signal: AbortSignal, attempts = 40): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      await keeper.tick(signal);
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the keeper did not get there');
  }

  /** After the seal: a block for the draw, then the end of the assignment window unless alice was drawn. */
  async function drawReady(batchId: bigint) {
    await chain.mine(1);
    const assigned = await f.market.assignedProver(batchId);
    if (assigned !== f.alice.address) await time.increase(Number(f.params.assignmentWindow) + 1);
  }

  const state = async (batchId: bigint) => Number((await f.market.getBatch(batchId)).state);
  const of = <K extends KeeperEvent['event']>(name: K, batchId: bigint) =>
    events.filter((e): e is Extract<KeeperEvent, { event: K }> => e.event === name && 'batchId' in e && e.batchId === batchId);

  before(async () => {
    f = await deployMarket(ethers);
    await f.market.connect(f.user1).deposit({ value: 100n * FEE });
    relay = await startFakeServer();
    dir = mkdtempSync(join(tmpdir(), 'nex-keeper-v2-daemon-'));
  });
  after(async () => {
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start when its circuits are not the key set the router pins (listen-only may still watch)', async () => {
    const wrong = mockProver(`0x${'77'.repeat(32)}`);
    const err = await makeKeeper('refused', wrong).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).message).to.match(/differs from the key set 0x0+5e7 the router pins for version 1/);
    const watcher = await makeKeeper('watcher', wrong, { NEX_KEEPER_LISTEN_ONLY: 'true' });
    expect(watcher).to.be.instanceOf(Keeper);
  });

  it('locks a calldata batch after the draw, proves and fulfils it with the chain settlement', async () => {
    const prover = mockProver();
    const keeper = await makeKeeper('calldata', prover);
    const book = new Book();
    const subs = await submitN(f, book, 3, f.user1, FEE);
    const batchId = subs[0]!.batchId;
    await sealByTimeout(f, chain, batchId);
    await drawReady(batchId);
    const ac = new AbortController();
    await drive(keeper, async () => (await state(batchId)) === Number(BatchState.Fulfilled), ac.signal);
    ac.abort();
    expect(prover.requests).to.have.length(1);
    expect(prover.requests[0]!.digests).to.deep.equal(subs.map((s) => s.digest));
    expect(prover.requests[0]!.slots.every((s) => s.ok && s.input.source === 'calldata')).to.equal(true);
    // getBatch's locker reads zero once the lock has ended: the lock event names who locked.
    const [locked] = await f.market.queryFilter(f.market.filters.MarketBatchLocked(batchId));
    expect(locked!.args.prover).to.equal(f.alice.address);
    await drive(keeper, async () => of('batch.done', batchId).length > 0, new AbortController().signal);
    expect(of('batch.done', batchId)[0]!.outcome).to.equal('fulfilled');
    // `nex keeper status`: batches per channel, the relays and whether they answer, the blob source.
    relay.answer('/healthz', { kind: 'json', body: { ok: true } });
    const report = await statusReport(keeper.ctx);
    expect(report).to.match(/Batches per channel:\n.*\n.*\n\s+calldata\s+0\s+1\s+0/);
    expect(report).to.include(`${relay.url}/ reachable`);
    expect(report).to.match(/blob source\s+none/);
    relay.answer('/healthz', { kind: 'status', status: 503 });
    expect(await statusReport(keeper.ctx)).to.include(`${relay.url}/ UNREACHABLE`);
  });

  it('fulfils a posted batch with the slot no relay serves excluded; the market refunds its fee', async () => {
    const prover = mockProver();
    const keeper = await makeKeeper('posted', prover);
    const book = new Book();
    const { inputs, digests } = freshStatements(f, 2);
    const group = await signRequest(f, f.user1, {
      programId: f.programId,
      digests,
      feePerProof: FEE,
      nonce: 0n,
      deadline: deadlineIn(await time.latest()),
    });
    const { batchId } = await post(f, book, f.relay, [{ group, digests, inputs }]);
    relay.answer(`/v1/proofs/${digests[0]}`, {
      kind: 'json',
      body: { digest: statementDigest(f.programId, inputs[0]!), programId: f.programId, publicInputs: inputs[0], proof: rollupProof(3) },
    });
    await drawReady(batchId);
    const before = (await f.market.getAccount(f.user1.address)).balance;
    const ac = new AbortController();
    await drive(keeper, async () => of('batch.done', batchId).length > 0, ac.signal);
    ac.abort();
    expect(await state(batchId)).to.equal(Number(BatchState.Fulfilled));
    expect(of('batch.done', batchId)[0]!.outcome).to.equal('fulfilled');
    const excluded = of('batch.slot.excluded', batchId);
    expect(excluded.map((e) => [e.slot, e.source])).to.deep.equal([[1, 'relay']]);
    expect(excluded[0]!.reason).to.match(/no relay serves it/);
    expect(of('batch.refunded', batchId).map((e) => e.excludedMask)).to.deep.equal([2n]);
    expect((await f.market.getAccount(f.user1.address)).balance - before).to.equal(FEE);
  });

  it('closes a locked batch at once when nothing in it is provable (not at the TTL)', async () => {
    const prover = mockProver();
    prover.mode = 'nothing-provable';
    const keeper = await makeKeeper('close', prover);
    const book = new Book();
    const subs = await submitN(f, book, 2, f.user2, FEE);
    const batchId = subs[0]!.batchId;
    await sealByTimeout(f, chain, batchId);
    await drawReady(batchId);
    const ac = new AbortController();
    await drive(keeper, async () => of('batch.done', batchId).length > 0, ac.signal);
    ac.abort();
    expect(await state(batchId)).to.equal(Number(BatchState.Closed));
    expect(of('batch.closing', batchId)).to.have.length(1);
    expect(of('batch.done', batchId)[0]!.outcome).to.equal('closed');
    expect(await f.staking.availableStake(f.alice.address)).to.equal(PROVER_STAKE); // collateral unlocked
  });

  it('an engine failure that is not a verdict keeps the batch and its slots: retried later, nothing excluded', async () => {
    const prover = mockProver();
    prover.mode = 'engine-crash';
    const keeper = await makeKeeper('crash', prover);
    const book = new Book();
    const subs = await submitN(f, book, 2, f.user1, FEE);
    const batchId = subs[0]!.batchId;
    await sealByTimeout(f, chain, batchId);
    await drawReady(batchId);
    const ac = new AbortController();
    await drive(keeper, async () => of('batch.engine.failed', batchId).length > 0, ac.signal);
    ac.abort();
    const failed = of('batch.engine.failed', batchId)[0]!;
    expect(failed.error.message).to.match(/SIGSEGV/);
    expect(failed.retryAt).to.be.greaterThan(Math.floor(Date.now() / 1000) + 20);
    expect(of('batch.slot.excluded', batchId)).to.deep.equal([]);
    const b = await f.market.getBatch(batchId);
    expect(Number(b.state)).to.equal(Number(BatchState.Locked)); // still ours: no close, no exclusion
    expect(b.locker).to.equal(f.alice.address);
  });

  it('fulfils as secondary when the locker missed its lock deadline: paid the fees and the slashed collateral share', async () => {
    const prover = mockProver();
    const keeper = await makeKeeper('secondary', prover);
    const book = new Book();
    const subs = await submitN(f, book, 2, f.user1, FEE);
    const batchId = subs[0]!.batchId;
    await sealByTimeout(f, chain, batchId);
    await chain.mine(1);
    // Bob locks (the window over, or bob drawn) and never proves.
    const assigned = await f.market.assignedProver(batchId);
    if (assigned !== f.bob.address) await time.increase(Number(f.params.assignmentWindow) + 1);
    await f.market.connect(f.bob).lock(batchId);
    const locked = await f.market.getBatch(batchId);
    await time.increaseTo(Number(locked.lockDeadline) + 1);
    await chain.mine(1);
    const earned = await f.market.earnings(f.alice.address);
    const ac = new AbortController();
    await drive(keeper, async () => of('batch.done', batchId).length > 0, ac.signal);
    ac.abort();
    expect(of('batch.secondary', batchId)).to.have.length(1);
    expect(of('batch.done', batchId)[0]).to.deep.include({ outcome: 'fulfilled' });
    expect(await state(batchId)).to.equal(Number(BatchState.Fulfilled));
    expect((await f.market.earnings(f.alice.address)) > earned).to.equal(true);
    expect(await f.staking.availableStake(f.bob.address)).to.be.lessThan(PROVER_STAKE); // bob was slashed
    expect(keeper.ctx.db.getBatch(batchId)?.role).to.equal('secondary');
  });

  it('proves a batch drawn for it without a lock and fulfils it directly when the estimate fits the assignment window', async () => {
    const book = new Book();
    const { inputs, digests } = freshStatements(f, 2);
    const group = await signRequest(f, f.user1, {
      programId: f.programId,
      digests,
      feePerProof: FEE,
      nonce: (await f.market.getAccount(f.user1.address)).nonce,
      deadline: deadlineIn(await time.latest()),
    });
    const { batchId } = await post(f, book, f.relay, [{ group, digests, inputs }]);
    for (const [i, d] of digests.entries()) {
      relay.answer(`/v1/proofs/${d}`, {
        kind: 'json',
        body: { digest: d, programId: f.programId, publicInputs: inputs[i], proof: rollupProof(10 + i) },
      });
    }
    await chain.mine(1);
    // The keeper of whichever fixture prover the draw picked (alice, bob, carol: accounts 6, 7, 8).
    const assigned = await f.market.assignedProver(batchId);
    const index = f.provers.findIndex((p) => p.address === assigned);
    expect(index).to.be.greaterThanOrEqual(0);
    const prover = mockProver();
    // Estimate ~3 s (1 s per job) + buffer 10 s: fits the 120 s window.
    const keeper = await makeKeeper('direct', prover, { NEX_KEEPER_SAFETY_BUFFER: '10' }, ALICE_INDEX + index);
    const available = await f.staking.availableStake(assigned);
    const earned = await f.market.earnings(assigned);
    const ac = new AbortController();
    await drive(keeper, async () => of('batch.done', batchId).length > 0, ac.signal);
    ac.abort();
    expect(of('batch.direct', batchId)).to.have.length(1);
    expect(of('batch.done', batchId)[0]).to.deep.include({ outcome: 'fulfilled' });
    expect(await state(batchId)).to.equal(Number(BatchState.Fulfilled));
    expect(keeper.ctx.db.getBatch(batchId)?.role).to.equal('direct');
    expect(keeper.ctx.db.txsFor(batchId, 'lock')).to.deep.equal([]);
    expect(await f.market.queryFilter(f.market.filters.MarketBatchLocked(batchId))).to.deep.equal([]);
    expect(await f.staking.availableStake(assigned)).to.equal(available); // no collateral was ever locked
    expect((await f.market.earnings(assigned)) > earned).to.equal(true);
    expect(prover.requests.map((r) => r.prover)).to.deep.equal([assigned]);

    // With `direct` off, the same situation is a lock.
    const book2 = new Book();
    const second = freshStatements(f, 1);
    const group2 = await signRequest(f, f.user1, {
      programId: f.programId,
      digests: second.digests,
      feePerProof: FEE,
      nonce: (await f.market.getAccount(f.user1.address)).nonce,
      deadline: deadlineIn(await time.latest()),
    });
    const posted = await post(f, book2, f.relay, [{ group: group2, digests: second.digests, inputs: second.inputs }]);
    relay.answer(`/v1/proofs/${second.digests[0]}`, {
      kind: 'json',
      body: { digest: second.digests[0], programId: f.programId, publicInputs: second.inputs[0], proof: rollupProof(20) },
    });
    await chain.mine(1);
    const drawn = await f.market.assignedProver(posted.batchId);
    const drawnIndex = f.provers.findIndex((p) => p.address === drawn);
    const locking = await makeKeeper(
      'no-direct',
      mockProver(),
      { NEX_KEEPER_SAFETY_BUFFER: '10', NEX_KEEPER_DIRECT: 'false' },
      ALICE_INDEX + drawnIndex,
    );
    await drive(locking, async () => of('batch.done', posted.batchId).length > 0, new AbortController().signal);
    expect(of('batch.done', posted.batchId)[0]).to.deep.include({ outcome: 'fulfilled' });
    expect(of('batch.direct', posted.batchId)).to.deep.equal([]);
    const [locked] = await f.market.queryFilter(f.market.filters.MarketBatchLocked(posted.batchId));
    expect(locked!.args.prover).to.equal(drawn);
  });

  it('releases an expired batch nobody holds when `release` is on (fees back to the payer), and not when it is off', async () => {
    const book = new Book();
    const [sub] = await submitN(f, book, 1, f.user2, FEE);
    const batchId = sub!.batchId;
    const b = await f.market.getBatch(batchId);
    await time.increaseTo(Number(b.openedAt + f.params.submissionTtl) + 1);
    await chain.mine(1);
    expect(await state(batchId)).to.equal(Number(BatchState.Expired));
    const off = await makeKeeper('release-off', mockProver());
    await off.tick(new AbortController().signal);
    expect(off.ctx.db.getBatch(batchId)).to.deep.include({ phase: 'done', outcome: 'expired' });
    const claimable = await f.market.earnings(f.user2.address);
    const keeper = await makeKeeper('release-on', mockProver(), { NEX_KEEPER_RELEASE: 'true' });
    await drive(keeper, async () => (await state(batchId)) === Number(BatchState.Released), new AbortController().signal);
    expect(keeper.ctx.db.txsFor(batchId, 'release')).to.have.length(1);
    await drive(keeper, async () => of('batch.released', batchId).length > 0, new AbortController().signal);
    // The calldata escrow goes back as claimable earnings of the payer.
    expect((await f.market.earnings(f.user2.address)) - claimable).to.equal(FEE);
  });
});
