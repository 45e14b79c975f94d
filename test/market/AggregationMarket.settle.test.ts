import { expect } from 'chai';
import { network } from 'hardhat';
import {
  mockProof,
  BatchState,
  Book,
  E18,
  MIN_FEE,
  deadlineIn,
  deployMarket,
  freshStatements,
  lockByAssigned,
  lockedCalldataBatch,
  post,
  proofFor,
  sealByTimeout,
  signRequest,
  submitN,
} from './fixture.js';
import { ZERO_LEAF, batchLeaves, inclusionPath, statementDigest } from '../../prover/protocol/index.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const chain = { time, mine: (n?: number) => networkHelpers.mine(n) };

describe('AggregationMarket v2: lock, fulfil, close, slash, release, verification', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  async function postedBatch(f: Awaited<ReturnType<typeof deploy>>, book: Book, n = 6) {
    await f.market.connect(f.user1).deposit({ value: 100n * MIN_FEE });
    await f.market.connect(f.user2).deposit({ value: 100n * MIN_FEE });
    const a = freshStatements(f, n - 2);
    const b = freshStatements(f, 2);
    const deadline = deadlineIn(await time.latest());
    const ga = await signRequest(f, f.user1, { programId: f.programId, digests: a.digests, feePerProof: MIN_FEE, nonce: 0n, deadline });
    const gb = await signRequest(f, f.user2, {
      programId: f.programId,
      digests: b.digests,
      feePerProof: 2n * MIN_FEE,
      nonce: 0n,
      deadline,
    });
    const { batchId } = await post(f, book, f.relay, [
      { group: ga, ...a },
      { group: gb, ...b },
    ]);
    return batchId;
  }

  describe('lock', () => {
    it("locks collateral in gwei units, records the router's frozenTotal, deadlines from the proving window", async () => {
      const f = await fixture();
      const book = new Book();
      await submitN(f, book, 8);
      await networkHelpers.mine(1);
      const assigned = await f.market.assignedProver(1);
      expect(assigned).to.not.equal(ethers.ZeroAddress);
      const locker = f.provers.find((p) => p.address === assigned)!;
      const tx = await f.market.connect(locker).lock(1);
      const now = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      const lockDeadline = now + 600n + 8n * 60n;
      await expect(tx)
        .to.emit(f.market, 'MarketBatchLocked')
        .withArgs(1, assigned, lockDeadline, lockDeadline + 1800n, 80n * E18);
      await expect(tx)
        .to.emit(f.staking, 'StakingCollateralLocked')
        .withArgs(assigned, 80n * E18, 80n * E18);
      const b = await f.market.getBatch(1);
      expect([b.state, b.locker, b.lockDeadline, b.finalDeadline, b.collateral, b.frozenAtLock]).to.deep.equal([
        BatchState.Locked,
        assigned,
        lockDeadline,
        lockDeadline + 1800n,
        80n * E18,
        0n,
      ]);
    });

    it('only the assigned prover during the window; anyone eligible afterwards; operators lock for their prover', async () => {
      const f = await fixture();
      const book = new Book();
      await submitN(f, book, 8);
      await networkHelpers.mine(1);
      const assigned = await f.market.assignedProver(1);
      const other = f.provers.find((p) => p.address !== assigned && p.address !== f.alice.address)!;
      await expect(f.market.connect(other).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketNotAssignedProver')
        .withArgs(1, assigned);
      const b = await f.market.getBatch(1);
      await time.increaseTo(b.sealedAt + 121n);
      expect(await f.market.assignedProver(1)).to.equal(ethers.ZeroAddress);
      await expect(f.market.connect(f.operator).lock(1)).to.emit(f.market, 'MarketBatchLocked');
      expect((await f.market.getBatch(1)).locker).to.equal(f.alice.address);
    });

    it('rejects non-provers, ineligible provers, unusable versions, unsealed batches and late locks', async () => {
      const f = await fixture();
      const book = new Book();
      await expect(f.market.connect(f.alice).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(1, BatchState.None);
      await submitN(f, book, 2);
      await expect(f.market.connect(f.alice).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(1, BatchState.Open);
      await sealByTimeout(f, chain, 1n);
      const b = await f.market.getBatch(1);
      await time.increaseTo(b.sealedAt + 121n);
      await expect(f.market.connect(f.outsider).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketNotEligible')
        .withArgs(f.outsider.address);
      await f.staking.connect(f.bob).requestUnstake(1_500n * E18);
      await expect(f.market.connect(f.bob).lock(1)).to.be.revertedWithCustomError(f.market, 'MarketNotEligible').withArgs(f.bob.address);
      await f.router.connect(f.guardian).freeze(1);
      await expect(f.market.connect(f.alice).lock(1)).to.be.revertedWithCustomError(f.market, 'MarketVersionNotUsable').withArgs(1);
      await f.router.connect(f.guardian).unfreeze(1);
      const expiry = b.openedAt + 86_400n;
      await time.increaseTo(expiry - (600n + 120n + 1800n));
      await expect(f.market.connect(f.alice).lock(1))
        .to.be.revertedWithCustomError(f.market, 'MarketBatchTooCloseToExpiry')
        .withArgs(1, expiry + 1n, expiry);
    });
  });

  describe('fulfil', () => {
    it('posted fast path (96 bytes of settlement): pays prover, treasury and poster, stores the proven root', async () => {
      const f = await fixture();
      const book = new Book();
      const batchId = await postedBatch(f, book);
      const locker = await lockByAssigned(f, chain, batchId);
      const s = book.settlement(batchId);
      const fast = { ...s, groups: [], digests: [] };
      const fees = 8n * MIN_FEE;
      const protocolFee = (fees * 500n) / 10_000n;
      const posterFee = (fees * 200n) / 10_000n;
      const tx = f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address), 0, fast);
      await expect(tx)
        .to.emit(f.market, 'MarketBatchFulfilled')
        .withArgs(batchId, locker.address, s.root, 0, fees - protocolFee - posterFee, protocolFee, posterFee, false);
      await expect(tx)
        .to.emit(f.staking, 'StakingCollateralUnlocked')
        .withArgs(locker.address, 60n * E18, 0n);
      await expect(tx).to.not.emit(f.market, 'MarketFeesReturned');
      expect(await f.market.earnings(locker.address)).to.equal(fees - protocolFee - posterFee);
      expect(await f.market.earnings(f.feeTreasury.address)).to.equal(protocolFee);
      expect(await f.market.earnings(f.relay.address)).to.equal(posterFee);
      const b = await f.market.getBatch(batchId);
      expect([b.state, b.commitment, b.escrow]).to.deep.equal([BatchState.Fulfilled, s.root, 0n]);
      // Every statement is verified through its inclusion path.
      const entry = book.of(batchId);
      for (let i = 0; i < entry.digests.length; i++) {
        const inclusion = { batchId, index: i, siblings: inclusionPath(batchLeaves(entry.digests, entry.capacity), i) };
        expect(
          await f.market.getFunction('isVerified(bytes32,bytes32[],(uint256,uint256,bytes32[]))')(f.programId, entry.inputs[i]!, inclusion),
        ).to.equal(true);
      }
    });

    it('rejects a wrong settlement, a proof of another root or prover, and a bad exclusion mask', async () => {
      const f = await fixture();
      const book = new Book();
      const batchId = await postedBatch(f, book);
      const locker = await lockByAssigned(f, chain, batchId);
      const s = book.settlement(batchId);
      const proof = proofFor(book, batchId, locker.address);
      for (const wrong of [
        { ...s, root: ZERO_LEAF },
        { ...s, poster: f.user1.address },
        { ...s, groupsHash: ZERO_LEAF },
      ]) {
        await expect(f.market.connect(locker).fulfill(batchId, proof, 0, wrong))
          .to.be.revertedWithCustomError(f.market, 'MarketSettlementMismatch')
          .withArgs(batchId);
      }
      await expect(
        f.market
          .connect(locker)
          .fulfill(batchId, proofFor(book, batchId, f.bob.address === locker.address ? f.carol.address : f.bob.address), 0, s),
      )
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidProof')
        .withArgs(batchId);
      await expect(f.market.connect(locker).fulfill(batchId, mockProof(s.root, locker.address, ZERO_LEAF), 0, s))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidProof')
        .withArgs(batchId);
      await expect(f.market.connect(locker).fulfill(batchId, proof, 1n << 6n, s))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidExcludedMask')
        .withArgs(1n << 6n);
      await expect(f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address, 0x3fn), 0x3fn, s))
        .to.be.revertedWithCustomError(f.market, 'MarketNothingIncluded')
        .withArgs(batchId);
      // Slow path with tampered digests.
      const tampered = {
        ...s,
        digests: s.digests.map((d, i) => (i === 2 ? statementDigest(f.programId, [ZERO_LEAF, ZERO_LEAF]) : d)),
      };
      await expect(f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address, 1n), 1n, tampered))
        .to.be.revertedWithCustomError(f.market, 'MarketSettlementMismatch')
        .withArgs(batchId);
    });

    it('slow path with exclusions: excluded fees go back to deposits (posted) and are never charged', async () => {
      const f = await fixture();
      const book = new Book();
      const batchId = await postedBatch(f, book);
      const locker = await lockByAssigned(f, chain, batchId);
      const mask = 0b100001n; // slot 0 (user1, fee 1) and slot 5 (user2, fee 2)
      const tx = f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address, mask), mask, book.settlement(batchId));
      await expect(tx).to.emit(f.market, 'MarketFeesReturned').withArgs(batchId, f.user1.address, MIN_FEE, true);
      await expect(tx)
        .to.emit(f.market, 'MarketFeesReturned')
        .withArgs(batchId, f.user2.address, 2n * MIN_FEE, true);
      const fees = 5n * MIN_FEE;
      await expect(tx)
        .to.emit(f.market, 'MarketBatchFulfilled')
        .withArgs(
          batchId,
          locker.address,
          book.provenRoot(batchId, mask),
          mask,
          fees - (fees * 700n) / 10_000n,
          (fees * 500n) / 10_000n,
          (fees * 200n) / 10_000n,
          false,
        );
      expect((await f.market.getAccount(f.user1.address)).balance).to.equal(97n * MIN_FEE);
      expect((await f.market.getAccount(f.user2.address)).balance).to.equal(98n * MIN_FEE);
      const entry = book.of(batchId);
      const verified = (i: number) =>
        f.market.getFunction('isVerified(bytes32,bytes32[],(uint256,uint256,bytes32[]))')(f.programId, entry.inputs[i]!, {
          batchId,
          index: i,
          siblings: inclusionPath(
            batchLeaves(
              entry.digests.map((d, j) => (j === 0 || j === 5 ? ZERO_LEAF : d)),
              8,
            ),
            i,
          ),
        });
      expect(await verified(0)).to.equal(false);
      expect(await verified(1)).to.equal(true);
    });

    it("calldata batch: excluded fees become the payer's earnings; late fulfilment slashes the locker", async () => {
      const f = await fixture();
      const book = new Book();
      const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 8);
      const b = await f.market.getBatch(batchId);
      const late = f.provers.find((p) => p.address !== locker.address)!;
      await expect(f.market.connect(late).fulfill(batchId, proofFor(book, batchId, late.address), 0, book.settlement(batchId)))
        .to.be.revertedWithCustomError(f.market, 'MarketNotLocker')
        .withArgs(batchId, locker.address);
      await time.increaseTo(b.lockDeadline + 1n);
      const mask = 0b10n;
      const tx = f.market.connect(late).fulfill(batchId, proofFor(book, batchId, late.address, mask), mask, book.settlement(batchId));
      await expect(tx).to.emit(f.market, 'MarketFeesReturned').withArgs(batchId, f.user1.address, MIN_FEE, false);
      await expect(tx)
        .to.emit(f.staking, 'StakingSlashed')
        .withArgs(locker.address, 80n * E18, 40n * E18, 40n * E18, late.address);
      const fees = 7n * MIN_FEE;
      await expect(tx)
        .to.emit(f.market, 'MarketBatchFulfilled')
        .withArgs(
          batchId,
          late.address,
          book.provenRoot(batchId, mask),
          mask,
          fees - (fees * 500n) / 10_000n,
          (fees * 500n) / 10_000n,
          0,
          true,
        );
      expect(await f.market.earnings(f.user1.address)).to.equal(MIN_FEE);
      await expect(f.market.connect(f.user1).getFunction('claimEarnings()')()).to.changeEtherBalance(ethers, f.user1, MIN_FEE);
      await expect(f.market.connect(f.user1).getFunction('claimEarnings()')())
        .to.be.revertedWithCustomError(f.market, 'MarketNothingToClaim')
        .withArgs(f.user1.address);
    });

    it('after the final deadline nobody fulfils; anyone slashes and the batch reopens for everyone but the slashed', async () => {
      const f = await fixture();
      const book = new Book();
      const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 8);
      const b = await f.market.getBatch(batchId);
      await expect(f.market.slash(batchId))
        .to.be.revertedWithCustomError(f.market, 'MarketSlashTooEarly')
        .withArgs(batchId, b.finalDeadline);
      await time.increaseTo(b.finalDeadline + 1n);
      const other = f.provers.find((p) => p.address !== locker.address)!;
      await expect(f.market.connect(other).fulfill(batchId, proofFor(book, batchId, other.address), 0, book.settlement(batchId)))
        .to.be.revertedWithCustomError(f.market, 'MarketFulfilTooLate')
        .withArgs(batchId, b.finalDeadline);
      await expect(f.market.connect(f.outsider).slash(batchId))
        .to.emit(f.market, 'MarketBatchSlashed')
        .withArgs(batchId, locker.address, f.outsider.address, 40n * E18, 40n * E18);
      const after = await f.market.getBatch(batchId);
      expect([after.state, after.assignmentOpen, after.locker, after.collateral]).to.deep.equal([
        BatchState.Sealed,
        true,
        locker.address,
        0n,
      ]);
      expect(await f.market.assignedProver(batchId)).to.equal(ethers.ZeroAddress);
      await expect(f.market.connect(other).lock(batchId)).to.emit(f.market, 'MarketBatchLocked');
      await expect(f.market.connect(other).fulfill(batchId, proofFor(book, batchId, other.address), 0, book.settlement(batchId))).to.emit(
        f.market,
        'MarketBatchFulfilled',
      );
    });

    it('callbacks run with the gas fixed at submission, failures are ignored, the fulfiller must provide the gas', async () => {
      const f = await fixture();
      const book = new Book();
      const recorder = await ethers.deployContract('RecordingCallback');
      const burner = await ethers.deployContract('GasBurnerCallback');
      await f.market.connect(f.rollup).setProgramCallback(f.programId, await recorder.getAddress(), 150_000);
      const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 4);
      const s = book.settlement(batchId);
      const proof = proofFor(book, batchId, locker.address, 0b100n);
      const enough = await f.market.connect(locker).fulfill.estimateGas(batchId, proof, 0b100n, s);
      await expect(
        f.market.connect(locker).fulfill(batchId, proof, 0b100n, s, { gasLimit: enough - 30_000n }),
      ).to.be.revertedWithCustomError(f.market, 'MarketInsufficientCallbackGas');
      await f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address, 0b100n), 0b100n, s);
      expect(await recorder.getFunction('callCount')()).to.equal(3n);
      const call = await recorder.getFunction('calls')(2);
      expect([call.programId, call.submissionId, call.digest]).to.deep.equal([f.programId, batchId * 64n + 3n, s.digests[3]]);
      // A failing callback does not fail the fulfilment.
      await f.market.connect(f.rollup).setProgramCallback(f.programId, await burner.getAddress(), 60_000);
      const next = await lockedCalldataBatch(f, chain, book, 1);
      await expect(
        f.market
          .connect(next.locker)
          .fulfill(next.batchId, proofFor(book, next.batchId, next.locker.address), 0, book.settlement(next.batchId)),
      )
        .to.emit(f.market, 'MarketCallbackFailed')
        .withArgs(next.batchId * 64n, await burner.getAddress());
    });
  });

  describe('close and release', () => {
    it('the locker closes a batch with nothing provable at once: every fee back, collateral unlocked (issue #11)', async () => {
      const f = await fixture();
      const book = new Book();
      const batchId = await postedBatch(f, book);
      const locker = await lockByAssigned(f, chain, batchId);
      const other = f.provers.find((p) => p.address !== locker.address)!;
      const s = book.settlement(batchId);
      const noDigests = { ...s, digests: [] };
      await expect(f.market.connect(other).close(batchId, noDigests))
        .to.be.revertedWithCustomError(f.market, 'MarketNotLocker')
        .withArgs(batchId, locker.address);
      await expect(f.market.connect(locker).close(batchId, { ...noDigests, groups: s.groups.slice(1) }))
        .to.be.revertedWithCustomError(f.market, 'MarketSettlementMismatch')
        .withArgs(batchId);
      const tx = f.market.connect(locker).close(batchId, noDigests);
      await expect(tx).to.emit(f.market, 'MarketBatchClosed').withArgs(batchId, locker.address);
      await expect(tx)
        .to.emit(f.market, 'MarketFeesReturned')
        .withArgs(batchId, f.user1.address, 4n * MIN_FEE, true);
      await expect(tx)
        .to.emit(f.market, 'MarketFeesReturned')
        .withArgs(batchId, f.user2.address, 4n * MIN_FEE, true);
      await expect(tx)
        .to.emit(f.staking, 'StakingCollateralUnlocked')
        .withArgs(locker.address, 60n * E18, 0n);
      expect((await f.market.getAccount(f.user1.address)).balance).to.equal(100n * MIN_FEE);
      expect((await f.market.getBatch(batchId)).state).to.equal(BatchState.Closed);
      await expect(f.market.connect(locker).close(batchId, noDigests))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(batchId, BatchState.Closed);
    });

    it('close is refused after the effective lock deadline', async () => {
      const f = await fixture();
      const book = new Book();
      const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 2);
      const b = await f.market.getBatch(batchId);
      await time.increaseTo(b.lockDeadline + 1n);
      await expect(f.market.connect(locker).close(batchId, book.settlement(batchId)))
        .to.be.revertedWithCustomError(f.market, 'MarketLockDeadlinePassed')
        .withArgs(batchId, b.lockDeadline);
    });

    it('release after expiry (open or sealed, no lock): anyone; every fee back to its payer', async () => {
      const f = await fixture();
      const book = new Book();
      await submitN(f, book, 2);
      await submitN(f, book, 1, f.user2, 3n * MIN_FEE);
      const b = await f.market.getBatch(1);
      await expect(f.market.release(1, book.settlement(1n)))
        .to.be.revertedWithCustomError(f.market, 'MarketNotExpired')
        .withArgs(1, b.openedAt + 86_400n);
      await time.increaseTo(b.openedAt + 86_401n);
      expect((await f.market.getBatch(1)).state).to.equal(BatchState.Expired);
      const tx = f.market.connect(f.outsider).release(1, book.settlement(1n));
      await expect(tx).to.emit(f.market, 'MarketBatchReleased').withArgs(1, f.outsider.address);
      await expect(tx).to.emit(f.market, 'MarketFeesReturned').withArgs(1, f.user1.address, MIN_FEE, false); // one per group
      expect(await f.market.earnings(f.user1.address)).to.equal(2n * MIN_FEE);
      await expect(tx)
        .to.emit(f.market, 'MarketFeesReturned')
        .withArgs(1, f.user2.address, 3n * MIN_FEE, false);
      expect(await f.market.openBatchId()).to.equal(0n);
      expect(await f.market.earnings(f.user2.address)).to.equal(3n * MIN_FEE);
      await expect(f.market.release(1, book.settlement(1n)))
        .to.be.revertedWithCustomError(f.market, 'MarketUnexpectedBatchState')
        .withArgs(1, BatchState.Released);
    });
  });

  describe('verification reads', () => {
    it('isVerified needs a path of the batch depth to the proven root; recordVerified stores it for path-free reads', async () => {
      const f = await fixture();
      const book = new Book();
      const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 8);
      const entry = book.of(batchId);
      const withPath = 'isVerified(bytes32,bytes32[],(uint256,uint256,bytes32[]))';
      const pathFree = 'isVerified(bytes32,bytes32[])';
      const inclusion = { batchId, index: 3, siblings: inclusionPath(batchLeaves(entry.digests, 8), 3) };
      expect(await f.market.getFunction(withPath)(f.programId, entry.inputs[3]!, inclusion)).to.equal(false); // not fulfilled yet
      await f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address), 0, book.settlement(batchId));
      expect(await f.market.getFunction(withPath)(f.programId, entry.inputs[3]!, inclusion)).to.equal(true);
      expect(await f.market.getFunction(withPath)(f.programId, entry.inputs[4]!, inclusion)).to.equal(false);
      expect(await f.market.getFunction(withPath)(f.programId, entry.inputs[3]!, { ...inclusion, index: 2 })).to.equal(false);
      expect(
        await f.market.getFunction(withPath)(f.programId, entry.inputs[3]!, { ...inclusion, siblings: inclusion.siblings.slice(1) }),
      ).to.equal(false);
      expect(await f.market.getFunction(withPath)(f.programId, entry.inputs[3]!, { ...inclusion, index: 11 })).to.equal(false);
      expect(await f.market.getFunction(pathFree)(f.programId, entry.inputs[3]!)).to.equal(false);
      const digest = statementDigest(f.programId, entry.inputs[3]!);
      await expect(f.market.recordVerified(f.programId, entry.inputs[4]!, inclusion))
        .to.be.revertedWithCustomError(f.market, 'MarketNotVerified')
        .withArgs(statementDigest(f.programId, entry.inputs[4]!));
      await expect(f.market.recordVerified(f.programId, entry.inputs[3]!, inclusion))
        .to.emit(f.market, 'MarketStatementRecorded')
        .withArgs(digest, batchId);
      expect(await f.market.getFunction(pathFree)(f.programId, entry.inputs[3]!)).to.equal(true);
    });
  });
});
