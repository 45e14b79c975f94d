import { expect } from 'chai';
import { network } from 'hardhat';
import { DAY, deployStaking, MIN_STAKE, UNBONDING } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('ProverStaking: admin parameters and market', () => {
  const fixture = () => deployStaking(ethers);

  it('setMinStake updates the minimum and emits the parameters', async () => {
    const { staking, admin, alice } = await networkHelpers.loadFixture(fixture);
    await staking.connect(alice).stake(MIN_STAKE);
    await expect(staking.connect(admin).setMinStake(2n * MIN_STAKE))
      .to.emit(staking, 'StakingParamsUpdated')
      .withArgs(2n * MIN_STAKE, UNBONDING, 5000n, 0n);
    expect(await staking.minStake()).to.equal(2n * MIN_STAKE);
    expect(await staking.isEligible(alice.address)).to.equal(false);
    await expect(staking.connect(admin).setMinStake(0n)).to.be.revertedWithCustomError(staking, 'StakingInvalidMinStake').withArgs(0n);
  });

  it('setUnbondingPeriod bounds: positive, at most a year', async () => {
    const { staking, admin } = await networkHelpers.loadFixture(fixture);
    await expect(staking.connect(admin).setUnbondingPeriod(DAY))
      .to.emit(staking, 'StakingParamsUpdated')
      .withArgs(MIN_STAKE, DAY, 5000n, 0n);
    expect(await staking.unbondingPeriod()).to.equal(DAY);
    const max = await staking.MAX_UNBONDING_PERIOD();
    await staking.connect(admin).setUnbondingPeriod(max);
    await expect(staking.connect(admin).setUnbondingPeriod(0n))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidUnbondingPeriod')
      .withArgs(0n);
    await expect(staking.connect(admin).setUnbondingPeriod(max + 1n))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidUnbondingPeriod')
      .withArgs(max + 1n);
  });

  it("setUnbondingPeriod must exceed the market's maxJobLifetime once a market is set", async () => {
    const { staking, admin } = await networkHelpers.loadFixture(fixture);
    const market = await ethers.deployContract('MockJobLifetime', [DAY]);
    await staking.connect(admin).setMarket(await market.getAddress());
    await expect(staking.connect(admin).setUnbondingPeriod(DAY))
      .to.be.revertedWithCustomError(staking, 'StakingUnbondingPeriodTooShort')
      .withArgs(DAY, DAY);
    await expect(staking.connect(admin).setUnbondingPeriod(DAY + 1n))
      .to.emit(staking, 'StakingParamsUpdated')
      .withArgs(MIN_STAKE, DAY + 1n, 5000n, 0n);
  });

  it('setSlashBurnBps accepts 0..10000', async () => {
    const { staking, admin } = await networkHelpers.loadFixture(fixture);
    await expect(staking.connect(admin).setSlashBurnBps(10_000))
      .to.emit(staking, 'StakingParamsUpdated')
      .withArgs(MIN_STAKE, UNBONDING, 10_000n, 0n);
    expect(await staking.slashBurnBps()).to.equal(10_000n);
    await expect(staking.connect(admin).setSlashBurnBps(10_001))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidBps')
      .withArgs(10_001n);
  });

  it('setMarket grants MARKET_ROLE, records the market and checks the unbonding period', async () => {
    const { staking, admin, alice, MARKET_ROLE } = await networkHelpers.loadFixture(fixture);
    const tooLong = await ethers.deployContract('MockJobLifetime', [UNBONDING]);
    await expect(staking.connect(admin).setMarket(await tooLong.getAddress()))
      .to.be.revertedWithCustomError(staking, 'StakingUnbondingPeriodTooShort')
      .withArgs(UNBONDING, UNBONDING);
    expect(await staking.market()).to.equal(ethers.ZeroAddress);
    const market = await ethers.deployContract('MockJobLifetime', [UNBONDING - 1n]);
    const marketAddress = await market.getAddress();
    await expect(staking.connect(admin).setMarket(marketAddress))
      .to.emit(staking, 'StakingMarketSet')
      .withArgs(marketAddress)
      .and.to.emit(staking, 'RoleGranted')
      .withArgs(MARKET_ROLE, marketAddress, admin.address);
    expect(await staking.market()).to.equal(marketAddress);
    expect(await staking.hasRole(MARKET_ROLE, marketAddress)).to.equal(true);

    // A replacement market is recorded; the previous one keeps its role until revoked.
    const next = await ethers.deployContract('MockJobLifetime', [DAY]);
    await staking.connect(admin).setMarket(await next.getAddress());
    expect(await staking.market()).to.equal(await next.getAddress());
    expect(await staking.hasRole(MARKET_ROLE, marketAddress)).to.equal(true);
    await staking.connect(admin).revokeRole(MARKET_ROLE, marketAddress);
    expect(await staking.hasRole(MARKET_ROLE, marketAddress)).to.equal(false);

    await expect(staking.connect(admin).setMarket(ethers.ZeroAddress))
      .to.be.revertedWithCustomError(staking, 'StakingZeroAddress')
      .withArgs('market');
    await expect(staking.connect(alice).setMarket(marketAddress))
      .to.be.revertedWithCustomError(staking, 'AccessControlUnauthorizedAccount')
      .withArgs(alice.address, ethers.ZeroHash);
  });

  it('restricts every parameter setter to DEFAULT_ADMIN_ROLE', async () => {
    const { staking, market, alice } = await networkHelpers.loadFixture(fixture);
    for (const caller of [alice, market]) {
      const s = staking.connect(caller);
      for (const call of [s.setMinStake(1n), s.setUnbondingPeriod(DAY), s.setSlashBurnBps(1)]) {
        await expect(call)
          .to.be.revertedWithCustomError(staking, 'AccessControlUnauthorizedAccount')
          .withArgs(caller.address, ethers.ZeroHash);
      }
    }
  });
});
