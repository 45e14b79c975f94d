import { expect } from 'chai';
import { network } from 'hardhat';
import { deployStaking, MIN_STAKE } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('ProverStaking: operators', () => {
  async function twoProvers() {
    const f = await deployStaking(ethers);
    await f.staking.connect(f.alice).stake(MIN_STAKE);
    await f.staking.connect(f.bob).stake(MIN_STAKE);
    return f;
  }

  it('appoints, replaces and removes an operator; proverOf follows', async () => {
    const { staking, alice, carol, dave } = await networkHelpers.loadFixture(twoProvers);
    expect(await staking.proverOf(alice.address)).to.equal(alice.address);
    expect(await staking.proverOf(carol.address)).to.equal(ethers.ZeroAddress);

    await expect(staking.connect(alice).setOperator(carol.address))
      .to.emit(staking, 'OperatorSet')
      .withArgs(alice.address, ethers.ZeroAddress, carol.address);
    expect(await staking.operatorOf(alice.address)).to.equal(carol.address);
    expect(await staking.proverOf(carol.address)).to.equal(alice.address);

    // Setting the same operator again is allowed (idempotent).
    await expect(staking.connect(alice).setOperator(carol.address))
      .to.emit(staking, 'OperatorSet')
      .withArgs(alice.address, carol.address, carol.address);
    expect(await staking.proverOf(carol.address)).to.equal(alice.address);

    await expect(staking.connect(alice).setOperator(dave.address))
      .to.emit(staking, 'OperatorSet')
      .withArgs(alice.address, carol.address, dave.address);
    expect(await staking.proverOf(carol.address)).to.equal(ethers.ZeroAddress);
    expect(await staking.proverOf(dave.address)).to.equal(alice.address);

    await expect(staking.connect(alice).setOperator(ethers.ZeroAddress))
      .to.emit(staking, 'OperatorSet')
      .withArgs(alice.address, dave.address, ethers.ZeroAddress);
    expect(await staking.operatorOf(alice.address)).to.equal(ethers.ZeroAddress);
    expect(await staking.proverOf(dave.address)).to.equal(ethers.ZeroAddress);
    // The released key can stake now.
    await staking.connect(dave).stake(MIN_STAKE);
    expect(await staking.proverOf(dave.address)).to.equal(dave.address);
  });

  it('rejects the prover itself as operator', async () => {
    const { staking, alice } = await networkHelpers.loadFixture(twoProvers);
    await expect(staking.connect(alice).setOperator(alice.address))
      .to.be.revertedWithCustomError(staking, 'StakingOperatorIsSelf')
      .withArgs(alice.address);
  });

  it('rejects a staker as operator', async () => {
    const { staking, alice, bob } = await networkHelpers.loadFixture(twoProvers);
    await expect(staking.connect(alice).setOperator(bob.address))
      .to.be.revertedWithCustomError(staking, 'StakingOperatorIsProver')
      .withArgs(bob.address);
  });

  it('rejects an account that has an operator of its own as operator', async () => {
    const { staking, alice, carol, dave } = await networkHelpers.loadFixture(twoProvers);
    await staking.connect(carol).setOperator(dave.address); // carol: no stake yet, but a prover with an operator
    await expect(staking.connect(alice).setOperator(carol.address))
      .to.be.revertedWithCustomError(staking, 'StakingOperatorIsProver')
      .withArgs(carol.address);
  });

  it("rejects another prover's operator", async () => {
    const { staking, alice, bob, carol } = await networkHelpers.loadFixture(twoProvers);
    await staking.connect(alice).setOperator(carol.address);
    await expect(staking.connect(bob).setOperator(carol.address))
      .to.be.revertedWithCustomError(staking, 'StakingOperatorTaken')
      .withArgs(carol.address, alice.address);
  });

  it('rejects an operator appointing an operator', async () => {
    const { staking, alice, carol, dave } = await networkHelpers.loadFixture(twoProvers);
    await staking.connect(alice).setOperator(carol.address);
    await expect(staking.connect(carol).setOperator(dave.address))
      .to.be.revertedWithCustomError(staking, 'StakingAccountIsOperator')
      .withArgs(carol.address, alice.address);
  });

  it('keeps the stake with the owner: the operator cannot unstake or withdraw it', async () => {
    const { staking, alice, carol } = await networkHelpers.loadFixture(twoProvers);
    await staking.connect(alice).setOperator(carol.address);
    await expect(staking.connect(carol).requestUnstake(1n))
      .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
      .withArgs(carol.address, 0n, 1n);
    await expect(staking.connect(carol).withdraw(1n))
      .to.be.revertedWithCustomError(staking, 'StakingNothingToWithdraw')
      .withArgs(carol.address, 0n);
    expect(await staking.stakeOf(alice.address)).to.deep.equal([MIN_STAKE, 0n, 0n]);
  });
});
