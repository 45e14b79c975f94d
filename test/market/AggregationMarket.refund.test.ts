import { expect } from 'chai';
import { network } from 'hardhat';
import {
  BatchState,
  MIN_FEE,
  PROGRAM_ID,
  StatementStatus,
  deployMarket,
  fullLockedBatch,
  inputsFor,
  lockByAssigned,
  proofFor,
  rollupProof,
  submitN,
  submittedIds,
  VK,
  word,
} from './fixture.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe('AggregationMarket: refunds, earnings, callbacks', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  describe('refund', () => {
    it('after expiry the submitter takes the fee back; the statement can be posted again', async () => {
      const f = await fixture();
      const subs = await submitN(f, 3);
      const [s] = subs;
      const expiry = await f.market.batchExpiry(1);
      await time.increaseTo(expiry - 1n);
      expect(await f.market.isRefundable(s!.id)).to.equal(false);
      await expect(f.market.connect(f.user1).refund(s!.id)).to.be.revertedWithCustomError(f.market, 'MarketNotRefundable').withArgs(s!.id);
      await time.increaseTo(expiry + 1n);
      expect(await f.market.isRefundable(s!.id)).to.equal(true);
      expect((await f.market.getBatch(1)).state).to.equal(BatchState.Expired);
      const tx = f.market.connect(f.user1).refund(s!.id);
      await expect(tx).to.emit(f.market, 'Refunded').withArgs(s!.id, f.user1.address, MIN_FEE);
      await expect(tx).to.not.emit(f.market, 'RefundCredited');
      await expect(tx).to.changeEtherBalances(ethers, [f.user1, f.market], [MIN_FEE, -MIN_FEE]);
      expect(await f.market.earnings(f.user1.address)).to.equal(0n);
      expect(await f.market.digestOf(s!.id)).to.equal(ethers.ZeroHash);
      expect((await f.market.statementOf(s!.digest)).status).to.equal(StatementStatus.None);
      expect((await f.market.getBatch(1)).refundedMask).to.equal(1n);
      expect(await f.market.isRefundable(s!.id)).to.equal(false);
      await expect(f.market.connect(f.user1).refund(s!.id)).to.be.revertedWithCustomError(f.market, 'MarketNotRefundable').withArgs(s!.id);
      await expect(f.market.connect(f.user1).refund(32n + 3n))
        .to.be.revertedWithCustomError(f.market, 'MarketUnknownSubmission')
        .withArgs(35n);
      // Posting the refunded statement again works (it lands in a new batch).
      await f.market.connect(f.user2).submit(PROGRAM_ID, s!.inputs, rollupProof(1), { value: MIN_FEE });
    });

    it('refundMany sends the caller its own fees in one transfer, credits the others, and is all-or-nothing', async () => {
      const f = await fixture();
      const mine = await submitN(f, 3, f.user1);
      const theirs = await submitN(f, 1, f.user2, MIN_FEE * 3n);
      await submitN(f, 4, f.user1); // fills batch 1
      const later = await submitN(f, 1, f.user1); // opens batch 2 (a few seconds later: not yet expired)
      await time.increaseTo((await f.market.batchExpiry(1)) + 1n);
      expect(await f.market.isRefundable(later[0]!.id)).to.equal(false);
      await expect(f.market.connect(f.user1).refundMany([mine[0]!.id, theirs[0]!.id, later[0]!.id]))
        .to.be.revertedWithCustomError(f.market, 'MarketNotRefundable')
        .withArgs(later[0]!.id);
      await expect(f.market.connect(f.user1).refundMany([mine[0]!.id, mine[0]!.id]))
        .to.be.revertedWithCustomError(f.market, 'MarketNotRefundable')
        .withArgs(mine[0]!.id);
      const tx = f.market.connect(f.user1).refundMany([...mine.map((s) => s.id), theirs[0]!.id]);
      await expect(tx).to.changeEtherBalances(ethers, [f.user1, f.user2, f.market], [MIN_FEE * 3n, 0n, -MIN_FEE * 3n]);
      await expect(tx).to.emit(f.market, 'Refunded').withArgs(mine[2]!.id, f.user1.address, MIN_FEE);
      await expect(tx)
        .to.emit(f.market, 'Refunded')
        .withArgs(theirs[0]!.id, f.user2.address, MIN_FEE * 3n);
      await expect(tx)
        .to.emit(f.market, 'RefundCredited')
        .withArgs(theirs[0]!.id, f.user2.address, f.user1.address, MIN_FEE * 3n);
      expect(await f.market.earnings(f.user2.address)).to.equal(MIN_FEE * 3n);
      expect(await f.market.earnings(f.user1.address)).to.equal(0n);
      // Only other people's submissions: nothing is sent to the caller (no zero-value call).
      const only = await submitN(f, 1, f.user2);
      await time.increaseTo((await f.market.batchExpiry(only[0]!.id >> 5n)) + 1n);
      const tx2 = f.market.connect(f.user1).refundMany([only[0]!.id]);
      await expect(tx2).to.changeEtherBalances(ethers, [f.user1, f.user2, f.market], [0n, 0n, 0n]);
      expect(await f.market.earnings(f.user1.address)).to.equal(0n);
      expect(await f.market.earnings(f.user2.address)).to.equal(MIN_FEE * 4n);
    });

    it('a locked batch past expiry is not refundable before its final deadline; fulfilled stays unrefundable', async () => {
      const f = await fixture();
      const subs = await submitN(f, 8);
      const b0 = await f.market.getBatch(1);
      await time.increaseTo(b0.openedAt + 5_000n);
      const locker = f.provers.find((p) => p.address === b0.assigned)!;
      await f.market.connect(locker).lock(1);
      // Governance shortens the TTL: the batch is past expiry while its lock is live.
      await f.market.connect(f.admin).setParams({ ...f.params, submissionTtl: 7_000n });
      const b = await f.market.getBatch(1);
      await time.increaseTo(b.openedAt + 7_500n);
      expect(b.finalDeadline > BigInt(await time.latest())).to.equal(true);
      expect(await f.market.isRefundable(subs[0]!.id)).to.equal(false);
      expect((await f.market.getBatch(1)).state).to.equal(BatchState.Locked);
      await expect(f.market.connect(f.user1).refund(subs[0]!.id)).to.be.revertedWithCustomError(f.market, 'MarketNotRefundable');
      await f.market.connect(locker).fulfill(1, await proofFor(f, 1n, locker.address, 0b1), 0b1);
      expect(await f.market.isRefundable(subs[1]!.id)).to.equal(false);
      await expect(f.market.connect(f.user1).refund(subs[1]!.id)).to.be.revertedWithCustomError(f.market, 'MarketNotRefundable');
      await f.market.connect(f.user1).refund(subs[0]!.id); // excluded
    });

    it('an expired locked batch whose final deadline passed is refundable and can no longer be fulfilled', async () => {
      const f = await fixture();
      const { subs, batchId, locker } = await fullLockedBatch(f, time);
      const b = await f.market.getBatch(batchId);
      await time.increaseTo((await f.market.batchExpiry(batchId)) + 1n);
      expect(b.finalDeadline < BigInt(await time.latest())).to.equal(true);
      expect((await f.market.getBatch(batchId)).state).to.equal(BatchState.Expired);
      await f.market.connect(f.user1).refund(subs[3]!.id);
      await expect(f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address), 0)).to.be.revertedWithCustomError(
        f.market,
        'MarketFulfilTooLate',
      );
      // The slash still works, and a relock is impossible (too close to expiry): the rest is refundable.
      await f.market.slash(batchId);
      await expect(f.market.connect(locker).lock(batchId)).to.be.revertedWithCustomError(f.market, 'MarketBatchTooCloseToExpiry');
      await f.market.connect(f.user1).refundMany(subs.filter((_, i) => i !== 3).map((s) => s.id));
      expect(await ethers.provider.getBalance(await f.market.getAddress())).to.equal(0n);
    });

    it('reverts with MarketRefundFailed when the submitter refuses ETH', async () => {
      const f = await fixture();
      const receiver = await ethers.deployContract('RejectingReceiver');
      const market = await f.market.getAddress();
      const submit = f.market.interface.encodeFunctionData('submit', [PROGRAM_ID, inputsFor(77_777), rollupProof(1)]);
      await receiver.getFunction('call')(market, MIN_FEE, submit, { value: MIN_FEE });
      await time.increaseTo((await f.market.batchExpiry(1)) + 1n);
      const refund = f.market.interface.encodeFunctionData('refund', [32n]);
      await expect(receiver.getFunction('call')(market, 0, refund))
        .to.be.revertedWithCustomError(f.market, 'MarketRefundFailed')
        .withArgs(await receiver.getAddress(), MIN_FEE);
      await receiver.getFunction('setRejecting')(false);
      await receiver.getFunction('call')(market, 0, refund);
    });

    it('refunds, slashing and claims keep working while paused', async () => {
      const f = await fixture();
      const { subs, batchId, locker } = await fullLockedBatch(f, time);
      await f.market.connect(f.pauser).pause();
      const b = await f.market.getBatch(batchId);
      await time.increaseTo(b.finalDeadline + 1n);
      await f.market.connect(f.outsider).slash(batchId);
      await f.market.connect(locker).lock(batchId);
      await f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address, 0b10), 0b10);
      await f.market.connect(f.user1).refund(subs[1]!.id);
      await f.market.connect(locker).getFunction('claimEarnings()')();
      expect(await f.market.paused()).to.equal(true);
    });
  });

  describe('statement squatting: anyone may refund a refundable submission', () => {
    /** The griefer (outsider) posts the rollup's statement first, with a junk proof. */
    async function squatted() {
      const f = await fixture();
      const statement = inputsFor(900_001);
      const fee = MIN_FEE * 2n;
      await f.market.connect(f.outsider).submit(PROGRAM_ID, statement, rollupProof(0xee), { value: fee });
      const squatId = 32n; // batch 1, slot 0
      await expect(
        f.market.connect(f.rollup).submit(PROGRAM_ID, statement, rollupProof(1), { value: MIN_FEE }),
      ).to.be.revertedWithCustomError(f.market, 'MarketStatementPending');
      return { f, statement, fee, squatId, digest: await f.market.digestOf(squatId) };
    }

    /** A third party frees the squatted statement; the fee is claimable by the griefer only; the rollup
     * then posts the statement itself. */
    async function freeAndResubmit(s: Awaited<ReturnType<typeof squatted>>) {
      const { f, statement, fee, squatId, digest } = s;
      const tx = f.market.connect(f.user2).refund(squatId);
      await expect(tx).to.emit(f.market, 'Refunded').withArgs(squatId, f.outsider.address, fee);
      await expect(tx).to.emit(f.market, 'RefundCredited').withArgs(squatId, f.outsider.address, f.user2.address, fee);
      // No ETH moves: the fee stays in the market as the griefer's earnings (pull payment).
      await expect(tx).to.changeEtherBalances(ethers, [f.market, f.outsider, f.user2], [0n, 0n, 0n]);
      expect(await f.market.earnings(f.outsider.address)).to.equal(fee);
      expect(await f.market.earnings(f.user2.address)).to.equal(0n);
      expect((await f.market.statementOf(digest)).status).to.equal(StatementStatus.None);
      expect(await f.market.digestOf(squatId)).to.equal(ethers.ZeroHash);
      expect(await f.market.isRefundable(squatId)).to.equal(false);
      // Refunded once: neither the caller nor the griefer can refund it again.
      for (const who of [f.user2, f.outsider]) {
        await expect(f.market.connect(who).refund(squatId))
          .to.be.revertedWithCustomError(f.market, 'MarketNotRefundable')
          .withArgs(squatId);
      }
      // Only the griefer can claim the fee.
      for (const who of [f.user2, f.rollup]) {
        await expect(f.market.connect(who).getFunction('claimEarnings()')())
          .to.be.revertedWithCustomError(f.market, 'MarketNothingToClaim')
          .withArgs(who.address);
      }
      const claim = f.market.connect(f.outsider).getFunction('claimEarnings()')();
      await expect(claim).to.emit(f.market, 'EarningsClaimed').withArgs(f.outsider.address, f.outsider.address, fee);
      await expect(claim).to.changeEtherBalances(ethers, [f.outsider, f.market], [fee, -fee]);
      // The rollup posts its statement at once.
      const post = await f.market.connect(f.rollup).submit(PROGRAM_ID, statement, rollupProof(1), { value: MIN_FEE });
      const [ev] = await submittedIds(f, post);
      expect(ev!.digest).to.equal(digest);
      const st = await f.market.statementOf(digest);
      expect([st.submitter, st.fee, st.status]).to.deep.equal([f.rollup.address, MIN_FEE, StatementStatus.Pending]);
      return ev!.id;
    }

    it('excluded from a fulfilled batch: a third party frees it, the griefer alone can claim, the rollup resubmits', async () => {
      const s = await squatted();
      const { f } = s;
      await submitN(f, 7); // fills and seals batch 1
      const locker = await lockByAssigned(f, 1n);
      await f.market.connect(locker).fulfill(1, await proofFor(f, 1n, locker.address, 0b1), 0b1);
      expect(await f.market.isRefundable(s.squatId)).to.equal(true);
      // Still squatted while nobody refunds it.
      await expect(
        f.market.connect(f.rollup).submit(PROGRAM_ID, s.statement, rollupProof(1), { value: MIN_FEE }),
      ).to.be.revertedWithCustomError(f.market, 'MarketStatementPending');
      const id = await freeAndResubmit(s);
      expect(id >> 5n).to.equal(2n);
      // The rollup's submission is verified normally in its own batch.
      await submitN(f, 7);
      const locker2 = await lockByAssigned(f, 2n);
      await f.market.connect(locker2).fulfill(2, await proofFor(f, 2n, locker2.address), 0);
      expect(await f.market.isVerified(PROGRAM_ID, s.statement)).to.equal(true);
    });

    it('expired batch: a third party frees it, the griefer alone can claim, the rollup resubmits', async () => {
      const s = await squatted();
      const { f } = s;
      await time.increaseTo((await f.market.batchExpiry(1)) - 1n);
      await expect(f.market.connect(f.user2).refund(s.squatId))
        .to.be.revertedWithCustomError(f.market, 'MarketNotRefundable')
        .withArgs(s.squatId);
      await time.increaseTo((await f.market.batchExpiry(1)) + 1n);
      expect((await f.market.getBatch(1)).state).to.equal(BatchState.Expired);
      await freeAndResubmit(s);
    });

    it('a third party cannot refund what is not refundable: pending, locked, verified, unknown', async () => {
      const f = await fixture();
      const subs = await submitN(f, 8, f.user1); // batch 1: full and sealed
      const open = await submitN(f, 1, f.user1); // batch 2: open
      for (const id of [subs[0]!.id, open[0]!.id]) {
        await expect(f.market.connect(f.user2).refund(id)).to.be.revertedWithCustomError(f.market, 'MarketNotRefundable').withArgs(id);
      }
      const locker = await lockByAssigned(f, 1n);
      await expect(f.market.connect(f.user2).refundMany([subs[1]!.id]))
        .to.be.revertedWithCustomError(f.market, 'MarketNotRefundable')
        .withArgs(subs[1]!.id);
      await f.market.connect(locker).fulfill(1, await proofFor(f, 1n, locker.address, 0b100), 0b100);
      await expect(f.market.connect(f.user2).refund(subs[0]!.id))
        .to.be.revertedWithCustomError(f.market, 'MarketNotRefundable')
        .withArgs(subs[0]!.id);
      await expect(f.market.connect(f.user2).refund(32n + 9n))
        .to.be.revertedWithCustomError(f.market, 'MarketUnknownSubmission')
        .withArgs(41n);
      // A mix with one verified id reverts as a whole: the excluded one stays pending for its submitter.
      await expect(f.market.connect(f.user2).refundMany([subs[2]!.id, subs[3]!.id]))
        .to.be.revertedWithCustomError(f.market, 'MarketNotRefundable')
        .withArgs(subs[3]!.id);
      expect(await f.market.isRefundable(subs[2]!.id)).to.equal(true);
      expect(await f.market.earnings(f.user1.address)).to.equal(0n);
    });

    it('frees the statement of a submitter that rejects ETH (its own refund would revert MarketRefundFailed)', async () => {
      const f = await fixture();
      const receiver = await ethers.deployContract('RejectingReceiver');
      const market = await f.market.getAddress();
      const statement = inputsFor(900_002);
      const submit = f.market.interface.encodeFunctionData('submit', [PROGRAM_ID, statement, rollupProof(1)]);
      await receiver.getFunction('call')(market, MIN_FEE, submit, { value: MIN_FEE });
      await time.increaseTo((await f.market.batchExpiry(1)) + 1n);
      const refund = f.market.interface.encodeFunctionData('refund', [32n]);
      await expect(receiver.getFunction('call')(market, 0, refund)).to.be.revertedWithCustomError(f.market, 'MarketRefundFailed');
      await expect(f.market.connect(f.rollup).refund(32n))
        .to.emit(f.market, 'RefundCredited')
        .withArgs(32n, await receiver.getAddress(), f.rollup.address, MIN_FEE);
      await f.market.connect(f.rollup).submit(PROGRAM_ID, statement, rollupProof(2), { value: MIN_FEE });
      // The contract can still take its fee to another address.
      const claim = f.market.interface.encodeFunctionData('claimEarnings(address)', [f.user2.address]);
      await expect(receiver.getFunction('call')(market, 0, claim)).to.changeEtherBalance(ethers, f.user2, MIN_FEE);
    });
  });

  describe('claimEarnings', () => {
    it('pays the prover and the treasury; to another address; nothing twice', async () => {
      const f = await fixture();
      const { batchId, locker } = await fullLockedBatch(f, time);
      await f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address), 0);
      const proverShare = (MIN_FEE * 8n * 95n) / 100n;
      const treasuryShare = (MIN_FEE * 8n * 5n) / 100n;
      const tx = f.market.connect(locker).getFunction('claimEarnings()')();
      await expect(tx).to.emit(f.market, 'EarningsClaimed').withArgs(locker.address, locker.address, proverShare);
      await expect(tx).to.changeEtherBalances(ethers, [locker, f.market], [proverShare, -proverShare]);
      await expect(f.market.connect(locker).getFunction('claimEarnings()')())
        .to.be.revertedWithCustomError(f.market, 'MarketNothingToClaim')
        .withArgs(locker.address);
      await expect(f.market.connect(f.feeTreasury).getFunction('claimEarnings(address)')(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.market,
        'MarketZeroAddress',
      );
      const tx2 = f.market.connect(f.feeTreasury).getFunction('claimEarnings(address)')(f.user2.address);
      await expect(tx2).to.emit(f.market, 'EarningsClaimed').withArgs(f.feeTreasury.address, f.user2.address, treasuryShare);
      await expect(tx2).to.changeEtherBalance(ethers, f.user2, treasuryShare);
      expect(await ethers.provider.getBalance(await f.market.getAddress())).to.equal(0n);
    });

    it('the protocol fee accrues to the treasury in place; a new treasury leaves the old one its share', async () => {
      const f = await fixture();
      const share = (MIN_FEE * 8n * 5n) / 100n;
      const first = await fullLockedBatch(f, time);
      await f.market.connect(first.locker).fulfill(first.batchId, await proofFor(f, first.batchId, first.locker.address), 0);
      expect(await f.market.earnings(f.feeTreasury.address)).to.equal(share);
      // Handing the treasury over credits what accrued to the outgoing one as ordinary earnings.
      await f.market.connect(f.admin).setTreasury(f.user2.address);
      expect(await f.market.earnings(f.feeTreasury.address)).to.equal(share);
      expect(await f.market.earnings(f.user2.address)).to.equal(0n);
      const second = await fullLockedBatch(f, time);
      await f.market.connect(second.locker).fulfill(second.batchId, await proofFor(f, second.batchId, second.locker.address), 0);
      expect(await f.market.earnings(f.user2.address)).to.equal(share);
      expect(await f.market.earnings(f.feeTreasury.address)).to.equal(share);
      await expect(f.market.connect(f.feeTreasury).getFunction('claimEarnings()')()).to.changeEtherBalance(ethers, f.feeTreasury, share);
      await expect(f.market.connect(f.user2).getFunction('claimEarnings()')()).to.changeEtherBalance(ethers, f.user2, share);
      for (const who of [f.feeTreasury, f.user2]) {
        await expect(f.market.connect(who).getFunction('claimEarnings()')()).to.be.revertedWithCustomError(
          f.market,
          'MarketNothingToClaim',
        );
      }
      // What is left in escrow is exactly the provers' unclaimed earnings.
      let provers = 0n;
      for (const p of new Set([first.locker.address, second.locker.address])) provers += await f.market.earnings(p);
      expect(provers).to.equal(MIN_FEE * 16n - 2n * share);
      expect(await ethers.provider.getBalance(await f.market.getAddress())).to.equal(provers);
    });

    it('a protocol fee that would overflow the in-place accrual is credited to the treasury earnings instead', async () => {
      const f = await fixture();
      const market = await f.market.getAddress();
      // Find the treasury slot (treasury | protocolFeeBps << 160 | accrued << 176) and fill the accrual.
      const treasury = BigInt(f.feeTreasury.address);
      let slot = -1;
      for (let i = 0; i < 16 && slot < 0; i++) {
        const value = BigInt(await ethers.provider.getStorage(market, i));
        if ((value & ((1n << 160n) - 1n)) === treasury) slot = i;
      }
      expect(slot).to.be.greaterThanOrEqual(0);
      const max80 = (1n << 80n) - 1n;
      const packed = treasury | (500n << 160n) | ((max80 - 1n) << 176n);
      await networkHelpers.setStorageAt(market, slot, packed);
      expect(await f.market.earnings(f.feeTreasury.address)).to.equal(max80 - 1n);
      const { batchId, locker } = await fullLockedBatch(f, time);
      await f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address), 0);
      const share = (MIN_FEE * 8n * 5n) / 100n;
      expect(BigInt(await ethers.provider.getStorage(market, slot))).to.equal(packed);
      expect(await f.market.earnings(f.feeTreasury.address)).to.equal(max80 - 1n + share);
    });

    it('reverts with MarketTransferFailed when the recipient refuses ETH', async () => {
      const f = await fixture();
      const receiver = await ethers.deployContract('RejectingReceiver');
      const { batchId, locker } = await fullLockedBatch(f, time);
      await f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address), 0);
      await expect(f.market.connect(locker).getFunction('claimEarnings(address)')(await receiver.getAddress()))
        .to.be.revertedWithCustomError(f.market, 'MarketTransferFailed')
        .withArgs(await receiver.getAddress(), (MIN_FEE * 8n * 95n) / 100n);
    });
  });

  describe('callbacks', () => {
    async function withCallback(name: string) {
      const f = await fixture();
      const callback =
        name === 'ReentrantCallback' ? await ethers.deployContract(name, [await f.market.getAddress()]) : await ethers.deployContract(name);
      await f.market.connect(f.rollup).setProgramCallback(PROGRAM_ID, await callback.getAddress());
      return { f, callback };
    }

    it('calls the program callback once per included submission, after the effects', async () => {
      const { f, callback } = await withCallback('RecordingCallback');
      const { subs, batchId, locker } = await fullLockedBatch(f, time);
      await f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address, 0b1000), 0b1000);
      expect(await callback.getFunction('callCount')()).to.equal(7n);
      const included = subs.filter((_, i) => i !== 3);
      for (let i = 0; i < included.length; i++) {
        const call = await callback.getFunction('calls')(i);
        expect([call[0], call[1], call[2]]).to.deep.equal([PROGRAM_ID, included[i]!.id, included[i]!.digest]);
      }
    });

    it('a cleared callback is not called; programIdAt is unaffected by the callback', async () => {
      const { f, callback } = await withCallback('RecordingCallback');
      expect(await f.market.programIdAt(1)).to.equal(PROGRAM_ID);
      await expect(f.market.connect(f.rollup).setProgramCallback(PROGRAM_ID, ethers.ZeroAddress))
        .to.emit(f.market, 'ProgramCallbackSet')
        .withArgs(PROGRAM_ID, ethers.ZeroAddress);
      expect(await f.market.programIdAt(1)).to.equal(PROGRAM_ID);
      const { subs, batchId, locker } = await fullLockedBatch(f, time);
      const tx = f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address), 0);
      await expect(tx).to.emit(f.market, 'SubmissionVerified').withArgs(subs[0]!.id, PROGRAM_ID);
      expect(await callback.getFunction('callCount')()).to.equal(0n);
    });

    it('mixed programs: events name each program, only the program with a callback is called back', async () => {
      const f = await fixture();
      const callback = await ethers.deployContract('RecordingCallback');
      const other = word(0xabc002);
      await f.market.connect(f.user2).registerProgram(other, VK, 1);
      await f.market.connect(f.user2).setProgramCallback(other, await callback.getAddress());
      // Slots: A A B B A B A B (A = PROGRAM_ID without callback, B = other with the callback).
      const plan = ['A', 'A', 'B', 'B', 'A', 'B', 'A', 'B'];
      const subs: { id: bigint; digest: string; program: string }[] = [];
      for (const [i, p] of plan.entries()) {
        const program = p === 'A' ? PROGRAM_ID : other;
        const inputs = p === 'A' ? inputsFor(800_000 + i) : inputsFor(800_000 + i, 1);
        const tx = await f.market.connect(f.user1).submit(program, inputs, rollupProof(i), { value: MIN_FEE });
        const [ev] = await submittedIds(f, tx);
        subs.push({ id: ev!.id, digest: ev!.digest, program });
      }
      const locker = await lockByAssigned(f, 1n);
      // Slot 6 (A) excluded, all others included.
      const tx = f.market.connect(locker).fulfill(1, await proofFor(f, 1n, locker.address, 0b1000000), 0b1000000);
      for (const [i, s] of subs.entries()) {
        if (i === 6) await expect(tx).to.emit(f.market, 'SubmissionExcluded').withArgs(s.id);
        else await expect(tx).to.emit(f.market, 'SubmissionVerified').withArgs(s.id, s.program);
      }
      const called = subs.filter((s, i) => s.program === other && i !== 6);
      expect(await callback.getFunction('callCount')()).to.equal(BigInt(called.length));
      for (const [k, s] of called.entries()) {
        const call = await callback.getFunction('calls')(k);
        expect([call[0], call[1], call[2]]).to.deep.equal([other, s.id, s.digest]);
      }
      expect((await f.market.getBatch(1)).includedMask).to.equal(0b10111111n);
    });

    it('a callback that burns all its gas or return-bombs cannot make fulfilment fail', async () => {
      for (const name of ['GasBurnerCallback', 'ReturnBombCallback']) {
        const { f, callback } = await withCallback(name);
        const { subs, batchId, locker } = await fullLockedBatch(f, time, 2);
        const tx = f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address), 0);
        await expect(tx)
          .to.emit(f.market, 'CallbackFailed')
          .withArgs(subs[0]!.id, await callback.getAddress());
        await expect(tx)
          .to.emit(f.market, 'CallbackFailed')
          .withArgs(subs[1]!.id, await callback.getAddress());
        const receipt = await (await tx).wait();
        // Each callback gets exactly callbackGasLimit (100k): the whole fulfilment stays bounded.
        expect(receipt!.gasUsed < 600_000n).to.equal(true);
        expect((await f.market.getBatch(batchId)).state).to.equal(BatchState.Fulfilled);
      }
    });

    it('a fulfiller cannot starve callbacks by sending too little gas (MarketInsufficientCallbackGas)', async () => {
      const { f } = await withCallback('GasBurnerCallback');
      const { batchId, locker } = await fullLockedBatch(f, time, 1);
      const proof = await proofFor(f, batchId, locker.address);
      // Measure a fulfilment with ample gas, then replay it with too little for the callback budget.
      const snapshot = await networkHelpers.takeSnapshot();
      const ok = await (await f.market.connect(locker).fulfill(batchId, proof, 0, { gasLimit: 1_000_000n })).wait();
      await snapshot.restore();
      const beforeCallback = ok!.gasUsed - 100_000n;
      await expect(
        f.market.connect(locker).fulfill(batchId, proof, 0, { gasLimit: beforeCallback + 60_000n }),
      ).to.be.revertedWithCustomError(f.market, 'MarketInsufficientCallbackGas');
      await expect(f.market.connect(locker).fulfill(batchId, proof, 0, { gasLimit: ok!.gasUsed + 20_000n })).to.emit(
        f.market,
        'CallbackFailed',
      );
    });

    it('reentrancy through the callback is blocked (fulfil, refund, claim, slash, lock)', async () => {
      const f = await fixture();
      const guardError = f.market.interface.getError('ReentrancyGuardReentrantCall')!.selector;
      const attacks = [
        f.market.interface.encodeFunctionData('fulfill', [1n, '0x01', 0]),
        f.market.interface.encodeFunctionData('refund', [32n]),
        f.market.interface.encodeFunctionData('claimEarnings()'),
        f.market.interface.encodeFunctionData('slash', [1n]),
        f.market.interface.encodeFunctionData('lock', [1n]),
      ];
      for (const attack of attacks) {
        const { callback: cb, f: g } = await withCallback('ReentrantCallback');
        await cb.getFunction('setAttack')(attack);
        const { batchId, locker } = await fullLockedBatch(g, time, 1);
        const tx = g.market.connect(locker).fulfill(batchId, await proofFor(g, batchId, locker.address), 0);
        await expect(tx).to.emit(g.market, 'BatchFulfilled');
        await expect(tx).to.not.emit(g.market, 'CallbackFailed');
        expect(await cb.getFunction('attempted')()).to.equal(true);
        expect(await cb.getFunction('succeeded')()).to.equal(false);
        expect(await cb.getFunction('revertData')()).to.equal(guardError);
      }
    });
  });
});
