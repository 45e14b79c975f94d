import { expect } from 'chai';
import { network } from 'hardhat';
import {
  BatchState,
  Book,
  MIN_FEE,
  deadlineIn,
  deployMarket,
  freshStatements,
  lockByAssigned,
  post,
  proofFor,
  signRequest,
} from './fixture.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const chain = { time, mine: (n?: number) => networkHelpers.mine(n) };

/** Slots of the market's lock ring (MarketBase._LOCK_RING). */
const LOCK_RING = 128n;

describe('AggregationMarket v2: lock records in the lock ring', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  async function postMany(f: Awaited<ReturnType<typeof deploy>>, book: Book, batches: number) {
    await f.market.connect(f.user1).deposit({ value: BigInt(4 * batches) * MIN_FEE });
    const ids: bigint[] = [];
    for (let i = 0; i < batches; i++) {
      const s = freshStatements(f, 4);
      const group = await signRequest(f, f.user1, {
        programId: f.programId,
        digests: s.digests,
        feePerProof: MIN_FEE,
        nonce: BigInt(i),
        deadline: deadlineIn(await time.latest()),
      });
      ids.push((await post(f, book, f.relay, [{ group, ...s }])).batchId);
    }
    return ids;
  }

  async function lockGas(f: Awaited<ReturnType<typeof deploy>>, id: bigint) {
    await networkHelpers.mine(1);
    const assigned = await f.market.assignedProver(id);
    const signer = f.provers.find((p) => p.address === assigned) ?? f.alice;
    const receipt = await (await f.market.connect(signer).lock(id)).wait();
    return { signer, gasUsed: receipt!.gasUsed };
  }

  it('a lock whose ring slot another live lock holds keeps its record in the batch; a freed ring slot is rewritten cheaply', async () => {
    const f = await fixture();
    const book = new Book();
    const ids = await postMany(f, book, Number(LOCK_RING) + 2);
    const [first, second] = [ids[0]!, ids[1]!];
    const [twin, twinOfSecond] = [ids[Number(LOCK_RING)]!, ids[Number(LOCK_RING) + 1]!];
    expect([twin % LOCK_RING, twinOfSecond % LOCK_RING]).to.deep.equal([first % LOCK_RING, second % LOCK_RING]);

    // The second batch's lock uses its ring slot and frees it at fulfilment (the slot stays non-zero).
    const s2 = await lockGas(f, second);
    await f.market.connect(s2.signer).fulfill(second, proofFor(book, second, s2.signer.address), 0, book.settlement(second));

    const a = await lockGas(f, first); // a fresh ring slot
    // Both twins are recent (same draw work): the one whose ring slot the first's live lock holds fills a fresh
    // slot C; the other rewrites its freed ring slot, ~17k cheaper.
    const b = await lockGas(f, twin);
    const c = await lockGas(f, twinOfSecond);
    expect(b.gasUsed - c.gasUsed > 15_000n).to.equal(true);

    const collateral = (await f.market.params()).collateralPerProof * 4n;
    for (const [id, locker] of [
      [first, a.signer.address],
      [twin, b.signer.address],
      [twinOfSecond, c.signer.address],
    ] as const) {
      const batch = await f.market.getBatch(id);
      expect([batch.state, batch.locker, batch.collateral]).to.deep.equal([BatchState.Locked, locker, collateral]);
    }

    // Settle the twin first (its record is in slot C), then the others (theirs are in the ring).
    await expect(f.market.connect(b.signer).fulfill(twin, proofFor(book, twin, b.signer.address), 0, book.settlement(twin)))
      .to.emit(f.market, 'MarketBatchFulfilled')
      .and.to.emit(f.staking, 'StakingCollateralUnlocked');
    for (const [id, signer] of [
      [first, a.signer],
      [twinOfSecond, c.signer],
    ] as const) {
      await expect(f.market.connect(signer).fulfill(id, proofFor(book, id, signer.address), 0, book.settlement(id))).to.emit(
        f.market,
        'MarketBatchFulfilled',
      );
    }
    for (const id of [first, second, twin, twinOfSecond]) {
      const batch = await f.market.getBatch(id);
      expect([batch.state, batch.locker, batch.collateral, batch.frozenAtLock]).to.deep.equal([
        BatchState.Fulfilled,
        ethers.ZeroAddress,
        0n,
        0n,
      ]);
    }
    for (const p of [...f.provers, f.alice]) expect((await f.staking.stakeOf(p.address)).locked).to.equal(0n);
  });

  it('a slash moves the record out of the ring: the slashed locker stays barred, the freed ring slot serves the next lock', async () => {
    const f = await fixture();
    const book = new Book();
    const [id] = await postMany(f, book, 1);
    const locker = await lockByAssigned(f, chain, id!);
    const b = await f.market.getBatch(id!);
    await time.increaseTo(b.finalDeadline + 1n);
    await f.market.connect(f.outsider).slash(id!);
    expect((await f.market.getBatch(id!)).locker).to.equal(locker.address);
    await expect(f.market.connect(locker).lock(id!))
      .to.be.revertedWithCustomError(f.market, 'MarketSlashedLocker')
      .withArgs(id!, locker.address);
    const other = f.provers.find((p) => p.address !== locker.address)!;
    await f.market.connect(other).lock(id!);
    const relocked = await f.market.getBatch(id!);
    expect([relocked.state, relocked.locker]).to.deep.equal([BatchState.Locked, other.address]);
    await expect(f.market.connect(other).fulfill(id!, proofFor(book, id!, other.address), 0, book.settlement(id!))).to.emit(
      f.market,
      'MarketBatchFulfilled',
    );
    expect((await f.market.getBatch(id!)).locker).to.equal(ethers.ZeroAddress);
  });
});
