import { expect } from 'chai';
import { network } from 'hardhat';

describe('placeholder', () => {
  it('deploys', async () => {
    const { ethers } = await network.connect();
    const c = await ethers.deployContract('Placeholder');
    expect(await c.getAddress()).to.match(/^0x/);
  });
});
