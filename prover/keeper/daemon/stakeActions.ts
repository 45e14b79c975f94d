import { encodeFunctionData, maxUint256 } from 'viem';
import { aggregationMarketAbi, nexTokenAbi, proverStakingAbi } from '../../abi/v1.js';
import type { TxPurpose } from '../db/txPurposes.js';
import type { TxOutcome } from '../tx/txManager.js';
import type { KeeperContext } from './context.js';

async function sendAndWait(ctx: KeeperContext, purpose: TxPurpose, to: `0x${string}`, data: `0x${string}`): Promise<TxOutcome> {
  const tx = await ctx.tm.send({ purpose, to, data });
  const out = await ctx.tm.wait(tx.id);
  if (out.status !== 'mined') throw new Error(`${purpose} transaction ${out.status} (nonce ${tx.nonce})`);
  return out;
}

/** Approves the staking contract (if needed) and stakes `amount` NEX wei for the signing account. */
export async function stake(ctx: KeeperContext, amount: bigint): Promise<TxOutcome> {
  const { client, addresses, account } = ctx;
  const allowance = await client.readContract({
    address: addresses.token,
    abi: nexTokenAbi,
    functionName: 'allowance',
    args: [account, addresses.staking],
  });
  if (allowance < amount) {
    await sendAndWait(
      ctx,
      'approve',
      addresses.token,
      encodeFunctionData({ abi: nexTokenAbi, functionName: 'approve', args: [addresses.staking, maxUint256] }),
    );
  }
  return sendAndWait(ctx, 'stake', addresses.staking, encodeFunctionData({ abi: proverStakingAbi, functionName: 'stake', args: [amount] }));
}

/** Queues `amount` NEX wei for unstaking (withdrawable after the unbonding period). */
export function requestUnstake(ctx: KeeperContext, amount: bigint): Promise<TxOutcome> {
  return sendAndWait(
    ctx,
    'unstake',
    ctx.addresses.staking,
    encodeFunctionData({ abi: proverStakingAbi, functionName: 'requestUnstake', args: [amount] }),
  );
}

/** Withdraws up to `maxEntries` unlocked unstake entries. */
export function withdraw(ctx: KeeperContext, maxEntries: bigint): Promise<TxOutcome> {
  return sendAndWait(
    ctx,
    'withdraw',
    ctx.addresses.staking,
    encodeFunctionData({ abi: proverStakingAbi, functionName: 'withdraw', args: [maxEntries] }),
  );
}

/** Claims the ETH earnings of the signing account from the market. */
export function claimEarnings(ctx: KeeperContext): Promise<TxOutcome> {
  return sendAndWait(
    ctx,
    'claim',
    ctx.addresses.market,
    encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'claimEarnings', args: [] }),
  );
}
