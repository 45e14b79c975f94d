/**
 * Deploys contracts/examples/ExampleRollup.sol for a registered program and, optionally, makes it the
 * program's callback (the caller must own the program). For demos and rollup teams trying the flow.
 */
import { createPublicClient, createWalletClient, getAddress, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { aggregationMarketAbi } from '../prover/abi/v1.js';
import { chainFor } from '../prover/sdk/index.js';
import { ProjectArtifactResolver } from './artifacts.js';

export interface DeployExampleRollupOptions {
  rpcUrl: string;
  privateKey: Hex;
  market: Address;
  programId: Hex;
  genesisRoot: Hex;
  /** Register the contract as the program's callback (default true; needs the program owner's key). */
  setCallback?: boolean | undefined;
  root?: string | undefined;
}

export async function deployExampleRollup(opts: DeployExampleRollupOptions): Promise<Address> {
  const probe = createPublicClient({ transport: http(opts.rpcUrl) });
  const chain = chainFor(await probe.getChainId(), opts.rpcUrl);
  const pub = createPublicClient({ chain, transport: http(opts.rpcUrl), pollingInterval: 250 });
  const wallet = createWalletClient({ chain, account: privateKeyToAccount(opts.privateKey), transport: http(opts.rpcUrl) });
  const artifact = await new ProjectArtifactResolver(opts.root).loadArtifact('ExampleRollup');
  const hash = await wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode as Hex,
    args: [opts.market, opts.programId, opts.genesisRoot],
  });
  const receipt = await pub.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`ExampleRollup deployment ${hash} failed`);
  const address = getAddress(receipt.contractAddress);
  if (opts.setCallback ?? true) {
    const { request } = await pub.simulateContract({
      account: wallet.account,
      address: opts.market,
      abi: aggregationMarketAbi,
      functionName: 'setProgramCallback',
      args: [opts.programId, address],
    });
    const r = await pub.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
    if (r.status !== 'success') throw new Error('setProgramCallback failed');
  }
  return address;
}
