// Shared deployment fixture for the market tests: real NexToken + ProverStaking + VerifierRouter, and the
// test-only MockVerifier (accepts proof == abi.encode(publicInputs), so proofs are bound to root and prover).
import type { HardhatEthers, HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/types';
import type { ContractTransactionResponse, Log } from 'ethers';
import type { Hex } from 'viem';
import { aggregationPublicInputs, fieldToWord } from '../../prover/sdk/commitment.js';

export const E18 = 10n ** 18n;
export const NEX_SUPPLY = 1_000_000_000n * E18;
export const MIN_STAKE = 1_000n * E18;
export const PROVER_STAKE = 2_000n * E18;
export const MIN_FEE = 10n ** 14n;
export const PI_COUNT = 2;
export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

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

export const BatchState = { None: 0n, Open: 1n, Sealed: 2n, Locked: 3n, Fulfilled: 4n, Expired: 5n } as const;
export const StatementStatus = { None: 0n, Pending: 1n, Verified: 2n } as const;

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
      HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner,
      HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner,
      HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner,
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
    token, staking, verifier, router, market, params,
    admin, pauser, guardian, feeTreasury, nexTreasury, rollup, alice, bob, carol, operator, user1, user2, outsider,
    provers, signers,
  };
}

export type MarketFixture = Awaited<ReturnType<typeof deployMarket>>;

/** Distinct canonical public inputs for statement number `n`. */
export function inputsFor(n: number, count = PI_COUNT): Hex[] {
  return Array.from({ length: count }, (_, j) => word(1_000_000 * (n + 1) + j));
}

/** A dummy rollup proof (the market only hashes it). */
export function rollupProof(n: number, size = 64): Hex {
  return ('0x' + (n % 256).toString(16).padStart(2, '0').repeat(size)) as Hex;
}

/** Decoded Submitted events of a transaction. */
export async function submittedIds(f: MarketFixture, tx: ContractTransactionResponse) {
  const receipt = await tx.wait();
  const out: { id: bigint; digest: string }[] = [];
  for (const log of (receipt?.logs ?? []) as Log[]) {
    const parsed = f.market.interface.parseLog(log);
    if (parsed?.name === 'Submitted') out.push({ id: parsed.args[0] as bigint, digest: parsed.args[3] as string });
  }
  return out;
}

let statementCounter = 0;

/** Submits `n` fresh statements from `from` (default user1); returns their ids and digests in order. */
export async function submitN(f: MarketFixture, n: number, from?: HardhatEthersSigner, fee = MIN_FEE) {
  const signer = from ?? f.user1;
  const out: { id: bigint; digest: string; inputs: Hex[] }[] = [];
  for (let i = 0; i < n; i++) {
    const inputs = inputsFor(statementCounter++);
    const tx = await f.market.connect(signer).submit(PROGRAM_ID, inputs, rollupProof(i), { value: fee });
    const [ev] = await submittedIds(f, tx);
    out.push({ id: ev!.id, digest: ev!.digest, inputs });
  }
  return out;
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

/** The signer (prover) for an address among the fixture's provers. */
export function proverSigner(f: MarketFixture, address: string): HardhatEthersSigner {
  const s = f.provers.find((p) => p.address === address);
  if (!s) throw new Error(`${address} is not a fixture prover`);
  return s;
}

/** Locks `batchId` by its assigned prover (or alice when the assignment is open); returns the locker. */
export async function lockByAssigned(f: MarketFixture, batchId: bigint): Promise<HardhatEthersSigner> {
  const batch = await f.market.getBatch(batchId);
  const locker = batch.assigned === '0x0000000000000000000000000000000000000000' ? f.alice : proverSigner(f, batch.assigned);
  await f.market.connect(locker).lock(batchId);
  return locker;
}

/** The subset of networkHelpers.time the helpers need. */
export interface TimeHelpers {
  latest(): Promise<number>;
  increaseTo(timestamp: number | bigint): Promise<void>;
}

/** Submits `n` statements into a new batch, seals it (waiting out the timeout when not full), locks it
 * by its assigned prover and returns the submissions, the batch id and the locker. */
export async function fullLockedBatch(f: MarketFixture, time: TimeHelpers, n = 8) {
  const subs = await submitN(f, n);
  const batchId = subs[0]!.id >> 5n;
  if (n < Number(f.params.batchCapacity)) {
    const b = await f.market.getBatch(batchId);
    const sealableAt = b.openedAt + f.params.batchTimeout;
    if (BigInt(await time.latest()) < sealableAt) await time.increaseTo(sealableAt);
    await f.market.seal(batchId);
  }
  const locker = await lockByAssigned(f, batchId);
  return { subs, batchId, locker };
}
