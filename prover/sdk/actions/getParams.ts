import { aggregationMarketAbi, verifierRouterAbi } from '../../abi/generated.js';
import type { NexClient } from '../client.js';

/** The market's parameters (IAggregationMarket `Params`) and the router's current proof length. Times in seconds, fees in wei. */
export interface MarketParams {
  readonly minFeePerProof: bigint;
  /** Capacity of new calldata/blob batches. */
  readonly batchCapacity: number;
  readonly batchTimeout: number;
  readonly assignmentWindow: number;
  readonly provingWindowBase: number;
  readonly provingWindowPerProof: number;
  readonly secondaryWindow: number;
  readonly submissionTtl: number;
  readonly collateralPerProof: bigint;
  readonly protocolFeeBps: number;
  readonly posterFeeBps: number;
  readonly maxCallbackGas: number;
  readonly withdrawalDelay: number;
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
