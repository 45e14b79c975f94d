import { expect } from 'chai';
import { network } from 'hardhat';
import { E18, MIN_STAKE, UNBONDING } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('ProverStaking: reentrancy through a hostile token', () => {
  async function hostile() {
    const [admin, market, alice] = await ethers.getSigners();
    const hostileToken = await ethers.deployContract('ReentrantNexToken', [alice!.address, 10n ** 6n * E18]);
    const tokenAddress = await hostileToken.getAddress();
    // Test mocks have no generated types: use the NexToken ABI (same ERC-20 surface) and encode `arm` by hand.
    const erc20 = await ethers.getContractAt('NexToken', tokenAddress);
    const armIface = new ethers.Interface(['function arm(address target, bytes payload)']);
    const token = {
      approve: (spender: string, value: bigint) => erc20.connect(alice!).approve(spender, value),
      arm: (target: string, payload: string) =>
        admin!.sendTransaction({ to: tokenAddress, data: armIface.encodeFunctionData('arm', [target, payload]) }),
    };
    const staking = await ethers.deployContract('ProverStaking', [tokenAddress, admin!.address, MIN_STAKE]);
    await staking.connect(admin!).grantRole(await staking.MARKET_ROLE(), market!.address);
    await token.approve(await staking.getAddress(), ethers.MaxUint256);
    await staking.connect(alice!).stake(10n * MIN_STAKE);
    return { token, staking, market: market!, alice: alice! };
  }

  it('rejects re-entering stake, withdraw and slashCollateral while tokens move', async () => {
    const { token, staking, market, alice } = await networkHelpers.loadFixture(hostile);
    const stakingAddress = await staking.getAddress();
    const reenter = staking.interface.encodeFunctionData('withdraw', [1n]);

    await token.arm(stakingAddress, reenter);
    await expect(staking.connect(alice).stake(MIN_STAKE)).to.be.revertedWithCustomError(staking, 'ReentrancyGuardReentrantCall');

    await staking.connect(alice).requestUnstake(MIN_STAKE);
    await networkHelpers.time.increase(UNBONDING);
    await token.arm(stakingAddress, reenter);
    await expect(staking.connect(alice).withdraw(1n)).to.be.revertedWithCustomError(staking, 'ReentrancyGuardReentrantCall');

    await staking.connect(market).lockCollateral(alice.address, MIN_STAKE);
    await token.arm(stakingAddress, reenter);
    await expect(staking.connect(market).slashCollateral(alice.address, MIN_STAKE, market.address)).to.be.revertedWithCustomError(
      staking,
      'ReentrancyGuardReentrantCall',
    );

    // Disarmed, the same calls go through.
    await token.arm(ethers.ZeroAddress, '0x');
    await staking.connect(alice).withdraw(1n);
    await staking.connect(market).slashCollateral(alice.address, MIN_STAKE, market.address);
    expect(await staking.stakeOf(alice.address)).to.deep.equal([8n * MIN_STAKE, 0n, 0n]);
  });
});
