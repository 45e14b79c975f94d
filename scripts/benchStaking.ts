// Gas of ProverStaking's operations and of the O(log n) stake-weighted draw as the number of
// provers grows. Prints tables; run with `npx hardhat run scripts/benchStaking.ts`.
import { network } from 'hardhat';

const E18 = 10n ** 18n;
const MIN_STAKE = 1_000n * E18;
const PROVER_COUNTS = [1, 8, 64, 256, 1024];

const { ethers, networkHelpers } = await network.create();
const [admin, treasury, market, alice, bob] = await ethers.getSigners();
if (!admin || !treasury || !market || !alice || !bob) throw new Error('need 5 accounts');

const token = await ethers.deployContract('NexToken', [treasury.address, 10n ** 9n * E18]);
const staking = await ethers.deployContract('ProverStaking', [await token.getAddress(), admin.address, MIN_STAKE]);
const stakingAddress = await staking.getAddress();
await staking.connect(admin).grantRole(await staking.MARKET_ROLE(), market.address);

type Sent = { wait(): Promise<{ gasUsed: bigint } | null> };
async function gasOf(tx: Promise<Sent>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error('no receipt');
  return receipt.gasUsed;
}

const ops: { operation: string; gas: bigint }[] = [];
for (const who of [alice, bob]) {
  await token.connect(treasury).transfer(who.address, 100_000n * E18);
  await token.connect(who).approve(stakingAddress, ethers.MaxUint256);
}
ops.push({ operation: 'stake (first, joins the tree)', gas: await gasOf(staking.connect(alice).stake(10n * MIN_STAKE)) });
ops.push({ operation: 'stake (top-up)', gas: await gasOf(staking.connect(alice).stake(MIN_STAKE)) });
await staking.connect(bob).stake(10n * MIN_STAKE);
const [, , , , , hotKey] = await ethers.getSigners();
ops.push({ operation: 'proposeOperator', gas: await gasOf(staking.connect(alice).proposeOperator(hotKey!.address)) });
ops.push({ operation: 'acceptOperator', gas: await gasOf(staking.connect(hotKey!).acceptOperator(alice.address)) });
ops.push({ operation: 'lockCollateral', gas: await gasOf(staking.connect(market).lockCollateral(alice.address, 80n * E18)) });
ops.push({ operation: 'unlockCollateral', gas: await gasOf(staking.connect(market).unlockCollateral(alice.address, 40n * E18)) });
ops.push({
  operation: 'slashCollateral (burn + transfer)',
  gas: await gasOf(staking.connect(market).slashCollateral(alice.address, 40n * E18, bob.address)),
});
ops.push({ operation: 'requestUnstake', gas: await gasOf(staking.connect(alice).requestUnstake(MIN_STAKE)) });
for (let i = 0; i < 7; i++) await staking.connect(alice).requestUnstake(E18);
await networkHelpers.time.increase(7 * 24 * 3600);
ops.push({ operation: 'withdraw (1 entry)', gas: await gasOf(staking.connect(alice).withdraw(1n)) });
ops.push({ operation: 'withdraw (7 entries)', gas: await gasOf(staking.connect(alice).withdraw(7n)) });
await staking.connect(admin).setMinStake(2n * MIN_STAKE);
ops.push({ operation: 'refreshWeights (1 changed)', gas: await gasOf(staking.refreshWeights([bob.address])) });
await staking.connect(admin).setMinStake(MIN_STAKE);
await staking.refreshWeights([bob.address]);
console.log('\nProverStaking operations (transaction gas, 21000 base included)');
console.table(ops.map((o) => ({ operation: o.operation, gas: Number(o.gas) })));

// selectProver as the tree grows: extra provers with deterministic keys, each staking a
// different amount, then the mean estimateGas of a draw over 16 seeds (minus the 21000 base).
const rows: { provers: number; 'selectProver gas (mean)': number; 'stake (first) gas': number }[] = [];
let count = 2; // alice and bob
for (const target of PROVER_COUNTS) {
  let lastStakeGas = 0n;
  while (count < target) {
    const w = new ethers.Wallet(ethers.id(`bench-prover-${count}`), ethers.provider);
    await networkHelpers.setBalance(w.address, E18);
    const amount = MIN_STAKE + BigInt(count) * E18;
    await token.connect(treasury).transfer(w.address, amount);
    await token.connect(w).approve(stakingAddress, amount);
    lastStakeGas = await gasOf(staking.connect(w).stake(amount));
    count++;
  }
  let sum = 0n;
  for (let s = 0; s < 16; s++) {
    sum += (await staking.selectProver.estimateGas(BigInt(ethers.id(`seed-${s}`)))) - 21000n;
  }
  rows.push({
    provers: Math.max(count, target),
    'selectProver gas (mean)': Number(sum / 16n),
    'stake (first) gas': Number(lastStakeGas),
  });
}
console.log('\nStake-weighted draw vs number of provers (execution gas of the view, calldata included)');
console.table(rows);
