import { expect } from 'chai';
import { network } from 'hardhat';
import { DEFAULT_PARAMS, FIELD_MODULUS, PI_COUNT, PROGRAM_ID, VK, deployMarket, inputsFor, rollupProof, word } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

describe('AggregationMarket: deployment, parameters, programs, pause', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  describe('constructor and parameters', () => {
    it('stores wiring, roles and the documented defaults', async () => {
      const f = await fixture();
      expect(await f.market.staking()).to.equal(await f.staking.getAddress());
      expect(await f.market.router()).to.equal(await f.router.getAddress());
      expect(await f.market.treasury()).to.equal(f.feeTreasury.address);
      expect(await f.market.hasRole(await f.market.DEFAULT_ADMIN_ROLE(), f.admin.address)).to.equal(true);
      expect(await f.market.hasRole(await f.market.PAUSER_ROLE(), f.pauser.address)).to.equal(true);
      const expected = Object.values(DEFAULT_PARAMS);
      expect([...(await f.market.params())]).to.deep.equal(expected);
      expect([...(await f.market.defaultParams())]).to.deep.equal(expected);
      expect(await f.market.openBatchId()).to.equal(0n);
      expect(await f.market.provingWindow(8)).to.equal(600n + 120n * 8n);
      expect(await f.market.maxJobLifetime()).to.equal(600n + 120n * 32n + 1800n);
      await expect(f.market.deploymentTransaction()).to.emit(f.market, 'ParamsUpdated');
    });

    it('rejects zero staking, router and treasury addresses', async () => {
      const f = await fixture();
      const factory = await ethers.getContractFactory('AggregationMarket');
      const s = await f.staking.getAddress();
      const r = await f.router.getAddress();
      const z = ethers.ZeroAddress;
      for (const args of [
        [f.admin.address, z, z, r, f.feeTreasury.address, DEFAULT_PARAMS],
        [f.admin.address, z, s, z, f.feeTreasury.address, DEFAULT_PARAMS],
        [f.admin.address, z, s, r, z, DEFAULT_PARAMS],
      ]) {
        await expect(ethers.deployContract('AggregationMarket', args)).to.be.revertedWithCustomError(factory, 'MarketZeroAddress');
      }
    });

    it('setParams validates every bound and emits ParamsUpdated; admin only', async () => {
      const f = await fixture();
      const bad: Partial<typeof DEFAULT_PARAMS>[] = [
        { batchCapacity: 1n },
        { batchCapacity: 3n },
        { batchCapacity: 64n },
        { batchTimeout: 0n },
        { provingWindowBase: 0n },
        { secondaryWindow: 0n },
        { protocolFeeBps: 5001n },
        { callbackGasLimit: 500_001n },
        { collateralPerProof: (1n << 96n) / 32n },
        { submissionTtl: 300n + 120n + 6240n }, // must exceed batchTimeout + assignmentWindow + maxJobLifetime
      ];
      for (const p of bad) {
        await expect(f.market.connect(f.admin).setParams({ ...DEFAULT_PARAMS, ...p })).to.be.revertedWithCustomError(
          f.market,
          'MarketInvalidParams',
        );
      }
      // maxJobLifetime must stay below the staking unbonding period (7 days).
      const tooLong = { ...DEFAULT_PARAMS, secondaryWindow: 7n * 86_400n, submissionTtl: 30n * 86_400n };
      const lifetime = 600n + 120n * 32n + 7n * 86_400n;
      await expect(f.market.connect(f.admin).setParams(tooLong))
        .to.be.revertedWithCustomError(f.market, 'MarketUnbondingTooShort')
        .withArgs(7n * 86_400n, lifetime);
      const next = { ...DEFAULT_PARAMS, batchCapacity: 32n, protocolFeeBps: 0n, minFeePerProof: 1n };
      await expect(f.market.connect(f.admin).setParams(next)).to.emit(f.market, 'ParamsUpdated');
      expect([...(await f.market.params())]).to.deep.equal(Object.values(next));
      await expect(f.market.connect(f.outsider).setParams(DEFAULT_PARAMS))
        .to.be.revertedWithCustomError(f.market, 'AccessControlUnauthorizedAccount')
        .withArgs(f.outsider.address, await f.market.DEFAULT_ADMIN_ROLE());
    });

    it('setTreasury: admin only, non-zero, emits TreasurySet', async () => {
      const f = await fixture();
      await expect(f.market.connect(f.admin).setTreasury(f.user2.address)).to.emit(f.market, 'TreasurySet').withArgs(f.user2.address);
      expect(await f.market.treasury()).to.equal(f.user2.address);
      await expect(f.market.connect(f.admin).setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(f.market, 'MarketZeroAddress');
      await expect(f.market.connect(f.outsider).setTreasury(f.user2.address)).to.be.revertedWithCustomError(
        f.market,
        'AccessControlUnauthorizedAccount',
      );
    });
  });

  describe('programs', () => {
    it('registerProgram stores owner, count and index and emits the vk bytes', async () => {
      const f = await fixture();
      const id = word(77);
      await expect(f.market.connect(f.user1).registerProgram(id, '0x1234', 4))
        .to.emit(f.market, 'ProgramRegistered')
        .withArgs(id, f.user1.address, 4, 2, '0x1234');
      expect([...(await f.market.programs(id))]).to.deep.equal([f.user1.address, 4n, 2n, ethers.ZeroAddress]);
      expect(await f.market.programIdAt(2)).to.equal(id);
      expect([...(await f.market.programs(PROGRAM_ID))]).to.deep.equal([f.rollup.address, BigInt(PI_COUNT), 1n, ethers.ZeroAddress]);
    });

    it('only counts the aggregation circuits take; the admin widens the set', async () => {
      const f = await fixture();
      expect(await f.market.aggregatableInputCounts()).to.equal(0b1011n);
      expect(await f.market.DEFAULT_AGGREGATABLE_INPUT_COUNTS()).to.equal(0b1011n);
      await expect(f.market.deploymentTransaction()).to.emit(f.market, 'AggregatableInputCountsSet').withArgs(0b1011);
      await expect(f.market.connect(f.outsider).setAggregatableInputCounts(0b111))
        .to.be.revertedWithCustomError(f.market, 'AccessControlUnauthorizedAccount')
        .withArgs(f.outsider.address, await f.market.DEFAULT_ADMIN_ROLE());
      await expect(f.market.connect(f.admin).setAggregatableInputCounts(0)).to.be.revertedWithCustomError(f.market, 'MarketInvalidParams');
      await expect(f.market.connect(f.user1).registerProgram(word(6), VK, 3))
        .to.be.revertedWithCustomError(f.market, 'MarketUnsupportedPublicInputCount')
        .withArgs(3, 0b1011);
      const all = 0xffffffffn;
      await expect(f.market.connect(f.admin).setAggregatableInputCounts(all)).to.emit(f.market, 'AggregatableInputCountsSet').withArgs(all);
      for (const count of [3, 32]) {
        await expect(f.market.connect(f.user1).registerProgram(word(6 + count), VK, count)).to.emit(f.market, 'ProgramRegistered');
      }
      // Narrowing the set leaves registered programs as they are.
      await f.market.connect(f.admin).setAggregatableInputCounts(0b1);
      await expect(f.market.connect(f.user1).registerProgram(word(100), VK, 2))
        .to.be.revertedWithCustomError(f.market, 'MarketUnsupportedPublicInputCount')
        .withArgs(2, 0b1);
      expect((await f.market.programs(word(9)))[1]).to.equal(3n);
      expect((await f.market.programs(PROGRAM_ID))[1]).to.equal(2n);
    });

    it('rejects non-canonical ids, bad counts, empty vks and duplicates', async () => {
      const f = await fixture();
      const r = ethers.toBeHex(FIELD_MODULUS, 32);
      await expect(f.market.registerProgram(r, VK, 1))
        .to.be.revertedWithCustomError(f.market, 'MarketNonCanonicalProgramId')
        .withArgs(r);
      await expect(f.market.registerProgram(word(5), VK, 0))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidPublicInputCount')
        .withArgs(0);
      await expect(f.market.registerProgram(word(5), VK, 33))
        .to.be.revertedWithCustomError(f.market, 'MarketInvalidPublicInputCount')
        .withArgs(33);
      for (const count of [3, 5, 8, 32]) {
        await expect(f.market.registerProgram(word(5), VK, count))
          .to.be.revertedWithCustomError(f.market, 'MarketUnsupportedPublicInputCount')
          .withArgs(count, 0b1011);
      }
      await expect(f.market.registerProgram(word(5), '0x', 1)).to.be.revertedWithCustomError(f.market, 'MarketEmptyVerificationKey');
      await expect(f.market.registerProgram(PROGRAM_ID, VK, 1))
        .to.be.revertedWithCustomError(f.market, 'MarketProgramExists')
        .withArgs(PROGRAM_ID);
    });

    it('setProgramCallback and transferProgramOwnership are owner-only', async () => {
      const f = await fixture();
      await expect(f.market.connect(f.rollup).setProgramCallback(PROGRAM_ID, f.user2.address))
        .to.emit(f.market, 'ProgramCallbackSet')
        .withArgs(PROGRAM_ID, f.user2.address);
      expect((await f.market.programs(PROGRAM_ID)).callback).to.equal(f.user2.address);
      await expect(f.market.connect(f.user1).setProgramCallback(PROGRAM_ID, f.user1.address))
        .to.be.revertedWithCustomError(f.market, 'MarketNotProgramOwner')
        .withArgs(PROGRAM_ID, f.user1.address);
      await expect(f.market.connect(f.user1).setProgramCallback(word(999), f.user1.address))
        .to.be.revertedWithCustomError(f.market, 'MarketUnknownProgram')
        .withArgs(word(999));
      await expect(f.market.connect(f.rollup).transferProgramOwnership(PROGRAM_ID, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.market,
        'MarketZeroAddress',
      );
      await expect(f.market.connect(f.user1).transferProgramOwnership(PROGRAM_ID, f.user1.address)).to.be.revertedWithCustomError(
        f.market,
        'MarketNotProgramOwner',
      );
      await expect(f.market.connect(f.rollup).transferProgramOwnership(PROGRAM_ID, f.user1.address))
        .to.emit(f.market, 'ProgramOwnershipTransferred')
        .withArgs(PROGRAM_ID, f.rollup.address, f.user1.address);
      await expect(f.market.connect(f.rollup).setProgramCallback(PROGRAM_ID, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.market,
        'MarketNotProgramOwner',
      );
      await f.market.connect(f.user1).setProgramCallback(PROGRAM_ID, ethers.ZeroAddress);
      expect([...(await f.market.programs(PROGRAM_ID))]).to.deep.equal([f.user1.address, BigInt(PI_COUNT), 1n, ethers.ZeroAddress]);
    });
  });

  describe('pause', () => {
    it('stops registerProgram, submit and submitMany only; pauser only', async () => {
      const f = await fixture();
      await expect(f.market.connect(f.outsider).pause())
        .to.be.revertedWithCustomError(f.market, 'AccessControlUnauthorizedAccount')
        .withArgs(f.outsider.address, await f.market.PAUSER_ROLE());
      await expect(f.market.connect(f.pauser).pause()).to.emit(f.market, 'Paused').withArgs(f.pauser.address);
      expect(await f.market.paused()).to.equal(true);
      await expect(f.market.registerProgram(word(5), VK, 1)).to.be.revertedWithCustomError(f.market, 'EnforcedPause');
      await expect(
        f.market.connect(f.user1).submit(PROGRAM_ID, inputsFor(1), rollupProof(1), { value: DEFAULT_PARAMS.minFeePerProof }),
      ).to.be.revertedWithCustomError(f.market, 'EnforcedPause');
      await expect(
        f.market.connect(f.user1).submitMany([PROGRAM_ID], [inputsFor(1)], [rollupProof(1)], [DEFAULT_PARAMS.minFeePerProof], {
          value: DEFAULT_PARAMS.minFeePerProof,
        }),
      ).to.be.revertedWithCustomError(f.market, 'EnforcedPause');
      await expect(f.market.connect(f.outsider).unpause()).to.be.revertedWithCustomError(f.market, 'AccessControlUnauthorizedAccount');
      await expect(f.market.connect(f.pauser).unpause()).to.emit(f.market, 'Unpaused');
      await f.market.connect(f.user1).submit(PROGRAM_ID, inputsFor(1), rollupProof(1), {
        value: DEFAULT_PARAMS.minFeePerProof,
      });
    });
  });
});
