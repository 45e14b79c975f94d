import { expect } from 'chai';
import { network } from 'hardhat';
import { deployStaking, E18, signPermit, SUPPLY } from '../staking/fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('NexToken', () => {
  const fixture = () => deployStaking(ethers);

  describe('constructor', () => {
    it('mints the fixed supply once, to the treasury', async () => {
      const [, treasury] = await ethers.getSigners();
      const token = await ethers.deployContract('NexToken', [treasury!.address, 123n * E18]);
      await expect(token.deploymentTransaction())
        .to.emit(token, 'Transfer')
        .withArgs(ethers.ZeroAddress, treasury!.address, 123n * E18);
      expect(await token.totalSupply()).to.equal(123n * E18);
      expect(await token.balanceOf(treasury!.address)).to.equal(123n * E18);
      expect(await token.name()).to.equal('NEX Work Token');
      expect(await token.symbol()).to.equal('NEX');
      expect(await token.decimals()).to.equal(18n);
    });

    it('rejects a zero treasury', async () => {
      const factory = await ethers.getContractFactory('NexToken');
      await expect(ethers.deployContract('NexToken', [ethers.ZeroAddress, SUPPLY])).to.be.revertedWithCustomError(
        factory,
        'NexTokenZeroTreasury',
      );
    });

    it('rejects a zero supply', async () => {
      const [, treasury] = await ethers.getSigners();
      const factory = await ethers.getContractFactory('NexToken');
      await expect(ethers.deployContract('NexToken', [treasury!.address, 0n])).to.be.revertedWithCustomError(factory, 'NexTokenZeroSupply');
    });

    it('has no way to mint after deployment', async () => {
      const { token } = await networkHelpers.loadFixture(fixture);
      const names: string[] = [];
      token.interface.forEachFunction((f) => names.push(f.name));
      expect(names).to.include('burn');
      expect(names.filter((n) => /mint/i.test(n))).to.deep.equal([]);
    });
  });

  describe('burn', () => {
    it("burn destroys the caller's tokens and lowers the supply", async () => {
      const { token, alice } = await networkHelpers.loadFixture(fixture);
      await expect(token.connect(alice).burn(5n * E18))
        .to.emit(token, 'Transfer')
        .withArgs(alice.address, ethers.ZeroAddress, 5n * E18);
      expect(await token.totalSupply()).to.equal(SUPPLY - 5n * E18);
    });

    it('burnFrom spends the allowance', async () => {
      const { token, alice, bob } = await networkHelpers.loadFixture(fixture);
      await token.connect(alice).approve(bob.address, 3n * E18);
      await token.connect(bob).burnFrom(alice.address, 2n * E18);
      expect(await token.allowance(alice.address, bob.address)).to.equal(1n * E18);
      await expect(token.connect(bob).burnFrom(alice.address, 2n * E18))
        .to.be.revertedWithCustomError(token, 'ERC20InsufficientAllowance')
        .withArgs(bob.address, 1n * E18, 2n * E18);
    });

    it('cannot burn more than the balance', async () => {
      const { token, alice } = await networkHelpers.loadFixture(fixture);
      const balance = await token.balanceOf(alice.address);
      await expect(token.connect(alice).burn(balance + 1n))
        .to.be.revertedWithCustomError(token, 'ERC20InsufficientBalance')
        .withArgs(alice.address, balance, balance + 1n);
    });
  });

  describe('permit', () => {
    it('sets an allowance from an EIP-712 signature and bumps the nonce', async () => {
      const { token, alice, bob } = await networkHelpers.loadFixture(fixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const { v, r, s } = await signPermit(ethers, token, alice, bob.address, 7n * E18, deadline);
      await expect(token.connect(bob).permit(alice.address, bob.address, 7n * E18, deadline, v, r, s))
        .to.emit(token, 'Approval')
        .withArgs(alice.address, bob.address, 7n * E18);
      expect(await token.nonces(alice.address)).to.equal(1n);
      // A replay fails: the nonce moved on, so the recovered signer differs.
      await expect(token.connect(bob).permit(alice.address, bob.address, 7n * E18, deadline, v, r, s)).to.be.revertedWithCustomError(
        token,
        'ERC2612InvalidSigner',
      );
    });

    it('rejects an expired permit', async () => {
      const { token, alice, bob } = await networkHelpers.loadFixture(fixture);
      const deadline = BigInt(await networkHelpers.time.latest()) - 1n;
      const { v, r, s } = await signPermit(ethers, token, alice, bob.address, 1n, deadline);
      await expect(token.permit(alice.address, bob.address, 1n, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, 'ERC2612ExpiredSignature')
        .withArgs(deadline);
    });
  });
});
