import { expect } from 'chai';
import { zeroAddress, type Address } from 'viem';
import { BatchState } from '../../prover/abi/generated.js';
import type { BatchInfo, MarketParams } from '../../prover/keeper/chain/market.js';
import { estimateProvingSeconds, expectedProfit, gasUnits, treeShape } from '../../prover/keeper/decide/estimate.js';
import { decide, type DecisionInput } from '../../prover/keeper/decide/policy.js';
import { VERIFY_TX_GAS, verifyGasWarning } from '../../prover/keeper/decide/verifyGas.js';
import { OPTIONS } from '../../prover/keeper/config/options.js';
import { computeFee, type MarketParams as SdkMarketParams } from '../../prover/sdk/index.js';

const ME: Address = '0x00000000000000000000000000000000000000Aa';
const OTHER: Address = '0x00000000000000000000000000000000000000Bb';
const PARAMS: MarketParams = {
  minFeePerProof: 10n ** 14n,
  batchCapacity: 8,
  batchTimeout: 300,
  assignmentWindow: 120,
  provingWindowBase: 600,
  provingWindowPerProof: 120,
  secondaryWindow: 1800,
  submissionTtl: 86_400,
  collateralPerProof: 10n * 10n ** 18n,
  protocolFeeBps: 500,
  posterFeeBps: 200,
  maxCallbackGas: 200_000,
  withdrawalDelay: 86_400,
};
const SEALED: BatchInfo = {
  batchId: 7n,
  state: BatchState.Sealed,
  posted: false,
  hasCallback: false,
  assignmentOpen: false,
  capacity: 8,
  count: 3,
  version: 1,
  openedAt: 1000,
  sealedAt: 1300,
  sealBlock: 40n,
  lockDeadline: 0,
  finalDeadline: 0,
  expiry: 1000 + 86_400,
  escrow: 3n * 10n ** 14n,
  commitment: `0x${'00'.repeat(32)}`,
  locker: zeroAddress,
  collateral: 0n,
};

function input(over: Partial<DecisionInput> = {}, batch: Partial<BatchInfo> = {}): DecisionInput {
  return {
    batch: { ...SEALED, ...batch },
    now: 1500,
    me: ME,
    params: PARAMS,
    // What assignedProver answers after the window (1420): zero, open to every eligible prover.
    assignment: { kind: 'open' },
    provingWindow: 960,
    eligible: true,
    availableStake: 10n ** 21n,
    active: 0,
    capacity: 1,
    estimatedSeconds: 400,
    safetyBufferSeconds: 120,
    profitLock: 10n ** 15n,
    profitSecondary: 10n ** 15n,
    minProfit: 0n,
    secondary: true,
    direct: true,
    slash: true,
    release: false,
    ...over,
  };
}

