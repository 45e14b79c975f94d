import { expect } from 'chai';
import { network } from 'hardhat';
import { deployStaking, E18, MIN_STAKE } from './fixture.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const HOUR = 3600n;

describe('ProverStaking: draw warm-up and canLock (version 2)', () => {
  const warm = () => deployStaking(ethers, { weightWarmup: HOUR });

  it('defaults to 1 hour; the admin sets it within bounds', async () => {
    const { staking, admin, outsider } = await networkHelpers.loadFixture(warm);
    expect(await staking.DEFAULT_WEIGHT_WARMUP()).to.equal(HOUR);
    await expect(staking.connect(admin).setWeightWarmup(2n * HOUR))
      .to.emit(staking, 'StakingParamsUpdated')
      .withArgs(MIN_STAKE, 7n * 24n * HOUR, 5000n, 2n * HOUR);
    const max = await staking.MAX_WEIGHT_WARMUP();
    await expect(staking.connect(admin).setWeightWarmup(max + 1n))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidWarmup')
      .withArgs(max + 1n);
    await expect(staking.connect(outsider).setWeightWarmup(0n)).to.be.revertedWithCustomError(staking, 'AccessControlUnauthorizedAccount');
  });

  it('added stake weighs in the draw only after the warm-up and a refresh; eligibility is immediate', async () => {
    const { staking, alice, bob } = await networkHelpers.loadFixture(warm);
    const tx = await staking.connect(alice).stake(MIN_STAKE);
    const at = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
    await expect(tx)
      .to.emit(staking, 'StakingStaked')
      .withArgs(alice.address, MIN_STAKE, MIN_STAKE, at + HOUR);
    expect(await staking.isEligible(alice.address)).to.equal(true);
    expect(await staking.canLock(alice.address, MIN_STAKE)).to.equal(true);
    expect(await staking.weightOf(alice.address)).to.equal(0n);
    expect(await staking.selectProver(0n)).to.equal(ethers.ZeroAddress);
    expect(await staking.warmingOf(alice.address)).to.deep.equal([MIN_STAKE, at + HOUR]);
    await time.increaseTo(at + HOUR - 2n);
    await staking.connect(bob).refreshWeights([alice.address]); // mined at at + HOUR - 1: still warming
    expect(await staking.weightOf(alice.address)).to.equal(0n);
    await time.increaseTo(at + HOUR);
    await expect(staking.connect(bob).refreshWeights([alice.address]))
      .to.emit(staking, 'StakingWeightUpdated')
      .withArgs(alice.address, MIN_STAKE);
    expect(await staking.selectProver(12345n)).to.equal(alice.address);
    expect((await staking.warmingOf(alice.address))[0]).to.equal(0n);
  });

  it('a top-up warms up on its own while the warm stake keeps its weight; unstaking lowers the weight at once', async () => {
    const { staking, alice } = await networkHelpers.loadFixture(warm);
    await staking.connect(alice).stake(2n * MIN_STAKE);
    await time.increase(HOUR);
    await staking.connect(alice).stake(3n * MIN_STAKE); // flushes the warm 2000 into the weight, 3000 warms
    expect(await staking.weightOf(alice.address)).to.equal(2n * MIN_STAKE);
    expect((await staking.warmingOf(alice.address))[0]).to.equal(3n * MIN_STAKE);
    // Unstaking lowers the weight immediately (the warm part first).
    await expect(staking.connect(alice).requestUnstake(4n * MIN_STAKE))
      .to.emit(staking, 'StakingWeightUpdated')
      .withArgs(alice.address, 0n); // active 1000, of which 1000 still warming
    expect((await staking.warmingOf(alice.address))[0]).to.equal(MIN_STAKE);
    await time.increase(HOUR);
    await staking.refreshWeights([alice.address]);
    expect(await staking.weightOf(alice.address)).to.equal(MIN_STAKE);
  });

  it('the 1/7-stake staker of issue #10 item 4 cannot add weight in time for a draw', async () => {
    const { staking, alice, bob } = await networkHelpers.loadFixture(warm);
    await staking.connect(alice).stake(6n * MIN_STAKE);
    await staking.connect(bob).stake(MIN_STAKE);
    await time.increase(HOUR);
    await staking.refreshWeights([alice.address, bob.address]);
    const total = await staking.totalWeight();
    expect(total).to.equal(7n * MIN_STAKE);
    // Bob sees a seed that would not pick him and stakes 100x more: the draw does not change for an hour.
    await staking.connect(bob).stake(100n * MIN_STAKE);
    await staking.refreshWeights([bob.address]);
    expect(await staking.totalWeight()).to.equal(total);
    expect(await staking.selectProver(0n)).to.equal(alice.address);
  });

  it('canLock: eligible and enough available stake', async () => {
    const { staking, alice, market, outsider } = await networkHelpers.loadFixture(warm);
    await staking.connect(alice).stake(MIN_STAKE + 10n * E18);
    expect(await staking.canLock(alice.address, MIN_STAKE + 10n * E18)).to.equal(true);
    await staking.connect(market).lockCollateral(alice.address, MIN_STAKE);
    expect(await staking.canLock(alice.address, 10n * E18)).to.equal(true);
    expect(await staking.canLock(alice.address, 10n * E18 + 1n)).to.equal(false);
    await staking.connect(alice).requestUnstake(10n * E18); // active now MIN_STAKE: still eligible
    expect(await staking.canLock(alice.address, 0n)).to.equal(true);
    expect(await staking.canLock(alice.address, 1n)).to.equal(false);
    expect(await staking.canLock(outsider.address, 0n)).to.equal(false);
  });
});
