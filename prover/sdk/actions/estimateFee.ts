import type { NexClient } from '../client.js';
import { getParams, type MarketParams } from './getParams.js';

/**
 * Gas a prover spends per batch on L1, used for the suggested fee: verifying the aggregated proof with
 * the deployed default (bb's optimized verifier, about 1.0M gas for the 2^21 root circuit) plus locking
 * the batch and the fulfilment's fixed bookkeeping. A deployment with the standard verifier (about 4.4M
 * gas per verify) should pass `batchL1Gas: STANDARD_VERIFIER_BATCH_L1_GAS`.
 */
export const BATCH_L1_GAS = 1_200_000n;
/** {@link BATCH_L1_GAS} for a deployment of bb's standard verifier. */
export const STANDARD_VERIFIER_BATCH_L1_GAS = 4_500_000n;
/** Market bookkeeping a fulfilment costs per included proof (the contracts' target is <= 15k). */
export const PER_PROOF_L1_GAS = 15_000n;

export interface EstimateFeeParameters {
  /** Proofs that will share a batch with yours; default: the market's batch capacity (a full batch). */
  batchSize?: number | undefined;
  /** Margin over the prover's L1 cost in basis points; default 5000 (+50 %) to cover proving compute. */
  marginBps?: number | undefined;
  /** Gas price to assume; default: the node's current gas price. */
  gasPrice?: bigint | undefined;
  /** A prover's fixed L1 gas per batch (verify + lock + bookkeeping); default {@link BATCH_L1_GAS}. */
  batchL1Gas?: bigint | undefined;
}

export interface FeeEstimate {
  /** The market's floor: a submission with less reverts. */
  readonly minFeePerProof: bigint;
  /** The prover's L1 gas cost share per proof at `batchSize`. */
  readonly l1CostPerProof: bigint;
  /** max(minFeePerProof, l1CostPerProof x (1 + margin)): a fee provers are expected to take. */
  readonly suggestedFee: bigint;
  readonly gasPrice: bigint;
  readonly batchSize: number;
}

/** Pure part of {@link estimateFee}, for callers that already hold the params. */
export function computeFee(params: MarketParams, gasPrice: bigint, opts: EstimateFeeParameters = {}): FeeEstimate {
  const batchSize = opts.batchSize ?? params.batchCapacity;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > params.batchCapacity) {
    throw new RangeError(`batchSize must be in 1..${params.batchCapacity}, got ${batchSize}`);
  }
  const marginBps = BigInt(opts.marginBps ?? 5_000);
  const n = BigInt(batchSize);
  const batchL1Gas = opts.batchL1Gas ?? BATCH_L1_GAS;
  if (batchL1Gas <= 0n) throw new RangeError(`batchL1Gas must be positive, got ${batchL1Gas}`);
  const l1CostPerProof = (gasPrice * (batchL1Gas + PER_PROOF_L1_GAS * n) + n - 1n) / n;
  // The protocol fee is taken from what the prover receives: gross up so the prover nets the cost.
  const afterProtocol = 10_000n - BigInt(params.protocolFeeBps);
  const withMargin = (l1CostPerProof * (10_000n + marginBps) * 10_000n) / (10_000n * afterProtocol);
  const suggestedFee = withMargin > params.minFeePerProof ? withMargin : params.minFeePerProof;
  return { minFeePerProof: params.minFeePerProof, l1CostPerProof, suggestedFee, gasPrice, batchSize };
}

/**
 * Estimates the fee per proof: the market's minimum and a suggested fee that covers a prover's L1 gas
 * share at the current gas price plus a margin.
 */
export async function estimateFee(client: NexClient, opts: EstimateFeeParameters = {}): Promise<FeeEstimate> {
  const [params, gasPrice] = await Promise.all([getParams(client), opts.gasPrice ?? client.public.getGasPrice()]);
  return computeFee(params, gasPrice, opts);
}

export interface LatencyEstimate {
  /** Longest wait for the batch to seal (batchTimeout; a full batch seals at once). */
  readonly sealWithinSec: number;
  /** The assigned prover's exclusive window to lock. */
  readonly assignmentWindowSec: number;
  /** Proving window of a full batch: the locker must fulfil within it. */
  readonly provingWindowSec: number;
  /** seal + assignment + proving: when an honest assigned prover has verified the batch at the latest. */
  readonly expectedMaxSec: number;
  /** Adds the secondary window: a stalled locker is replaced by another prover within it. */
  readonly worstCaseSec: number;
  /** After this, an unverified submission can be refunded. */
  readonly refundableAfterSec: number;
}

/** Pure part of {@link estimateLatency}. */
export function computeLatency(params: MarketParams, batchSize?: number): LatencyEstimate {
  const size = batchSize ?? params.batchCapacity;
  const provingWindowSec = params.provingWindowBase + params.provingWindowPerProof * size;
  const expectedMaxSec = params.batchTimeout + params.assignmentWindow + provingWindowSec;
  return {
    sealWithinSec: params.batchTimeout,
    assignmentWindowSec: params.assignmentWindow,
    provingWindowSec,
    expectedMaxSec,
    worstCaseSec: expectedMaxSec + params.secondaryWindow,
    refundableAfterSec: params.submissionTtl,
  };
}

/** Upper bounds on the time from submission to verification, from the market's parameters. */
export async function estimateLatency(client: NexClient, batchSize?: number): Promise<LatencyEstimate> {
  return computeLatency(await getParams(client), batchSize);
}
