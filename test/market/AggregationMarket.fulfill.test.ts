import { expect } from 'chai';
import { network } from 'hardhat';
import type { Hex } from 'viem';
import { aggregationPublicInputsV1 as aggregationPublicInputs, batchRootV1 as tsBatchRoot } from '../../scripts/lib/commitmentV1.js';
import {
  BatchState,
  E18,
  KEY_HASHES,
  MIN_FEE,
  PROGRAM_ID,
  StatementStatus,
  abiEncodeInputs,
  deployMarket,
  fullLockedBatch,
  proofFor,
  submitN,
  word,
} from './fixture.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe('AggregationMarket: fulfil', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  async function locked(n = 8) {
    const f = await fixture();
    const { subs, batchId, locker } = await fullLockedBatch(f, time, n);
    const other = f.provers.find((p) => p.address !== locker.address)!;
    return { f, subs, batchId, locker, other };
  }

  describe('on time, by the locker', () => {
    it('verifies every statement, pays fees minus the protocol fee, unlocks collateral', async () => {
      const { f, subs, batchId, locker } = await locked();
      const proof = await proofFor(f, batchId, locker.address);
      const fees = MIN_FEE * 8n;
      const protocolFee = (fees * 500n) / 10_000n;
      const tx = f.market.connect(locker).fulfill(batchId, proof, 0);
      for (const s of subs) {
        await expect(tx).to.emit(f.market, 'SubmissionVerified').withArgs(s.id, PROGRAM_ID);
      }
      await expect(tx)
        .to.emit(f.market, 'BatchFulfilled')
        .withArgs(batchId, locker.address, 0xff, fees - protocolFee, protocolFee, false);
      await expect(tx)
        .to.emit(f.staking, 'CollateralUnlocked')
        .withArgs(locker.address, 80n * E18, 0n);
      await expect(tx).to.not.emit(f.market, 'SubmissionExcluded');
      expect(await f.market.earnings(locker.address)).to.equal(fees - protocolFee);
      expect(await f.market.earnings(f.feeTreasury.address)).to.equal(protocolFee);
      const b = await f.market.getBatch(batchId);
      expect([b.state, b.includedMask]).to.deep.equal([BatchState.Fulfilled, 0xffn]);
      for (const s of subs) {
        expect(await f.market.isVerified(PROGRAM_ID, s.inputs)).to.equal(true);
        expect(await f.market.isSubmissionVerified(s.id)).to.equal(true);
        expect(await f.market.isRefundable(s.id)).to.equal(false);
        expect(await f.market.digestOf(s.id)).to.equal(ethers.ZeroHash);
        expect((await f.market.statementOf(s.digest)).status).to.equal(StatementStatus.Verified);
      }
      // A verified statement can never be posted again.
      await expect(f.market.connect(f.user2).submit(PROGRAM_ID, subs[0]!.inputs, '0x01', { value: MIN_FEE }))
        .to.be.revertedWithCustomError(f.market, 'MarketAlreadyVerified')
        .withArgs(subs[0]!.digest);
    });

    it('the root the contract rebuilds equals the TypeScript root over the stored digests', async () => {
      const { f, subs, batchId } = await locked(5);
      for (const mask of [0, 0b00101, 0b10000]) {
        expect(await f.market.batchRoot(batchId, mask)).to.equal(
          tsBatchRoot(
            subs.map((s) => s.digest as Hex),
            8,
            mask,
          ),
        );
      }
    });

    it('excluded slots become refundable at once; fees only for included slots', async () => {
      const { f, subs, batchId, locker } = await locked();
      const mask = 0b00100100;
      const tx = f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address, mask), mask);
      await expect(tx).to.emit(f.market, 'SubmissionExcluded').withArgs(subs[2]!.id);
      await expect(tx).to.emit(f.market, 'SubmissionExcluded').withArgs(subs[5]!.id);
      const fees = MIN_FEE * 6n;
      await expect(tx)
        .to.emit(f.market, 'BatchFulfilled')
        .withArgs(batchId, locker.address, 0xff & ~mask, fees - (fees * 500n) / 10_000n, (fees * 500n) / 10_000n, false);
      expect(await f.market.isRefundable(subs[2]!.id)).to.equal(true);
      expect(await f.market.isSubmissionVerified(subs[2]!.id)).to.equal(false);
      expect(await f.market.isVerified(PROGRAM_ID, subs[2]!.inputs)).to.equal(false);
      expect((await f.market.statementOf(subs[2]!.digest)).status).to.equal(StatementStatus.Pending);
      await expect(f.market.connect(f.user1).refund(subs[2]!.id)).to.changeEtherBalances(ethers, [f.user1, f.market], [MIN_FEE, -MIN_FEE]);
      // Nothing is both verified and refunded.
      await expect(f.market.connect(f.user1).refund(subs[0]!.id))
        .to.be.revertedWithCustomError(f.market, 'MarketNotRefundable')
        .withArgs(subs[0]!.id);
    });

    it('fulfils a partial batch (empty slots are zero leaves) and accepts the operator for its prover', async () => {
      const f = await fixture();
      const subs = await submitN(f, 3);
      await time.increaseTo((await f.market.getBatch(1)).openedAt + 300n);
      await f.market.seal(1);
      const b = await f.market.getBatch(1);
      await time.increaseTo(b.sealedAt + 121n);
      await f.market.connect(f.operator).lock(1);
      // A proof bound to the operator key is useless: the proof must name the prover (alice).
      await expect(f.market.connect(f.operator).fulfill(1, await proofFor(f, 1n, f.operator.address), 0))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidProof')
        .withArgs(1);
      await expect(f.market.connect(f.operator).fulfill(1, await proofFor(f, 1n, f.alice.address), 0))
        .to.emit(f.market, 'BatchFulfilled')
        .withArgs(1, f.alice.address, 0b111, (MIN_FEE * 3n * 95n) / 100n, (MIN_FEE * 3n * 5n) / 100n, false);
      for (const s of subs) expect(await f.market.isSubmissionVerified(s.id)).to.equal(true);
    });
  });

  describe('adversarial', () => {
    it('a non-locker cannot fulfil before the lock deadline (even with a valid proof bound to itself)', async () => {
      const { f, batchId, locker, other } = await locked();
      await expect(f.market.connect(other).fulfill(batchId, await proofFor(f, batchId, other.address), 0))
        .to.be.revertedWithCustomError(f.market, 'MarketNotLocker')
        .withArgs(batchId, locker.address);
      await expect(f.market.connect(f.outsider).fulfill(batchId, '0x01', 0))
        .to.be.revertedWithCustomError(f.market, 'MarketNotEligible')
        .withArgs(f.outsider.address);
    });

    it('a copied proof is useless: bound to the locker, another prover cannot use it', async () => {
      const { f, batchId, locker, other } = await locked();
      const b = await f.market.getBatch(batchId);
      const stolen = await proofFor(f, batchId, locker.address);
      await time.increaseTo(b.lockDeadline + 1n);
      await expect(f.market.connect(other).fulfill(batchId, stolen, 0))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidProof')
        .withArgs(batchId);
    });

    it('double fulfilment is rejected', async () => {
      const { f, batchId, locker } = await locked();
      const proof = await proofFor(f, batchId, locker.address);
      await f.market.connect(locker).fulfill(batchId, proof, 0);
      await expect(f.market.connect(locker).fulfill(batchId, proof, 0))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(batchId, BatchState.Fulfilled);
    });

    it("a proof of another batch's root, of another exclusion mask or other key hashes is rejected", async () => {
      const f = await fixture();
      const first = await fullLockedBatch(f, time);
      const second = await fullLockedBatch(f, time);
      const locker = second.locker;
      // A valid proof for batch 1's root bound to the right prover does not fulfil batch 2.
      const firstRoot = (await f.market.batchRoot(first.batchId, 0)) as Hex;
      const wrongRoot = abiEncodeInputs(aggregationPublicInputs(firstRoot, locker.address as Hex, KEY_HASHES));
      await expect(f.market.connect(locker).fulfill(second.batchId, wrongRoot, 0))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidProof')
        .withArgs(second.batchId);
      const otherMask = await proofFor(f, second.batchId, locker.address, 0b1);
      await expect(f.market.connect(locker).fulfill(second.batchId, otherMask, 0)).to.be.revertedWithCustomError(
        f.market,
        'MarketInvalidProof',
      );
      await expect(f.market.connect(locker).fulfill(second.batchId, otherMask, 0b10)).to.be.revertedWithCustomError(
        f.market,
        'MarketInvalidProof',
      );
      const otherKeys = await proofFor(f, second.batchId, locker.address, 0, [word(1), ...KEY_HASHES.slice(1)]);
      await expect(f.market.connect(locker).fulfill(second.batchId, otherKeys, 0)).to.be.revertedWithCustomError(
        f.market,
        'MarketInvalidProof',
      );
      await expect(f.market.connect(locker).fulfill(second.batchId, '0x', 0)).to.be.revertedWithCustomError(f.market, 'MarketInvalidProof');
      await f.market.connect(locker).fulfill(second.batchId, otherMask, 0b1);
    });

    it('rejects masks beyond the filled slots, an all-excluded fulfilment and unlocked batches', async () => {
      const f = await fixture();
      await expect(f.market.connect(f.alice).fulfill(1, '0x01', 0))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(1, BatchState.None);
      const { batchId, locker } = await fullLockedBatch(f, time, 5);
      await expect(f.market.connect(locker).fulfill(batchId, '0x01', 0b100000))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidExcludedMask')
        .withArgs(0b100000);
      await expect(f.market.connect(locker).fulfill(batchId, '0x01', 0b11111))
        .to.be.revertedWithCustomError(f.market, 'MarketNothingIncluded')
        .withArgs(batchId);
      await submitN(f, 8);
      await expect(f.market.connect(locker).fulfill(batchId + 1n, '0x01', 0))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(batchId + 1n, BatchState.Sealed);
    });

    it('rejects a fulfilment while the batch version is frozen, accepts it after unfreezing', async () => {
      const { f, batchId, locker } = await locked();
      const proof = await proofFor(f, batchId, locker.address);
      await f.router.connect(f.guardian).freeze(1);
      await expect(f.market.connect(locker).fulfill(batchId, proof, 0))
        .to.be.revertedWithCustomError(f.router, 'RouterVersionNotUsable')
        .withArgs(1);
      await f.router.connect(f.guardian).unfreeze(1);
      await f.market.connect(locker).fulfill(batchId, proof, 0);
    });

    it('treats a verifier that reverts or returns false as an invalid proof', async () => {
      const f = await fixture();
      const reverting = await ethers.deployContract('RevertingVerifier');
      const falsy = await ethers.deployContract('FalseVerifier');
      await f.router.connect(f.admin).addVersion(await reverting.getAddress(), KEY_HASHES);
      const a = await fullLockedBatch(f, time);
      await f.router.connect(f.admin).addVersion(await falsy.getAddress(), KEY_HASHES);
      const b = await fullLockedBatch(f, time);
      expect((await f.market.getBatch(a.batchId)).version).to.equal(2n);
      expect((await f.market.getBatch(b.batchId)).version).to.equal(3n);
      await expect(
        f.market.connect(a.locker).fulfill(a.batchId, await proofFor(f, a.batchId, a.locker.address), 0),
      ).to.be.revertedWithCustomError(f.market, 'MarketInvalidProof');
      await expect(
        f.market.connect(b.locker).fulfill(b.batchId, await proofFor(f, b.batchId, b.locker.address), 0),
      ).to.be.revertedWithCustomError(f.market, 'MarketInvalidProof');
    });

    it('each batch verifies with the version recorded at seal', async () => {
      const f = await fixture();
      const v1 = await fullLockedBatch(f, time);
      const keys2 = [word(201), word(202), word(203)];
      await f.router.connect(f.admin).addVersion(await f.verifier.getAddress(), keys2);
      const v2 = await fullLockedBatch(f, time);
      // v1's batch needs v1's key hashes even though v2 is current.
      await expect(
        f.market.connect(v1.locker).fulfill(v1.batchId, await proofFor(f, v1.batchId, v1.locker.address, 0, keys2), 0),
      ).to.be.revertedWithCustomError(f.market, 'MarketInvalidProof');
      await f.market.connect(v1.locker).fulfill(v1.batchId, await proofFor(f, v1.batchId, v1.locker.address), 0);
      await expect(
        f.market.connect(v2.locker).fulfill(v2.batchId, await proofFor(f, v2.batchId, v2.locker.address), 0),
      ).to.be.revertedWithCustomError(f.market, 'MarketInvalidProof');
      await f.market.connect(v2.locker).fulfill(v2.batchId, await proofFor(f, v2.batchId, v2.locker.address, 0, keys2), 0);
    });
  });

  describe('late fulfilment (between lockDeadline and finalDeadline)', () => {
    it('a secondary prover earns the fees plus the beneficiary share of the slashed locker', async () => {
      const { f, batchId, locker, other } = await locked();
      const b = await f.market.getBatch(batchId);
      await time.increaseTo(b.lockDeadline);
      const proof = await proofFor(f, batchId, other.address);
      const collateral = 80n * E18;
      const fees = MIN_FEE * 8n;
      const tx = f.market.connect(other).fulfill(batchId, proof, 0);
      await expect(tx)
        .to.emit(f.market, 'BatchFulfilled')
        .withArgs(batchId, other.address, 0xff, fees - (fees * 5n) / 100n, (fees * 5n) / 100n, true);
      await expect(tx)
        .to.emit(f.staking, 'Slashed')
        .withArgs(locker.address, collateral, collateral / 2n, collateral / 2n, other.address);
      await expect(tx).to.changeTokenBalance(ethers, f.token, other, collateral / 2n);
      expect(await f.market.earnings(other.address)).to.equal(fees - (fees * 5n) / 100n);
      expect(await f.market.earnings(locker.address)).to.equal(0n);
      expect(await f.staking.stakeOf(locker.address)).to.deep.equal([2_000n * E18 - collateral, 0n, 0n]);
    });

    it('the late locker itself is slashed too (keeps only the beneficiary share)', async () => {
      const { f, batchId, locker } = await locked();
      const b = await f.market.getBatch(batchId);
      await time.increaseTo(b.lockDeadline);
      await expect(f.market.connect(locker).fulfill(batchId, await proofFor(f, batchId, locker.address), 0))
        .to.emit(f.staking, 'Slashed')
        .withArgs(locker.address, 80n * E18, 40n * E18, 40n * E18, locker.address);
    });

    it('late fulfilment needs an eligible prover and ends at the final deadline', async () => {
      const { f, batchId, other } = await locked();
      const b = await f.market.getBatch(batchId);
      await f.staking.connect(other).requestUnstake(1_500n * E18);
      await time.increaseTo(b.lockDeadline);
      await expect(f.market.connect(other).fulfill(batchId, await proofFor(f, batchId, other.address), 0))
        .to.be.revertedWithCustomError(f.market, 'MarketNotEligible')
        .withArgs(other.address);
      await time.increaseTo(b.finalDeadline);
      const third = f.provers.find((p) => p.address !== other.address && p.address !== b.locker)!;
      await expect(f.market.connect(third).fulfill(batchId, await proofFor(f, batchId, third.address), 0))
        .to.be.revertedWithCustomError(f.market, 'MarketFulfilTooLate')
        .withArgs(batchId, b.finalDeadline);
    });
  });
});
