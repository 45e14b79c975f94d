import { expect } from 'chai';
import { network } from 'hardhat';
import {
  Book,
  DEFAULT_PARAMS,
  E18,
  FIELD_MODULUS,
  MIN_FEE,
  PI_COUNT,
  VK,
  VK_HASH,
  deployMarket,
  freshInputs,
  rollupProof,
  submitN,
  word,
} from './fixture.js';
import { programIdOf, statementDigest } from '../../prover/protocol/index.js';

const { ethers, networkHelpers } = await network.create();

describe('AggregationMarket v2: deployment, parameters, programs, pause', () => {
  const deploy = () => deployMarket(ethers);
  const fixture = () => networkHelpers.loadFixture(deploy);

  describe('constructor and parameters', () => {
    it('stores wiring, roles, parameters and its extension', async () => {
      const f = await fixture();
      expect(await f.market.staking()).to.equal(await f.staking.getAddress());
      expect(await f.market.router()).to.equal(await f.router.getAddress());
      expect(await f.market.treasury()).to.equal(f.feeTreasury.address);
      expect(await f.market.hasRole(await f.market.DEFAULT_ADMIN_ROLE(), f.admin.address)).to.equal(true);
      expect(await f.market.hasRole(await f.market.PAUSER_ROLE(), f.pauser.address)).to.equal(true);
      expect([...(await f.market.params())]).to.deep.equal(Object.values(DEFAULT_PARAMS));
      expect(await f.market.openBatchId()).to.equal(0n);
      expect(await f.market.nextBatchId()).to.equal(1n);
      expect(await f.market.provingWindow(8)).to.equal(600n + 60n * 8n);
      expect(await f.market.maxJobLifetime()).to.equal(600n + 60n * 64n + 1800n);
      await expect(f.market.deploymentTransaction()).to.emit(f.market, 'MarketParamsUpdated');
      const [, name, version, , verifyingContract] = await f.market.eip712Domain();
      expect([name, version, verifyingContract]).to.deep.equal(['NEX AggregationMarket', '2', await f.market.getAddress()]);
    });

    it("the extension refuses direct calls (it only runs in the market's context)", async () => {
      const f = await fixture();
      const extension = await ethers.getContractAt('AggregationMarketExtension', await f.market.extension());
      await expect(extension.connect(f.user1).deposit({ value: 1n })).to.be.revertedWithCustomError(extension, 'MarketExtensionDirectCall');
      await expect(extension.slash(1)).to.be.revertedWithCustomError(extension, 'MarketExtensionDirectCall');
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

    it('setParams validates every bound and emits MarketParamsUpdated; admin only', async () => {
      const f = await fixture();
      const lifetime = 600n + 60n * 64n + 1800n;
      const bad: Partial<typeof DEFAULT_PARAMS>[] = [
        { batchCapacity: 2n },
        { batchCapacity: 3n },
        { batchCapacity: 128n },
        { batchTimeout: 0n },
        { provingWindowBase: 0n },
        { secondaryWindow: 0n },
        { protocolFeeBps: 4_000n, posterFeeBps: 1_001n },
        { maxCallbackGas: 500_001n },
        { collateralPerProof: 10n * E18 + 1n }, // not a multiple of 1 gwei
        { collateralPerProof: ((1n << 64n) / 64n + 1n) * 10n ** 9n }, // 64 x collateral overflows uint64 gwei
        { submissionTtl: 300n + 120n + lifetime },
        { withdrawalDelay: lifetime },
      ];
      for (const p of bad) {
        await expect(f.market.connect(f.admin).setParams({ ...DEFAULT_PARAMS, ...p })).to.be.revertedWithCustomError(
          f.market,
          'MarketInvalidParams',
        );
      }
      const tooLong = { ...DEFAULT_PARAMS, provingWindowBase: 7n * 86_400n, submissionTtl: 30n * 86_400n, withdrawalDelay: 30n * 86_400n };
      await expect(f.market.connect(f.admin).setParams(tooLong))
        .to.be.revertedWithCustomError(f.market, 'MarketUnbondingTooShort')
        .withArgs(7n * 86_400n, 7n * 86_400n + 60n * 64n + 1800n);
      const next = { ...DEFAULT_PARAMS, batchCapacity: 64n, protocolFeeBps: 0n, posterFeeBps: 5_000n, minFeePerProof: 1n };
      await expect(f.market.connect(f.admin).setParams(next)).to.emit(f.market, 'MarketParamsUpdated');
      expect([...(await f.market.params())]).to.deep.equal(Object.values(next));
      await expect(f.market.connect(f.outsider).setParams(DEFAULT_PARAMS))
        .to.be.revertedWithCustomError(f.market, 'AccessControlUnauthorizedAccount')
        .withArgs(f.outsider.address, await f.market.DEFAULT_ADMIN_ROLE());
    });

    it('setTreasury: admin only, non-zero; accrued protocol fees stay with the outgoing treasury', async () => {
      const f = await fixture();
      await expect(f.market.connect(f.admin).setTreasury(f.user2.address)).to.emit(f.market, 'MarketTreasurySet').withArgs(f.user2.address);
      expect(await f.market.treasury()).to.equal(f.user2.address);
      await expect(f.market.connect(f.admin).setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(f.market, 'MarketZeroAddress');
      await expect(f.market.connect(f.outsider).setTreasury(f.user2.address)).to.be.revertedWithCustomError(
        f.market,
        'AccessControlUnauthorizedAccount',
      );
    });
  });

  describe('programs (issue #10 item 2: no squatting)', () => {
    it('registerProgram derives the id from the registrant and the key hash, emits the key bytes', async () => {
      const f = await fixture();
      const vkHash = word(77);
      const id = programIdOf(f.user1.address, vkHash);
      await expect(f.market.connect(f.user1).registerProgram(vkHash, VK, 4))
        .to.emit(f.market, 'MarketProgramRegistered')
        .withArgs(id, f.user1.address, vkHash, 4, VK);
      expect([...(await f.market.getProgram(id))]).to.deep.equal([f.user1.address, 4n, 0n, ethers.ZeroAddress]);
      expect([...(await f.market.getProgram(f.programId))]).to.deep.equal([f.rollup.address, BigInt(PI_COUNT), 0n, ethers.ZeroAddress]);
      // The same caller cannot register the same key twice (same id).
      await expect(f.market.connect(f.user1).registerProgram(vkHash, VK, 4))
        .to.be.revertedWithCustomError(f.market, 'MarketProgramExists')
        .withArgs(id);
    });

    it("a squatter who registers the rollup's key first gets another program: the team still registers its own", async () => {
      const f = await fixture();
      const vkHash = word(4242);
      // The squatter sees the key hash and registers it first, with a wrong count.
      await f.market.connect(f.outsider).registerProgram(vkHash, VK, 1);
      const squatted = programIdOf(f.outsider.address, vkHash);
      // The team's registration is unaffected and yields its own id, with its own callback rights.
      await expect(f.market.connect(f.user1).registerProgram(vkHash, VK, 2))
        .to.emit(f.market, 'MarketProgramRegistered')
        .withArgs(programIdOf(f.user1.address, vkHash), f.user1.address, vkHash, 2, VK);
      expect(squatted).to.not.equal(programIdOf(f.user1.address, vkHash));
      await expect(
        f.market.connect(f.outsider).setProgramCallback(programIdOf(f.user1.address, vkHash), f.outsider.address, 1000),
      ).to.be.revertedWithCustomError(f.market, 'MarketNotProgramOwner');
      // Same public inputs under the two programs are two different statements (different digests).
      const inputs = freshInputs(1);
      expect(statementDigest(squatted, inputs)).to.not.equal(statementDigest(programIdOf(f.user1.address, vkHash), inputs));
    });

    it('a statement posted under one program never blocks it under another, nor a duplicate of itself', async () => {
      const f = await fixture();
      const book = new Book();
      const squatterProgram = programIdOf(f.outsider.address, VK_HASH);
      await f.market.connect(f.outsider).registerProgram(VK_HASH, VK, PI_COUNT);
      const inputs = freshInputs();
      await f.market.connect(f.outsider).submit(squatterProgram, inputs, rollupProof(), { value: MIN_FEE });
      await f.market.connect(f.outsider).submit(f.programId, inputs, rollupProof(), { value: MIN_FEE }); // even the same program
      await expect(f.market.connect(f.rollup).submit(f.programId, inputs, rollupProof(), { value: MIN_FEE })).to.emit(
        f.market,
        'MarketSubmitted',
      );
      await submitN(f, book, 1);
    });

    it('rejects non-canonical key hashes, bad key lengths and counts the leaf circuits do not take', async () => {
      const f = await fixture();
      const r = ethers.toBeHex(FIELD_MODULUS, 32);
      await expect(f.market.registerProgram(r, VK, 1))
        .to.be.revertedWithCustomError(f.market, 'MarketNonCanonicalVkHash')
        .withArgs(r);
      for (const len of [0, 3679, 3681]) {
        await expect(f.market.registerProgram(word(5), `0x${'11'.repeat(len)}`, 1))
          .to.be.revertedWithCustomError(f.market, 'MarketInvalidVerificationKey')
          .withArgs(len, 3680);
      }
      for (const count of [0, 3, 5, 8, 33, 255]) {
        await expect(f.market.registerProgram(word(5), VK, count))
          .to.be.revertedWithCustomError(f.market, 'MarketUnsupportedPublicInputCount')
          .withArgs(count, 0b1011);
      }
      await expect(f.market.connect(f.outsider).setAggregatableInputCounts(0b111)).to.be.revertedWithCustomError(
        f.market,
        'AccessControlUnauthorizedAccount',
      );
      await expect(f.market.connect(f.admin).setAggregatableInputCounts(0)).to.be.revertedWithCustomError(f.market, 'MarketInvalidParams');
      await expect(f.market.connect(f.admin).setAggregatableInputCounts(0b111))
        .to.emit(f.market, 'MarketAggregatableInputCountsSet')
        .withArgs(0b111);
      await f.market.registerProgram(word(5), VK, 3);
    });

    it('setProgramCallback (gas bounded) and transferProgramOwnership are owner-only; the id stays', async () => {
      const f = await fixture();
      await expect(f.market.connect(f.rollup).setProgramCallback(f.programId, f.user2.address, 50_000))
        .to.emit(f.market, 'MarketProgramCallbackSet')
        .withArgs(f.programId, f.user2.address, 50_000);
      expect((await f.market.getProgram(f.programId)).callback).to.equal(f.user2.address);
      for (const [cb, gas] of [
        [f.user2.address, 0],
        [f.user2.address, 200_001],
        [ethers.ZeroAddress, 1],
      ] as const) {
        await expect(f.market.connect(f.rollup).setProgramCallback(f.programId, cb, gas))
          .to.be.revertedWithCustomError(f.market, 'MarketInvalidCallbackGas')
          .withArgs(gas, 200_000);
      }
      await expect(f.market.connect(f.user1).setProgramCallback(f.programId, f.user1.address, 1))
        .to.be.revertedWithCustomError(f.market, 'MarketNotProgramOwner')
        .withArgs(f.programId, f.user1.address);
      await expect(f.market.connect(f.user1).setProgramCallback(word(999), f.user1.address, 1))
        .to.be.revertedWithCustomError(f.market, 'MarketUnknownProgram')
        .withArgs(word(999));
      await expect(f.market.connect(f.rollup).transferProgramOwnership(f.programId, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.market,
        'MarketZeroAddress',
      );
      await expect(f.market.connect(f.rollup).transferProgramOwnership(f.programId, f.user1.address))
        .to.emit(f.market, 'MarketProgramOwnershipTransferred')
        .withArgs(f.programId, f.rollup.address, f.user1.address);
      await expect(f.market.connect(f.rollup).setProgramCallback(f.programId, ethers.ZeroAddress, 0)).to.be.revertedWithCustomError(
        f.market,
        'MarketNotProgramOwner',
      );
      await f.market.connect(f.user1).setProgramCallback(f.programId, ethers.ZeroAddress, 0);
      expect([...(await f.market.getProgram(f.programId))]).to.deep.equal([f.user1.address, BigInt(PI_COUNT), 0n, ethers.ZeroAddress]);
    });
  });

  describe('pause', () => {
    it('stops intake (register, submit, submitMany, submitBlobs, postBatch, deposit) only; pauser only', async () => {
      const f = await fixture();
      await f.market.connect(f.user1).deposit({ value: MIN_FEE });
      await f.market.connect(f.user1).requestWithdrawal(MIN_FEE);
      await expect(f.market.connect(f.outsider).pause())
        .to.be.revertedWithCustomError(f.market, 'AccessControlUnauthorizedAccount')
        .withArgs(f.outsider.address, await f.market.PAUSER_ROLE());
      await expect(f.market.connect(f.pauser).pause()).to.emit(f.market, 'Paused').withArgs(f.pauser.address);
      const paused = 'EnforcedPause';
      await expect(f.market.registerProgram(word(5), VK, 1)).to.be.revertedWithCustomError(f.market, paused);
      await expect(
        f.market.connect(f.user1).submit(f.programId, freshInputs(), rollupProof(), { value: MIN_FEE }),
      ).to.be.revertedWithCustomError(f.market, paused);
      await expect(
        f.market.connect(f.user1).submitMany([f.programId], [freshInputs()], [rollupProof()], MIN_FEE, { value: MIN_FEE }),
      ).to.be.revertedWithCustomError(f.market, paused);
      await expect(
        f.market.connect(f.user1).submitBlobs([f.programId], [freshInputs()], MIN_FEE, { value: MIN_FEE }),
      ).to.be.revertedWithCustomError(f.market, paused);
      await expect(f.market.connect(f.relay).postBatch([], [])).to.be.revertedWithCustomError(f.market, paused);
      await expect(f.market.connect(f.user1).deposit({ value: 1n })).to.be.revertedWithCustomError(f.market, paused);
      // Withdrawals keep working.
      await networkHelpers.time.increase(86_400);
      await expect(f.market.connect(f.user1).withdraw()).to.emit(f.market, 'MarketWithdrawn').withArgs(f.user1.address, MIN_FEE);
      await expect(f.market.connect(f.outsider).unpause()).to.be.revertedWithCustomError(f.market, 'AccessControlUnauthorizedAccount');
      await expect(f.market.connect(f.pauser).unpause()).to.emit(f.market, 'Unpaused');
      await f.market.connect(f.user1).submit(f.programId, freshInputs(), rollupProof(), { value: MIN_FEE });
    });
  });
});
