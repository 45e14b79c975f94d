import { expect } from 'chai';
import { network } from 'hardhat';
import type { Hex } from 'viem';
import { aggregationPublicInputsV1 as aggregationPublicInputs } from '../../scripts/lib/commitmentV1.js';
import { FIELD_MODULUS, KEY_HASHES, abiEncodeInputs, word } from '../market/fixture.js';

const { ethers, networkHelpers } = await network.create();

async function deployRouter() {
  const [admin, guardian, outsider, prover] = await ethers.getSigners();
  const router = await ethers.deployContract('VerifierRouter', [admin!.address, guardian!.address]);
  const mock = await ethers.deployContract('MockVerifier');
  const reverting = await ethers.deployContract('RevertingVerifier');
  const falsy = await ethers.deployContract('FalseVerifier');
  return { router, mock, reverting, falsy, admin: admin!, guardian: guardian!, outsider: outsider!, prover: prover! };
}

const ROOT = ('0x' + '5a'.repeat(32)) as Hex;

describe('VerifierRouter', () => {
  const fixture = () => networkHelpers.loadFixture(deployRouter);

  describe('roles', () => {
    it('grants admin and guardian; outsiders cannot administer', async () => {
      const { router, mock, admin, guardian, outsider } = await fixture();
      expect(await router.hasRole(await router.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await router.hasRole(await router.GUARDIAN_ROLE(), guardian.address)).to.equal(true);
      await expect(router.connect(outsider).addVersion(await mock.getAddress(), KEY_HASHES))
        .to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount')
        .withArgs(outsider.address, await router.DEFAULT_ADMIN_ROLE());
      await router.addVersion(await mock.getAddress(), KEY_HASHES);
      await expect(router.connect(outsider).removeVersion(1)).to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount');
      await expect(router.connect(outsider).setCurrentVersion(1)).to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount');
      await expect(router.connect(admin).freeze(1))
        .to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount')
        .withArgs(admin.address, await router.GUARDIAN_ROLE());
      await router.connect(guardian).freeze(1);
      await expect(router.connect(outsider).unfreeze(1)).to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount');
    });

    it('a zero guardian grants no guardian role', async () => {
      const [admin] = await ethers.getSigners();
      const router = await ethers.deployContract('VerifierRouter', [admin!.address, ethers.ZeroAddress]);
      expect(await router.hasRole(await router.GUARDIAN_ROLE(), ethers.ZeroAddress)).to.equal(false);
    });
  });

  describe('addVersion', () => {
    it('numbers versions 1, 2, 3 and makes the newest current', async () => {
      const { router, mock, falsy } = await fixture();
      await expect(router.currentVersion()).to.be.revertedWithCustomError(router, 'RouterNoUsableVersion');
      await expect(router.addVersion(await mock.getAddress(), KEY_HASHES))
        .to.emit(router, 'VersionAdded')
        .withArgs(1, await mock.getAddress(), KEY_HASHES)
        .and.to.emit(router, 'CurrentVersionSet')
        .withArgs(1);
      expect(await router.currentVersion()).to.equal(1n);
      await router.addVersion(await falsy.getAddress(), [word(7)]);
      expect(await router.currentVersion()).to.equal(2n);
      expect(await router.versionCount()).to.equal(2n);
      const [verifier, keyHashes, removed, frozen] = await router.getVersion(2);
      expect([verifier, keyHashes, removed, frozen]).to.deep.equal([await falsy.getAddress(), [word(7)], false, false]);
      expect(await router.isUsable(1)).to.equal(true);
      expect(await router.isUsable(2)).to.equal(true);
      expect(await router.isUsable(0)).to.equal(false);
      expect(await router.isUsable(3)).to.equal(false);
    });

    it('rejects a verifier without code, bad key-hash counts and non-canonical key hashes', async () => {
      const { router, mock, outsider } = await fixture();
      const mockAddress = await mock.getAddress();
      await expect(router.addVersion(outsider.address, KEY_HASHES))
        .to.be.revertedWithCustomError(router, 'RouterInvalidVerifier')
        .withArgs(outsider.address);
      await expect(router.addVersion(mockAddress, [])).to.be.revertedWithCustomError(router, 'RouterInvalidKeyHashCount').withArgs(0);
      await expect(router.addVersion(mockAddress, Array(17).fill(word(1))))
        .to.be.revertedWithCustomError(router, 'RouterInvalidKeyHashCount')
        .withArgs(17);
      const bad = ethers.toBeHex(FIELD_MODULUS, 32);
      await expect(router.addVersion(mockAddress, [word(1), bad]))
        .to.be.revertedWithCustomError(router, 'RouterNonCanonicalKeyHash')
        .withArgs(1, bad);
    });
  });

  describe('removeVersion (tombstones)', () => {
    it('removes for good; current falls back to the newest usable older version, skipping frozen and removed', async () => {
      const { router, mock, guardian } = await fixture();
      const m = await mock.getAddress();
      for (let i = 0; i < 4; i++) await router.addVersion(m, KEY_HASHES);
      await router.removeVersion(2);
      await router.connect(guardian).freeze(3);
      await expect(router.removeVersion(4)).to.emit(router, 'VersionRemoved').withArgs(4, 1);
      expect(await router.currentVersion()).to.equal(1n);
      const [, , removed] = await router.getVersion(4);
      expect(removed).to.equal(true);
      expect(await router.isUsable(4)).to.equal(false);
      await expect(router.removeVersion(4)).to.be.revertedWithCustomError(router, 'RouterVersionIsRemoved').withArgs(4);
      await expect(router.setCurrentVersion(4)).to.be.revertedWithCustomError(router, 'RouterVersionNotUsable').withArgs(4);
      await expect(router.connect(guardian).freeze(4)).to.be.revertedWithCustomError(router, 'RouterVersionIsRemoved');
      await expect(router.connect(guardian).unfreeze(2)).to.be.revertedWithCustomError(router, 'RouterVersionIsRemoved');
      // Never reused: the next version is 5.
      await expect(router.addVersion(m, KEY_HASHES)).to.emit(router, 'VersionAdded').withArgs(5, m, KEY_HASHES);
    });

    it('removing the only usable version leaves no current version; removing a non-current keeps current', async () => {
      const { router, mock } = await fixture();
      const m = await mock.getAddress();
      await router.addVersion(m, KEY_HASHES);
      await router.addVersion(m, KEY_HASHES);
      await expect(router.removeVersion(1)).to.emit(router, 'VersionRemoved').withArgs(1, 2);
      expect(await router.currentVersion()).to.equal(2n);
      await expect(router.removeVersion(2))
        .to.emit(router, 'VersionRemoved')
        .withArgs(2, 0)
        .and.to.emit(router, 'CurrentVersionSet')
        .withArgs(0);
      await expect(router.currentVersion()).to.be.revertedWithCustomError(router, 'RouterNoUsableVersion');
    });

    it('rejects unknown versions', async () => {
      const { router, guardian } = await fixture();
      for (const v of [0, 1]) {
        await expect(router.removeVersion(v)).to.be.revertedWithCustomError(router, 'RouterUnknownVersion').withArgs(v);
        await expect(router.connect(guardian).freeze(v)).to.be.revertedWithCustomError(router, 'RouterUnknownVersion');
        await expect(router.connect(guardian).unfreeze(v)).to.be.revertedWithCustomError(router, 'RouterUnknownVersion');
        await expect(router.getVersion(v)).to.be.revertedWithCustomError(router, 'RouterUnknownVersion').withArgs(v);
      }
    });
  });

  describe('freeze / unfreeze / setCurrentVersion', () => {
    it('freezing stops verification and (for the current version) sealing; unfreezing restores both', async () => {
      const { router, mock, guardian, prover } = await fixture();
      await router.addVersion(await mock.getAddress(), KEY_HASHES);
      const proof = abiEncodeInputs(aggregationPublicInputs(ROOT, prover.address as Hex, KEY_HASHES));
      await expect(router.connect(guardian).freeze(1)).to.emit(router, 'VersionFrozen').withArgs(1);
      await expect(router.connect(guardian).freeze(1)).to.be.revertedWithCustomError(router, 'RouterVersionIsFrozen').withArgs(1);
      expect(await router.isUsable(1)).to.equal(false);
      await expect(router.currentVersion()).to.be.revertedWithCustomError(router, 'RouterNoUsableVersion');
      await expect(router.verifyAggregation(1, proof, ROOT, prover.address))
        .to.be.revertedWithCustomError(router, 'RouterVersionNotUsable')
        .withArgs(1);
      await expect(router.setCurrentVersion(1)).to.be.revertedWithCustomError(router, 'RouterVersionNotUsable');
      await expect(router.connect(guardian).unfreeze(1)).to.emit(router, 'VersionUnfrozen').withArgs(1);
      await expect(router.connect(guardian).unfreeze(1)).to.be.revertedWithCustomError(router, 'RouterVersionNotFrozen').withArgs(1);
      expect(await router.verifyAggregation(1, proof, ROOT, prover.address)).to.equal(true);
      expect(await router.currentVersion()).to.equal(1n);
    });

    it('setCurrentVersion selects an older usable version', async () => {
      const { router, mock } = await fixture();
      await router.addVersion(await mock.getAddress(), KEY_HASHES);
      await router.addVersion(await mock.getAddress(), KEY_HASHES);
      await expect(router.setCurrentVersion(1)).to.emit(router, 'CurrentVersionSet').withArgs(1);
      expect(await router.currentVersion()).to.equal(1n);
      await expect(router.setCurrentVersion(3)).to.be.revertedWithCustomError(router, 'RouterVersionNotUsable').withArgs(3);
    });
  });

  describe('verifyAggregation', () => {
    it('builds [rootHi, rootLo, prover, keyHashes...] and binds root, prover and key hashes', async () => {
      const { router, mock, prover, outsider } = await fixture();
      await router.addVersion(await mock.getAddress(), KEY_HASHES);
      const good = abiEncodeInputs(aggregationPublicInputs(ROOT, prover.address as Hex, KEY_HASHES));
      expect(await router.verifyAggregation(1, good, ROOT, prover.address)).to.equal(true);
      // The same proof for another prover, another root or other key hashes is rejected.
      expect(await router.verifyAggregation(1, good, ROOT, outsider.address)).to.equal(false);
      expect(await router.verifyAggregation(1, good, ethers.ZeroHash, prover.address)).to.equal(false);
      const otherKeys = abiEncodeInputs(aggregationPublicInputs(ROOT, prover.address as Hex, [word(9), ...KEY_HASHES.slice(1)]));
      expect(await router.verifyAggregation(1, otherKeys, ROOT, prover.address)).to.equal(false);
      expect(await router.verifyAggregation(1, '0x', ROOT, prover.address)).to.equal(false);
    });

    it('returns false (never reverts) when the verifier reverts or returns false', async () => {
      const { router, reverting, falsy, prover } = await fixture();
      await router.addVersion(await reverting.getAddress(), KEY_HASHES);
      await router.addVersion(await falsy.getAddress(), KEY_HASHES);
      expect(await router.verifyAggregation(1, '0x01', ROOT, prover.address)).to.equal(false);
      expect(await router.verifyAggregation(2, '0x01', ROOT, prover.address)).to.equal(false);
    });

    it('reverts for unknown or removed versions', async () => {
      const { router, mock, prover } = await fixture();
      await expect(router.verifyAggregation(1, '0x01', ROOT, prover.address))
        .to.be.revertedWithCustomError(router, 'RouterVersionNotUsable')
        .withArgs(1);
      await router.addVersion(await mock.getAddress(), KEY_HASHES);
      await router.removeVersion(1);
      await expect(router.verifyAggregation(1, '0x01', ROOT, prover.address))
        .to.be.revertedWithCustomError(router, 'RouterVersionNotUsable')
        .withArgs(1);
    });
  });
});
