// Shared deployment fixture for the ProverStaking and NexToken tests: one chain per test file,
// restored from a snapshot before each test through networkHelpers.loadFixture.
import type { HardhatEthers, HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/types';
import { network } from 'hardhat';

export const E18 = 10n ** 18n;
export const SUPPLY = 1_000_000_000n * E18;
export const MIN_STAKE = 1_000n * E18;
export const DAY = 24n * 60n * 60n;
export const UNBONDING = 7n * DAY;

export type Connection = Awaited<ReturnType<typeof network.create>>;

/**
 * Deploys NexToken and ProverStaking; `market` holds MARKET_ROLE (an EOA standing in for the market). The
 * draw warm-up is 0 unless `weightWarmup` is given, so that stakes weigh at once (the warm-up tests set it).
 */
export async function deployStaking(ethers: HardhatEthers, options: { weightWarmup?: bigint } = {}) {
  const signers = await ethers.getSigners();
  const [admin, treasury, market, alice, bob, carol, dave, outsider] = signers as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const token = await ethers.deployContract('NexToken', [treasury.address, SUPPLY]);
  const staking = await ethers.deployContract('ProverStaking', [await token.getAddress(), admin.address, MIN_STAKE]);
  const MARKET_ROLE = await staking.MARKET_ROLE();
  await staking.connect(admin).grantRole(MARKET_ROLE, market.address);
  await staking.connect(admin).setWeightWarmup(options.weightWarmup ?? 0n);
  const stakingAddress = await staking.getAddress();
  for (const who of [alice, bob, carol, dave, outsider]) {
    await token.connect(treasury).transfer(who.address, 1_000_000n * E18);
    await token.connect(who).approve(stakingAddress, ethers.MaxUint256);
  }
  return { token, staking, stakingAddress, MARKET_ROLE, admin, treasury, market, alice, bob, carol, dave, outsider, signers };
}

export type StakingFixture = Awaited<ReturnType<typeof deployStaking>>;

/** Signs an EIP-2612 permit of `value` NEX from `owner` to `spender`. */
export async function signPermit(
  ethers: HardhatEthers,
  token: StakingFixture['token'],
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
) {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: await token.name(), version: '1', chainId, verifyingContract: await token.getAddress() };
  const types = {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  };
  const nonce = await token.nonces(owner.address);
  const sig = ethers.Signature.from(await owner.signTypedData(domain, types, { owner: owner.address, spender, value, nonce, deadline }));
  return { v: sig.v, r: sig.r, s: sig.s };
}

/** Makes `operator` the operator of `prover` (stakes `MIN_STAKE` for the prover first when it has none). */
export async function appointOperator(staking: StakingFixture['staking'], prover: HardhatEthersSigner, operator: HardhatEthersSigner) {
  const [staked] = await staking.stakeOf(prover.address);
  if (staked === 0n) await staking.connect(prover).stake(MIN_STAKE);
  await staking.connect(prover).proposeOperator(operator.address);
  await staking.connect(operator).acceptOperator(prover.address);
}
