/**
 * The version-2 market's parameters: `IAggregationMarketTypes.Params`, what the market's constructor
 * and `setParams` take and what `params()` returns. One definition for every consumer (deploy, SDK,
 * keeper, explorer); a type-level check below keeps it equal to the generated ABI's struct.
 */
import type { ContractFunctionReturnType } from 'viem';
import type { aggregationMarketAbi } from '../abi/generated.js';

export interface MarketParams {
  /** Lowest fee per statement, in wei. */
  readonly minFeePerProof: bigint;
  /** Capacity of new calldata and blob batches: a power of two, 4..64. */
  readonly batchCapacity: number;
  /** Seconds an open batch waits for statements before it seals. */
  readonly batchTimeout: number;
  /** Seconds after the draw's block during which only the assigned prover may lock. */
  readonly assignmentWindow: number;
  /** Proving window of a lock: base seconds plus seconds per statement. */
  readonly provingWindowBase: number;
  readonly provingWindowPerProof: number;
  /** uint16: the late-fulfilment window after the lock deadline. */
  readonly secondaryWindow: number;
  /** Seconds a statement may wait for a lock before its batch can be released. */
  readonly submissionTtl: number;
  /** NEX wei of collateral per statement; a multiple of 1 gwei. */
  readonly collateralPerProof: bigint;
  /** Protocol's share of verified fees. */
  readonly protocolFeeBps: number;
  /** Share of verified fees credited to the poster of an off-chain batch; protocol + poster <= 5,000. */
  readonly posterFeeBps: number;
  /** Bound on a program's callback gas (<= 500,000). */
  readonly maxCallbackGas: number;
  /** Notice between requestWithdrawal and withdraw of an off-chain deposit; must exceed maxJobLifetime. */
  readonly withdrawalDelay: number;
}

type AbiParams = ContractFunctionReturnType<typeof aggregationMarketAbi, 'view', 'params'>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when the contract's Params struct and MarketParams drift apart. */
export const MARKET_PARAMS_MATCH_ABI: Same<{ -readonly [K in keyof MarketParams]: MarketParams[K] }, AbiParams> = true;
