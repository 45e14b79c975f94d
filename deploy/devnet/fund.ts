/**
 * Tops up test accounts with ETH and NEX from the deployer (the devnet treasury). Idempotent: an
 * account that already holds the target amount gets nothing.
 */
import { createPublicClient, createWalletClient, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { nexTokenAbi } from '../../prover/abi/v1.js';
import { chainFor } from '../../prover/sdk/index.js';

export interface FundOptions {
  rpcUrl: string;
  chainId: number;
  /** Key of the account that pays (holds the NEX supply on a devnet). */
  funderKey: Hex;
  token: Address;
  accounts: readonly Address[];
  ethPerAccount: bigint;
  nexPerAccount: bigint;
}

export interface FundedAccount {
  readonly address: Address;
  readonly eth: bigint;
  readonly nex: bigint;
}

export async function fundAccounts(opts: FundOptions): Promise<FundedAccount[]> {
  const chain = chainFor(opts.chainId, opts.rpcUrl);
  const pub = createPublicClient({ chain, transport: http(opts.rpcUrl), pollingInterval: 200 });
  const account = privateKeyToAccount(opts.funderKey);
  const wallet = createWalletClient({ chain, account, transport: http(opts.rpcUrl) });
  for (const address of opts.accounts) {
    if (address.toLowerCase() === account.address.toLowerCase()) continue;
    const eth = await pub.getBalance({ address });
    if (eth < opts.ethPerAccount) {
      const hash = await wallet.sendTransaction({ to: address, value: opts.ethPerAccount - eth });
      await pub.waitForTransactionReceipt({ hash });
    }
    const nex = await pub.readContract({ address: opts.token, abi: nexTokenAbi, functionName: 'balanceOf', args: [address] });
    if (nex < opts.nexPerAccount) {
      const hash = await wallet.writeContract({
        address: opts.token,
        abi: nexTokenAbi,
        functionName: 'transfer',
        args: [address, opts.nexPerAccount - nex],
      });
      const receipt = await pub.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`NEX transfer to ${address} reverted`);
    }
  }
  // Balances after every transfer (the funder's included).
  const result: FundedAccount[] = [];
  for (const address of opts.accounts) {
    const [eth, nex] = await Promise.all([
      pub.getBalance({ address }),
      pub.readContract({ address: opts.token, abi: nexTokenAbi, functionName: 'balanceOf', args: [address] }),
    ]);
    result.push({ address, eth, nex });
  }
  return result;
}
