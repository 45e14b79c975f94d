import { expect } from 'chai';
import { network } from 'hardhat';
import { deployStaking, E18, MIN_STAKE } from './fixture.js';

const { ethers, networkHelpers } = await network.create();

/** Deterministic pseudo-random seeds: keccak256 of the 32-byte index. */
const seedOf = (i: number) => BigInt(ethers.keccak256(ethers.toBeHex(i, 32)));

describe('ProverStaking: stake-weighted selection', () => {
  const fixture = () => deployStaking(ethers);

  // 13 provers (not a power of two, so the Fenwick tree has partial ranges); prover 4 stays below
  // minStake (weight 0) and prover 7 queues part of its stake (weight = staked - pending).
  const N = 13;
  const stakeOf = (i: number) => (i === 4 ? MIN_STAKE - 1n : MIN_STAKE + BigInt(i) * 37n * E18);
  async function thirteen() {
    const f = await deployStaking(ethers);
    // Deterministic keys, funded with gas money (the default accounts are too few).
    const provers = Array.from({ length: N }, (_, i) => new ethers.Wallet(ethers.id(`prover-${i}`), ethers.provider));
    for (const [i, p] of provers.entries()) {
      await networkHelpers.setBalance(p.address, E18);
      await f.token.connect(f.treasury).transfer(p.address, stakeOf(i));
      await f.token.connect(p).approve(f.stakingAddress, stakeOf(i));
      await f.staking.connect(p).stake(stakeOf(i));
    }
    await f.staking.connect(provers[7]!).requestUnstake(100n * E18);
    return { ...f, provers };
  }
  const weightOf = (i: number) => (i === 4 ? 0n : i === 7 ? stakeOf(i) - 100n * E18 : stakeOf(i));

  it('returns address(0) when nobody is staked', async () => {
    const { staking } = await networkHelpers.loadFixture(fixture);
    expect(await staking.totalWeight()).to.equal(0n);
    expect(await staking.selectProver(12345n)).to.equal(ethers.ZeroAddress);
  });

  it("maps every point of each prover's cumulative-weight interval to that prover", async () => {
    const { staking, provers } = await networkHelpers.loadFixture(thirteen);
    const total = Array.from({ length: N }, (_, i) => weightOf(i)).reduce((a, b) => a + b, 0n);
    expect(await staking.totalWeight()).to.equal(total);
    let start = 0n;
    for (let i = 0; i < N; i++) {
      const w = weightOf(i);
      expect(await staking.weightOf(provers[i]!.address)).to.equal(w);
      if (w > 0n) {
        const who = provers[i]!.address;
        expect(await staking.selectProver(start)).to.equal(who);
        expect(await staking.selectProver(start + w - 1n)).to.equal(who);
        expect(await staking.selectProver(start + w / 2n + 5n * total)).to.equal(who); // wraps modulo total
      }
      start += w;
    }
    expect(start).to.equal(total);
    expect(await staking.selectProver(total)).to.equal(provers[0]!.address);
    expect(await staking.selectProver(ethers.MaxUint256)).to.equal(await staking.selectProver(ethers.MaxUint256 % total));
  });

  it('draws proportionally to stake over many seeds (a uniform draw would fail)', async () => {
    const { staking, alice, bob, carol } = await networkHelpers.loadFixture(fixture);
    const stakes = [1n, 2n, 7n].map((k) => k * MIN_STAKE);
    const who = [alice, bob, carol];
    for (const [i, p] of who.entries()) await staking.connect(p).stake(stakes[i]!);
    const draws = 1200;
    const counts = new Map<string, number>(who.map((p) => [p.address, 0]));
    for (let start = 0; start < draws; start += 100) {
      const picks = await Promise.all(Array.from({ length: 100 }, (_, k) => staking.selectProver(seedOf(start + k))));
      for (const p of picks) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).to.deep.equal(who.map((p) => p.address).sort());
    // Expected shares 10% / 20% / 70%; +-4 points is more than 3 standard deviations at 1200 draws,
    // while a uniform draw (33% each) misses every bound by far.
    const shares = who.map((p) => counts.get(p.address)! / draws);
    expect(shares[0]).to.be.within(0.06, 0.14);
    expect(shares[1]).to.be.within(0.16, 0.24);
    expect(shares[2]).to.be.within(0.66, 0.74);
  });

  describe('lazy weights after a minStake change', () => {
    it('returns address(0) when it draws a prover that a raised minStake made ineligible, until refreshed', async () => {
      const { staking, admin, alice, bob, outsider } = await networkHelpers.loadFixture(fixture);
      await staking.connect(alice).stake(MIN_STAKE); // interval [0, MIN_STAKE)
      await staking.connect(bob).stake(3n * MIN_STAKE); // interval [MIN_STAKE, 4 MIN_STAKE)
      await staking.connect(admin).setMinStake(2n * MIN_STAKE);
      expect(await staking.isEligible(alice.address)).to.equal(false);
      expect(await staking.weightOf(alice.address)).to.equal(MIN_STAKE); // stale
      expect(await staking.selectProver(0n)).to.equal(ethers.ZeroAddress);
      expect(await staking.selectProver(MIN_STAKE)).to.equal(bob.address);

      // Anyone can refresh; unknown accounts are skipped; unchanged weights emit nothing.
      const tx = staking.connect(outsider).refreshWeights([alice.address, outsider.address, bob.address]);
      await expect(tx).to.emit(staking, 'StakingWeightUpdated').withArgs(alice.address, 0n);
      const receipt = await (await tx).wait();
      const updates = receipt!.logs.filter((l) => staking.interface.parseLog(l)?.name === 'StakingWeightUpdated');
      expect(updates).to.have.length(1); // bob's weight did not change
      expect(await staking.totalWeight()).to.equal(3n * MIN_STAKE);
      expect(await staking.selectProver(0n)).to.equal(bob.address);
      expect(await staking.weightOf(outsider.address)).to.equal(0n);
    });

    it('gives a prover that a lowered minStake made eligible weight 0 until refreshed', async () => {
      const { staking, admin, alice, bob } = await networkHelpers.loadFixture(fixture);
      await staking.connect(alice).stake(MIN_STAKE / 2n);
      await staking.connect(bob).stake(MIN_STAKE);
      await staking.connect(admin).setMinStake(MIN_STAKE / 4n);
      expect(await staking.isEligible(alice.address)).to.equal(true);
      expect(await staking.weightOf(alice.address)).to.equal(0n);
      expect(await staking.selectProver(0n)).to.equal(bob.address);
      await staking.refreshWeights([alice.address]);
      expect(await staking.weightOf(alice.address)).to.equal(MIN_STAKE / 2n);
      expect(await staking.selectProver(0n)).to.equal(alice.address);
      expect(await staking.selectProver(MIN_STAKE / 2n)).to.equal(bob.address);
    });
  });
});
