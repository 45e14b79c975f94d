// SDK test fixture: the real NexToken, ProverStaking, VerifierRouter and AggregationMarket on
// Hardhat's in-process EDR chain, with viem clients for the SDK. The router's verifier is the
// test-only MockVerifier: these tests never verify a batch (the end-to-end test does, with real
// proofs), they exercise submission, queries, refunds, errors and estimates.
import type { NetworkHelpers } from '@nomicfoundation/hardhat-network-helpers/types';
import { network } from 'hardhat';
import { createPublicClient, createWalletClient, custom, getAddress, pad, toHex, type Address, type EIP1193Provider, type Hex } from 'viem';
import { chainFor, type NexClient } from '../../prover/sdk/client.js';
import { PROOF_FIELDS, VK_BYTES } from '../../prover/sdk/index.js';

export const E18 = 10n ** 18n;
export const PARAMS = {
  minFeePerProof: 10n ** 14n,
  batchCapacity: 4,
  batchTimeout: 60,
  assignmentWindow: 30,
  provingWindowBase: 300,
  provingWindowPerProof: 60,
  secondaryWindow: 300,
  submissionTtl: 7_200,
  collateralPerProof: 10n * E18,
  protocolFeeBps: 500,
  callbackGasLimit: 100_000,
};
export const KEY_HASHES: Hex[] = [1, 2, 3, 4, 5].map((i) => pad(toHex(1000 + i), { size: 32 }));

export const word = (n: number | bigint): Hex => pad(toHex(n), { size: 32 });
/** A proof-shaped byte string (the market only stores its hash; nothing verifies it here). */
export const proofBytes = (seed: number, fields = PROOF_FIELDS): Hex =>
  `0x${Array.from({ length: fields }, (_, i) => word(seed * 100_000 + i).slice(2)).join('')}`;
export const VK: Hex = `0x${'ab'.repeat(VK_BYTES)}`;

export interface SdkFixture {
  /** The admin, which is also the only staked prover. */
  admin: NexClient;
  rollup: NexClient;
  other: NexClient;
  reader: NexClient;
  accounts: Address[];
  market: Address;
  helpers: NetworkHelpers;
  provider: EIP1193Provider;
}

export async function sdkFixture(): Promise<SdkFixture> {
  const { ethers, networkHelpers, provider } = await network.create();
  const [admin, rollupSigner, otherSigner] = await ethers.getSigners();
  if (!admin || !rollupSigner || !otherSigner) throw new Error('need 3 signers');
  const token = await ethers.deployContract('NexToken', [admin.address, 1_000_000_000n * E18]);
  const staking = await ethers.deployContract('ProverStaking', [await token.getAddress(), admin.address, 100n * E18]);
  const verifier = await ethers.deployContract('MockVerifier');
  const router = await ethers.deployContract('VerifierRouter', [admin.address, admin.address]);
  // Version-1 arguments (key hashes): the router is at version 2 ({verifier, keySet, rollupProofBytes}); the
  // SDK and its tests move to version 2 in the integration task, until then this call reverts.
  const v1 = new ethers.Interface(['function addVersion(address verifier, bytes32[] keyHashes)']);
  const data = v1.encodeFunctionData('addVersion', [await verifier.getAddress(), KEY_HASHES]);
  await (await admin.sendTransaction({ to: await router.getAddress(), data })).wait();
  const market = await ethers.deployContract('AggregationMarket', [
    admin.address,
    admin.address,
    await staking.getAddress(),
    await router.getAddress(),
    admin.address,
    PARAMS,
  ]);
  await (await staking.getFunction('setMarket')(await market.getAddress())).wait();
  // A prover, so that sealing draws someone (the market works without one too).
  await (await token.getFunction('approve')(await staking.getAddress(), 1_000n * E18)).wait();
  await (await staking.getFunction('stake')(1_000n * E18)).wait();

  const eip1193 = provider as unknown as EIP1193Provider;
  const addresses = {
    market: getAddress(await market.getAddress()),
    router: getAddress(await router.getAddress()),
    staking: getAddress(await staking.getAddress()),
    token: getAddress(await token.getAddress()),
  };
  const chain = chainFor(Number(await eip1193.request({ method: 'eth_chainId' })), 'http://in-process.invalid');
  const publicClient = createPublicClient({ chain, transport: custom(eip1193), pollingInterval: 50 });
  const client = (account?: Address): NexClient => ({
    public: publicClient,
    wallet: account ? createWalletClient({ account, chain, transport: custom(eip1193), pollingInterval: 50 }) : undefined,
    addresses,
    pollingIntervalMs: 50,
  });
  return {
    admin: client(getAddress(admin.address)),
    rollup: client(getAddress(rollupSigner.address)),
    other: client(getAddress(otherSigner.address)),
    reader: client(),
    accounts: [admin, rollupSigner, otherSigner].map((s) => getAddress(s.address)),
    market: addresses.market,
    helpers: networkHelpers,
    provider: eip1193,
  };
}
