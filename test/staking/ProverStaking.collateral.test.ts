import { expect } from 'chai';
import { network } from 'hardhat';
import { deployStaking, E18, MIN_STAKE, SUPPLY, UNBONDING } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('ProverStaking: collateral locks and slashing', () => {
  const STAKE = 1_000n * E18;

  async function staked() {
    const f = await deployStaking(ethers);
    await f.staking.connect(f.alice).stake(STAKE);
    return f;
  }

  describe('lockCollateral / unlockCollateral', () => {
    it('locks from available stake and unlocks it again', async () => {
      const { staking, alice, market } = await networkHelpers.loadFixture(staked);
      await expect(staking.connect(market).lockCollateral(alice.address, 300n * E18))
        .to.emit(staking, 'StakingCollateralLocked')
        .withArgs(alice.address, 300n * E18, 300n * E18);
      await expect(staking.connect(market).lockCollateral(alice.address, 200n * E18))
        .to.emit(staking, 'StakingCollateralLocked')
        .withArgs(alice.address, 200n * E18, 500n * E18);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([STAKE, 500n * E18, 0n]);
      expect(await staking.availableStake(alice.address)).to.equal(500n * E18);
      // Locking does not change eligibility or selection weight.
      expect(await staking.isEligible(alice.address)).to.equal(true);
      expect(await staking.weightOf(alice.address)).to.equal(STAKE);

      await expect(staking.connect(market).unlockCollateral(alice.address, 300n * E18))
        .to.emit(staking, 'StakingCollateralUnlocked')
        .withArgs(alice.address, 300n * E18, 200n * E18);
      expect(await staking.availableStake(alice.address)).to.equal(800n * E18);
    });

    it('treats zero amounts as no-ops (a market with zero collateral per proof)', async () => {
      const { staking, alice, market } = await networkHelpers.loadFixture(staked);
      await expect(staking.connect(market).lockCollateral(alice.address, 0n))
        .to.emit(staking, 'StakingCollateralLocked')
        .withArgs(alice.address, 0n, 0n);
      await expect(staking.connect(market).unlockCollateral(alice.address, 0n))
        .to.emit(staking, 'StakingCollateralUnlocked')
        .withArgs(alice.address, 0n, 0n);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([STAKE, 0n, 0n]);
    });

    it('rejects locking more than available (pending unstakes and locks excluded)', async () => {
      const { staking, alice, bob, market } = await networkHelpers.loadFixture(staked);
      await staking.connect(alice).requestUnstake(400n * E18);
      await staking.connect(market).lockCollateral(alice.address, 500n * E18);
      await expect(staking.connect(market).lockCollateral(alice.address, 100n * E18 + 1n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
        .withArgs(alice.address, 100n * E18, 100n * E18 + 1n);
      await expect(staking.connect(market).lockCollateral(bob.address, 1n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
        .withArgs(bob.address, 0n, 1n);
    });

    it('rejects unlocking more than locked', async () => {
      const { staking, alice, market } = await networkHelpers.loadFixture(staked);
      await staking.connect(market).lockCollateral(alice.address, 5n);
      await expect(staking.connect(market).unlockCollateral(alice.address, 6n))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientLocked')
        .withArgs(alice.address, 5n, 6n);
    });

    it('is restricted to MARKET_ROLE', async () => {
      const { staking, alice, admin, MARKET_ROLE } = await networkHelpers.loadFixture(staked);
      for (const caller of [alice, admin]) {
        await expect(staking.connect(caller).lockCollateral(alice.address, 1n))
          .to.be.revertedWithCustomError(staking, 'AccessControlUnauthorizedAccount')
          .withArgs(caller.address, MARKET_ROLE);
        await expect(staking.connect(caller).unlockCollateral(alice.address, 0n))
          .to.be.revertedWithCustomError(staking, 'AccessControlUnauthorizedAccount')
          .withArgs(caller.address, MARKET_ROLE);
        await expect(staking.connect(caller).slashCollateral(alice.address, 0n, caller.address))
          .to.be.revertedWithCustomError(staking, 'AccessControlUnauthorizedAccount')
          .withArgs(caller.address, MARKET_ROLE);
      }
    });
  });

  describe('slashCollateral', () => {
    it('slashes locked collateral: half burnt, half to the beneficiary', async () => {
      const { staking, token, stakingAddress, alice, market, carol } = await networkHelpers.loadFixture(staked);
      await staking.connect(market).lockCollateral(alice.address, 300n * E18);
      const result = await staking.connect(market).slashCollateral.staticCall(alice.address, 101n, carol.address);
      expect(result).to.deep.equal([50n, 51n]);
      const tx = staking.connect(market).slashCollateral(alice.address, 200n * E18, carol.address);
      await expect(tx)
        .to.emit(staking, 'StakingSlashed')
        .withArgs(alice.address, 200n * E18, 100n * E18, 100n * E18, carol.address);
      // 800 < minStake (1000): the prover leaves the selection tree.
      await expect(tx).to.emit(staking, 'StakingWeightUpdated').withArgs(alice.address, 0n);
      await expect(tx)
        .to.emit(token, 'Transfer')
        .withArgs(stakingAddress, ethers.ZeroAddress, 100n * E18);
      await expect(tx).to.changeTokenBalances(ethers, token, [stakingAddress, carol], [-200n * E18, 100n * E18]);
      expect(await token.totalSupply()).to.equal(SUPPLY - 100n * E18);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([800n * E18, 100n * E18, 0n]);
      expect(await token.balanceOf(stakingAddress)).to.equal(800n * E18);
    });

    it('uses slashBurnBps for the split (all burnt, none burnt)', async () => {
      const { staking, token, alice, market, carol, admin } = await networkHelpers.loadFixture(staked);
      await staking.connect(market).lockCollateral(alice.address, 30n);
      await staking.connect(admin).setSlashBurnBps(10_000);
      await expect(staking.connect(market).slashCollateral(alice.address, 10n, carol.address))
        .to.emit(staking, 'StakingSlashed')
        .withArgs(alice.address, 10n, 10n, 0n, carol.address);
      await staking.connect(admin).setSlashBurnBps(0);
      const before = await token.balanceOf(carol.address);
      await expect(staking.connect(market).slashCollateral(alice.address, 10n, carol.address))
        .to.emit(staking, 'StakingSlashed')
        .withArgs(alice.address, 10n, 0n, 10n, carol.address);
      expect(await token.balanceOf(carol.address)).to.equal(before + 10n);
      expect(await token.totalSupply()).to.equal(SUPPLY - 10n);
    });

    it('never takes beyond the locked collateral (issue #10 item 10): available stake and pending unstakes are safe', async () => {
      const { staking, token, stakingAddress, alice, market, carol } = await networkHelpers.loadFixture(staked);
      await staking.connect(alice).requestUnstake(200n * E18);
      await staking.connect(market).lockCollateral(alice.address, 100n * E18);
      // staked 1000, locked 100, pending 200, available 700: only the 100 locked can go.
      await expect(staking.connect(market).slashCollateral(alice.address, 101n * E18, carol.address))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientLocked')
        .withArgs(alice.address, 100n * E18, 101n * E18);
      await staking.connect(market).slashCollateral(alice.address, 100n * E18, carol.address);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([900n * E18, 0n, 200n * E18]);
      expect((await staking.unstakeQueue(alice.address)).map((e) => e.amount)).to.deep.equal([200n * E18]);
      expect(await token.balanceOf(stakingAddress)).to.equal(900n * E18);
      await networkHelpers.time.increase(UNBONDING);
      await expect(staking.connect(alice).withdraw(1n))
        .to.emit(staking, 'StakingWithdrawn')
        .withArgs(alice.address, 200n * E18, 1n);
    });

    it('rejects a slash above the locked collateral and a zero beneficiary', async () => {
      const { staking, alice, bob, market, carol } = await networkHelpers.loadFixture(staked);
      await expect(staking.connect(market).slashCollateral(alice.address, STAKE + 1n, carol.address))
        .to.be.revertedWithCustomError(staking, 'StakingInsufficientLocked')
        .withArgs(alice.address, 0n, STAKE + 1n);
      await expect(staking.connect(market).slashCollateral(alice.address, 1n, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(staking, 'StakingZeroAddress')
        .withArgs('beneficiary');
      // A zero slash of an account that never staked is a no-op.
      await expect(staking.connect(market).slashCollateral(bob.address, 0n, carol.address))
        .to.emit(staking, 'StakingSlashed')
        .withArgs(bob.address, 0n, 0n, 0n, carol.address);
    });

    it('drops a prover below minStake out of selection', async () => {
      const { staking, alice, market, carol } = await networkHelpers.loadFixture(staked);
      await staking.connect(market).lockCollateral(alice.address, STAKE);
      await expect(staking.connect(market).slashCollateral(alice.address, STAKE - MIN_STAKE + 1n, carol.address))
        .to.emit(staking, 'StakingWeightUpdated')
        .withArgs(alice.address, 0n);
      expect(await staking.isEligible(alice.address)).to.equal(false);
      expect(await staking.selectProver(0n)).to.equal(ethers.ZeroAddress);
    });
  });
});
