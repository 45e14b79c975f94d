// ExampleRollup on the real AggregationMarket: a fulfilled batch finalizes a proposed transition
// through the program callback (push), and a verified but unproposed transition through isVerified
// (pull). The batch is fulfilled with the market's test-only MockVerifier (bookkeeping test: real
// aggregated proofs are exercised by the prover and end-to-end tests).
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { network } from 'hardhat';
import type { Hex } from 'viem';
import { statementDigestV1 as statementDigest } from '../../scripts/lib/commitmentV1.js';
import { deployMarket, lockByAssigned, MIN_FEE, PROGRAM_ID, proofFor, rollupProof, submitN, word } from '../market/fixture.js';

describe('ExampleRollup on the AggregationMarket', function () {
  this.timeout(120_000);

  it('finalizes via the callback and via isVerified, and only verified transitions', async () => {
    const { ethers } = await network.create();
    const f = await deployMarket(ethers);
    const genesis = word(7);
    const a = word(8);
    const b = word(9);
    const example = await ethers.deployContract('ExampleRollup', [await f.market.getAddress(), PROGRAM_ID, genesis]);
    await f.market.connect(f.rollup).setProgramCallback(PROGRAM_ID, await example.getAddress());

    // Push path: propose genesis -> a; pull path: a -> b is verified but never proposed.
    await example.getFunction('propose')(a);
    await assert.rejects(example.getFunction('finalize')(b), /TransitionNotVerified/);
    const t1 = await f.market.connect(f.user1).submit(PROGRAM_ID, [genesis, a], rollupProof(1), { value: MIN_FEE });
    await t1.wait();
    await (await f.market.connect(f.user1).submit(PROGRAM_ID, [a, b], rollupProof(2), { value: MIN_FEE })).wait();
    await submitN(f, Number(f.params.batchCapacity) - 2); // fills and seals batch 1
    const batchId = 1n;
    const locker = await lockByAssigned(f, batchId);
    const proof = await proofFor(f, batchId, locker.address);
    const tx = await f.market.connect(locker).fulfill(batchId, proof, 0);
    const receipt = await tx.wait();

    const finalized = receipt!.logs
      .map((l) => {
        try {
          return example.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .filter((e) => e !== null);
    const names = finalized.map((e) => e!.name);
    // One callback per verified submission of the program, in slot order: slot 0 advanced the root;
    // slot 1 (a -> b, never proposed) and the filler statements were ignored.
    const capacity = Number(f.params.batchCapacity);
    assert.deepEqual(names, ['StateRootFinalized', ...Array<string>(capacity - 1).fill('CallbackIgnored')]);
    assert.equal(finalized[0]!.args[2], true, 'via callback');
    assert.equal(finalized[1]!.args[0], statementDigest(PROGRAM_ID as Hex, [a, b]));
    assert.equal(await example.getFunction('stateRoot')(), a);

    await (await example.getFunction('finalize')(b)).wait();
    assert.equal(await example.getFunction('stateRoot')(), b);
    // The old genesis -> a statement cannot move the root back.
    await assert.rejects(example.getFunction('finalize')(a), /TransitionNotVerified/);
  });
});
