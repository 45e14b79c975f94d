import type { MarketParams as ProtocolMarketParams } from '../../protocol/index.js';
import { aggregationMarketAbi, verifierRouterAbi } from '../../abi/generated.js';
import type { NexClient } from '../client.js';

/**
 * The market's parameters (IAggregationMarket `Params`, prover/protocol's one definition) with the router's
 * current version and proof length. Times in seconds, fees in wei.
 */
export interface MarketParams extends ProtocolMarketParams {
  /** The router's current version. */
  readonly version: number;
  /** Rollup proof length the current version takes (14,656 bytes in version 2). */
  readonly rollupProofBytes: number;
}

/** Reads the market's current parameters and the router's current version. */
export async function getParams(client: NexClient): Promise<MarketParams> {
  const [p, [version, rollupProofBytes]] = await Promise.all([
    client.public.readContract({ address: client.addresses.market, abi: aggregationMarketAbi, functionName: 'params' }),
    client.public.readContract({ address: client.addresses.router, abi: verifierRouterAbi, functionName: 'current' }),
  ]);
  return { ...p, version, rollupProofBytes: Number(rollupProofBytes) };
}
