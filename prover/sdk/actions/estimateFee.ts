import type { NexClient } from '../client.js';
import { NexError } from '../errors.js';
import { allInGasPerProof, channelGasModel, type Channel } from '../feeTable.js';
import { getParams, type MarketParams } from './getParams.js';

export interface EstimateFeeParameters {
  /** The channel the proofs go through (default calldata). */
  channel?: Channel | undefined;
  /**
   * Statements that will share the batch; default: the market's batch capacity for calldata/blob batches,
   * 32 for posted batches (a relay's batch).
   */
  batchSize?: number | undefined;
  /** The program's callback gas per statement (from getProgram): the fulfiller pays it, the fee covers it. */
  callbackGas?: number | bigint | undefined;
  /** Margin over the prover's L1 cost in basis points; default 5000 (+50 %) to cover proving compute. */
  marginBps?: number | undefined;
  /** Gas price to assume; default: the node's current gas price. */
  gasPrice?: bigint | undefined;
}

export interface FeeEstimate {
  readonly channel: Channel;
  readonly batchSize: number;
  readonly gasPrice: bigint;
  /** The market's floor: a statement with less reverts (or is skipped when posted). */
  readonly minFeePerProof: bigint;
  /** All-in L1 gas per proof (intake, lock, fulfil, root verify) at this batch size: the figure to compare channels. */
  readonly allInGasPerProof: number;
  /** Gas the fee pays for: the batch's fixed gas divided by the batch size, plus the callback gas. */
  readonly feeGasPerProof: number;
  /** Gas the submitter pays itself per proof (its transaction's intake; for off-chain: the poster's, inside the fee). */
  readonly intakeGasPerProof: number;
  /** max(minFeePerProof, feeGas x gasPrice x (1 + margin), grossed up for the protocol's and poster's shares). */
  readonly suggestedFee: bigint;
}

/** Pure part of {@link estimateFee}, for callers that already hold the params. */
export function computeFee(params: MarketParams, gasPrice: bigint, opts: EstimateFeeParameters = {}): FeeEstimate {
  const channel = opts.channel ?? 'calldata';
  const batchSize = opts.batchSize ?? (channel === 'offchain' ? 32 : params.batchCapacity);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 64) {
    throw new NexError(`batchSize must be an integer in 1..64, got ${batchSize}`);
  }
  if (channel !== 'offchain' && batchSize > params.batchCapacity) {
    throw new NexError(`batchSize ${batchSize} exceeds the market's batch capacity ${params.batchCapacity}`);
  }
  const callbackGas = Number(opts.callbackGas ?? 0);
  if (!Number.isInteger(callbackGas) || callbackGas < 0)
    throw new NexError(`callbackGas must be a non-negative integer, got ${callbackGas}`);
  const model = channelGasModel(channel);
  // The off-chain channel's fixed part includes the post: the poster is paid from the fee too.
  const feeGasPerProof = Math.ceil(model.fixedPerBatch / batchSize) + callbackGas;
  const intakeGasPerProof = Math.ceil(model.perProof);
  const marginBps = BigInt(opts.marginBps ?? 5_000);
  const shares = BigInt(params.protocolFeeBps) + (channel === 'offchain' ? BigInt(params.posterFeeBps) : 0n);
  const cost = gasPrice * BigInt(feeGasPerProof + (channel === 'offchain' ? intakeGasPerProof : 0));
  // Protocol (and poster) shares come out of what the prover receives: gross up so the prover nets cost + margin.
  const withMargin = (cost * (10_000n + marginBps) + (10_000n - shares) - 1n) / (10_000n - shares);
  const suggestedFee = withMargin > params.minFeePerProof ? withMargin : params.minFeePerProof;
  return {
    channel,
    batchSize,
    gasPrice,
    minFeePerProof: params.minFeePerProof,
    allInGasPerProof: allInGasPerProof(channel, batchSize) + callbackGas,
    feeGasPerProof,
    intakeGasPerProof,
    suggestedFee,
  };
}

/**
 * Suggests a fee per proof for a channel and batch size: the market's floor, the prover's L1 share per
 * proof (bench table in ../feeTable.ts) plus the program's callback gas, at the current gas price plus a margin.
 */
export async function estimateFee(client: NexClient, opts: EstimateFeeParameters = {}): Promise<FeeEstimate> {
  const [params, gasPrice] = await Promise.all([getParams(client), opts.gasPrice ?? client.public.getGasPrice()]);
  return computeFee(params, gasPrice, opts);
}

export interface LatencyEstimate {
  /** Longest wait for a calldata/blob batch to seal (batchTimeout; a full batch seals at once; a post seals at once). */
  readonly sealWithinSec: number;
  /** The drawn prover's exclusive window to lock. */
  readonly assignmentWindowSec: number;
  /** Proving window of the batch: the locker must fulfil within it. */
  readonly provingWindowSec: number;
  /** seal + assignment + proving: when an honest assigned prover has verified the batch at the latest. */
  readonly expectedMaxSec: number;
  /** Adds the secondary window: a stalled locker is replaced by another prover within it. */
  readonly worstCaseSec: number;
  /** After this, an unverified batch can be released and its fees returned. */
  readonly releasableAfterSec: number;
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
    releasableAfterSec: params.submissionTtl,
  };
}

/** Upper bounds on the time from submission to verification, from the market's parameters. */
export async function estimateLatency(client: NexClient, batchSize?: number): Promise<LatencyEstimate> {
  return computeLatency(await getParams(client), batchSize);
}
