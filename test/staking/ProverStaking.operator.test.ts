import { expect } from 'chai';
import { network } from 'hardhat';
import { appointOperator, deployStaking, MIN_STAKE } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('ProverStaking: operators (consent, issue #10 item 7)', () => {
  async function twoProvers() {
    const f = await deployStaking(ethers);
    await f.staking.connect(f.alice).stake(MIN_STAKE);
    await f.staking.connect(f.bob).stake(MIN_STAKE);
    return f;
  }

  it('a proposal does nothing until the operator accepts; then proverOf follows', async () => {
    const { staking, alice, carol } = await networkHelpers.loadFixture(twoProvers);
    await expect(staking.connect(alice).proposeOperator(carol.address))
      .to.emit(staking, 'StakingOperatorProposed')
      .withArgs(alice.address, carol.address);
    expect(await staking.proposedOperatorOf(alice.address)).to.equal(carol.address);
    expect(await staking.proverOf(carol.address)).to.equal(ethers.ZeroAddress);
    expect(await staking.operatorOf(alice.address)).to.equal(ethers.ZeroAddress);
    await expect(staking.connect(carol).acceptOperator(alice.address))
      .to.emit(staking, 'StakingOperatorAccepted')
      .withArgs(alice.address, carol.address);
    expect(await staking.operatorOf(alice.address)).to.equal(carol.address);
    expect(await staking.proverOf(carol.address)).to.equal(alice.address);
    expect(await staking.proposedOperatorOf(alice.address)).to.equal(ethers.ZeroAddress);
  });

  it('the squatting scenario no longer works: a victim named without consent can still stake and resign', async () => {
    const { staking, alice, dave, outsider } = await networkHelpers.loadFixture(twoProvers);
    // Version 1: setOperator(victim) made the victim an operator at once; it could never stake.
    await staking.connect(alice).proposeOperator(dave.address);
    await staking.connect(dave).stake(MIN_STAKE); // the victim is unaffected
    expect(await staking.proverOf(dave.address)).to.equal(dave.address);
    // A staked account cannot accept.
    await expect(staking.connect(dave).acceptOperator(alice.address))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidOperator')
      .withArgs(dave.address);
    // Nobody else can accept for the named operator.
    await expect(staking.connect(outsider).acceptOperator(alice.address))
      .to.be.revertedWithCustomError(staking, 'StakingNotProposed')
      .withArgs(alice.address, outsider.address);
  });

  it('only a staked account that is not an operator may propose', async () => {
    const { staking, alice, carol, dave, outsider } = await networkHelpers.loadFixture(twoProvers);
    await expect(staking.connect(outsider).proposeOperator(carol.address))
      .to.be.revertedWithCustomError(staking, 'StakingNotStaked')
      .withArgs(outsider.address);
    await appointOperator(staking, alice, carol);
    await expect(staking.connect(carol).proposeOperator(dave.address))
      .to.be.revertedWithCustomError(staking, 'StakingAccountIsOperator')
      .withArgs(carol.address, alice.address);
  });

  it("rejects the prover itself, a staker and another prover's operator as candidates", async () => {
    const { staking, alice, bob, carol } = await networkHelpers.loadFixture(twoProvers);
    await expect(staking.connect(alice).proposeOperator(alice.address))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidOperator')
      .withArgs(alice.address);
    await expect(staking.connect(alice).proposeOperator(bob.address))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidOperator')
      .withArgs(bob.address);
    await appointOperator(staking, alice, carol);
    await expect(staking.connect(bob).proposeOperator(carol.address))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidOperator')
      .withArgs(carol.address);
    // A proposal made before the candidate became another prover's operator cannot be accepted.
    await staking.connect(carol).resignOperator();
    await staking.connect(bob).proposeOperator(carol.address);
    await staking.connect(alice).proposeOperator(carol.address);
    await staking.connect(carol).acceptOperator(alice.address);
    await expect(staking.connect(carol).acceptOperator(bob.address))
      .to.be.revertedWithCustomError(staking, 'StakingInvalidOperator')
      .withArgs(carol.address);
  });

  it('an operator resigns; a prover removes or replaces its operator; a withdrawn proposal cannot be accepted', async () => {
    const { staking, alice, carol, dave } = await networkHelpers.loadFixture(twoProvers);
    await appointOperator(staking, alice, carol);
    await expect(staking.connect(carol).resignOperator())
      .to.emit(staking, 'StakingOperatorRemoved')
      .withArgs(alice.address, carol.address, true);
    expect(await staking.proverOf(carol.address)).to.equal(ethers.ZeroAddress);
    await expect(staking.connect(carol).resignOperator())
      .to.be.revertedWithCustomError(staking, 'StakingNoOperator')
      .withArgs(carol.address);
    // The released key can stake.
    await staking.connect(carol).stake(MIN_STAKE);
    expect(await staking.proverOf(carol.address)).to.equal(carol.address);

    await appointOperator(staking, alice, dave);
    await expect(staking.connect(alice).removeOperator())
      .to.emit(staking, 'StakingOperatorRemoved')
      .withArgs(alice.address, dave.address, false);
    expect(await staking.proverOf(dave.address)).to.equal(ethers.ZeroAddress);
    await expect(staking.connect(alice).removeOperator())
      .to.be.revertedWithCustomError(staking, 'StakingNoOperator')
      .withArgs(alice.address);

    // Replacing: the previous operator is released when the new one accepts.
    await appointOperator(staking, alice, dave);
    const [, , , , , , , , eve] = await ethers.getSigners();
    await staking.connect(alice).proposeOperator(eve!.address);
    await expect(staking.connect(eve!).acceptOperator(alice.address))
      .to.emit(staking, 'StakingOperatorRemoved')
      .withArgs(alice.address, dave.address, false);
    expect(await staking.proverOf(dave.address)).to.equal(ethers.ZeroAddress);
    expect(await staking.proverOf(eve!.address)).to.equal(alice.address);

    // Withdrawing a proposal.
    await staking.connect(alice).proposeOperator(dave.address);
    await staking.connect(alice).proposeOperator(ethers.ZeroAddress);
    await expect(staking.connect(dave).acceptOperator(alice.address))
      .to.be.revertedWithCustomError(staking, 'StakingNotProposed')
      .withArgs(alice.address, dave.address);
  });

  it('keeps the stake with the owner: the operator cannot unstake or withdraw it', async () => {
    const { staking, alice, carol } = await networkHelpers.loadFixture(twoProvers);
    await appointOperator(staking, alice, carol);
    await expect(staking.connect(carol).requestUnstake(1n))
      .to.be.revertedWithCustomError(staking, 'StakingInsufficientAvailableStake')
      .withArgs(carol.address, 0n, 1n);
    await expect(staking.connect(carol).withdraw(1n))
      .to.be.revertedWithCustomError(staking, 'StakingNothingToWithdraw')
      .withArgs(carol.address, 0n);
    expect(await staking.stakeOf(alice.address)).to.deep.equal([MIN_STAKE, 0n, 0n]);
  });
});
