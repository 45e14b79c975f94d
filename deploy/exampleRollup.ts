/**
 * The example rollup (contracts/examples/ExampleRollup.sol) on the version-2 market: registers the
 * 2-input example circuit of the circuits build as a program (owner = the signing account, so the
 * program id is `keccak256(abi.encode(owner, vkHash))`), deploys the contract for it and makes it the
 * program's callback. `nex devnet` runs it once per chain (idempotent: an existing program and a
 * recorded contract with code are kept); rollup teams can call deployExampleRollup for their own
 * program.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  bytesToHex,
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { aggregationMarketAbi } from '../prover/abi/generated.js';
import { programIdOf } from '../prover/protocol/index.js';
import { chainFor, type ExampleRollupDeployment } from '../prover/sdk/index.js';
import { ProjectArtifactResolver } from './artifacts.js';

/** The example circuit ExampleRollup verifies transitions of: public inputs [oldRoot, newRoot]. */
export const EXAMPLE_ROLLUP_CIRCUIT = 'rollup_transfer';
export const EXAMPLE_ROLLUP_INPUTS = 2;
/** Callback gas the devnet gives the example program (ExampleRollup.onProofVerified). */
export const EXAMPLE_CALLBACK_GAS = 100_000;

export interface DeployExampleRollupOptions {
  rpcUrl: string;
  privateKey: Hex;
  market: Address;
  programId: Hex;
  genesisRoot: Hex;
  /** Register the contract as the program's callback with this gas (default EXAMPLE_CALLBACK_GAS; 0: no callback). */
  callbackGas?: number | undefined;
  root?: string | undefined;
}

async function clients(rpcUrl: string, privateKey: Hex): Promise<{ pub: PublicClient; wallet: WalletClient }> {
  const probe = createPublicClient({ transport: http(rpcUrl) });
  const chain = chainFor(await probe.getChainId(), rpcUrl);
  return {
    pub: createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 250 }),
    wallet: createWalletClient({ chain, account: privateKeyToAccount(privateKey), transport: http(rpcUrl) }),
  };
}

/** Deploys ExampleRollup for a registered program and, unless callbackGas is 0, makes it the program's callback (owner's key). */
export async function deployExampleRollup(opts: DeployExampleRollupOptions): Promise<Address> {
  const { pub, wallet } = await clients(opts.rpcUrl, opts.privateKey);
  const account = wallet.account!;
  const artifact = await new ProjectArtifactResolver(opts.root).loadArtifact('ExampleRollup');
  const hash = await wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode as Hex,
    args: [opts.market, opts.programId, opts.genesisRoot],
    account,
    chain: wallet.chain,
  });
  const receipt = await pub.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`ExampleRollup deployment ${hash} failed`);
  const address = getAddress(receipt.contractAddress);
  const gas = opts.callbackGas ?? EXAMPLE_CALLBACK_GAS;
  if (gas > 0) {
    const { request } = await pub.simulateContract({
      account,
      address: opts.market,
      abi: aggregationMarketAbi,
      functionName: 'setProgramCallback',
      args: [opts.programId, address, gas],
    });
    const r = await pub.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
    if (r.status !== 'success') throw new Error('setProgramCallback failed');
  }
  return address;
}

export interface SetUpExampleRollupOptions {
  rpcUrl: string;
  /** The registrant: the program's owner (the example proofs must be made for this owner). */
  privateKey: Hex;
  market: Address;
  /** The circuits build directory (its manifest and `<circuit>.vk`). */
  buildDir: string;
  genesisRoot?: Hex | undefined;
  callbackGas?: number | undefined;
  /** A previous set-up on this chain: kept when its contract still has code. */
  previous?: ExampleRollupDeployment | undefined;
  root?: string | undefined;
}

/** Registers the example program (if it is not yet) and deploys its ExampleRollup (if not yet deployed). */
export async function setUpExampleRollup(
  opts: SetUpExampleRollupOptions,
): Promise<{ example: ExampleRollupDeployment; transactionsSent: number }> {
  const { pub, wallet } = await clients(opts.rpcUrl, opts.privateKey);
  const account = wallet.account!;
  const owner = getAddress(account.address);
  const manifest = JSON.parse(readFileSync(path.join(opts.buildDir, 'manifest.json'), 'utf8')) as {
    circuits: Record<string, { vkHash: Hex } | undefined>;
  };
  const vkHash = manifest.circuits[EXAMPLE_ROLLUP_CIRCUIT]?.vkHash;
  if (!vkHash) throw new Error(`${opts.buildDir}: the circuits build has no ${EXAMPLE_ROLLUP_CIRCUIT}`);
  const programId = programIdOf(owner, vkHash);
  const prev = opts.previous;
  if (prev && prev.programId === programId && prev.owner === owner) {
    const code = await pub.getCode({ address: prev.address });
    const program = await pub.readContract({
      address: opts.market,
      abi: aggregationMarketAbi,
      functionName: 'getProgram',
      args: [programId],
    });
    if (code && code !== '0x' && program.owner !== '0x0000000000000000000000000000000000000000')
      return { example: prev, transactionsSent: 0 };
  }
  let transactionsSent = 0;
  const program = await pub.readContract({
    address: opts.market,
    abi: aggregationMarketAbi,
    functionName: 'getProgram',
    args: [programId],
  });
  if (program.owner === '0x0000000000000000000000000000000000000000') {
    const vk = bytesToHex(readFileSync(path.join(opts.buildDir, `${EXAMPLE_ROLLUP_CIRCUIT}.vk`)));
    const { request } = await pub.simulateContract({
      account,
      address: opts.market,
      abi: aggregationMarketAbi,
      functionName: 'registerProgram',
      args: [vkHash, vk, EXAMPLE_ROLLUP_INPUTS],
    });
    const r = await pub.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
    if (r.status !== 'success') throw new Error('registerProgram (example rollup) failed');
    transactionsSent += 1;
  }
  const genesisRoot = opts.genesisRoot ?? (`0x${'0'.repeat(63)}1` as Hex);
  const callbackGas = opts.callbackGas ?? EXAMPLE_CALLBACK_GAS;
  const address = await deployExampleRollup({
    rpcUrl: opts.rpcUrl,
    privateKey: opts.privateKey,
    market: opts.market,
    programId,
    genesisRoot,
    callbackGas,
    root: opts.root,
  });
  return {
    example: {
      programId,
      owner,
      vkHash,
      publicInputCount: EXAMPLE_ROLLUP_INPUTS,
      circuit: EXAMPLE_ROLLUP_CIRCUIT,
      address,
      genesisRoot,
      callbackGas,
    },
    transactionsSent: transactionsSent + (callbackGas > 0 ? 2 : 1),
  };
}
