// Deploys the real protocol (NexToken, ProverStaking, VerifierRouter with the generated aggregation
// verifier, AggregationMarket) on an anvil process, for the keeper's end-to-end tests.
import { readFileSync } from 'node:fs';
import { JsonRpcProvider, Wallet } from 'ethers';
import { bytesToHex, encodeFunctionData, getAddress, parseEther, type Abi, type Address, type Hex } from 'viem';
import type { ProvingBackend, RollupProof } from '../../../prover/engine/index.js';
import { AGG_CIRCUITS } from '../../../prover/protocol/index.js';
import { deployVerifier, fromVerifierBuild } from '../../../prover/toolchain/index.js';
import { aggregationMarketAbi, nexTokenAbi, proverStakingAbi, verifierRouterAbi } from '../../../prover/abi/v1.js';
import type { Anvil } from './anvil.js';
import { DEV_KEYS } from './anvil.js';

function artifact(path: string): { abi: Abi; bytecode: Hex } {
  const j = JSON.parse(readFileSync(`artifacts/contracts/${path}`, 'utf8')) as { abi: Abi; bytecode: Hex };
  return { abi: j.abi, bytecode: j.bytecode };
}

export interface Protocol {
  market: Address;
  staking: Address;
  token: Address;
  router: Address;
  /** Sends a contract call from a dev key and waits for success. */
  send(key: Hex, to: Address, data: Hex, value?: bigint): Promise<Hex>;
}

export const TEST_PARAMS = {
  minFeePerProof: 10n ** 14n,
  batchCapacity: 2,
  batchTimeout: 300,
  assignmentWindow: 120,
  provingWindowBase: 600,
  provingWindowPerProof: 120,
  secondaryWindow: 1800,
  submissionTtl: 86_400,
  collateralPerProof: 10n * 10n ** 18n,
  protocolFeeBps: 500,
  callbackGasLimit: 100_000,
};

export async function deployProtocol(anvil: Anvil, backend: ProvingBackend): Promise<Protocol> {
  const admin = anvil.wallet(DEV_KEYS[0]);
  const adminAddr = admin.account.address;
  const deploy = async (path: string, args: unknown[]): Promise<Address> => {
    const a = artifact(path);
    const hash = await admin.deployContract({ abi: a.abi, bytecode: a.bytecode, args });
    const r = await anvil.client.waitForTransactionReceipt({ hash });
    if (r.status !== 'success' || !r.contractAddress) throw new Error(`deploying ${path} failed`);
    return r.contractAddress;
  };
  const send = async (key: Hex, to: Address, data: Hex, value = 0n): Promise<Hex> => {
    const w = anvil.wallet(key);
    const hash = await w.sendTransaction({ to, data, value, gas: 8_000_000n });
    const r = await anvil.client.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new Error(`tx to ${to} reverted (${data.slice(0, 10)})`);
    return hash;
  };
  const token = await deploy('token/NexToken.sol/NexToken.json', [adminAddr, parseEther('1000000000')]);
  const staking = await deploy('staking/ProverStaking.sol/ProverStaking.json', [token, adminAddr, parseEther('1000')]);
  const router = await deploy('router/VerifierRouter.sol/VerifierRouter.json', [adminAddr, adminAddr]);
  // The real aggregation verifier generated from the node circuit (dev SRS), with its libraries.
  const signer = new Wallet(DEV_KEYS[0], new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1 }));
  const verifier = await deployVerifier(fromVerifierBuild(await backend.rootVerifier()), signer);
  signer.provider?.destroy();
  const keyHashes = AGG_CIRCUITS.map((c) => backend.artifacts.keyHashes[c]);
  await send(
    DEV_KEYS[0],
    router,
    encodeFunctionData({ abi: verifierRouterAbi, functionName: 'addVersion', args: [getAddress(verifier.address), keyHashes] }),
  );
  const market = await deploy('market/AggregationMarket.sol/AggregationMarket.json', [
    adminAddr,
    adminAddr,
    staking,
    router,
    adminAddr,
    TEST_PARAMS,
  ]);
  await send(DEV_KEYS[0], staking, encodeFunctionData({ abi: proverStakingAbi, functionName: 'setMarket', args: [market] }));
  return { market, staking, token, router, send };
}

export async function fundNex(p: Protocol, to: Address, amount: bigint): Promise<void> {
  await p.send(DEV_KEYS[0], p.token, encodeFunctionData({ abi: nexTokenAbi, functionName: 'transfer', args: [to, amount] }));
}

export async function registerProgram(p: Protocol, key: Hex, rollup: RollupProof): Promise<void> {
  await p.send(
    key,
    p.market,
    encodeFunctionData({
      abi: aggregationMarketAbi,
      functionName: 'registerProgram',
      args: [rollup.vkHash, bytesToHex(rollup.vk), rollup.publicInputs.length],
    }),
  );
}

export async function submitProof(p: Protocol, key: Hex, rollup: RollupProof, fee: bigint): Promise<Hex> {
  return p.send(
    key,
    p.market,
    encodeFunctionData({
      abi: aggregationMarketAbi,
      functionName: 'submit',
      args: [rollup.vkHash, rollup.publicInputs, bytesToHex(rollup.proof)],
    }),
    fee,
  );
}

export async function stakeDirect(p: Protocol, key: Hex, amount: bigint): Promise<void> {
  await p.send(key, p.token, encodeFunctionData({ abi: nexTokenAbi, functionName: 'approve', args: [p.staking, amount] }));
  await p.send(key, p.staking, encodeFunctionData({ abi: proverStakingAbi, functionName: 'stake', args: [amount] }));
}
