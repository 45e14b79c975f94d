import { parseEventLogs, type Hash } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import type { NexClient } from '../client.js';
import { NexError, NoAccountError } from '../errors.js';
import { sendContractTx } from './internal.js';

export interface ClaimEarningsReturnType {
  readonly amount: bigint;
  readonly txHash: Hash;
}

/** ETH the account can claim from the market: prover fees, or refunds credited by a third party. */
export async function getEarnings(client: NexClient, account?: `0x${string}`): Promise<bigint> {
  const who = account ?? client.wallet?.account.address;
  if (!who) throw new NoAccountError('getEarnings');
  return client.public.readContract({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'earnings',
    args: [who],
  });
}

/**
 * Withdraws the caller's claimable ETH (pull payment). Throws a {@link NexError} when there is nothing to
 * claim instead of spending gas on a reverting transaction.
 */
export async function claimEarnings(client: NexClient): Promise<ClaimEarningsReturnType> {
  const owed = await getEarnings(client);
  if (owed === 0n) throw new NexError('nothing to claim: the market owes this account no ETH');
  const { hash, receipt } = await sendContractTx(client, 'claimEarnings', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'claimEarnings',
    args: [],
  });
  const [event] = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'EarningsClaimed', logs: receipt.logs });
  return { amount: event?.args.amount ?? owed, txHash: hash };
}
