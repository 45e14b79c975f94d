import { expect } from 'chai';
import { network } from 'hardhat';
import {
  BatchState,
  Book,
  MIN_FEE,
  SkipReason,
  deadlineIn,
  deployMarket,
  freshStatements,
  lockByAssigned,
  post,
  proofFor,
  requestHashOf,
  signRequest,
  word,
} from './fixture.js';
import { ZERO_LEAF, batchRoot, groupWord, groupsHash, postedCommitment } from '../../prover/protocol/index.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const chain = { time, mine: (n?: number) => networkHelpers.mine(n) };

describe('AggregationMarket v2: off-chain channel (deposits, signed requests, postBatch)', () => {
  async function funded() {
    const f = await deployMarket(ethers);
    await f.market.connect(f.user1).deposit({ value: 100n * MIN_FEE });
    await f.market.connect(f.user2).deposit({ value: 100n * MIN_FEE });
    return f;
  }
  const fixture = () => networkHelpers.loadFixture(funded);

  async function request(f: Awaited<ReturnType<typeof funded>>, payer = f.user1, n = 4, nonce = 0n, fee = MIN_FEE, deadline?: bigint) {
    const { inputs, digests } = freshStatements(f, n);
    const group = await signRequest(f, payer, {
      programId: f.programId,
      digests,
      feePerProof: fee,
      nonce,
      deadline: deadline ?? deadlineIn(await time.latest()),
    });
    return { group, digests, inputs };
  }

  describe('deposits and withdrawals', () => {
    it('deposit credits the balance; a withdrawal needs notice and pays min(requested, balance)', async () => {
      const f = await fixture();
      await expect(f.market.connect(f.user1).deposit({ value: 5n }))
        .to.emit(f.market, 'MarketDeposited')
        .withArgs(f.user1.address, 5n, 100n * MIN_FEE + 5n);
      await expect(f.market.connect(f.user1).requestWithdrawal(100n * MIN_FEE + 6n))
        .to.be.revertedWithCustomError(f.market, 'MarketInsufficientBalance')
        .withArgs(f.user1.address, 100n * MIN_FEE + 5n, 100n * MIN_FEE + 6n);
      await expect(f.market.connect(f.user1).requestWithdrawal(0n)).to.be.revertedWithCustomError(f.market, 'MarketInsufficientBalance');
      await expect(f.market.connect(f.user1).withdraw())
        .to.be.revertedWithCustomError(f.market, 'MarketWithdrawalNotReady')
        .withArgs(f.user1.address, 0);
      const tx = await f.market.connect(f.user1).requestWithdrawal(50n * MIN_FEE);
      const at = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp) + 86_400n;
      await expect(tx)
        .to.emit(f.market, 'MarketWithdrawalRequested')
        .withArgs(f.user1.address, 50n * MIN_FEE, at);
      await time.increaseTo(at - 2n);
      await expect(f.market.connect(f.user1).withdraw())
        .to.be.revertedWithCustomError(f.market, 'MarketWithdrawalNotReady')
        .withArgs(f.user1.address, at);
      // Until then the whole balance is still usable by requests: a post spends 60 of the 100.
      const book = new Book();
      await post(f, book, f.relay, [await request(f, f.user1, 60, 0n, MIN_FEE, at)]);
      await time.increaseTo(at);
      await expect(f.market.connect(f.user1).withdraw()).to.changeEtherBalances(
        ethers,
        [f.user1, f.market],
        [40n * MIN_FEE + 5n, -(40n * MIN_FEE + 5n)],
      );
      expect(await f.market.getAccount(f.user1.address)).to.deep.equal([0n, 1n, 0n, 0n]);
    });
  });

  describe('postBatch', () => {
    it('creates a sealed posted batch: root on chain, fees reserved, nonce used, poster committed', async () => {
      const f = await fixture();
      const book = new Book();
      const a = await request(f, f.user1, 3, 0n);
      const b = await request(f, f.user2, 2, 7n, 2n * MIN_FEE);
      const { tx, batchId, receipt } = await post(f, book, f.relay, [a, b]);
      expect(batchId).to.equal(1n);
      const digests = [...a.digests, ...b.digests];
      const groups = [
        { word: groupWord({ payer: f.user1.address, feePerProof: MIN_FEE, count: 3, callbackGas: 0 }), programId: f.programId },
        { word: groupWord({ payer: f.user2.address, feePerProof: 2n * MIN_FEE, count: 2, callbackGas: 0 }), programId: f.programId },
      ];
      const root = batchRoot(digests, 8);
      // Each acceptance names the EIP-712 hash its payer signed (relays and the SDK key requests by it).
      await expect(tx)
        .to.emit(f.market, 'MarketRequestAccepted')
        .withArgs(1, f.user1.address, 0, f.programId, 0, 3, MIN_FEE, 0, await requestHashOf(f, a.group, a.digests));
      await expect(tx)
        .to.emit(f.market, 'MarketRequestAccepted')
        .withArgs(1, f.user2.address, 7, f.programId, 3, 2, 2n * MIN_FEE, 0, await requestHashOf(f, b.group, b.digests));
      await expect(tx)
        .to.emit(f.market, 'MarketBatchPosted')
        .withArgs(1, f.relay.address, root, groupsHash(groups), 5, 8, 7n * MIN_FEE);
      await expect(tx).to.emit(f.market, 'MarketBatchSealed').withArgs(1, 1, 5, receipt.blockNumber);
      const batch = await f.market.getBatch(1);
      expect([batch.state, batch.posted, batch.capacity, batch.count, batch.escrow]).to.deep.equal([
        BatchState.Sealed,
        true,
        8n,
        5n,
        7n * MIN_FEE,
      ]);
      expect(batch.commitment).to.equal(postedCommitment(root, groupsHash(groups), f.relay.address));
      expect(await f.market.getAccount(f.user1.address)).to.deep.equal([97n * MIN_FEE, 1n, 0n, 0n]);
      expect(await f.market.getAccount(f.user2.address)).to.deep.equal([96n * MIN_FEE, 8n, 0n, 0n]);
      // Capacity is the smallest power of two >= max(4, n).
      const { batchId: small } = await post(f, book, f.relay, [await request(f, f.user1, 1, 1n)]);
      expect((await f.market.getBatch(small)).capacity).to.equal(4n);
    });

    it('skips, never reverts for, a bad request: signature, deadline, nonce, program, fee, statements, balance', async () => {
      const f = await fixture();
      const book = new Book();
      const ok = await request(f, f.user1, 2, 0n);
      const forged = await request(f, f.user1, 2, 1n);
      forged.group.feePerProof = 2n * MIN_FEE; // altered after signing: recovers another address
      const expired = await request(f, f.user1, 1, 2n, MIN_FEE, BigInt(await time.latest()) - 1n);
      const lowFee = await request(f, f.user2, 1, 0n, MIN_FEE - 1n);
      const { inputs, digests } = freshStatements(f, 1);
      const unknown = {
        group: await signRequest(f, f.user2, {
          programId: word(404),
          digests,
          feePerProof: MIN_FEE,
          nonce: 1n,
          deadline: deadlineIn(await time.latest()),
        }),
        digests,
        inputs,
      };
      const zeroDigest = {
        group: await signRequest(f, f.user2, {
          programId: f.programId,
          digests: [ZERO_LEAF],
          feePerProof: MIN_FEE,
          nonce: 2n,
          deadline: deadlineIn(await time.latest()),
        }),
        digests: [ZERO_LEAF],
        inputs: [[]],
      };
      const tooBig = await request(f, f.user2, 1, 3n, 101n * MIN_FEE);
      const malformed = await request(f, f.user2, 1, 4n);
      malformed.group.r = ZERO_LEAF;
      const { tx, batchId, skipped } = await post(f, book, f.relay, [ok, forged, expired, lowFee, unknown, zeroDigest, tooBig, malformed]);
      expect(batchId).to.equal(1n);
      // The altered request recovers some unfunded address: it is charged nothing and speaks for nobody.
      expect(skipped[0]!.args[0]).to.not.equal(f.user1.address);
      expect(skipped.map((e) => e.args[2])).to.deep.equal([
        SkipReason.InsufficientBalance,
        SkipReason.Expired,
        SkipReason.FeeBelowFloor,
        SkipReason.UnknownProgram,
        SkipReason.InvalidStatements,
        SkipReason.InsufficientBalance,
        SkipReason.BadSignature,
      ]);
      await expect(tx).to.emit(f.market, 'MarketRequestSkipped').withArgs(f.user1.address, 2, SkipReason.Expired);
      await expect(tx).to.emit(f.market, 'MarketRequestSkipped').withArgs(ethers.ZeroAddress, 4, SkipReason.BadSignature);
      expect((await f.market.getBatch(1)).count).to.equal(2n);
      // Nothing of the skipped requests was charged or consumed.
      expect(await f.market.getAccount(f.user2.address)).to.deep.equal([100n * MIN_FEE, 0n, 0n, 0n]);
      expect((await f.market.getAccount(f.user1.address))[1]).to.equal(1n);
    });

    it('replay: the same request twice, to another poster, or after a higher nonce is charged once', async () => {
      const f = await fixture();
      const book = new Book();
      const r0 = await request(f, f.user1, 2, 0n);
      const { skipped: dup } = await post(f, book, f.relay, [r0, r0]);
      expect(dup.map((e) => e.args[2])).to.deep.equal([SkipReason.StaleNonce]);
      const { batchId, skipped } = await post(f, book, f.user2, [r0]); // another poster
      expect(batchId).to.equal(0n); // nothing accepted: no batch
      expect(skipped.map((e) => e.args[2])).to.deep.equal([SkipReason.StaleNonce]);
      // A later nonce voids every earlier unposted one.
      const r1 = await request(f, f.user1, 1, 1n);
      const r5 = await request(f, f.user1, 1, 5n);
      await post(f, book, f.relay, [r5]);
      const { skipped: voided } = await post(f, book, f.relay, [r1]);
      expect(voided.map((e) => e.args[2])).to.deep.equal([SkipReason.StaleNonce]);
      expect(await f.market.getAccount(f.user1.address)).to.deep.equal([97n * MIN_FEE, 6n, 0n, 0n]);
    });

    it("rejects a post whose digests do not match its groups' counts, or of more than 64 statements", async () => {
      const f = await fixture();
      const r = await request(f, f.user1, 2, 0n);
      await expect(f.market.connect(f.relay).postBatch([r.group], [...r.digests, ZERO_LEAF]))
        .to.be.revertedWithCustomError(f.market, 'MarketPostMismatch')
        .withArgs(2, 3);
      await expect(f.market.connect(f.relay).postBatch([r.group], r.digests.slice(1)))
        .to.be.revertedWithCustomError(f.market, 'MarketPostMismatch')
        .withArgs(2, 1);
      await expect(f.market.connect(f.relay).postBatch([], Array(65).fill(ZERO_LEAF)))
        .to.be.revertedWithCustomError(f.market, 'MarketTooManyStatements')
        .withArgs(65, 64);
    });

    it('a withdrawal executed while a batch is locked cannot touch its reservation: the prover is still paid', async () => {
      const f = await fixture();
      const book = new Book();
      const notice = await f.market.connect(f.user1).requestWithdrawal(100n * MIN_FEE);
      const due = BigInt((await ethers.provider.getBlock((await notice.wait())!.blockNumber))!.timestamp) + 86_400n;
      await time.increaseTo(due - 10n);
      // The relay posts a request it accepted before the notice: the balance is still usable.
      const { batchId } = await post(f, book, f.relay, [await request(f, f.user1, 4, 0n)]);
      const locker = await lockByAssigned(f, chain, batchId);
      await time.increaseTo(due);
      await expect(f.market.connect(f.user1).withdraw())
        .to.emit(f.market, 'MarketWithdrawn')
        .withArgs(f.user1.address, 96n * MIN_FEE); // min(requested, balance): the 4 reserved stay in escrow
      const fees = 4n * MIN_FEE;
      await expect(f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address), 0, book.settlement(batchId)))
        .to.emit(f.market, 'MarketBatchFulfilled')
        .withArgs(
          batchId,
          locker.address,
          book.provenRoot(batchId),
          0,
          fees - (fees * 700n) / 10_000n,
          (fees * 500n) / 10_000n,
          (fees * 200n) / 10_000n,
          false,
        );
      expect(await f.market.earnings(f.relay.address)).to.equal((fees * 200n) / 10_000n);
      expect(await ethers.provider.getBalance(await f.market.getAddress())).to.equal(100n * MIN_FEE + fees);
    });
  });
});
