// Direct fulfilment: a Sealed batch fulfilled without a lock (docs/protocol.md, "A batch"). The assigned
// prover during the assignment window, any eligible prover after it, never past the expiry nor by the prover
// slashed on the batch; no collateral, no lock record; fees paid and returned exactly as after a lock.
import { expect } from 'chai';
import { network } from 'hardhat';
import {
  BatchState,
  Book,
  MIN_FEE,
  deadlineIn,
  deployMarket,
  freshStatements,
  post,
  proofFor,
  proverSigner,
  signRequest,
  submitN,
} from './fixture.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const ZERO = '0x0000000000000000000000000000000000000000';

describe('AggregationMarket v2: direct fulfilment of a sealed batch (no lock)', () => {
  async function funded() {
    const f = await deployMarket(ethers);
    await f.market.connect(f.user1).deposit({ value: 100n * MIN_FEE });
    await f.market.connect(f.user2).deposit({ value: 100n * MIN_FEE });
    return f;
  }
  const fixture = () => networkHelpers.loadFixture(funded);
  type F = Awaited<ReturnType<typeof funded>>;

  /** A posted batch of 4 + 4 statements from user1 and user2 (not yet a block after its sealing one). */
  async function postedBatch(f: F, book: Book, nonce = 0n) {
    const groups = [];
    for (const payer of [f.user1, f.user2]) {
      const { inputs, digests } = freshStatements(f, 4);
      const deadline = deadlineIn(await time.latest());
      const group = await signRequest(f, payer, { programId: f.programId, digests, feePerProof: MIN_FEE, nonce, deadline });
      groups.push({ group, digests, inputs });
    }
    return post(f, book, f.relay, groups);
  }

  /** The assigned prover's signer and another staked prover (mines a block so that the draw is readable). */
  async function assignedAndOther(f: F, batchId: bigint) {
    await networkHelpers.mine(1);
    const assigned = await f.market.assignedProver(batchId);
    expect(assigned).to.not.equal(ZERO);
    return { signer: proverSigner(f, assigned), other: f.provers.find((p) => p.address !== assigned)! };
  }

  const split = (fees: bigint) => ({
    prover: fees - (fees * 700n) / 10_000n,
    protocol: (fees * 500n) / 10_000n,
    poster: (fees * 200n) / 10_000n,
  });

  it('the assigned prover fulfils a posted batch without a lock: paid as after a lock, no collateral, no lock record', async () => {
    const f = await fixture();
    const book = new Book();
    const { batchId } = await postedBatch(f, book);
    const { signer } = await assignedAndOther(f, batchId);
    const availableBefore = await f.staking.availableStake(signer.address);
    const s = split(8n * MIN_FEE);
    const tx = f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, signer.address), 0, book.settlement(batchId));
    await expect(tx)
      .to.emit(f.market, 'MarketBatchFulfilled')
      .withArgs(batchId, signer.address, book.provenRoot(batchId), 0, s.prover, s.protocol, s.poster, false);
    await expect(tx).to.not.emit(f.market, 'MarketBatchLocked');
    await expect(tx).to.not.emit(f.staking, 'StakingCollateralLocked');
    await expect(tx).to.not.emit(f.staking, 'StakingCollateralUnlocked');
    const b = await f.market.getBatch(batchId);
    expect(b.state).to.equal(BatchState.Fulfilled);
    expect([b.locker, b.collateral, b.lockDeadline, b.escrow]).to.deep.equal([ZERO, 0n, 0n, 0n]);
    expect(b.commitment).to.equal(book.provenRoot(batchId));
    expect(await f.staking.availableStake(signer.address)).to.equal(availableBefore);
    expect(await f.market.earnings(signer.address)).to.equal(s.prover);
    expect(await f.market.earnings(f.relay.address)).to.equal(s.poster);
    expect(await f.market.earnings(f.feeTreasury.address)).to.equal(s.protocol);
    // Each deposit paid its 4 fees once; nothing is left in the batch.
    expect((await f.market.getAccount(f.user1.address)).balance).to.equal(96n * MIN_FEE);
    expect((await f.market.getAccount(f.user2.address)).balance).to.equal(96n * MIN_FEE);
    // Fulfilled is final: no lock, no second fulfilment, no release.
    await expect(f.market.connect(signer).lock(batchId))
      .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
      .withArgs(batchId, BatchState.Fulfilled);
    await expect(f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, signer.address), 0, book.settlement(batchId)))
      .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
      .withArgs(batchId, BatchState.Fulfilled);
  });

  it('during the window: refused in the sealing block, to another prover, to an outsider, with a wrong proof; the operator acts for its prover', async () => {
    const f = await fixture();
    const book = new Book();
    const { batchId, receipt } = await postedBatch(f, book);
    // In the sealing block nobody knows the draw, so nobody may take the batch, by lock or directly.
    await expect(
      f.market.connect(f.alice).fulfill.staticCall(batchId, proofFor(book, batchId, f.alice.address), 0, book.settlement(batchId), {
        blockTag: receipt.blockNumber,
      }),
    )
      .to.be.revertedWithCustomError(f.market, 'MarketDrawNotReady')
      .withArgs(batchId, receipt.blockNumber);
    const { signer, other } = await assignedAndOther(f, batchId);
    await expect(f.market.connect(other).fulfill(batchId, proofFor(book, batchId, other.address), 0, book.settlement(batchId)))
      .to.be.revertedWithCustomError(f.market, 'MarketNotAssignedProver')
      .withArgs(batchId, signer.address);
    await expect(f.market.connect(f.outsider).fulfill(batchId, proofFor(book, batchId, f.outsider.address), 0, book.settlement(batchId)))
      .to.be.revertedWithCustomError(f.market, 'MarketNotEligible')
      .withArgs(f.outsider.address);
    // A proof bound to another prover, or of a root with a slot left out, is no proof of this settlement.
    await expect(f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, other.address), 0, book.settlement(batchId)))
      .to.be.revertedWithCustomError(f.market, 'MarketInvalidProof')
      .withArgs(batchId);
    await expect(f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, signer.address, 1n), 0, book.settlement(batchId)))
      .to.be.revertedWithCustomError(f.market, 'MarketInvalidProof')
      .withArgs(batchId);
    expect((await f.market.getBatch(batchId)).state).to.equal(BatchState.Sealed);
    // alice's operator fulfils for alice (the proof is bound to alice); otherwise the assigned prover itself.
    const sender = signer.address === f.alice.address ? f.operator : signer;
    await expect(f.market.connect(sender).fulfill(batchId, proofFor(book, batchId, signer.address), 0, book.settlement(batchId)))
      .to.emit(f.market, 'MarketBatchFulfilled')
      .withArgs(
        batchId,
        signer.address,
        book.provenRoot(batchId),
        0,
        split(8n * MIN_FEE).prover,
        split(8n * MIN_FEE).protocol,
        split(8n * MIN_FEE).poster,
        false,
      );
  });

  it('after the window any eligible prover may; a lock taken first keeps its exclusivity', async () => {
    const f = await fixture();
    const book = new Book();
    const { batchId } = await postedBatch(f, book);
    const { signer, other } = await assignedAndOther(f, batchId);
    const b = await f.market.getBatch(batchId);
    await time.increaseTo(b.sealedAt + f.params.assignmentWindow + 1n);
    // Another prover locks first: the batch is its, until its lock deadline.
    await f.market.connect(other).lock(batchId);
    await expect(f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, signer.address), 0, book.settlement(batchId)))
      .to.be.revertedWithCustomError(f.market, 'MarketNotLocker')
      .withArgs(batchId, other.address);

    // A second batch nobody locks: after the window, the non-assigned prover fulfils it directly.
    const second = await postedBatch(f, book, 1n);
    const { other: third } = await assignedAndOther(f, second.batchId);
    const b2 = await f.market.getBatch(second.batchId);
    await time.increaseTo(b2.sealedAt + f.params.assignmentWindow + 1n);
    await expect(
      f.market
        .connect(f.outsider)
        .fulfill(second.batchId, proofFor(book, second.batchId, f.outsider.address), 0, book.settlement(second.batchId)),
    )
      .to.be.revertedWithCustomError(f.market, 'MarketNotEligible')
      .withArgs(f.outsider.address);
    await expect(
      f.market.connect(third).fulfill(second.batchId, proofFor(book, second.batchId, third.address), 0, book.settlement(second.batchId)),
    ).to.emit(f.market, 'MarketBatchFulfilled');
  });

  it('a calldata batch with an excluded slot: its fee goes back to its payer, the rest is paid', async () => {
    const f = await fixture();
    const book = new Book();
    const subs = await submitN(f, book, 8, f.user1); // full: sealed by the eighth submission
    const batchId = subs[0]!.batchId;
    expect((await f.market.getBatch(batchId)).state).to.equal(BatchState.Sealed);
    const { signer } = await assignedAndOther(f, batchId);
    const mask = 1n << 3n;
    const before = await f.market.earnings(f.user1.address);
    const fees = 7n * MIN_FEE;
    await expect(f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, signer.address, mask), mask, book.settlement(batchId)))
      .to.emit(f.market, 'MarketBatchFulfilled')
      .withArgs(
        batchId,
        signer.address,
        book.provenRoot(batchId, mask),
        mask,
        fees - (fees * 500n) / 10_000n,
        (fees * 500n) / 10_000n,
        0n,
        false,
      )
      .and.to.emit(f.market, 'MarketFeesReturned')
      .withArgs(batchId, f.user1.address, MIN_FEE, false);
    expect((await f.market.earnings(f.user1.address)) - before).to.equal(MIN_FEE);
  });

  it('past the expiry it is refused (the batch is released instead); the prover slashed on a batch may not fulfil it directly', async () => {
    const f = await fixture();
    const book = new Book();
    const { batchId } = await postedBatch(f, book);
    const { signer } = await assignedAndOther(f, batchId);
    const b = await f.market.getBatch(batchId);
    await time.increaseTo(b.expiry + 1n);
    await expect(f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, signer.address), 0, book.settlement(batchId)))
      .to.be.revertedWithCustomError(f.market, 'MarketFulfilTooLate')
      .withArgs(batchId, b.expiry);
    await expect(f.market.connect(f.bob).release(batchId, book.settlement(batchId))).to.emit(f.market, 'MarketBatchReleased');
    expect((await f.market.getAccount(f.user1.address)).balance).to.equal(100n * MIN_FEE);

    // Slashed on a batch: neither relock (#10 item 9) nor direct fulfilment; another prover may.
    const next = await postedBatch(f, book, 1n);
    const drawn = await assignedAndOther(f, next.batchId);
    await f.market.connect(drawn.signer).lock(next.batchId);
    const locked = await f.market.getBatch(next.batchId);
    await time.increaseTo(locked.finalDeadline + 1n);
    await f.market.connect(drawn.other).slash(next.batchId);
    await expect(
      f.market
        .connect(drawn.signer)
        .fulfill(next.batchId, proofFor(book, next.batchId, drawn.signer.address), 0, book.settlement(next.batchId)),
    )
      .to.be.revertedWithCustomError(f.market, 'MarketSlashedLocker')
      .withArgs(next.batchId, drawn.signer.address);
    await expect(
      f.market
        .connect(drawn.other)
        .fulfill(next.batchId, proofFor(book, next.batchId, drawn.other.address), 0, book.settlement(next.batchId)),
    ).to.emit(f.market, 'MarketBatchFulfilled');
    // The slashed locker's record ends with the batch: getBatch reads zeros, as after a locked fulfilment.
    const done = await f.market.getBatch(next.batchId);
    expect([done.state, done.locker, done.collateral]).to.deep.equal([BatchState.Fulfilled, ZERO, 0n]);
  });

  it('a frozen version cannot be fulfilled directly (the router refuses it); after the unfreeze it can', async () => {
    const f = await fixture();
    const book = new Book();
    const { batchId } = await postedBatch(f, book);
    const { signer } = await assignedAndOther(f, batchId);
    await f.router.connect(f.guardian).freeze(1);
    await expect(f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, signer.address), 0, book.settlement(batchId)))
      .to.be.revertedWithCustomError(f.router, 'RouterVersionNotUsable')
      .withArgs(1);
    await f.router.connect(f.guardian).unfreeze(1);
    await expect(f.market.connect(signer).fulfill(batchId, proofFor(book, batchId, signer.address), 0, book.settlement(batchId))).to.emit(
      f.market,
      'MarketBatchFulfilled',
    );
  });
});
