// One test per hardening item of issue #10 that lives in the contracts, reproducing the scenario.
// Items 2 (squatting) and 15 (proof length) are in AggregationMarket.setup/calldata tests, item 7 in
// test/staking/ProverStaking.operator.test.ts, item 10's staking side in ProverStaking.collateral.test.ts.
import { expect } from 'chai';
import { network } from 'hardhat';
import { type Hex, encodeAbiParameters, keccak256 } from 'viem';
import {
  mockProof,
  BatchState,
  Book,
  E18,
  KEY_SET,
  MIN_FEE,
  VK,
  deadlineIn,
  deployMarket,
  freshInputs,
  freshStatements,
  lockByAssigned,
  lockedCalldataBatch,
  post,
  proofFor,
  recordSubmitted,
  rollupProof,
  sealByTimeout,
  signRequest,
  submitN,
} from './fixture.js';
import { ZERO_LEAF, batchLeaves, hashPair, inclusionPath, programIdOf, statementDigest, zeroSubtree } from '../../prover/protocol/index.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const chain = { time, mine: (n?: number) => networkHelpers.mine(n) };
const WITH_PATH = 'isVerified(bytes32,bytes32[],(uint256,uint256,bytes32[]))';

describe('AggregationMarket v2: hardening (issue #10)', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  it('item 1: the statement of "program 0" with input [0] is not Z_1 and cannot be covered by a pad', async () => {
    const f = await fixture();
    const book = new Book();
    // Version 1: program id 0 and statement [0] had digest keccak(0 || 0) = Z_1. Now the id is derived from
    // the registrant and the digest is domain-separated, whatever key hash anyone registers.
    await f.market.connect(f.user1).registerProgram(ZERO_LEAF, VK, 1);
    const programId = programIdOf(f.user1.address, ZERO_LEAF);
    const digest = statementDigest(programId, [ZERO_LEAF]);
    for (let h = 0; h <= 6; h++) expect(digest).to.not.equal(zeroSubtree(h));
    const tx = await f.market.connect(f.user1).submit(programId, [ZERO_LEAF], rollupProof(), { value: MIN_FEE });
    const { batchId } = await recordSubmitted(f, book, tx, [[ZERO_LEAF]], [programId]);
    await sealByTimeout(f, chain, batchId);
    const locker = await lockByAssigned(f, chain, batchId);
    const settlement = book.settlement(batchId);
    // The v1 attack: prove the root in which slot 0's pair is a pad (Z_1) instead of (digest, 0).
    const padded = hashPair(hashPair(zeroSubtree(1), zeroSubtree(1)), zeroSubtree(2));
    expect(padded).to.equal(zeroSubtree(3));
    await expect(f.market.connect(locker).fulfill(batchId, mockProof(zeroSubtree(2), locker.address, KEY_SET), 0, settlement))
      .to.be.revertedWithCustomError(f.market, 'MarketInvalidProof')
      .withArgs(batchId);
    // The only root without a proof of the statement is the one that excludes it: nothing is then verified,
    // so the fulfilment is refused, and closing returns the fee.
    await expect(f.market.connect(locker).fulfill(batchId, mockProof(zeroSubtree(2), locker.address, KEY_SET), 1, settlement))
      .to.be.revertedWithCustomError(f.market, 'MarketNothingIncluded')
      .withArgs(batchId);
    await f.market.connect(locker).close(batchId, settlement);
    const inclusion = { batchId, index: 0, siblings: inclusionPath(batchLeaves([digest], 4), 0) };
    expect(await f.market.getFunction(WITH_PATH)(programId, [ZERO_LEAF], inclusion)).to.equal(false);
    expect(await f.market.earnings(f.user1.address)).to.equal(MIN_FEE);
  });

  describe('item 4: the draw', () => {
    it("is seeded by the sealing block's own hash and evaluated at lock time, never in the sealing block", async () => {
      const f = await fixture();
      const book = new Book();
      await submitN(f, book, 7);
      await ethers.provider.send('evm_setAutomine', [false]);
      const sealTx = await f.market.connect(f.user2).submit(f.programId, freshInputs(), rollupProof(), { value: MIN_FEE });
      const lockTx = await f.market.connect(f.alice).lock(1, { gasLimit: 1_000_000 });
      await networkHelpers.mine(1);
      await ethers.provider.send('evm_setAutomine', [true]);
      const sealed = (await sealTx.wait())!;
      const locked = (await ethers.provider.getTransactionReceipt(lockTx.hash))!;
      expect([locked.blockNumber, locked.status]).to.deep.equal([sealed.blockNumber, 0]); // refused in the sealing block
      await expect(f.market.assignedProver(1, { blockTag: sealed.blockNumber }))
        .to.be.revertedWithCustomError(f.market, 'MarketDrawNotReady')
        .withArgs(1, sealed.blockNumber);
      await networkHelpers.mine(1);
      const blockHash = (await ethers.provider.getBlock(sealed.blockNumber))!.hash as Hex;
      const seed = keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [blockHash, 1n]));
      let expected = ethers.ZeroAddress;
      for (let i = 0n; i < 4n; i++) {
        const c = await f.staking.selectProver(
          BigInt(keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [seed, i]))),
        );
        if (c !== ethers.ZeroAddress && (await f.staking.canLock(c, 80n * E18))) {
          expected = c;
          break;
        }
      }
      expect(await f.market.assignedProver(1)).to.equal(expected);
      // The version-1 seed (the previous block's hash, known to whoever seals) plays no part.
      const parentHash = (await ethers.provider.getBlock(sealed.blockNumber - 1))!.hash as Hex;
      expect(parentHash).to.not.equal(blockHash);
    });

    it('the 1/7-stake sealer who seals only when the old seed picks it no longer wins every draw', async () => {
      const f = await deployMarket(ethers, { stake: false, params: { batchCapacity: 4n } });
      await f.staking.connect(f.alice).stake(9_000n * E18); // 6/7 of the weight
      await f.staking.connect(f.bob).stake(1_500n * E18);
      const book = new Book();
      let bobWins = 0;
      for (let batch = 1n; batch <= 5n; batch++) {
        await submitN(f, book, 3);
        // Bob waits until the version-1 seed (previous block hash) would pick him, then seals.
        for (let tries = 0; tries < 200; tries++) {
          const latest = (await ethers.provider.getBlock('latest'))!;
          const v1Seed = BigInt(keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [latest.hash as Hex, batch])));
          if ((await f.staking.selectProver(v1Seed)) === f.bob.address) break;
          await networkHelpers.mine(1);
        }
        await f.market.connect(f.bob).submit(f.programId, freshInputs(), rollupProof(), { value: MIN_FEE });
        await networkHelpers.mine(1);
        if ((await f.market.assignedProver(batch)) === f.bob.address) bobWins++;
        await time.increase(121);
        await f.market.connect(f.alice).lock(batch);
      }
      // Bob holds 1/7 of the weight: under the version-2 seed it wins each draw with probability 1/7, so
      // 5 of 5 has probability 1/16807 (it won 5 of 5 under version 1).
      expect(bobWins).to.be.lessThan(5);
    });

    it("falls back to open assignment when the sealing block's hash is no longer readable (256 blocks)", async () => {
      const f = await deployMarket(ethers, { params: { assignmentWindow: 3_600n } });
      const book = new Book();
      await submitN(f, book, 8);
      await networkHelpers.mine(1);
      const assigned = await f.market.assignedProver(1);
      expect(assigned).to.not.equal(ethers.ZeroAddress);
      await networkHelpers.mine(256);
      expect(await f.market.assignedProver(1)).to.equal(ethers.ZeroAddress);
      const other = f.provers.find((p) => p.address !== assigned)!;
      await expect(f.market.connect(other).lock(1)).to.emit(f.market, 'MarketBatchLocked');
    });
  });

  describe('item 5: a freeze never slashes the innocent nor saves the late', () => {
    it('a locker frozen out during its window gets the frozen time back', async () => {
      const f = await fixture();
      const book = new Book();
      const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 8);
      const b = await f.market.getBatch(batchId);
      await time.increaseTo(b.lockDeadline - 100n);
      await f.router.connect(f.guardian).freeze(1);
      await time.increaseTo(b.finalDeadline + 1_000n); // frozen far past both deadlines
      await expect(f.market.slash(batchId)).to.be.revertedWithCustomError(f.market, 'MarketSlashTooEarly');
      const unfreeze = await f.router.connect(f.guardian).unfreeze(1);
      await expect(f.market.connect(f.outsider).slash(batchId)).to.be.revertedWithCustomError(f.market, 'MarketSlashTooEarly');
      const after = await f.market.getBatch(batchId);
      const frozen = BigInt((await ethers.provider.getBlock((await unfreeze.wait())!.blockNumber))!.timestamp) - (b.lockDeadline - 99n);
      expect(after.lockDeadline).to.equal(b.lockDeadline + frozen);
      expect(after.finalDeadline).to.equal(b.finalDeadline + frozen);
      // ~99 s of its window remain: the locker fulfils on time, unslashed.
      await expect(f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address), 0, book.settlement(batchId)))
        .to.emit(f.market, 'MarketBatchFulfilled')
        .withArgs(batchId, locker.address, book.provenRoot(batchId), 0, (8n * MIN_FEE * 95n) / 100n, (8n * MIN_FEE * 5n) / 100n, 0, false);
    });

    it('a locker already late when the freeze began stays late (slashable during and after the freeze)', async () => {
      const f = await fixture();
      const book = new Book();
      const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 8);
      const b = await f.market.getBatch(batchId);
      await time.increaseTo(b.finalDeadline + 10n);
      await f.router.connect(f.guardian).freeze(1);
      await time.increase(5_000);
      await f.router.connect(f.guardian).unfreeze(1);
      await expect(f.market.connect(f.outsider).slash(batchId))
        .to.emit(f.market, 'MarketBatchSlashed')
        .withArgs(batchId, locker.address, f.outsider.address, 40n * E18, 40n * E18);
    });

    it('a removed version releases the lock at once, without penalty', async () => {
      const f = await fixture();
      const book = new Book();
      const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 8);
      await f.router.connect(f.admin).addVersion(await f.verifier.getAddress(), KEY_SET, 14_656);
      await f.router.connect(f.admin).removeVersion(1);
      await expect(f.market.connect(f.outsider).slash(batchId))
        .to.emit(f.market, 'MarketLockReleased')
        .withArgs(batchId, locker.address, 80n * E18);
      expect(await f.staking.stakeOf(locker.address)).to.deep.equal([2_000n * E18, 0n, 0n]);
      expect((await f.market.getBatch(batchId)).locker).to.equal(ethers.ZeroAddress);
    });
  });

  it("item 6: a squatter's junk copy of a statement neither blocks it nor holds it: closed at once, costs only the squatter", async () => {
    const f = await fixture();
    const book = new Book();
    const inputs = freshInputs();
    // The squatter front-runs the rollup's statement with a junk proof; the rollup posts its own in the same batch.
    const junk = await f.market.connect(f.outsider).submit(f.programId, inputs, rollupProof(9), { value: MIN_FEE });
    await recordSubmitted(f, book, junk, [inputs], [f.programId]);
    const real = await f.market.connect(f.rollup).submit(f.programId, inputs, rollupProof(1), { value: MIN_FEE });
    await recordSubmitted(f, book, real, [inputs], [f.programId]);
    await sealByTimeout(f, chain, 1n);
    const locker = await lockByAssigned(f, chain, 1n);
    // The prover excludes the junk slot; the statement is verified through the rollup's slot.
    await f.market.connect(locker).fulfill(1, proofFor(book, 1n, locker.address, 1n), 1n, book.settlement(1n));
    const leaves = [ZERO_LEAF, statementDigest(f.programId, inputs)];
    expect(
      await f.market.getFunction(WITH_PATH)(f.programId, inputs, {
        batchId: 1n,
        index: 1,
        siblings: inclusionPath(batchLeaves(leaves, 8), 1),
      }),
    ).to.equal(true);
    expect(await f.market.earnings(f.outsider.address)).to.equal(MIN_FEE); // the squatter only got its own fee back
    // A batch of nothing but junk is closed at once by its locker, not held for the TTL.
    const junkOnly = await submitN(f, book, 2, f.outsider);
    await sealByTimeout(f, chain, junkOnly[0]!.batchId);
    const l2 = await lockByAssigned(f, chain, junkOnly[0]!.batchId);
    await expect(f.market.connect(l2).close(junkOnly[0]!.batchId, book.settlement(junkOnly[0]!.batchId))).to.emit(
      f.market,
      'MarketBatchClosed',
    );
  });

  it('item 8: a callback added after the statement entered costs the fulfiller nothing', async () => {
    const f = await fixture();
    const book = new Book();
    const recorder = await ethers.deployContract('RecordingCallback');
    const { batchId, locker } = await lockedCalldataBatch(f, chain, book, 8);
    await f.market.connect(f.rollup).setProgramCallback(f.programId, await recorder.getAddress(), 200_000);
    const tx = await f.market
      .connect(locker)
      .fulfill(batchId, proofFor(book, batchId, locker.address), 0, book.settlement(batchId), { gasLimit: 400_000 });
    expect((await tx.wait())!.status).to.equal(1);
    expect(await recorder.getFunction('callCount')()).to.equal(0n);
    expect(book.of(batchId).groups.every((g) => (g.word & 0xffffffn) === 0n)).to.equal(true);
  });

  it('item 9: a slashed locker cannot lock the batch it failed again (nor through its operator)', async () => {
    const f = await fixture();
    const book = new Book();
    await submitN(f, book, 8);
    await networkHelpers.mine(1);
    const b0 = await f.market.getBatch(1);
    await time.increaseTo(b0.sealedAt + 121n);
    await f.market.connect(f.operator).lock(1); // alice through its operator
    const b = await f.market.getBatch(1);
    await time.increaseTo(b.finalDeadline + 1n);
    await f.market.connect(f.bob).slash(1); // e.g. alice's second identity: recovers the reward share
    await expect(f.market.connect(f.alice).lock(1))
      .to.be.revertedWithCustomError(f.market, 'MarketSlashedLocker')
      .withArgs(1, f.alice.address);
    await expect(f.market.connect(f.operator).lock(1))
      .to.be.revertedWithCustomError(f.market, 'MarketSlashedLocker')
      .withArgs(1, f.alice.address);
    await expect(f.market.connect(f.carol).lock(1)).to.emit(f.market, 'MarketBatchLocked');
  });

  it("item 10: a market slash takes exactly the batch's collateral, never the rest of the stake", async () => {
    const f = await fixture();
    const book = new Book();
    const first = await lockedCalldataBatch(f, chain, book, 8);
    const locker = first.locker;
    const [staked] = await f.staking.stakeOf(locker.address);
    await f.staking.connect(locker).requestUnstake(500n * E18);
    const b = await f.market.getBatch(first.batchId);
    await time.increaseTo(b.finalDeadline + 1n);
    await f.market.connect(f.outsider).slash(first.batchId);
    expect(await f.staking.stakeOf(locker.address)).to.deep.equal([staked - 80n * E18, 0n, 500n * E18]);
  });

  describe('item 11: draw weights', () => {
    it('a prover whose stake is all locked is never assigned', async () => {
      const f = await deployMarket(ethers, { params: { collateralPerProof: 250n * E18, batchCapacity: 8n } });
      const book = new Book();
      const { locker } = await lockedCalldataBatch(f, chain, book, 8); // 8 x 250 = the locker's whole stake
      expect(await f.staking.availableStake(locker.address)).to.equal(0n);
      for (let i = 0; i < 4; i++) {
        const subs = await submitN(f, book, 8);
        await networkHelpers.mine(1);
        expect(await f.market.assignedProver(subs[0]!.batchId)).to.not.equal(locker.address);
      }
    });

    it('stale weights after a minStake change never assign the ineligible prover and still assign someone', async () => {
      const f = await fixture();
      const book = new Book();
      await f.staking.connect(f.alice).requestUnstake(1_500n * E18); // alice: weight 0 at once
      await f.staking.connect(f.bob).stake(1_000n * E18); // bob 3000, carol 2000
      await f.staking.connect(f.admin).setMinStake(2_500n * E18); // carol ineligible, stale weight 2000
      let assigned = 0;
      for (let i = 0; i < 5; i++) {
        const subs = await submitN(f, book, 8);
        await networkHelpers.mine(1);
        const who = await f.market.assignedProver(subs[0]!.batchId);
        expect(who).to.not.equal(f.carol.address);
        if (who === f.bob.address) assigned++;
      }
      // Each draw tries 4 candidates; it opens the batch only if all 4 hit carol's stale weight (2/5 each).
      expect(assigned).to.be.greaterThan(0);
    });
  });

  it('off-chain: excluded and expired statements are never charged; a post with a past deadline is skipped', async () => {
    const f = await fixture();
    const book = new Book();
    await f.market.connect(f.user1).deposit({ value: 10n * MIN_FEE });
    const { inputs, digests } = freshStatements(f, 4);
    const group = await signRequest(f, f.user1, {
      programId: f.programId,
      digests,
      feePerProof: MIN_FEE,
      nonce: 0n,
      deadline: deadlineIn(await time.latest()),
    });
    const { batchId } = await post(f, book, f.relay, [{ group, digests, inputs }]);
    const b = await f.market.getBatch(batchId);
    // Nobody locks; the batch expires and is released: the reservation goes back to the deposit.
    await time.increaseTo(b.expiry + 1n);
    expect((await f.market.getBatch(batchId)).state).to.equal(BatchState.Expired);
    const s = book.settlement(batchId);
    await f.market.connect(f.outsider).release(batchId, { ...s, digests: [] });
    expect((await f.market.getAccount(f.user1.address)).balance).to.equal(10n * MIN_FEE);
  });
});
