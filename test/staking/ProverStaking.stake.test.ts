import { anyValue } from '@nomicfoundation/hardhat-ethers-chai-matchers/withArgs';
import { expect } from 'chai';
import { network } from 'hardhat';
import { deployStaking, E18, MIN_STAKE, signPermit, UNBONDING, appointOperator } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('ProverStaking: deployment and staking', () => {
  const fixture = () => deployStaking(ethers);

  describe('constructor', () => {
    it('sets defaults, admin and emits the parameters', async () => {
      const { staking, token, admin } = await networkHelpers.loadFixture(fixture);
      expect(await staking.token()).to.equal(await token.getAddress());
      expect(await staking.minStake()).to.equal(MIN_STAKE);
      expect(await staking.unbondingPeriod()).to.equal(UNBONDING);
      expect(await staking.slashBurnBps()).to.equal(5000n);
      expect(await staking.market()).to.equal(ethers.ZeroAddress);
      expect(await staking.totalWeight()).to.equal(0n);
      expect(await staking.proverCount()).to.equal(0n);
      expect(await staking.hasRole(await staking.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      await expect(staking.deploymentTransaction()).to.emit(staking, 'StakingParamsUpdated').withArgs(MIN_STAKE, UNBONDING, 5000n, 3600n);
    });

    it('rejects a zero token, a zero admin and a zero minStake', async () => {
      const { token, admin } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory('ProverStaking');
      const tokenAddress = await token.getAddress();
      await expect(ethers.deployContract('ProverStaking', [ethers.ZeroAddress, admin.address, MIN_STAKE]))
        .to.be.revertedWithCustomError(factory, 'StakingZeroAddress')
        .withArgs('token');
      await expect(ethers.deployContract('ProverStaking', [tokenAddress, ethers.ZeroAddress, MIN_STAKE]))
        .to.be.revertedWithCustomError(factory, 'StakingZeroAddress')
        .withArgs('admin');
      await expect(ethers.deployContract('ProverStaking', [tokenAddress, admin.address, 0n]))
        .to.be.revertedWithCustomError(factory, 'StakingInvalidMinStake')
        .withArgs(0n);
    });
  });

  describe('stake', () => {
    it('pulls the tokens, records the stake and registers the prover in the tree', async () => {
      const { staking, token, stakingAddress, alice } = await networkHelpers.loadFixture(fixture);
      const tx = staking.connect(alice).stake(MIN_STAKE);
      await expect(tx).to.emit(staking, 'StakingStaked').withArgs(alice.address, MIN_STAKE, MIN_STAKE, anyValue);
      await expect(tx).to.emit(staking, 'StakingWeightUpdated').withArgs(alice.address, MIN_STAKE);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, stakingAddress], [-MIN_STAKE, MIN_STAKE]);
      expect(await staking.stakeOf(alice.address)).to.deep.equal([MIN_STAKE, 0n, 0n]);
      expect(await staking.availableStake(alice.address)).to.equal(MIN_STAKE);
      expect(await staking.isEligible(alice.address)).to.equal(true);
      expect(await staking.proverCount()).to.equal(1n);
      expect(await staking.proverAt(1n)).to.equal(alice.address);
      expect(await staking.weightOf(alice.address)).to.equal(MIN_STAKE);
      expect(await staking.totalWeight()).to.equal(MIN_STAKE);
    });

    it('adds up repeated stakes without re-registering; below minStake weighs 0 and is not eligible', async () => {
      const { staking, alice } = await networkHelpers.loadFixture(fixture);
      const half = MIN_STAKE / 2n;
      await expect(staking.connect(alice).stake(half)).to.emit(staking, 'StakingStaked').withArgs(alice.address, half, half, anyValue);
      expect(await staking.isEligible(alice.address)).to.equal(false);
      expect(await staking.weightOf(alice.address)).to.equal(0n);
      expect(await staking.totalWeight()).to.equal(0n);
      await expect(staking.connect(alice).stake(half)).to.emit(staking, 'StakingWeightUpdated').withArgs(alice.address, MIN_STAKE);
      expect(await staking.isEligible(alice.address)).to.equal(true);
      expect(await staking.proverCount()).to.equal(1n);
      expect(await staking.totalWeight()).to.equal(MIN_STAKE);
    });

    it('rejects a zero amount', async () => {
      const { staking, alice } = await networkHelpers.loadFixture(fixture);
      await expect(staking.connect(alice).stake(0n)).to.be.revertedWithCustomError(staking, 'StakingZeroAmount');
    });

    it('rejects a stake without allowance or balance (token errors bubble up)', async () => {
      const { staking, token, stakingAddress, alice, signers } = await networkHelpers.loadFixture(fixture);
      await token.connect(alice).approve(stakingAddress, 0n);
      await expect(staking.connect(alice).stake(1n))
        .to.be.revertedWithCustomError(token, 'ERC20InsufficientAllowance')
        .withArgs(stakingAddress, 0n, 1n);
      const poor = signers[9]!;
      await token.connect(poor).approve(stakingAddress, 1n);
      await expect(staking.connect(poor).stake(1n))
        .to.be.revertedWithCustomError(token, 'ERC20InsufficientBalance')
        .withArgs(poor.address, 0n, 1n);
    });

    it('rejects a stake from an operator', async () => {
      const { staking, alice, bob } = await networkHelpers.loadFixture(fixture);
      await appointOperator(staking, alice, bob);
      await expect(staking.connect(bob).stake(MIN_STAKE))
        .to.be.revertedWithCustomError(staking, 'StakingAccountIsOperator')
        .withArgs(bob.address, alice.address);
    });
  });

  describe('stakeWithPermit', () => {
    it('stakes with a signed permit and no prior allowance', async () => {
      const { staking, token, stakingAddress, alice } = await networkHelpers.loadFixture(fixture);
      await token.connect(alice).approve(stakingAddress, 0n);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const { v, r, s } = await signPermit(ethers, token, alice, stakingAddress, MIN_STAKE, deadline);
      await expect(staking.connect(alice).stakeWithPermit(MIN_STAKE, deadline, v, r, s))
        .to.emit(staking, 'StakingStaked')
        .withArgs(alice.address, MIN_STAKE, MIN_STAKE, anyValue);
      expect(await token.nonces(alice.address)).to.equal(1n);
      expect(await token.allowance(alice.address, stakingAddress)).to.equal(0n);
      expect(await token.balanceOf(stakingAddress)).to.equal(MIN_STAKE);
    });

    it('still stakes when a third party front-ran the permit', async () => {
      const { staking, token, stakingAddress, alice, outsider } = await networkHelpers.loadFixture(fixture);
      await token.connect(alice).approve(stakingAddress, 0n);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const { v, r, s } = await signPermit(ethers, token, alice, stakingAddress, MIN_STAKE, deadline);
      // The attacker submits the permit from the mempool first.
      await token.connect(outsider).permit(alice.address, stakingAddress, MIN_STAKE, deadline, v, r, s);
      // The same permit now fails on its own ...
      await expect(token.permit(alice.address, stakingAddress, MIN_STAKE, deadline, v, r, s)).to.be.revertedWithCustomError(
        token,
        'ERC2612InvalidSigner',
      );
      // ... but the stake goes through on the allowance the front-run set.
      await expect(staking.connect(alice).stakeWithPermit(MIN_STAKE, deadline, v, r, s))
        .to.emit(staking, 'StakingStaked')
        .withArgs(alice.address, MIN_STAKE, MIN_STAKE, anyValue);
    });

    it('reverts on the allowance when the permit is invalid and there is no allowance', async () => {
      const { staking, token, stakingAddress, alice, bob } = await networkHelpers.loadFixture(fixture);
      await token.connect(alice).approve(stakingAddress, 0n);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      // Signed by bob for alice's tokens: invalid.
      const { v, r, s } = await signPermit(ethers, token, bob, stakingAddress, MIN_STAKE, deadline);
      await expect(staking.connect(alice).stakeWithPermit(MIN_STAKE, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, 'ERC20InsufficientAllowance')
        .withArgs(stakingAddress, 0n, MIN_STAKE);
    });

    it('uses an existing allowance when the permit expired', async () => {
      const { staking, token, stakingAddress, alice } = await networkHelpers.loadFixture(fixture);
      const deadline = BigInt(await networkHelpers.time.latest()) - 1n;
      const { v, r, s } = await signPermit(ethers, token, alice, stakingAddress, MIN_STAKE, deadline);
      await expect(staking.connect(alice).stakeWithPermit(MIN_STAKE, deadline, v, r, s))
        .to.emit(staking, 'StakingStaked')
        .withArgs(alice.address, MIN_STAKE, MIN_STAKE, anyValue);
      expect(await token.nonces(alice.address)).to.equal(0n);
    });

    it('applies the stake rules (zero amount, operator)', async () => {
      const { staking, token, stakingAddress, alice, bob } = await networkHelpers.loadFixture(fixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const zero = await signPermit(ethers, token, alice, stakingAddress, 0n, deadline);
      await expect(staking.connect(alice).stakeWithPermit(0n, deadline, zero.v, zero.r, zero.s)).to.be.revertedWithCustomError(
        staking,
        'StakingZeroAmount',
      );
      await appointOperator(staking, alice, bob);
      const p = await signPermit(ethers, token, bob, stakingAddress, E18, deadline);
      await expect(staking.connect(bob).stakeWithPermit(E18, deadline, p.v, p.r, p.s))
        .to.be.revertedWithCustomError(staking, 'StakingAccountIsOperator')
        .withArgs(bob.address, alice.address);
    });
  });
});
