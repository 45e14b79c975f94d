import { expect } from 'chai';
import { network } from 'hardhat';
import type { Hex } from 'viem';
import { FIELD_MODULUS, KEY_SET, ROLLUP_PROOF_BYTES, mockProof, word } from '../market/fixture.js';
import { aggregationPublicInputs } from '../../prover/protocol/index.js';

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

async function deployRouter() {
  const [admin, guardian, outsider, prover] = await ethers.getSigners();
  const router = await ethers.deployContract('VerifierRouter', [admin!.address, guardian!.address]);
  const mock = await ethers.deployContract('MockVerifier');
  const reverting = await ethers.deployContract('RevertingVerifier');
  const falsy = await ethers.deployContract('FalseVerifier');
  return { router, mock, reverting, falsy, admin: admin!, guardian: guardian!, outsider: outsider!, prover: prover! };
}

const ROOT = ('0x' + '5a'.repeat(32)) as Hex;
const State = { Unknown: 0n, Active: 1n, Frozen: 2n, Removed: 3n } as const;

describe('VerifierRouter v2', () => {
  const fixture = () => networkHelpers.loadFixture(deployRouter);

  it('roles: admin adds/removes/selects, guardian freezes; outsiders cannot; a zero guardian grants nothing', async () => {
    const { router, mock, admin, guardian, outsider } = await fixture();
    await expect(router.connect(outsider).addVersion(await mock.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES))
      .to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount')
      .withArgs(outsider.address, await router.DEFAULT_ADMIN_ROLE());
    await router.addVersion(await mock.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES);
    await expect(router.connect(outsider).removeVersion(1)).to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount');
    await expect(router.connect(outsider).setCurrentVersion(1)).to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount');
    await expect(router.connect(admin).freeze(1))
      .to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount')
      .withArgs(admin.address, await router.GUARDIAN_ROLE());
    await router.connect(guardian).freeze(1);
    await expect(router.connect(outsider).unfreeze(1)).to.be.revertedWithCustomError(router, 'AccessControlUnauthorizedAccount');
    const bare = await ethers.deployContract('VerifierRouter', [admin.address, ethers.ZeroAddress]);
    expect(await bare.hasRole(await bare.GUARDIAN_ROLE(), ethers.ZeroAddress)).to.equal(false);
  });

  it('addVersion pins {verifier, keySet, rollupProofBytes}, numbers versions and makes the newest current', async () => {
    const { router, mock, falsy } = await fixture();
    await expect(router.currentVersion()).to.be.revertedWithCustomError(router, 'RouterNoUsableVersion');
    await expect(router.current()).to.be.revertedWithCustomError(router, 'RouterNoUsableVersion');
    await expect(router.addVersion(await mock.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES))
      .to.emit(router, 'RouterVersionAdded')
      .withArgs(1, await mock.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES)
      .and.to.emit(router, 'RouterCurrentVersionSet')
      .withArgs(1);
    expect(await router.current()).to.deep.equal([1n, BigInt(ROLLUP_PROOF_BYTES)]);
    await router.addVersion(await falsy.getAddress(), word(7), 1_000);
    expect(await router.currentVersion()).to.equal(2n);
    expect(await router.versionCount()).to.equal(2n);
    expect([...(await router.getVersion(2))]).to.deep.equal([await falsy.getAddress(), word(7), 1_000n, State.Active, 0n, 0n]);
    expect(await router.status(1)).to.deep.equal([State.Active, 0n]);
    expect(await router.status(9)).to.deep.equal([State.Unknown, 0n]);
    await expect(router.getVersion(9)).to.be.revertedWithCustomError(router, 'RouterUnknownVersion').withArgs(9);
  });

  it('rejects a verifier without code, a zero or non-canonical key set and a zero proof length', async () => {
    const { router, mock, outsider } = await fixture();
    const m = await mock.getAddress();
    await expect(router.addVersion(outsider.address, KEY_SET, 1))
      .to.be.revertedWithCustomError(router, 'RouterInvalidVerifier')
      .withArgs(outsider.address);
    const r = ethers.toBeHex(FIELD_MODULUS, 32);
    for (const bad of [ethers.ZeroHash, r]) {
      await expect(router.addVersion(m, bad, 1))
        .to.be.revertedWithCustomError(router, 'RouterInvalidKeySet')
        .withArgs(bad);
    }
    await expect(router.addVersion(m, KEY_SET, 0))
      .to.be.revertedWithCustomError(router, 'RouterInvalidProofLength')
      .withArgs(0);
  });

  it('verifyAggregation calls the verifier with [rootHi, rootLo, prover, keySet]; a revert or false is invalid', async () => {
    const { router, mock, reverting, falsy, prover } = await fixture();
    await router.addVersion(await mock.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES);
    await router.addVersion(await reverting.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES);
    await router.addVersion(await falsy.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES);
    const good = mockProof(ROOT, prover.address, KEY_SET);
    expect(aggregationPublicInputs(ROOT, prover.address, KEY_SET)).to.have.length(4);
    expect(await router.verifyAggregation(1, good, ROOT, prover.address)).to.equal(true);
    expect(await router.verifyAggregation(1, good, word(1), prover.address)).to.equal(false);
    expect(await router.verifyAggregation(1, good, ROOT, ethers.ZeroAddress)).to.equal(false);
    expect(await router.verifyAggregation(1, mockProof(ROOT, prover.address, word(2)), ROOT, prover.address)).to.equal(false);
    expect(await router.verifyAggregation(2, good, ROOT, prover.address)).to.equal(false);
    expect(await router.verifyAggregation(3, good, ROOT, prover.address)).to.equal(false);
    await expect(router.verifyAggregation(4, good, ROOT, prover.address))
      .to.be.revertedWithCustomError(router, 'RouterVersionNotUsable')
      .withArgs(4);
  });

  it('freeze accounting: frozenSince, frozenTotal and frozenShift for a lock that saw frozenTotal == since', async () => {
    const { router, mock, guardian, prover } = await fixture();
    await router.addVersion(await mock.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES);
    expect(await router.frozenShift(1, 0)).to.equal(0n);
    const f1 = await router.connect(guardian).freeze(1);
    const t1 = BigInt((await ethers.provider.getBlock((await f1.wait())!.blockNumber))!.timestamp);
    await expect(f1).to.emit(router, 'RouterVersionFrozen').withArgs(1, t1);
    expect(await router.status(1)).to.deep.equal([State.Frozen, 0n]);
    await expect(router.connect(guardian).freeze(1))
      .to.be.revertedWithCustomError(router, 'RouterUnexpectedVersionState')
      .withArgs(1, State.Frozen);
    await expect(router.currentVersion()).to.be.revertedWithCustomError(router, 'RouterNoUsableVersion');
    await expect(router.verifyAggregation(1, mockProof(ROOT, prover.address, KEY_SET), ROOT, prover.address))
      .to.be.revertedWithCustomError(router, 'RouterVersionNotUsable')
      .withArgs(1);
    await time.increaseTo(t1 + 100n);
    expect(await router.frozenShift(1, 0)).to.equal(100n); // grows while frozen
    const u1 = await router.connect(guardian).unfreeze(1);
    const end1 = BigInt((await ethers.provider.getBlock((await u1.wait())!.blockNumber))!.timestamp);
    await expect(u1)
      .to.emit(router, 'RouterVersionUnfrozen')
      .withArgs(1, end1 - t1);
    expect(await router.frozenShift(1, 0)).to.equal(end1 - t1);
    expect(await router.frozenShift(1, end1 - t1)).to.equal(0n); // a lock taken after the freeze moves by nothing
    await expect(router.connect(guardian).unfreeze(1))
      .to.be.revertedWithCustomError(router, 'RouterUnexpectedVersionState')
      .withArgs(1, State.Active);
    // A second freeze adds up.
    await router.connect(guardian).freeze(1);
    await time.increase(50);
    await router.connect(guardian).unfreeze(1);
    const total = (await router.getVersion(1)).frozenTotal;
    expect(total).to.be.greaterThan(end1 - t1 + 50n - 1n);
    expect(await router.frozenShift(1, end1 - t1)).to.equal(total - (end1 - t1));
  });

  it('removeVersion leaves a tombstone and falls back to the newest older usable version', async () => {
    const { router, mock, falsy, guardian } = await fixture();
    await router.addVersion(await mock.getAddress(), KEY_SET, 1);
    await router.addVersion(await falsy.getAddress(), KEY_SET, 2);
    await router.addVersion(await mock.getAddress(), KEY_SET, 3);
    await router.connect(guardian).freeze(2);
    await expect(router.removeVersion(3))
      .to.emit(router, 'RouterVersionRemoved')
      .withArgs(3, 1)
      .and.to.emit(router, 'RouterCurrentVersionSet')
      .withArgs(1);
    expect(await router.current()).to.deep.equal([1n, 1n]);
    await expect(router.removeVersion(3)).to.be.revertedWithCustomError(router, 'RouterUnexpectedVersionState').withArgs(3, State.Removed);
    await expect(router.connect(guardian).freeze(3))
      .to.be.revertedWithCustomError(router, 'RouterUnexpectedVersionState')
      .withArgs(3, State.Removed);
    await expect(router.setCurrentVersion(3)).to.be.revertedWithCustomError(router, 'RouterVersionNotUsable').withArgs(3);
    await expect(router.setCurrentVersion(2)).to.be.revertedWithCustomError(router, 'RouterVersionNotUsable').withArgs(2);
    await expect(router.removeVersion(7)).to.be.revertedWithCustomError(router, 'RouterUnknownVersion').withArgs(7);
    await expect(router.removeVersion(1)).to.emit(router, 'RouterVersionRemoved').withArgs(1, 0);
    await expect(router.currentVersion()).to.be.revertedWithCustomError(router, 'RouterNoUsableVersion');
    await router.connect(guardian).unfreeze(2);
    await expect(router.setCurrentVersion(2)).to.emit(router, 'RouterCurrentVersionSet').withArgs(2);
    // A version removed while frozen stops accruing frozen time (its locks are released instead).
    await router.connect(guardian).freeze(2);
    await router.removeVersion(2);
    const shift = await router.frozenShift(2, 0);
    await time.increase(1_000);
    expect(await router.frozenShift(2, 0)).to.equal(shift);
  });
});
