import { expect } from 'chai';
import { network } from 'hardhat';
import {
  BatchState,
  Book,
  FIELD_MODULUS,
  MIN_FEE,
  ROLLUP_PROOF_BYTES,
  deployMarket,
  freshInputs,
  recordSubmitted,
  rollupProof,
  submitN,
  word,
} from './fixture.js';
import { chainCommitment, groupWord, programIdOf, statementDigest } from '../../prover/protocol/index.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe('AggregationMarket v2: calldata channel', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  it('submit opens a batch, appends a one-statement group to the chain commitment and escrows the fee', async () => {
    const f = await fixture();
    const inputs = freshInputs();
    const tx = await f.market.connect(f.user1).submit(f.programId, inputs, rollupProof(), { value: 3n * MIN_FEE });
    await expect(tx).to.emit(f.market, 'MarketBatchOpened').withArgs(1, 8);
    await expect(tx)
      .to.emit(f.market, 'MarketSubmitted')
      .withArgs(1, f.programId, f.user1.address, 0, 1, 3n * MIN_FEE, 0);
    await expect(tx).to.changeEtherBalances(ethers, [f.user1, f.market], [-3n * MIN_FEE, 3n * MIN_FEE]);
    const b = await f.market.getBatch(1);
    expect([b.state, b.posted, b.capacity, b.count, b.escrow]).to.deep.equal([BatchState.Open, false, 8n, 1n, 3n * MIN_FEE]);
    const group = {
      word: groupWord({ payer: f.user1.address, feePerProof: 3n * MIN_FEE, count: 1, callbackGas: 0 }),
      programId: f.programId,
    };
    expect(b.commitment).to.equal(chainCommitment([group], [statementDigest(f.programId, inputs)]));
    expect(await f.market.openBatchId()).to.equal(1n);
    expect(await f.market.submit.staticCall(f.programId, freshInputs(), rollupProof(), { value: MIN_FEE })).to.equal(64n + 1n);
  });

  it('the filling submission seals the batch (version, time, block); the next opens batch 2', async () => {
    const f = await fixture();
    const book = new Book();
    await submitN(f, book, 7);
    const inputs = freshInputs();
    const tx = await f.market.connect(f.user2).submit(f.programId, inputs, rollupProof(), { value: MIN_FEE });
    const receipt = (await tx.wait())!;
    await expect(tx).to.emit(f.market, 'MarketBatchSealed').withArgs(1, 1, 8, receipt.blockNumber);
    const b = await f.market.getBatch(1);
    expect([b.state, b.count, b.version, b.sealBlock]).to.deep.equal([BatchState.Sealed, 8n, 1n, BigInt(receipt.blockNumber)]);
    expect(await f.market.openBatchId()).to.equal(0n);
    const [next] = await submitN(f, book, 1);
    expect(next!.batchId).to.equal(2n);
  });

  it('seal: only the open batch, only after batchTimeout; a late submission seals the timed-out batch first', async () => {
    const f = await fixture();
    const book = new Book();
    await expect(f.market.seal(1)).to.be.revertedWithCustomError(f.market, 'MarketBatchNotOpen').withArgs(1);
    await submitN(f, book, 2);
    const b = await f.market.getBatch(1);
    await expect(f.market.seal(1))
      .to.be.revertedWithCustomError(f.market, 'MarketBatchTimeoutNotReached')
      .withArgs(1, b.openedAt + 300n);
    await time.increaseTo(b.openedAt + 300n);
    const [late] = await submitN(f, book, 1);
    expect(late!.batchId).to.equal(2n);
    expect((await f.market.getBatch(1)).state).to.equal(BatchState.Sealed);
    await time.increaseTo((await f.market.getBatch(2)).openedAt + 300n);
    await expect(f.market.connect(f.outsider).seal(2)).to.emit(f.market, 'MarketBatchSealed');
    await expect(f.market.seal(2)).to.be.revertedWithCustomError(f.market, 'MarketBatchNotOpen').withArgs(2);
  });

  it("refuses a proof whose length is not the current version's (issue #10 item 15)", async () => {
    const f = await fixture();
    for (const size of [0, 64, ROLLUP_PROOF_BYTES - 1, ROLLUP_PROOF_BYTES + 1, 300_000]) {
      await expect(f.market.connect(f.user1).submit(f.programId, freshInputs(), rollupProof(1, size), { value: MIN_FEE }))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidProofLength')
        .withArgs(size, ROLLUP_PROOF_BYTES);
    }
    await expect(
      f.market
        .connect(f.user1)
        .submitMany([f.programId, f.programId], [freshInputs(), freshInputs()], [rollupProof(), rollupProof(1, 64)], MIN_FEE, {
          value: 2n * MIN_FEE,
        }),
    )
      .to.be.revertedWithCustomError(f.market, 'MarketInvalidProofLength')
      .withArgs(64, ROLLUP_PROOF_BYTES);
    // A new version with another proof length changes what is accepted.
    await f.router.connect(f.admin).addVersion(await f.verifier.getAddress(), word(9), 1_000);
    await f.market.connect(f.user1).submit(f.programId, freshInputs(), rollupProof(1, 1_000), { value: MIN_FEE });
  });

  it('rejects fees below the floor or above 64 bits, unknown programs, wrong counts and non-canonical inputs', async () => {
    const f = await fixture();
    const p = rollupProof();
    await expect(f.market.connect(f.user1).submit(f.programId, freshInputs(), p, { value: MIN_FEE - 1n }))
      .to.be.revertedWithCustomError(f.market, 'MarketFeeBelowFloor')
      .withArgs(MIN_FEE - 1n, MIN_FEE);
    await expect(f.market.connect(f.user1).submit(f.programId, freshInputs(), p, { value: 1n << 64n }))
      .to.be.revertedWithCustomError(f.market, 'MarketFeeTooHigh')
      .withArgs(1n << 64n);
    await expect(f.market.connect(f.user1).submit(word(404), freshInputs(), p, { value: MIN_FEE }))
      .to.be.revertedWithCustomError(f.market, 'MarketUnknownProgram')
      .withArgs(word(404));
    await expect(f.market.connect(f.user1).submit(f.programId, freshInputs(3), p, { value: MIN_FEE }))
      .to.be.revertedWithCustomError(f.market, 'MarketPublicInputCountMismatch')
      .withArgs(f.programId, 2, 3);
    const r = ethers.toBeHex(FIELD_MODULUS, 32);
    await expect(f.market.connect(f.user1).submit(f.programId, [word(1), r], p, { value: MIN_FEE }))
      .to.be.revertedWithCustomError(f.market, 'MarketNonCanonicalPublicInput')
      .withArgs(1, r);
  });

  it('submitMany: one fee per proof, one group per run of a program, all in one batch', async () => {
    const f = await fixture();
    const book = new Book();
    const other = '0x' + 0xbeefn.toString(16).padStart(64, '0');
    await f.market.connect(f.user2).registerProgram(other, `0x${'cd'.repeat(3680)}`, 1);
    const otherId = programIdOf(f.user2.address, other as `0x${string}`);
    const ids = [f.programId, f.programId, otherId, f.programId];
    const inputs = [freshInputs(), freshInputs(), freshInputs(1), freshInputs()];
    const proofs = ids.map(() => rollupProof());
    await expect(f.market.connect(f.user1).submitMany(ids, inputs, proofs, MIN_FEE, { value: 4n * MIN_FEE - 1n }))
      .to.be.revertedWithCustomError(f.market, 'MarketFeeMismatch')
      .withArgs(4n * MIN_FEE, 4n * MIN_FEE - 1n);
    await expect(
      f.market.connect(f.user1).submitMany(ids, inputs, proofs.slice(1), MIN_FEE, { value: 4n * MIN_FEE }),
    ).to.be.revertedWithCustomError(f.market, 'MarketLengthMismatch');
    await expect(f.market.connect(f.user1).submitMany([], [], [], MIN_FEE)).to.be.revertedWithCustomError(f.market, 'MarketLengthMismatch');
    const tx = await f.market.connect(f.user1).submitMany(ids, inputs, proofs, MIN_FEE, { value: 4n * MIN_FEE });
    const { batchId } = await recordSubmitted(f, book, tx, inputs, ids);
    expect(book.of(batchId).groups.length).to.equal(3);
    expect((await f.market.getBatch(batchId)).commitment).to.equal(chainCommitment(book.of(batchId).groups, book.of(batchId).digests));
    // More than the open batch has room for: the open batch is sealed and a new one takes the call.
    const many = Array.from({ length: 6 }, () => freshInputs());
    const tx2 = await f.market.connect(f.user1).submitMany(
      many.map(() => f.programId),
      many,
      many.map(() => rollupProof()),
      MIN_FEE,
      { value: 6n * MIN_FEE },
    );
    await expect(tx2)
      .to.emit(f.market, 'MarketBatchSealed')
      .withArgs(1, 1, 4, (await tx2.wait())!.blockNumber);
    await expect(tx2).to.emit(f.market, 'MarketSubmitted').withArgs(2, f.programId, f.user1.address, 0, 6, MIN_FEE, 0);
    const nine = Array.from({ length: 9 }, () => freshInputs());
    await expect(
      f.market.connect(f.user1).submitMany(
        nine.map(() => f.programId),
        nine,
        nine.map(() => rollupProof()),
        MIN_FEE,
        { value: 9n * MIN_FEE },
      ),
    )
      .to.be.revertedWithCustomError(f.market, 'MarketTooManyStatements')
      .withArgs(9, 8);
  });

  it('submitBlobs without the blobs it needs is refused', async () => {
    const f = await fixture();
    await expect(f.market.connect(f.user1).submitBlobs([f.programId], [freshInputs()], MIN_FEE, { value: MIN_FEE }))
      .to.be.revertedWithCustomError(f.market, 'MarketBlobCountMismatch')
      .withArgs(0, 1);
  });

  it("a program's callback gas is fixed into the group when the statement enters (issue #10 item 8)", async () => {
    const f = await fixture();
    await f.market.connect(f.rollup).setProgramCallback(f.programId, f.user2.address, 70_000);
    const tx = await f.market.connect(f.user1).submit(f.programId, freshInputs(), rollupProof(), { value: MIN_FEE });
    await expect(tx).to.emit(f.market, 'MarketSubmitted').withArgs(1, f.programId, f.user1.address, 0, 1, MIN_FEE, 70_000);
    expect((await f.market.getBatch(1)).hasCallback).to.equal(true);
  });
});
