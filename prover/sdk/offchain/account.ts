/** The off-chain channel's deposit account in the market: deposit, two-step withdrawal, reads. */
import type { Address, Hash } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import type { NexClient } from '../client.js';
import { NexError, NoAccountError } from '../errors.js';
import { sendContractTx } from '../actions/internal.js';

/** A payer's deposit account (IAggregationMarket.Account). */
export interface DepositAccount {
  /** Wei of deposit not reserved by a batch. */
  readonly balance: bigint;
  /** The lowest nonce a request may still use. */
  readonly nonce: bigint;
  /** When the pending withdrawal may be executed (unix seconds; 0: none). */
  readonly withdrawableAt: number;
  readonly pendingWithdrawal: bigint;
  /** What a relay counts as spendable: balance minus the pending withdrawal. */
  readonly free: bigint;
}

function accountOf(client: NexClient, account: Address | undefined, action: string): Address {
  const who = account ?? client.wallet?.account.address;
  if (!who) throw new NoAccountError(action);
  return who;
}

/** Reads a payer's deposit account (default: the client's account). */
export async function getAccount(client: NexClient, account?: Address): Promise<DepositAccount> {
  const a = await client.public.readContract({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'getAccount',
    args: [accountOf(client, account, 'getAccount')],
  });
  const free = a.balance > a.pendingWithdrawal ? a.balance - a.pendingWithdrawal : 0n;
  return { balance: a.balance, nonce: a.nonce, withdrawableAt: a.withdrawableAt, pendingWithdrawal: a.pendingWithdrawal, free };
}

/** Deposits `amount` wei for off-chain requests. */
export async function deposit(client: NexClient, amount: bigint): Promise<{ txHash: Hash; balance: bigint }> {
  if (amount <= 0n) throw new NexError(`deposit amount must be positive, got ${amount}`);
  const { hash } = await sendContractTx(client, 'deposit', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'deposit',
    args: [],
    value: amount,
  });
  return { txHash: hash, balance: (await getAccount(client)).balance };
}

/**
 * Announces a withdrawal of `amount` wei; it can be executed with {@link withdraw} after the market's
 * `withdrawalDelay` (so that relays holding accepted requests can still post them).
 */
export async function requestWithdrawal(client: NexClient, amount: bigint): Promise<{ txHash: Hash; withdrawableAt: number }> {
  const { hash } = await sendContractTx(client, 'requestWithdrawal', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'requestWithdrawal',
    args: [amount],
  });
  return { txHash: hash, withdrawableAt: (await getAccount(client)).withdrawableAt };
}

/** Executes the pending withdrawal (after its notice); returns the wei sent. */
export async function withdraw(client: NexClient): Promise<{ txHash: Hash; amount: bigint }> {
  const before = await getAccount(client);
  if (before.withdrawableAt === 0) throw new NexError('no withdrawal requested: call requestWithdrawal first');
  const { hash, receipt } = await sendContractTx(client, 'withdraw', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'withdraw',
    args: [],
  });
  const after = await getAccount(client, receipt.from);
  return { txHash: hash, amount: before.balance - after.balance };
}
