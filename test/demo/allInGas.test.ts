// The demo's all-in gas figure: every L1 transaction of a batch (intake, lock, fulfil) per verified proof,
// against one proof verified alone; rounding, the summary lines, and the refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { allInGas, formatAllInGas } from '../../prover/demo/allInGas.js';
import { DemoError } from '../../prover/demo/types.js';

describe('demo all-in gas per proof', () => {
  it('adds the post, the lock and the fulfilment and divides by the verified proofs', () => {
    const a = allInGas({ intake: [250_000n], lock: 90_000n, fulfil: 780_000n, verifiedProofs: 32, verifyAlone: 766_000n });
    assert.equal(a.intake, 250_000n);
    assert.equal(a.total, 1_120_000n);
    assert.equal(a.perProof, 35_000n);
    assert.equal(a.factor, 21.8);
    assert.equal(a.savingPercent, 95.4);
    const lines = formatAllInGas(a, 32, 'off-chain post');
    assert.match(lines[0]!, /off-chain post\s+250,000 gas/);
    assert.match(lines[3]!, /all in, per verified proof\s+35,000 gas \(1,120,000 \/ 32\)/);
    assert.match(lines[5]!, /21\.8x cheaper per proof \(95\.4% less gas\)/);
  });

  it('sums several intake transactions and rounds the share up', () => {
    const a = allInGas({ intake: [100_001n, 200_000n], lock: 0n, fulfil: 0n, verifiedProofs: 3, verifyAlone: 766_000n });
    assert.equal(a.total, 300_001n);
    assert.equal(a.perProof, 100_001n); // 300,001 / 3 = 100,000.33 -> 100,001
  });

  it('says so when a tiny batch costs more per proof than verifying alone', () => {
    const a = allInGas({ intake: [400_000n], lock: 100_000n, fulfil: 900_000n, verifiedProofs: 1, verifyAlone: 766_000n });
    assert.ok(a.savingPercent < 0);
    assert.match(formatAllInGas(a, 1, 'calldata submits').at(-1)!, /82\.7% more gas per proof .* a batch of 1 does not pay off/);
  });

  it('refuses a batch that verified nothing, a non-positive baseline and negative gas', () => {
    const ok = { intake: [1n], lock: 1n, fulfil: 1n, verifiedProofs: 1, verifyAlone: 1n };
    assert.throws(
      () => allInGas({ ...ok, verifiedProofs: 0 }),
      (e: unknown) => e instanceof DemoError && /verified 0 proofs/.test(e.message),
    );
    assert.throws(() => allInGas({ ...ok, verifiedProofs: 1.5 }), DemoError);
    assert.throws(() => allInGas({ ...ok, verifyAlone: 0n }), /baseline/);
    assert.throws(() => allInGas({ ...ok, lock: -1n }), /negative gas/);
  });
});
