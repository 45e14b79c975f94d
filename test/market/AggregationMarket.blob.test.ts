// The blob channel with real type-3 transactions (KZG commitments from micro-eth-signer): the market checks
// the blobs the statements need are there (blobhash), records their versioned hashes, and nothing on chain
// reads them.
import { expect } from 'chai';
import { network } from 'hardhat';
import { keccak256, type Hex } from 'viem';
import {
  BatchState,
  Book,
  MIN_FEE,
  ROLLUP_PROOF_BYTES,
  deployMarket,
  freshInputs,
  lockByAssigned,
  proofFor,
  sealByTimeout,
} from './fixture.js';
import { fromBlob, packProofs, sendBlobTransaction, versionedHashes } from '../../scripts/lib/blob.js';
import { chainCommitment, groupWord, statementDigest } from '../../prover/protocol/index.js';

const { ethers, networkHelpers } = await network.create();
const chain = { time: networkHelpers.time, mine: (n?: number) => networkHelpers.mine(n) };
const USER1 = 10; // fixture signer index of user1

describe('AggregationMarket v2: blob channel (EIP-4844 transactions)', function () {
  this.timeout(300_000);
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  function proofs(n: number): Uint8Array[] {
    return Array.from({ length: n }, (_, k) => new Uint8Array(ROLLUP_PROOF_BYTES).fill(k + 1));
  }

  it("submitBlobs records the statements and the blobs' versioned hashes; proofs sit at the announced offsets", async () => {
    const f = await fixture();
    const book = new Book();
    const inputs = Array.from({ length: 3 }, () => freshInputs());
    const ps = proofs(3);
    const blobs = packProofs(ps, ROLLUP_PROOF_BYTES);
    expect(blobs.length).to.equal(1);
    const data = f.market.interface.encodeFunctionData('submitBlobs', [inputs.map(() => f.programId), inputs, MIN_FEE]);
    const hash = await sendBlobTransaction(ethers, USER1, await f.market.getAddress(), data, 3n * MIN_FEE, blobs);
    const receipt = (await ethers.provider.getTransactionReceipt(hash))!;
    expect(receipt.status).to.equal(1);
    const events = receipt.logs.map((l) => f.market.interface.parseLog(l)).filter((e) => e !== null);
    const blobEvent = events.find((e) => e!.name === 'MarketBlobsSubmitted')!;
    expect(blobEvent.args[0]).to.equal(1n);
    expect(blobEvent.args[1]).to.equal(0n);
    expect(blobEvent.args[2]).to.equal(3n);
    expect([...blobEvent.args[3]]).to.deep.equal(versionedHashes(blobs));
    const digests = inputs.map((i) => statementDigest(f.programId, i));
    const b = await f.market.getBatch(1);
    expect([b.state, b.count, b.escrow]).to.deep.equal([BatchState.Open, 3n, 3n * MIN_FEE]);
    expect(b.commitment).to.equal(
      chainCommitment(
        [{ word: groupWord({ payer: f.user1.address, feePerProof: MIN_FEE, count: 3, callbackGas: 0 }), programId: f.programId }],
        digests,
      ),
    );
    // Proof k is at byte k * 14,656 of the blob's unpacked data.
    const unpacked = fromBlob(blobs[0]!);
    for (let k = 0; k < 3; k++) {
      expect(keccak256(unpacked.subarray(k * ROLLUP_PROOF_BYTES, (k + 1) * ROLLUP_PROOF_BYTES) as unknown as Hex)).to.equal(
        keccak256(ps[k]! as unknown as Hex),
      );
    }
    // The batch settles like a calldata batch.
    book.batches.set(1n, {
      groups: [{ word: groupWord({ payer: f.user1.address, feePerProof: MIN_FEE, count: 3, callbackGas: 0 }), programId: f.programId }],
      digests,
      inputs,
      capacity: 8,
    });
    await sealByTimeout(f, chain, 1n);
    const locker = await lockByAssigned(f, chain, 1n);
    await expect(f.market.connect(locker).fulfill(1, proofFor(book, 1n, locker.address), 0, book.settlement(1n))).to.emit(
      f.market,
      'MarketBatchFulfilled',
    );
  });

  it('refuses a transaction without every blob the proofs need, or with blobs it does not need', async () => {
    const f = await fixture();
    const nine = Array.from({ length: 9 }, () => freshInputs());
    const to = await f.market.getAddress();
    const tooFew = f.market.interface.encodeFunctionData('submitBlobs', [nine.map(() => f.programId), nine, MIN_FEE]);
    const refused = async (data: string, value: bigint, blobs: Uint8Array[]) => {
      try {
        await sendBlobTransaction(ethers, USER1, to, data, value, blobs);
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(await refused(tooFew, 9n * MIN_FEE, packProofs(proofs(8), ROLLUP_PROOF_BYTES))).to.contain('MarketBlobCountMismatch(1, 2)');
    const one = [freshInputs()];
    const tooMany = f.market.interface.encodeFunctionData('submitBlobs', [[f.programId], one, MIN_FEE]);
    expect(await refused(tooMany, MIN_FEE, packProofs(proofs(9), ROLLUP_PROOF_BYTES))).to.contain('MarketBlobCountMismatch(1, 1)');
    expect((await f.market.getBatch(1)).state).to.equal(BatchState.None);
    // Without any blob.
    await expect(f.market.connect(f.user1).submitBlobs([f.programId], one, MIN_FEE, { value: MIN_FEE }))
      .to.be.revertedWithCustomError(f.market, 'MarketBlobCountMismatch')
      .withArgs(0, 1);
  });
});