describe('keeper decision policy', () => {
  it('respects the lazy draw: not in the sealing block, the assigned prover during its window, then open', () => {
    const other = { now: 1350, assignment: { kind: 'assigned', prover: OTHER } } as const;
    expect(decide(input(other)).kind).to.equal('wait');
    expect(decide(input(other)).reason).to.match(/assigned to 0x0+bb until 1420/i);
    expect(decide(input({ now: 1350, assignment: { kind: 'assigned', prover: ME } }))).to.deep.equal({
      kind: 'lock',
      reason: 'assigned to us',
    });
    // assignedProver returns zero once the window is over or the assignment is open (after a slash).
    expect(decide(input({ now: 1421, assignment: { kind: 'open' } }))).to.deep.equal({ kind: 'lock', reason: 'open for lock' });
    // In the sealing block the draw's seed is not known: MarketDrawNotReady, so the keeper waits.
    const notReady = decide(input({ assignment: { kind: 'not-ready' } }));
    expect(notReady.kind).to.equal('wait');
    expect(notReady.reason).to.match(/block after the seal \(40\)/);
    expect(decide(input({ assignment: undefined })).kind).to.equal('wait');
  });

  it('proves a batch drawn for it without a lock when the estimate plus the buffer fits the assignment window', () => {
    // Sealed at 1300, window 120 s: ends 1420. At 1310 an estimate of 60 s + buffer 30 s ends at 1400.
    const mine = { now: 1310, assignment: { kind: 'assigned', prover: ME }, estimatedSeconds: 60, safetyBufferSeconds: 30 } as const;
    const d = decide(input(mine));
    expect(d.kind).to.equal('direct');
    expect(d).to.include({ windowEnd: 1420 });
    expect(d.reason).to.match(/estimated 60s \+ buffer 30s fits the assignment window \(ends 1420\): no lock/);
    // Exactly at the end of the window still fits; one second more does not: it locks (its exclusivity then).
    expect(decide(input({ ...mine, now: 1330 })).kind).to.equal('direct');
    expect(decide(input({ ...mine, now: 1331 }))).to.deep.equal({ kind: 'lock', reason: 'assigned to us' });
    // Disabled, or a window open to every prover (a race, not exclusivity): it locks.
    expect(decide(input({ ...mine, direct: false })).kind).to.equal('lock');
    expect(decide(input({ ...mine, assignment: { kind: 'open' } })).kind).to.equal('lock');
    // Assigned to another prover: it waits either way.
    expect(decide(input({ ...mine, assignment: { kind: 'assigned', prover: OTHER } })).kind).to.equal('wait');
    // The draw only picks a prover that could lock the collateral: without it free, the keeper waits.
    expect(decide(input({ ...mine, availableStake: 0n })).kind).to.equal('wait');
    // A fulfil without a lock that does not pay is not taken directly (nor by a lock, which costs more).
    expect(decide(input({ ...mine, profitSecondary: -1n, profitLock: -2n })).kind).to.equal('wait');
    // Capacity and the proving window apply as to a lock.
    expect(decide(input({ ...mine, active: 1 })).kind).to.equal('wait');
  });

  it('never relocks a batch it was slashed on (Sealed again, the slashed locker kept)', () => {
    const d = decide(input({ assignment: { kind: 'open' } }, { locker: ME, assignmentOpen: true }));
    expect(d).to.deep.equal({ kind: 'done', reason: 'slashed-on-batch' });
    expect(decide(input({ assignment: { kind: 'open' } }, { locker: OTHER, assignmentOpen: true })).kind).to.equal('lock');
  });

  it('never exceeds capacity, its speed, its stake or its profit floor', () => {
    expect(decide(input({ active: 1 })).reason).to.match(/at capacity \(1\/1\)/);
    expect(decide(input({ estimatedSeconds: 841 })).reason).to.match(/estimated 841s \+ buffer 120s exceeds the 960s to the lock deadline/);
    expect(decide(input({ estimatedSeconds: 840 })).kind).to.equal('lock');
    expect(decide(input({ availableStake: 29n * 10n ** 18n })).reason).to.match(/available stake .* < collateral 30000000000000000000/);
    expect(decide(input({ profitLock: 5n, minProfit: 6n })).reason).to.match(/expected profit 5 wei < minProfit 6/);
    expect(decide(input({ eligible: false })).reason).to.match(/not eligible/);
    expect(decide(input({}, { expiry: 1500 + 960 + 1799 }))).to.deep.equal({ kind: 'done', reason: 'too close to expiry to lock' });
    expect(decide(input({}, { expiry: 1500 + 960 + 1800 })).kind).to.equal('lock');
  });

  it('handles locked batches: ours, before the deadline, secondary, slash', () => {
    const locked = { state: BatchState.Locked, locker: OTHER, lockDeadline: 2000, finalDeadline: 3800 };
    expect(decide(input({ now: 1999 }, locked)).kind).to.equal('wait');
    expect(decide(input({ now: 2001 }, locked)).kind).to.equal('secondary');
    expect(decide(input({ now: 2001, secondary: false }, locked)).kind).to.equal('wait');
    expect(decide(input({ now: 3800 - 400 - 120 }, locked)).kind).to.equal('secondary');
    expect(decide(input({ now: 3800 - 400 - 120 }, locked)).reason).to.match(/missed the lock deadline/);
    expect(decide(input({ now: 3800 - 400 - 119 }, locked)).kind).to.equal('wait');
    expect(decide(input({ now: 3500 }, locked)).reason).to.match(/to the final deadline/);
    expect(decide(input({ now: 2001, profitSecondary: -1n }, locked)).kind).to.equal('wait');
    expect(decide(input({ now: 3801 }, locked)).kind).to.equal('slash');
    expect(decide(input({ now: 3801, slash: false }, locked)).kind).to.equal('wait');
    expect(decide(input({ now: 2001 }, { ...locked, locker: ME })).reason).to.equal('locked by us');
  });

  it('finishes fulfilled, closed, released and expired batches; waits on open ones', () => {
    expect(decide(input({}, { state: BatchState.Fulfilled }))).to.deep.equal({ kind: 'done', reason: 'fulfilled' });
    expect(decide(input({}, { state: BatchState.Closed }))).to.deep.equal({ kind: 'done', reason: 'closed-by-locker' });
    expect(decide(input({}, { state: BatchState.Released }))).to.deep.equal({ kind: 'done', reason: 'released' });
    expect(decide(input({}, { state: BatchState.Expired }))).to.deep.equal({ kind: 'done', reason: 'expired' });
    expect(decide(input({}, { state: BatchState.Open })).kind).to.equal('wait');
  });

  it('past expiry: releases an unheld batch only when enabled, slashes a live lock past its final deadline', () => {
    const expired = { state: BatchState.Expired, lockDeadline: 0, finalDeadline: 0 };
    expect(decide(input({ release: true }, expired)).kind).to.equal('release');
    expect(decide(input({ release: false }, expired))).to.deep.equal({ kind: 'done', reason: 'expired' });
    expect(decide(input({ release: true }, { ...expired, count: 0 })).kind).to.equal('done');
    // getBatch reports Expired for a lock past both expiry and its effective final deadline: still slashable.
    const lapsed = { state: BatchState.Expired, locker: OTHER, lockDeadline: 2000, finalDeadline: 3800 };
    expect(decide(input({ now: 90_000 }, lapsed)).kind).to.equal('slash');
    expect(decide(input({ now: 90_000, slash: false }, lapsed))).to.deep.equal({ kind: 'done', reason: 'expired' });
    expect(decide(input({ now: 90_000 }, { ...lapsed, locker: ME })).kind).to.equal('wait');
  });

  it('counts the proof jobs of the tree the engine builds', () => {
    expect(treeShape(2, [0, 1])).to.deep.equal({ leaves: 2, pads: 0, nodes: 1 });
    expect(treeShape(2, [0])).to.deep.equal({ leaves: 1, pads: 1, nodes: 1 });
    expect(treeShape(8, [0, 1, 2])).to.deep.equal({ leaves: 3, pads: 2, nodes: 4 });
    expect(treeShape(8, [0, 1, 2, 3, 4, 5, 6, 7])).to.deep.equal({ leaves: 8, pads: 0, nodes: 7 });
    expect(estimateProvingSeconds({ leaves: 2, pads: 0, nodes: 1 }, { leaf: 60, pad: 10, node: 50 }, 1)).to.equal(170 + 15 + 4);
  });

  it("computes profit after the market's shares and gas", () => {
    const g = gasUnits(2, 4_500_000);
    expect(g).to.deep.equal({ lock: 100_000n, fulfil: 4_500_000n + 70_000n + 2_000n });
    const p = expectedProfit({ fees: 10n ** 16n, shareBps: 500, gasPrice: 10n ** 9n, gas: 5_000_000n });
    expect(p).to.deep.equal({ net: 95n * 10n ** 14n, cost: 5n * 10n ** 15n, profit: 45n * 10n ** 14n });
    // A posted batch: the poster's share comes out too.
    expect(expectedProfit({ fees: 10n ** 16n, shareBps: 500 + 200, gasPrice: 10n ** 9n, gas: 5_000_000n }).net).to.equal(93n * 10n ** 14n);
  });

  it("takes batches paid at the SDK's suggested fee: the keeper's default estimate stays under what the fee pays for", () => {
    // The SDK suggests a fee that nets the prover 1.5x the measured gas; the keeper's estimate is an upper bound of
    // the same gas. A keeper refusing batches paid at the suggestion would strand them until they expire.
    const verifyGas = Number(OPTIONS.find((o) => o.key === 'gas.verifyGas')!.default);
    const sdkParams: SdkMarketParams = { ...PARAMS, posterFeeBps: 200, minFeePerProof: 1n, version: 2, rollupProofBytes: 14_656 };
    const gasPrice = 3n * 10n ** 9n;
    const cases = [
      ...[1, 2, 4, 32, 64].map((n) => ({ channel: 'offchain' as const, n, shareBps: sdkParams.protocolFeeBps + sdkParams.posterFeeBps })),
      ...[1, 2, sdkParams.batchCapacity].map((n) => ({ channel: 'calldata' as const, n, shareBps: sdkParams.protocolFeeBps })),
    ];
    for (const c of cases) {
      const fee = computeFee(sdkParams, gasPrice, { channel: c.channel, batchSize: c.n }).suggestedFee;
      const g = gasUnits(c.n, verifyGas);
      const p = expectedProfit({ fees: fee * BigInt(c.n), shareBps: c.shareBps, gasPrice, gas: g.lock + g.fulfil });
      expect(p.profit > 0n, `${c.channel} batch of ${c.n} at the suggested fee: profit ${p.profit}`).to.equal(true);
    }
    // And a fee suggested for a batch of 32 does not pay for a batch of 2 (the keeper waits, by its rule).
    const fee32 = computeFee(sdkParams, gasPrice, { channel: 'offchain', batchSize: 32 }).suggestedFee;
    const g2 = gasUnits(2, verifyGas);
    expect(expectedProfit({ fees: fee32 * 2n, shareBps: 700, gasPrice, gas: g2.lock + g2.fulfil }).profit < 0n).to.equal(true);
  });

  it("warns when gas.verifyGas is below the deployed verifier variant's measured need", () => {
    const verifyGas = Number(OPTIONS.find((o) => o.key === 'gas.verifyGas')!.default);
    // The default fits the optimized verifier (the deployed default) with >= 30% headroom.
    expect(verifyGas).to.be.at.least(Math.ceil(VERIFY_TX_GAS.optimized * 1.3));
    expect(verifyGasWarning('optimized', verifyGas)).to.equal(undefined);
    const w = verifyGasWarning('standard', verifyGas)!;
    expect(w.message)
      .to.match(/standard verifier/)
      .and.to.include(String(VERIFY_TX_GAS.standard));
    expect(w.fields).to.deep.include({ verifierVariant: 'standard', variantRecorded: true, verifyGas });
    expect(verifyGasWarning('standard', 4_500_000)).to.equal(undefined);
    expect(verifyGasWarning('optimized', 800_000)?.fields).to.deep.include({ verifierVariant: 'optimized' });
    // A deployments file from before the variant field: those deployed the standard verifier.
    expect(verifyGasWarning(undefined, verifyGas)?.fields).to.deep.include({ verifierVariant: 'standard', variantRecorded: false });
  });
});
