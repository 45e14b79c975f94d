import type { PublicClient } from 'viem';
import type { GasPolicy } from '../config/config.js';

export interface Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** Current EIP-1559 fees from the node, capped by the gas policy. */
export async function currentFees(client: PublicClient, policy: GasPolicy): Promise<Fees & { capped: boolean; baseFee: bigint }> {
  const block = await client.getBlock({ blockTag: 'latest' });
  const baseFee = block.baseFeePerGas ?? 0n;
  const suggested = await client.request({ method: 'eth_maxPriorityFeePerGas' }).then(BigInt, () => 1_000_000_000n);
  const tip = min(suggested, policy.maxPriorityFeePerGas);
  // Twice the base fee survives six full blocks of base-fee increases (viem's default too).
  const wanted = baseFee * 2n + tip;
  const fee = min(wanted, policy.maxFeePerGas);
  return { maxFeePerGas: fee, maxPriorityFeePerGas: min(tip, fee), capped: wanted > policy.maxFeePerGas, baseFee };
}

/**
 * Fees for a replacement of `prev`: at least `bumpPercent` more on both fields (nodes require
 * +10%), at least the current market fees, never above the caps. Returns undefined when the
 * caps leave no valid replacement.
 */
export function bumpedFees(prev: Fees, current: Fees, policy: GasPolicy): Fees | undefined {
  const bump = (v: bigint): bigint => (v * BigInt(100 + policy.bumpPercent) + 99n) / 100n;
  const tip = min(max(bump(prev.maxPriorityFeePerGas), current.maxPriorityFeePerGas), policy.maxPriorityFeePerGas);
  const fee = min(max(bump(prev.maxFeePerGas), current.maxFeePerGas, tip), policy.maxFeePerGas);
  const minTip = (prev.maxPriorityFeePerGas * 110n + 99n) / 100n;
  const minFee = (prev.maxFeePerGas * 110n + 99n) / 100n;
  if (tip < minTip || fee < minFee) return undefined;
  return { maxFeePerGas: fee, maxPriorityFeePerGas: tip };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
function max(...v: bigint[]): bigint {
  return v.reduce((a, b) => (a > b ? a : b));
}
