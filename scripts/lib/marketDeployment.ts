/**
 * Deployment of the market stack for local measurements and tests: the real NexToken, ProverStaking,
 * VerifierRouter and AggregationMarket with the test-only MockVerifier (test/mocks/MockVerifiers.sol:
 * accepts proof == abi.encode(publicInputs), so proofs are bound to root and prover), three staked
 * provers and one registered program. Used by `npm run bench:gas` and by the market tests
 * (test/market/fixture.ts adds the test helpers on top).
 */
import type { HardhatEthers, HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/types';
import type { Hex } from 'viem';
import { FIELD_MODULUS, fieldToWord } from '../../prover/protocol/index.js';
import { aggregationPublicInputsV1 as aggregationPublicInputs } from './commitmentV1.js';

export const E18 = 10n ** 18n;
export const NEX_SUPPLY = 1_000_000_000n * E18;
export const MIN_STAKE = 1_000n * E18;
export const PROVER_STAKE = 2_000n * E18;
export const MIN_FEE = 10n ** 14n;
export const PI_COUNT = 2;

/** The documented defaults (docs/protocol.md, "Parameters"). */
export const DEFAULT_PARAMS = {
  minFeePerProof: MIN_FEE,
  batchCapacity: 8n,
  batchTimeout: 300n,
  assignmentWindow: 120n,
  provingWindowBase: 600n,
  provingWindowPerProof: 120n,
  secondaryWindow: 1800n,
  submissionTtl: 86_400n,
  collateralPerProof: 10n * E18,
  protocolFeeBps: 500n,
  callbackGasLimit: 100_000n,
};
export type Params = typeof DEFAULT_PARAMS;

export function word(label: number | bigint): Hex {
  return fieldToWord(BigInt(label) % FIELD_MODULUS);
}

export const KEY_HASHES: Hex[] = [101, 102, 103, 104, 105].map(word);
export const PROGRAM_ID = word(0xabc001);
export const VK = '0x' + 'ab'.repeat(64);

export interface DeployOptions {
  /** Stake the three provers (default true). */
  stake?: boolean;
  params?: Partial<Params>;
}

export async function deployMarket(ethers: HardhatEthers, options: DeployOptions = {}) {
  const signers = await ethers.getSigners();
  const [admin, pauser, guardian, feeTreasury, nexTreasury, rollup, alice, bob, carol, operator, user1, user2, outsider] =
    signers as HardhatEthersSigner[] as [
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
    ];
  const token = await ethers.deployContract('NexToken', [nexTreasury.address, NEX_SUPPLY]);
  const staking = await ethers.deployContract('ProverStaking', [await token.getAddress(), admin.address, MIN_STAKE]);
  const verifier = await ethers.deployContract('MockVerifier');
  const router = await ethers.deployContract('VerifierRouter', [admin.address, guardian.address]);
  await router.connect(admin).addVersion(await verifier.getAddress(), KEY_HASHES);
  const params = { ...DEFAULT_PARAMS, ...options.params };
  const market = await ethers.deployContract('AggregationMarket', [
    admin.address,
    pauser.address,
    await staking.getAddress(),
    await router.getAddress(),
    feeTreasury.address,
    params,
  ]);
  await staking.connect(admin).setMarket(await market.getAddress());
  const provers = [alice, bob, carol];
  for (const p of [...provers, outsider]) {
    await token.connect(nexTreasury).transfer(p.address, 10_000n * E18);
    await token.connect(p).approve(await staking.getAddress(), ethers.MaxUint256);
  }
  if (options.stake !== false) {
    for (const p of provers) await staking.connect(p).stake(PROVER_STAKE);
    await staking.connect(alice).setOperator(operator.address);
  }
  await market.connect(rollup).registerProgram(PROGRAM_ID, VK, PI_COUNT);
  return {
    token,
    staking,
    verifier,
    router,
    market,
    params,
    admin,
    pauser,
    guardian,
    feeTreasury,
    nexTreasury,
    rollup,
    alice,
    bob,
    carol,
    operator,
    user1,
    user2,
    outsider,
    provers,
    signers,
  };
}

export type MarketFixture = Awaited<ReturnType<typeof deployMarket>>;

/** Distinct canonical public inputs for statement number `n`. */
export function inputsFor(n: number, count = PI_COUNT): Hex[] {
  return Array.from({ length: count }, (_, j) => word(1_000_000 * (n + 1) + j));
}

/** The aggregated "proof" the MockVerifier accepts for `batchId` bound to `prover`. */
export async function proofFor(
  f: MarketFixture,
  batchId: bigint,
  prover: string,
  excludedMask = 0,
  keyHashes: Hex[] = KEY_HASHES,
): Promise<string> {
  const root = (await f.market.batchRoot(batchId, excludedMask)) as Hex;
  const inputs = aggregationPublicInputs(root, prover as Hex, keyHashes);
  return abiEncodeInputs(inputs);
}

export function abiEncodeInputs(inputs: readonly string[]): string {
  // abi.encode(bytes32[]) = offset 0x20 || length || words
  const head = [32n, BigInt(inputs.length)].map((x) => x.toString(16).padStart(64, '0')).join('');
  return '0x' + head + inputs.map((w) => w.slice(2).padStart(64, '0')).join('');
}
