// Deploys the real version-2 market (NexToken, ProverStaking, VerifierRouter with the test-only MockVerifier,
// AggregationMarket with its extension) on an anvil process, for the relay's devnet test. The relay only
// posts, it never fulfils, so no prover stakes and the mock verifier is never called.
import { readFileSync } from 'node:fs';
import { parseEther, type Abi, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { aggregationMarketAbi, proverStakingAbi, verifierRouterAbi } from '../../../prover/abi/generated.js';
import { fieldToWord, ROLLUP_PROOF_BYTES } from '../../../prover/protocol/index.js';
import type { Anvil } from '../../keeper/helpers/anvil.js';
import { DEV_KEYS } from '../../keeper/helpers/anvil.js';

function artifact(path: string): { abi: Abi; bytecode: Hex } {
  const j = JSON.parse(readFileSync(`artifacts/${path}`, 'utf8')) as { abi: Abi; bytecode: Hex };
  return { abi: j.abi, bytecode: j.bytecode };
}

/**
 * Parameters with a short withdrawal notice, so a test can withdraw a deposit within the life of a request:
 * maxJobLifetime = provingWindow(64) + secondaryWindow = 1 + 64 + 1 = 66 s < withdrawalDelay = 70 s.
 */
export function devnetParams(minFeePerProof: bigint) {
  return {
    minFeePerProof,
    batchCapacity: 8,
    batchTimeout: 300,
    assignmentWindow: 120,
    provingWindowBase: 1,
    provingWindowPerProof: 1,
    secondaryWindow: 1,
    submissionTtl: 86_400,
    collateralPerProof: 10n ** 18n,
    protocolFeeBps: 500,
    posterFeeBps: 200,
    maxCallbackGas: 200_000,
    withdrawalDelay: 70,
  } as const;
}

export interface V2Market {
  readonly market: Address;
  readonly router: Address;
  /** Sends a market call from a dev key and waits for success; returns the transaction hash. */
  write(key: Hex, functionName: string, args: readonly unknown[], value?: bigint): Promise<Hex>;
}

/** Deploys the version-2 stack on `anvil` from DEV_KEYS[0] (admin, pauser, guardian, treasury). */
export async function deployV2Market(anvil: Anvil, minFeePerProof: bigint): Promise<V2Market> {
  const admin = anvil.wallet(DEV_KEYS[0]);
  const adminAddress = privateKeyToAccount(DEV_KEYS[0]).address;
  const deploy = async (path: string, args: readonly unknown[]): Promise<Address> => {
    const a = artifact(path);
    const hash = await admin.deployContract({ abi: a.abi, bytecode: a.bytecode, args } as never);
    const r = await anvil.client.waitForTransactionReceipt({ hash });
    if (r.status !== 'success' || !r.contractAddress) throw new Error(`deploying ${path} failed`);
    return r.contractAddress;
  };
  const send = async (key: Hex, to: Address, abi: Abi, functionName: string, args: readonly unknown[], value?: bigint): Promise<Hex> => {
    const hash = await anvil.wallet(key).writeContract({ address: to, abi, functionName, args, value } as never);
    const r = await anvil.client.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new Error(`${functionName} reverted`);
    return hash;
  };
  const token = await deploy('contracts/token/NexToken.sol/NexToken.json', [adminAddress, parseEther('1000000000')]);
  const staking = await deploy('contracts/staking/ProverStaking.sol/ProverStaking.json', [token, adminAddress, parseEther('1000')]);
  const verifier = await deploy('test/mocks/MockVerifiers.sol/MockVerifier.json', []);
  const router = await deploy('contracts/router/VerifierRouter.sol/VerifierRouter.json', [adminAddress, adminAddress]);
  await send(DEV_KEYS[0], router, verifierRouterAbi, 'addVersion', [verifier, fieldToWord(0x5e7n), ROLLUP_PROOF_BYTES]);
  const market = await deploy('contracts/market/AggregationMarket.sol/AggregationMarket.json', [
    adminAddress,
    adminAddress,
    staking,
    router,
    adminAddress,
    devnetParams(minFeePerProof),
  ]);
  await send(DEV_KEYS[0], staking, proverStakingAbi, 'setMarket', [market]);
  return {
    market,
    router,
    write: (key, functionName, args, value) => send(key, market, aggregationMarketAbi, functionName, args, value),
  };
}
