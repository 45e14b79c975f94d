import { expect } from 'chai';
import { network } from 'hardhat';
import { DAY, deployStaking, MIN_STAKE, UNBONDING } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('ProverStaking: unstaking and withdrawals', () => {
  async function staked() {
    const f = await deployStaking(ethers);
    await f.staking.connect(f.alice).stake(3n * MIN_STAKE);
    return f;
  }

  const now = async () => BigInt(await networkHelpers.time.latest());

  describe('requestUnstake', () => {
    it('queues an entry that unlocks after the unbonding period and drops the weight at once', async () => {
      const { staking, alice } = await networkHelpers.loadFixture(staked);
      const tx = await staking.connect(alice).requestUnstake(MIN_STAKE);
      const unlockAt = (await now()) + UNBONDING;
      await expect(tx).to.emit(staking, 'StakingUnstakeRequested').withArgs(alice.address, 0n, MIN_STAKE, unlockAt);
      await expect(tx)
        .to.emit(staking, 'StakingWeightUpdated')
        .withArgs(alice.address, 2n * MIN_STAKE);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([3n * MIN_STAKE, 0n, MIN_STAKE]);
      expect(await staking.availableStake(alice.address)).to.equal(2n * MIN_STAKE);
      expect(await staking.unstakeQueue(alice.address)).to.deep.equal([[MIN_STAKE, unlockAt]]);
      expect(await staking.unstakeQueueHead(alice.address)).to.equal(0n);
      // The second entry gets index 1.
      await expect(staking.connect(alice).requestUnstake(1n))
        .to.emit(staking, 'StakingUnstakeRequested')
        .withArgs(alice.address, 1n, 1n, (await now()) + 1n + UNBONDING);
    });

    it('makes the prover ineligible when the active stake falls below minStake', async () => {
      const { staking, alice } = await networkHelpers.loadFixture(staked);
      await expect(staking.connect(alice).requestUnstake(2n * MIN_STAKE + 1n))
        .to.emit(staking, 'StakingWeightUpdated')
        .withArgs(alice.address, 0n);
      expect(await staking.isEligible(alice.address)).to.equal(false);
      expect(await staking.totalWeight()).to.equal(0n);
    });

    it('rejects a zero amount and more than available', async () => {
      const { staking, alice, bob } = await networkHelpers.loadFixture(staked);
      await expect(staking.connect(alice).requestUnstake(0n)).to.be.revertedWithCustomError(staking, 'StakingZeroAmount');
      await expect(staking.connect(alice).requestUnstake(3n * MIN_STAKE + 1n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
        .withArgs(alice.address, 3n * MIN_STAKE, 3n * MIN_STAKE + 1n);
      await staking.connect(alice).requestUnstake(MIN_STAKE);
      await expect(staking.connect(alice).requestUnstake(2n * MIN_STAKE + 1n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
        .withArgs(alice.address, 2n * MIN_STAKE, 2n * MIN_STAKE + 1n);
      await expect(staking.connect(bob).requestUnstake(1n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
        .withArgs(bob.address, 0n, 1n);
    });

    it('rejects unstaking locked stake', async () => {
      const { staking, alice, market } = await networkHelpers.loadFixture(staked);
      await staking.connect(market).lockCollateral(alice.address, 2n * MIN_STAKE);
      await expect(staking.connect(alice).requestUnstake(MIN_STAKE + 1n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
        .withArgs(alice.address, MIN_STAKE, MIN_STAKE + 1n);
      await staking.connect(alice).requestUnstake(MIN_STAKE);
      await expect(staking.connect(alice).requestUnstake(1n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
        .withArgs(alice.address, 0n, 1n);
      // Once unlocked, it can be queued.
      await staking.connect(market).unlockCollateral(alice.address, 2n * MIN_STAKE);
      await staking.connect(alice).requestUnstake(2n * MIN_STAKE);
      expect(await staking.availableStake(alice.address)).to.equal(0n);
    });

    it('keeps unlock times monotonic when the unbonding period is shortened', async () => {
      const { staking, alice, admin } = await networkHelpers.loadFixture(staked);
      await staking.connect(alice).requestUnstake(1n);
      const first = (await now()) + UNBONDING;
      await staking.connect(admin).setUnbondingPeriod(DAY);
      await expect(staking.connect(alice).requestUnstake(1n))
        .to.emit(staking, 'StakingUnstakeRequested')
        .withArgs(alice.address, 1n, 1n, first);
    });
  });

  describe('withdraw', () => {
    it('releases nothing before unlockAt and the entry exactly at unlockAt', async () => {
      const { staking, token, stakingAddress, alice } = await networkHelpers.loadFixture(staked);
      await staking.connect(alice).requestUnstake(MIN_STAKE);
      const unlockAt = (await now()) + UNBONDING;
      await networkHelpers.time.setNextBlockTimestamp(unlockAt - 1n);
      await expect(staking.connect(alice).withdraw(10n))
        .to.be.revertedWithCustomError(staking, 'StakingNothingToWithdraw')
        .withArgs(alice.address, unlockAt);
      await networkHelpers.time.setNextBlockTimestamp(unlockAt);
      const tx = staking.connect(alice).withdraw(10n);
      await expect(tx).to.emit(staking, 'StakingWithdrawn').withArgs(alice.address, MIN_STAKE, 1n);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, stakingAddress], [MIN_STAKE, -MIN_STAKE]);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([2n * MIN_STAKE, 0n, 0n]);
      expect(await staking.unstakeQueue(alice.address)).to.deep.equal([]);
      expect(await staking.unstakeQueueHead(alice.address)).to.equal(1n);
      expect(await staking.weightOf(alice.address)).to.equal(2n * MIN_STAKE);
      await expect(staking.connect(alice).withdraw(1n))
        .to.be.revertedWithCustomError(staking, 'StakingNothingToWithdraw')
        .withArgs(alice.address, 0n);
    });

    it('settles at most maxEntries matured entries, oldest first, and stops at an immature one', async () => {
      const { staking, alice } = await networkHelpers.loadFixture(staked);
      for (const amount of [1n, 2n, 3n]) await staking.connect(alice).requestUnstake(amount);
      await networkHelpers.time.increase(DAY);
      await staking.connect(alice).requestUnstake(4n);
      const lastUnlock = (await now()) + UNBONDING;
      await networkHelpers.time.increase(UNBONDING - DAY);
      await expect(staking.connect(alice).withdraw(2n)).to.emit(staking, 'StakingWithdrawn').withArgs(alice.address, 3n, 2n);
      await expect(staking.connect(alice).withdraw(5n)).to.emit(staking, 'StakingWithdrawn').withArgs(alice.address, 3n, 1n);
      expect(await staking.unstakeQueueHead(alice.address)).to.equal(3n);
      expect(await staking.unstakeQueue(alice.address)).to.deep.equal([[4n, lastUnlock]]);
      await expect(staking.connect(alice).withdraw(5n))
        .to.be.revertedWithCustomError(staking, 'StakingNothingToWithdraw')
        .withArgs(alice.address, lastUnlock);
      await networkHelpers.time.increaseTo(lastUnlock);
      await expect(staking.connect(alice).withdraw(5n)).to.emit(staking, 'StakingWithdrawn').withArgs(alice.address, 4n, 1n);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([3n * MIN_STAKE - 10n, 0n, 0n]);
    });

    it('leaves locked collateral untouched: only queued stake leaves', async () => {
      const { staking, alice, market } = await networkHelpers.loadFixture(staked);
      await staking.connect(market).lockCollateral(alice.address, 2n * MIN_STAKE);
      await staking.connect(alice).requestUnstake(MIN_STAKE);
      await networkHelpers.time.increase(UNBONDING);
      await staking.connect(alice).withdraw(1n);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([2n * MIN_STAKE, 2n * MIN_STAKE, 0n]);
      await expect(staking.connect(alice).requestUnstake(1n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
        .withArgs(alice.address, 0n, 1n);
    });

    it('rejects maxEntries = 0', async () => {
      const { staking, alice } = await networkHelpers.loadFixture(staked);
      await expect(staking.connect(alice).withdraw(0n)).to.be.revertedWithCustomError(staking, 'StakingZeroAmount');
    });

    it('re-evaluates the weight against the current minStake', async () => {
      const { staking, alice, admin } = await networkHelpers.loadFixture(staked);
      await staking.connect(alice).requestUnstake(MIN_STAKE);
      await staking.connect(admin).setMinStake(3n * MIN_STAKE);
      expect(await staking.weightOf(alice.address)).to.equal(2n * MIN_STAKE); // stale until an action
      await networkHelpers.time.increase(UNBONDING);
      await expect(staking.connect(alice).withdraw(1n)).to.emit(staking, 'StakingWeightUpdated').withArgs(alice.address, 0n);
      expect(await staking.totalWeight()).to.equal(0n);
    });
  });
});
