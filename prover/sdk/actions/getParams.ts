import { aggregationMarketAbi } from '../../abi/v1.js';
import type { NexClient } from '../client.js';

/** The market's parameters (see market-api.md `Params`). Times in seconds, fees in wei. */
export interface MarketParams {
  readonly minFeePerProof: bigint;
  readonly batchCapacity: number;
  readonly batchTimeout: number;
  readonly assignmentWindow: number;
  readonly provingWindowBase: number;
  readonly provingWindowPerProof: number;
  readonly secondaryWindow: number;
  readonly submissionTtl: number;
  readonly collateralPerProof: bigint;
  readonly protocolFeeBps: number;
  readonly callbackGasLimit: number;
}

/** Reads the market's current parameters. */
export async function getParams(client: NexClient): Promise<MarketParams> {
  return client.public.readContract({ address: client.addresses.market, abi: aggregationMarketAbi, functionName: 'params' });
}
