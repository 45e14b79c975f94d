// ExampleRollup on the real version-2 AggregationMarket: a fulfilled batch finalizes a proposed transition
// through the program callback (push), and a verified but unproposed transition through isVerified with its
// inclusion path (pull) or after recordVerified (path-free). The batch is fulfilled with the test-only
// MockVerifier (bookkeeping test: real aggregated proofs are exercised by the prover and end-to-end tests).
import { expect } from 'chai';
import { network } from 'hardhat';
import {
  Book,
  FIELD_MODULUS,
  MIN_FEE,
  deployMarket,
  lockByAssigned,
  proofFor,
  recordSubmitted,
  rollupProof,
  sealByTimeout,
  submitN,
  word,
} from '../market/fixture.js';
import { batchLeaves, inclusionPath, statementDigest } from '../../prover/protocol/index.js';

const { ethers, networkHelpers } = await network.create();
const chain = { time: networkHelpers.time, mine: (n?: number) => networkHelpers.mine(n) };

describe('ExampleRollup v2 on the AggregationMarket', () => {
  it('finalizes via the callback, via an inclusion path and via a recorded statement; only verified transitions', async () => {
    const f = await deployMarket(ethers);
    const book = new Book();
    const [genesis, a, b, c] = [word(7), word(8), word(9), word(10)];
    const example = await ethers.deployContract('ExampleRollup', [await f.market.getAddress(), f.programId, genesis]);
    await f.market.connect(f.rollup).setProgramCallback(f.programId, await example.getAddress(), 100_000);
    expect(await example.transitionDigest(genesis, a)).to.equal(statementDigest(f.programId, [genesis, a]));

    await example.propose(a); // push: genesis -> a; a -> b and b -> c are verified but never proposed
    const inputs = [
      [genesis, a],
      [a, b],
      [b, c],
    ];
    for (const pis of inputs) {
      const tx = await f.market.connect(f.user1).submit(f.programId, pis, rollupProof(), { value: MIN_FEE });
      await recordSubmitted(f, book, tx, [pis], [f.programId]);
    }
    await submitN(f, book, 5); // fills and seals batch 1
    const locker = await lockByAssigned(f, chain, 1n);
    const tx = f.market.connect(locker).fulfill(1, proofFor(book, 1n, locker.address), 0, book.settlement(1n));
    await expect(tx).to.emit(example, 'StateRootFinalized').withArgs(genesis, a, true);
    await expect(tx)
      .to.emit(example, 'CallbackIgnored')
      .withArgs(statementDigest(f.programId, [a, b]), 64n + 1n);
    expect(await example.stateRoot()).to.equal(a);

    const digests = book.of(1n).digests;
    const path = (i: number) => ({ batchId: 1n, index: i, siblings: inclusionPath(batchLeaves(digests, 8), i) });
    await expect(example.finalize(b, path(2)))
      .to.be.revertedWithCustomError(example, 'TransitionNotVerified')
      .withArgs(a, b);
    await expect(example.finalize(b, path(1)))
      .to.emit(example, 'StateRootFinalized')
      .withArgs(a, b, false);
    // Path-free after someone recorded the statement.
    await expect(example.finalizeRecorded(c)).to.be.revertedWithCustomError(example, 'TransitionNotVerified').withArgs(b, c);
    await f.market.recordVerified(f.programId, [b, c], path(2));
    await expect(example.finalizeRecorded(c)).to.emit(example, 'StateRootFinalized').withArgs(b, c, false);
    // The old genesis -> a statement cannot move the root back.
    await expect(example.finalize(a, path(0)))
      .to.be.revertedWithCustomError(example, 'TransitionNotVerified')
      .withArgs(c, a);
  });

  it('refuses callbacks from others and for other programs, and non-canonical roots', async () => {
    const f = await deployMarket(ethers);
    const example = await ethers.deployContract('ExampleRollup', [await f.market.getAddress(), f.programId, word(1)]);
    await expect(example.onProofVerified(f.programId, 64, word(5)))
      .to.be.revertedWithCustomError(example, 'NotMarket')
      .withArgs(f.admin.address);
    const r = ethers.toBeHex(FIELD_MODULUS, 32);
    await expect(example.propose(r)).to.be.revertedWithCustomError(example, 'NonCanonicalRoot').withArgs(r);
    await expect(ethers.deployContract('ExampleRollup', [await f.market.getAddress(), f.programId, r])).to.be.revertedWithCustomError(
      example,
      'NonCanonicalRoot',
    );
    // A statement of another program reported to this rollup (via a callback it was wrongly pointed at) is refused.
    const other = await ethers.deployContract('ExampleRollup', [await f.market.getAddress(), word(99), word(1)]);
    await f.market.connect(f.rollup).setProgramCallback(f.programId, await other.getAddress(), 100_000);
    const book = new Book();
    const subs = await submitN(f, book, 1);
    await sealByTimeout(f, chain, subs[0]!.batchId);
    const locker = await lockByAssigned(f, chain, subs[0]!.batchId);
    await expect(
      f.market
        .connect(locker)
        .fulfill(subs[0]!.batchId, proofFor(book, subs[0]!.batchId, locker.address), 0, book.settlement(subs[0]!.batchId)),
    )
      .to.emit(f.market, 'MarketCallbackFailed')
      .withArgs(subs[0]!.batchId * 64n, await other.getAddress());
  });
});
