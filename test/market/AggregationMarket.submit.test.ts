import { expect } from 'chai';
import { network } from 'hardhat';
import type { Hex } from 'viem';
import { statementDigestV1 as statementDigest } from '../../scripts/lib/commitmentV1.js';
import {
  BatchState,
  FIELD_MODULUS,
  MIN_FEE,
  PROGRAM_ID,
  StatementStatus,
  deployMarket,
  inputsFor,
  rollupProof,
  submitN,
  submittedIds,
  word,
} from './fixture.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe('AggregationMarket: submissions and batching', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);
  const deployUnstaked = () => deployMarket(ethers, { stake: false });

  describe('submit', () => {
    it('opens batch 1 at slot 0, stores the packed statement and the digest, emits the proof hash', async () => {
      const f = await fixture();
      const inputs = inputsFor(500);
      const proof = rollupProof(7, 14_656);
      const digest = statementDigest(PROGRAM_ID, inputs);
      const fee = MIN_FEE * 3n;
      const tx = f.market.connect(f.user1).submit(PROGRAM_ID, inputs, proof, { value: fee });
      await expect(tx).to.emit(f.market, 'Submitted').withArgs(32n, PROGRAM_ID, f.user1.address, digest, ethers.keccak256(proof), fee);
      await expect(tx).to.changeEtherBalances(ethers, [f.user1, f.market], [-fee, fee]);
      expect(await f.market.digestOf(32n)).to.equal(digest);
      expect([...(await f.market.statementOf(digest))]).to.deep.equal([f.user1.address, fee, 1n, StatementStatus.Pending]);
      expect(await f.market.openBatchId()).to.equal(1n);
      const b = await f.market.getBatch(1);
      expect([b.state, b.capacity, b.count, b.openedAt]).to.deep.equal([BatchState.Open, 8n, 1n, BigInt(await time.latest())]);
      expect(await f.market.batchExpiry(1)).to.equal(b.openedAt + 86_400n);
      expect(await f.market.batchExpiry(2)).to.equal(0n);
      expect(await f.market.isVerified(PROGRAM_ID, inputs)).to.equal(false);
      expect(await f.market.isSubmissionVerified(32n)).to.equal(false);
      expect(await f.market.isRefundable(32n)).to.equal(false);
    });

    it('rejects fees below the floor or above uint64, empty proofs, unknown programs', async () => {
      const f = await fixture();
      const m = f.market.connect(f.user1);
      await expect(m.submit(PROGRAM_ID, inputsFor(1), rollupProof(1), { value: MIN_FEE - 1n }))
        .to.be.revertedWithCustomError(f.market, 'MarketFeeBelowFloor')
        .withArgs(MIN_FEE - 1n, MIN_FEE);
      const tooHigh = 1n << 64n;
      await expect(m.submit(PROGRAM_ID, inputsFor(1), rollupProof(1), { value: tooHigh }))
        .to.be.revertedWithCustomError(f.market, 'MarketFeeTooHigh')
        .withArgs(tooHigh);
      await expect(m.submit(PROGRAM_ID, inputsFor(1), '0x', { value: MIN_FEE })).to.be.revertedWithCustomError(
        f.market,
        'MarketEmptyProof',
      );
      await expect(m.submit(word(4242), inputsFor(1), rollupProof(1), { value: MIN_FEE }))
        .to.be.revertedWithCustomError(f.market, 'MarketUnknownProgram')
        .withArgs(word(4242));
    });

    it('rejects a wrong public-input count and non-canonical public inputs', async () => {
      const f = await fixture();
      const m = f.market.connect(f.user1);
      await expect(m.submit(PROGRAM_ID, inputsFor(1, 1), rollupProof(1), { value: MIN_FEE }))
        .to.be.revertedWithCustomError(f.market, 'MarketPublicInputCountMismatch')
        .withArgs(PROGRAM_ID, 2, 1);
      await expect(m.submit(PROGRAM_ID, inputsFor(1, 3), rollupProof(1), { value: MIN_FEE }))
        .to.be.revertedWithCustomError(f.market, 'MarketPublicInputCountMismatch')
        .withArgs(PROGRAM_ID, 2, 3);
      const r = ethers.toBeHex(FIELD_MODULUS, 32);
      await expect(m.submit(PROGRAM_ID, [word(1), r], rollupProof(1), { value: MIN_FEE }))
        .to.be.revertedWithCustomError(f.market, 'MarketNonCanonicalPublicInput')
        .withArgs(1, r);
      const max = ethers.MaxUint256;
      await expect(m.submit(PROGRAM_ID, [ethers.toBeHex(max, 32), word(1)], rollupProof(1), { value: MIN_FEE }))
        .to.be.revertedWithCustomError(f.market, 'MarketNonCanonicalPublicInput')
        .withArgs(0, ethers.toBeHex(max, 32));
      // r - 1 is the largest canonical element.
      await m.submit(PROGRAM_ID, [word(FIELD_MODULUS - 1n), word(0)], rollupProof(1), { value: MIN_FEE });
    });

    it('allows one live submission per statement (MarketStatementPending)', async () => {
      const f = await fixture();
      const inputs = inputsFor(9);
      await f.market.connect(f.user1).submit(PROGRAM_ID, inputs, rollupProof(1), { value: MIN_FEE });
      await expect(f.market.connect(f.user2).submit(PROGRAM_ID, inputs, rollupProof(2), { value: MIN_FEE }))
        .to.be.revertedWithCustomError(f.market, 'MarketStatementPending')
        .withArgs(statementDigest(PROGRAM_ID, inputs));
    });
  });

  describe('batch filling and sealing', () => {
    it('the submission that fills the batch seals it: version, count, assigned prover, assignment deadline', async () => {
      const f = await fixture();
      await submitN(f, 7);
      const tx = await f.market.connect(f.user1).submit(PROGRAM_ID, inputsFor(10_000), rollupProof(8), { value: MIN_FEE });
      const receipt = await tx.wait();
      const sealedAt = BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
      const b = await f.market.getBatch(1);
      expect(f.provers.map((p) => p.address)).to.include(b.assigned);
      await expect(tx)
        .to.emit(f.market, 'BatchSealed')
        .withArgs(1, 1, 8, b.assigned, sealedAt + 120n);
      expect([b.state, b.version, b.count, b.sealedAt]).to.deep.equal([BatchState.Sealed, 1n, 8n, sealedAt]);
      expect(await f.market.openBatchId()).to.equal(0n);
      const [next] = await submitN(f, 1);
      expect(next!.id).to.equal(64n);
      expect(await f.market.openBatchId()).to.equal(2n);
    });

    it('a submission after batchTimeout seals the open batch first and opens the next', async () => {
      const f = await fixture();
      const subs = await submitN(f, 3);
      expect(subs.map((s) => s.id)).to.deep.equal([32n, 33n, 34n]);
      const b = await f.market.getBatch(1);
      await time.increaseTo(b.openedAt + 300n - 1n); // the next block is at openedAt + 300
      const tx = await f.market.connect(f.user1).submit(PROGRAM_ID, inputsFor(20_000), rollupProof(1), { value: MIN_FEE });
      await expect(tx).to.emit(f.market, 'BatchSealed');
      const [ev] = await submittedIds(f, tx);
      expect(ev!.id).to.equal(64n);
      expect((await f.market.getBatch(1)).count).to.equal(3n);
      expect((await f.market.getBatch(2)).state).to.equal(BatchState.Open);
    });

    it('seal(): anyone after the timeout; rejects early, empty and non-open batches', async () => {
      const f = await fixture();
      await expect(f.market.seal(1)).to.be.revertedWithCustomError(f.market, 'MarketBatchNotOpen').withArgs(1);
      await submitN(f, 2);
      const openedAt = (await f.market.getBatch(1)).openedAt;
      await expect(f.market.seal(1))
        .to.be.revertedWithCustomError(f.market, 'MarketBatchTimeoutNotReached')
        .withArgs(1, openedAt + 300n);
      await expect(f.market.seal(2)).to.be.revertedWithCustomError(f.market, 'MarketBatchNotOpen').withArgs(2);
      await time.increaseTo(openedAt + 299n);
      await expect(f.market.connect(f.outsider).seal(1)).to.emit(f.market, 'BatchSealed');
      await expect(f.market.seal(1)).to.be.revertedWithCustomError(f.market, 'MarketBatchNotOpen').withArgs(1);
      expect((await f.market.getBatch(1)).state).to.equal(BatchState.Sealed);
    });

    it('draws no prover when none is eligible (assignment open at once)', async () => {
      const f = await networkHelpers.loadFixture(deployUnstaked);
      await submitN(f, 8);
      expect((await f.market.getBatch(1)).assigned).to.equal(ethers.ZeroAddress);
    });

    it('cannot seal while no verifier version is usable (the filling submission reverts)', async () => {
      const f = await fixture();
      await submitN(f, 7);
      await f.router.connect(f.guardian).freeze(1);
      await expect(
        f.market.connect(f.user1).submit(PROGRAM_ID, inputsFor(30_000), rollupProof(1), { value: MIN_FEE }),
      ).to.be.revertedWithCustomError(f.router, 'RouterNoUsableVersion');
      await f.router.connect(f.guardian).unfreeze(1);
      await f.market.connect(f.user1).submit(PROGRAM_ID, inputsFor(30_000), rollupProof(1), { value: MIN_FEE });
    });

    it('keeps the capacity a batch opened with when the parameter changes', async () => {
      const f = await fixture();
      await submitN(f, 1);
      await f.market.connect(f.admin).setParams({ ...f.params, batchCapacity: 2n });
      await submitN(f, 7);
      expect((await f.market.getBatch(1)).state).to.equal(BatchState.Sealed);
      const subs = await submitN(f, 2);
      expect(subs.map((s) => s.id)).to.deep.equal([64n, 65n]);
      expect((await f.market.getBatch(2)).capacity).to.equal(2n);
      expect((await f.market.getBatch(2)).state).to.equal(BatchState.Sealed);
    });
  });

  describe('submitMany', () => {
    it('posts several statements of several programs in one call, filling and sealing a batch', async () => {
      const f = await fixture();
      const other = word(31337);
      await f.market.connect(f.rollup).registerProgram(other, '0x01', 1);
      const programIds: string[] = [];
      const inputs: Hex[][] = [];
      const proofs: string[] = [];
      const fees: bigint[] = [];
      for (let i = 0; i < 9; i++) {
        const useOther = i % 3 === 0;
        programIds.push(useOther ? other : PROGRAM_ID);
        inputs.push(inputsFor(40_000 + i, useOther ? 1 : 2));
        proofs.push(rollupProof(i));
        fees.push(MIN_FEE + BigInt(i));
      }
      const total = fees.reduce((a, b) => a + b, 0n);
      const ids = await f.market.connect(f.user1).submitMany.staticCall(programIds, inputs, proofs, fees, { value: total });
      expect(ids).to.deep.equal([32n, 33n, 34n, 35n, 36n, 37n, 38n, 39n, 64n]);
      const tx = f.market.connect(f.user1).submitMany(programIds, inputs, proofs, fees, { value: total });
      await expect(tx).to.emit(f.market, 'BatchSealed');
      await expect(tx).to.changeEtherBalance(ethers, f.market, total);
      for (let i = 0; i < 9; i++) {
        const digest = statementDigest(programIds[i] as Hex, inputs[i]!);
        expect(await f.market.digestOf(ids[i]!)).to.equal(digest);
        const st = await f.market.statementOf(digest);
        expect([st.fee, st.programIndex]).to.deep.equal([fees[i], i % 3 === 0 ? 2n : 1n]);
      }
    });

    it('rejects length mismatches, empty input, a fee sum different from msg.value and per-item violations', async () => {
      const f = await fixture();
      const m = f.market.connect(f.user1);
      await expect(m.submitMany([], [], [], [])).to.be.revertedWithCustomError(f.market, 'MarketLengthMismatch');
      await expect(
        m.submitMany([PROGRAM_ID], [inputsFor(1), inputsFor(2)], [rollupProof(1)], [MIN_FEE], { value: MIN_FEE }),
      ).to.be.revertedWithCustomError(f.market, 'MarketLengthMismatch');
      await expect(m.submitMany([PROGRAM_ID], [inputsFor(1)], [], [MIN_FEE], { value: MIN_FEE })).to.be.revertedWithCustomError(
        f.market,
        'MarketLengthMismatch',
      );
      await expect(m.submitMany([PROGRAM_ID], [inputsFor(1)], [rollupProof(1)], [], { value: MIN_FEE })).to.be.revertedWithCustomError(
        f.market,
        'MarketLengthMismatch',
      );
      await expect(m.submitMany([PROGRAM_ID], [inputsFor(1)], [rollupProof(1)], [MIN_FEE], { value: MIN_FEE + 1n }))
        .to.be.revertedWithCustomError(f.market, 'MarketFeeMismatch')
        .withArgs(MIN_FEE, MIN_FEE + 1n);
      await expect(
        m.submitMany([PROGRAM_ID, PROGRAM_ID], [inputsFor(1), inputsFor(2)], [rollupProof(1), rollupProof(2)], [MIN_FEE * 2n, 0n], {
          value: MIN_FEE * 2n,
        }),
      )
        .to.be.revertedWithCustomError(f.market, 'MarketFeeBelowFloor')
        .withArgs(0n, MIN_FEE);
      // Duplicates inside one call are caught by the one-live-statement rule.
      await expect(
        m.submitMany([PROGRAM_ID, PROGRAM_ID], [inputsFor(1), inputsFor(1)], [rollupProof(1), rollupProof(2)], [MIN_FEE, MIN_FEE], {
          value: MIN_FEE * 2n,
        }),
      ).to.be.revertedWithCustomError(f.market, 'MarketStatementPending');
    });
  });
});
