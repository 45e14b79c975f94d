/** Helpers shared by the SDK's actions: sending a market transaction and decoding its reverts. */
import type { Abi, ContractFunctionArgs, ContractFunctionName, Hash, TransactionReceipt } from 'viem';
import type { NexClient } from '../client.js';
import { NoAccountError, toNexError } from '../errors.js';

export interface SentTransaction {
  readonly hash: Hash;
  readonly receipt: TransactionReceipt;
}

/**
 * Simulates, sends and waits for a contract call. Reverts (in simulation or on chain) are thrown as
 * typed {@link NexError}s.
 */
export async function sendContractTx<const abi extends Abi, functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>>(
  client: NexClient,
  action: string,
  call: {
    address: `0x${string}`;
    abi: abi;
    functionName: functionName;
    args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>;
    value?: bigint | undefined;
  },
): Promise<SentTransaction> {
  const wallet = client.wallet;
  if (!wallet) throw new NoAccountError(action);
  try {
    const { request } = await client.public.simulateContract({
      ...(call as never as Parameters<typeof client.public.simulateContract>[0]),
      account: wallet.account,
    });
    const hash = await wallet.writeContract(request as never);
    const receipt = await client.public.waitForTransactionReceipt({ hash, pollingInterval: client.pollingIntervalMs });
    if (receipt.status !== 'success') throw new Error(`${action}: transaction ${hash} reverted`);
    return { hash, receipt };
  } catch (err) {
    throw toNexError(err);
  }
}
