import { expect } from 'chai';
import { zeroAddress, type Address } from 'viem';
import { BatchState } from '../../prover/abi/v1.js';
import type { BatchInfo, MarketParams } from '../../prover/keeper/chain/market.js';
import { estimateProvingSeconds, expectedProfit, gasUnits, treeShape } from '../../prover/keeper/decide/estimate.js';
import { decide, type DecisionInput } from '../../prover/keeper/decide/policy.js';
import { VERIFY_TX_GAS, verifyGasWarning } from '../../prover/keeper/decide/verifyGas.js';
import { OPTIONS } from '../../prover/keeper/config/options.js';

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
  callbackGasLimit: 100_000,
};
const SEALED: BatchInfo = {
  batchId: 7n,
  state: BatchState.Sealed,
  capacity: 8,
  count: 3,
  version: 1,
  openedAt: 1000,
  sealedAt: 1300,
  lockDeadline: 0,
  finalDeadline: 0,
  includedMask: 0,
  assigned: OTHER,
  locker: zeroAddress,
  collateral: 0n,
};

function input(over: Partial<DecisionInput> = {}, batch: Partial<BatchInfo> = {}): DecisionInput {
  return {
    batch: { ...SEALED, ...batch },
    now: 1500,
    me: ME,
    params: PARAMS,
    expiry: 1000 + 86_400,
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
    slash: true,
    ...over,
  };
}

describe('keeper decision policy', () => {
  it('respects the assignment window', () => {
    expect(decide(input({ now: 1350 })).kind).to.equal('wait');
    expect(decide(input({ now: 1350 })).reason).to.match(/assigned to 0x0+bb until 1420/i);
    expect(decide(input({ now: 1350 }, { assigned: ME }))).to.deep.equal({ kind: 'lock', reason: 'assigned to us' });
    expect(decide(input({ now: 1421 }))).to.deep.equal({ kind: 'lock', reason: 'open for lock' });
    expect(decide(input({ now: 1350 }, { assigned: zeroAddress })).kind).to.equal('lock'); // after a slash: open to all
  });

  it('never exceeds capacity, its speed, its stake or its profit floor', () => {
    expect(decide(input({ active: 1 })).reason).to.match(/at capacity \(1\/1\)/);
    expect(decide(input({ estimatedSeconds: 841 })).reason).to.match(/estimated 841s \+ buffer 120s exceeds the 960s to the lock deadline/);
    expect(decide(input({ estimatedSeconds: 840 })).kind).to.equal('lock');
    expect(decide(input({ availableStake: 29n * 10n ** 18n })).reason).to.match(/available stake .* < collateral 30000000000000000000/);
    expect(decide(input({ profitLock: 5n, minProfit: 6n })).reason).to.match(/expected profit 5 wei < minProfit 6/);
    expect(decide(input({ eligible: false })).reason).to.match(/not eligible/);
    expect(decide(input({ expiry: 1500 + 960 + 1799 }))).to.deep.equal({ kind: 'done', reason: 'too close to expiry to lock' });
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

  it('finishes fulfilled and expired batches; waits on open ones', () => {
    expect(decide(input({}, { state: BatchState.Fulfilled })).kind).to.equal('done');
    expect(decide(input({}, { state: BatchState.Expired })).kind).to.equal('done');
    expect(decide(input({}, { state: BatchState.Open })).kind).to.equal('wait');
  });

  it('counts the proof jobs of the tree the engine builds', () => {
    expect(treeShape(2, [0, 1])).to.deep.equal({ leaves: 2, pads: 0, nodes: 1 });
    expect(treeShape(2, [0])).to.deep.equal({ leaves: 1, pads: 1, nodes: 1 });
    expect(treeShape(8, [0, 1, 2])).to.deep.equal({ leaves: 3, pads: 2, nodes: 4 });
    expect(treeShape(8, [0, 1, 2, 3, 4, 5, 6, 7])).to.deep.equal({ leaves: 8, pads: 0, nodes: 7 });
    expect(estimateProvingSeconds({ leaves: 2, pads: 0, nodes: 1 }, { leaf: 60, pad: 10, node: 50 }, 1)).to.equal(170 + 15 + 4);
  });

  it('computes profit after the protocol fee and gas', () => {
    const g = gasUnits(2, 4_500_000);
    expect(g.fulfil > 4_500_000n).to.equal(true);
    const p = expectedProfit({ fees: 10n ** 16n, protocolFeeBps: 500, gasPrice: 10n ** 9n, gas: 5_000_000n });
    expect(p).to.deep.equal({ net: 95n * 10n ** 14n, cost: 5n * 10n ** 15n, profit: 45n * 10n ** 14n });
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
    expect(verifyGasWarning('optimized', 900_000)?.fields).to.deep.include({ verifierVariant: 'optimized' });
    // A deployments file from before the variant field: those deployed the standard verifier.
    expect(verifyGasWarning(undefined, verifyGas)?.fields).to.deep.include({ verifierVariant: 'standard', variantRecorded: false });
  });
});
