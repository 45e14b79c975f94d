import { expect } from 'chai';
import { network } from 'hardhat';
import {
  BatchState,
  E18,
  MIN_FEE,
  PROGRAM_ID,
  deployMarket,
  fullLockedBatch,
  lockByAssigned,
  proofFor,
  proverSigner,
  submitN,
} from './fixture.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe('AggregationMarket: lock and slash', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  async function sealedBatch() {
    const f = await fixture();
    const subs = await submitN(f, 8);
    const b = await f.market.getBatch(1);
    const assigned = proverSigner(f, b.assigned);
    const other = f.provers.find((p) => p.address !== b.assigned)!;
    return { f, subs, b, assigned, other };
  }

  describe('lock', () => {
    it('the assigned prover locks: collateral, deadlines, event', async () => {
      const { f, assigned } = await sealedBatch();
      const collateral = 8n * 10n * E18;
      const tx = await f.market.connect(assigned).lock(1);
      const now = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      const lockDeadline = now + 600n + 8n * 120n;
      await expect(tx)
        .to.emit(f.market, 'BatchLocked')
        .withArgs(1, assigned.address, lockDeadline, lockDeadline + 1800n, collateral);
      await expect(tx).to.emit(f.staking, 'CollateralLocked').withArgs(assigned.address, collateral, collateral);
      const b = await f.market.getBatch(1);
      expect([b.state, b.locker, b.lockDeadline, b.finalDeadline, b.collateral]).to.deep.equal([
        BatchState.Locked,
        assigned.address,
        lockDeadline,
        lockDeadline + 1800n,
        collateral,
      ]);
      expect((await f.staking.stakeOf(assigned.address))[1]).to.equal(collateral);
      // Locked collateral cannot be queued for unstaking (nothing can leave while locked).
      await expect(f.staking.connect(assigned).requestUnstake(2_000n * E18))
        .to.be.revertedWithCustomError(f.staking, 'StakingInsufficientAvailableStake')
        .withArgs(assigned.address, 2_000n * E18 - collateral, 2_000n * E18);
    });

    it('only the assigned prover during the assignment window; anyone eligible afterwards', async () => {
      const { f, b, other } = await sealedBatch();
      await expect(f.market.connect(other).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketNotAssignedProver')
        .withArgs(1, b.assigned);
      await time.increaseTo(b.sealedAt + 119n);
      // mined at sealedAt + 120: the last second of the window
      await expect(f.market.connect(other).lock(1)).to.be.revertedWithCustomError(f.market, 'MarketNotAssignedProver');
      await time.increaseTo(b.sealedAt + 120n);
      await expect(f.market.connect(other).lock(1)).to.emit(f.market, 'BatchLocked'); // at sealedAt + 121
    });

    it('an operator locks for its prover (the prover is the locker)', async () => {
      const { f, b } = await sealedBatch();
      await time.increaseTo(b.sealedAt + 121n);
      await expect(f.market.connect(f.operator).lock(1)).to.emit(f.market, 'BatchLocked');
      expect((await f.market.getBatch(1)).locker).to.equal(f.alice.address);
    });

    it('rejects unknown accounts, ineligible provers and insufficient available stake', async () => {
      const { f, b, assigned } = await sealedBatch();
      await time.increaseTo(b.sealedAt + 121n);
      await expect(f.market.connect(f.outsider).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketNotEligible')
        .withArgs(f.outsider.address);
      // Queue most of the stake for unstaking: below minStake, hence ineligible.
      await f.staking.connect(assigned).requestUnstake(1_500n * E18);
      await expect(f.market.connect(assigned).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketNotEligible')
        .withArgs(assigned.address);
      // Collateral beyond the available stake: the staking contract refuses the lock.
      await f.market.connect(f.admin).setParams({ ...f.params, collateralPerProof: 300n * E18 });
      const rich = f.provers.find((p) => p.address !== assigned.address)!;
      await expect(f.market.connect(rich).lock(1))
        .to.be.revertedWithCustomError(f.staking, 'StakingInsufficientAvailableStake')
        .withArgs(rich.address, 2_000n * E18, 2_400n * E18);
    });

    it('rejects batches that are not Sealed', async () => {
      const f = await fixture();
      await expect(f.market.connect(f.alice).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(1, BatchState.None);
      await submitN(f, 2);
      await expect(f.market.connect(f.alice).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(1, BatchState.Open);
      await submitN(f, 6);
      const locker = await lockByAssigned(f, 1n);
      await expect(f.market.connect(locker).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(1, BatchState.Locked);
    });

    it('rejects a batch whose verifier version is frozen or removed', async () => {
      const { f, assigned } = await sealedBatch();
      await f.router.connect(f.guardian).freeze(1);
      await expect(f.market.connect(assigned).lock(1)).to.be.revertedWithCustomError(f.market, 'MarketVersionNotUsable').withArgs(1);
      await f.router.connect(f.guardian).unfreeze(1);
      await f.router.connect(f.admin).addVersion(await f.verifier.getAddress(), [ethers.ZeroHash]);
      await f.router.connect(f.admin).removeVersion(1);
      await expect(f.market.connect(assigned).lock(1)).to.be.revertedWithCustomError(f.market, 'MarketVersionNotUsable').withArgs(1);
    });

    it('rejects a lock whose final deadline would pass the batch expiry', async () => {
      const { f, b, assigned } = await sealedBatch();
      const expiry = b.openedAt + 86_400n;
      // lock at t: finalDeadline = t + 1560 + 1800 must be <= expiry.
      await time.increaseTo(expiry - 3360n);
      await expect(f.market.connect(assigned).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketBatchTooCloseToExpiry')
        .withArgs(1, expiry + 1n, expiry);
    });

    it('rejects a batch whose every slot was refunded (MarketNothingIncluded)', async () => {
      const { f, subs, b, assigned } = await sealedBatch();
      await time.increaseTo(b.openedAt + 86_401n);
      await f.market.connect(f.user1).refundMany(subs.map((s) => s.id));
      await f.market.connect(f.admin).setParams({ ...f.params, submissionTtl: 10n * 86_400n });
      expect((await f.market.getBatch(1)).state).to.equal(BatchState.Sealed);
      await expect(f.market.connect(assigned).lock(1)).to.be.revertedWithCustomError(f.market, 'MarketNothingIncluded').withArgs(1);
    });
  });

  describe('fulfil after some slots were refunded', () => {
    it('refunded slots are zero leaves and not included; a third-party-refunded slot too', async () => {
      const { f, subs, b, assigned } = await sealedBatch();
      await time.increaseTo(b.openedAt + 86_401n);
      await f.market.connect(f.user1).refund(subs[1]!.id);
      await f.market.connect(f.user2).refund(subs[4]!.id); // credited to user1
      await f.market.connect(f.admin).setParams({ ...f.params, submissionTtl: 10n * 86_400n });
      await f.market.connect(assigned).lock(1);
      // Selecting everything: the refunded slots are dropped, not excluded.
      const tx = f.market.connect(assigned).fulfill(1, await proofFor(f, 1n, assigned.address), 0);
      await expect(tx).to.emit(f.market, 'BatchFulfilled');
      await expect(tx).to.not.emit(f.market, 'SubmissionExcluded');
      for (const [i, s] of subs.entries()) {
        if (i === 1 || i === 4) continue;
        await expect(tx).to.emit(f.market, 'SubmissionVerified').withArgs(s.id, PROGRAM_ID);
      }
      expect((await f.market.getBatch(1)).includedMask).to.equal(0b11101101n);
      expect(await f.market.isSubmissionVerified(subs[1]!.id)).to.equal(false);
      expect(await f.market.earnings(f.user1.address)).to.equal(MIN_FEE);
      expect(await f.market.earnings(assigned.address)).to.equal((MIN_FEE * 6n * 95n) / 100n);
    });
  });

  describe('slash', () => {
    it('rejects a slash before the final deadline and of batches that are not locked', async () => {
      const f = await fixture();
      await expect(f.market.slash(1)).to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState').withArgs(1, BatchState.None);
      const { batchId } = await fullLockedBatch(f, time);
      const b = await f.market.getBatch(batchId);
      await expect(f.market.slash(batchId))
        .to.be.revertedWithCustomError(f.market, 'MarketSlashTooEarly')
        .withArgs(batchId, b.finalDeadline);
      await time.increaseTo(b.lockDeadline + 1n);
      await expect(f.market.slash(batchId)).to.be.revertedWithCustomError(f.market, 'MarketSlashTooEarly');
      await time.increaseTo(b.finalDeadline - 1n);
      await expect(f.market.slash(batchId)).to.be.revertedWithCustomError(f.market, 'MarketSlashTooEarly'); // at finalDeadline
    });

    it('after the final deadline anyone slashes: burn + reward to the caller, batch reopens, relock and fulfil', async () => {
      const f = await fixture();
      const { batchId, locker } = await fullLockedBatch(f, time);
      const b = await f.market.getBatch(batchId);
      await time.increaseTo(b.finalDeadline + 1n);
      const collateral = 80n * E18;
      const supply = await f.token.totalSupply();
      const tx = f.market.connect(f.outsider).slash(batchId);
      await expect(tx)
        .to.emit(f.market, 'BatchSlashed')
        .withArgs(batchId, locker.address, f.outsider.address, collateral / 2n, collateral / 2n);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.outsider, f.staking], [collateral / 2n, -collateral]);
      expect(await f.token.totalSupply()).to.equal(supply - collateral / 2n);
      expect(await f.staking.stakeOf(locker.address)).to.deep.equal([2_000n * E18 - collateral, 0n, 0n]);
      const after = await f.market.getBatch(batchId);
      expect([after.state, after.assigned, after.locker, after.collateral, after.lockDeadline]).to.deep.equal([
        BatchState.Sealed,
        ethers.ZeroAddress,
        ethers.ZeroAddress,
        0n,
        0n,
      ]);
      await expect(f.market.slash(batchId))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(batchId, BatchState.Sealed);
      // Open assignment: any eligible prover relocks at once and fulfils.
      const next = f.provers.find((p) => p.address !== locker.address)!;
      await expect(f.market.connect(next).lock(batchId)).to.emit(f.market, 'BatchLocked');
      await expect(f.market.connect(next).fulfill(batchId, await proofFor(f, batchId, next.address), 0)).to.emit(
        f.market,
        'BatchFulfilled',
      );
    });

    it('releases the collateral without penalty when the batch version became unusable', async () => {
      const f = await fixture();
      const { batchId, locker } = await fullLockedBatch(f, time);
      const b = await f.market.getBatch(batchId);
      await f.router.connect(f.guardian).freeze(1);
      await time.increaseTo(b.finalDeadline + 1n);
      const tx = f.market.connect(f.outsider).slash(batchId);
      await expect(tx)
        .to.emit(f.market, 'LockReleased')
        .withArgs(batchId, locker.address, 80n * E18);
      await expect(tx).to.not.emit(f.market, 'BatchSlashed');
      await expect(tx).to.changeTokenBalance(ethers, f.token, f.outsider, 0n);
      expect(await f.staking.stakeOf(locker.address)).to.deep.equal([2_000n * E18, 0n, 0n]);
      expect((await f.market.getBatch(batchId)).state).to.equal(BatchState.Sealed);
    });
  });
});
