import type { Address, Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import type { NexClient } from '../client.js';
import { batchOf, slotOf } from '../../protocol/index.js';

export const BATCH_STATES = ['none', 'open', 'sealed', 'locked', 'fulfilled', 'expired'] as const;
export type BatchStateName = (typeof BATCH_STATES)[number];

export interface BatchInfo {
  readonly batchId: bigint;
  readonly state: BatchStateName;
  readonly capacity: number;
  readonly count: number;
  readonly version: number;
  readonly openedAt: number;
  readonly sealedAt: number;
  readonly assigned: Address;
  readonly locker: Address;
  readonly lockDeadline: number;
  readonly finalDeadline: number;
  readonly includedMask: number;
  readonly refundedMask: number;
  readonly collateral: bigint;
  /** Unix time after which an unfulfilled batch's submissions are refundable. */
  readonly expiry: number;
}

/**
 * Where a submission stands:
 * - `pending`: waiting in a batch that is open, sealed or locked;
 * - `verified`: its proof was aggregated and verified on L1;
 * - `excluded`: the prover excluded it (invalid proof); refundable now;
 * - `expired`: its batch expired unfulfilled; refundable now;
 * - `refunded`: the fee went back to the submitter;
 * - `unknown`: no such submission.
 */
export type SubmissionState = 'pending' | 'verified' | 'excluded' | 'expired' | 'refunded' | 'unknown';

export interface SubmissionStatus {
  readonly submissionId: bigint;
  readonly batchId: bigint;
  readonly slot: number;
  readonly state: SubmissionState;
  readonly refundable: boolean;
  /** Zero once verified or refunded (the market deletes it). */
  readonly digest: Hex;
  readonly batch: BatchInfo;
}

/** Reads a batch with its state decoded and its expiry. */
export async function getBatch(client: NexClient, batchId: bigint): Promise<BatchInfo> {
  const [b, expiry] = await Promise.all([
    client.public.readContract({ address: client.addresses.market, abi: aggregationMarketAbi, functionName: 'getBatch', args: [batchId] }),
    client.public.readContract({
      address: client.addresses.market,
      abi: aggregationMarketAbi,
      functionName: 'batchExpiry',
      args: [batchId],
    }),
  ]);
  return {
    batchId,
    state: BATCH_STATES[b.state] ?? 'none',
    capacity: b.capacity,
    count: b.count,
    version: b.version,
    openedAt: b.openedAt,
    sealedAt: b.sealedAt,
    assigned: b.assigned,
    locker: b.locker,
    lockDeadline: b.lockDeadline,
    finalDeadline: b.finalDeadline,
    includedMask: b.includedMask,
    refundedMask: b.refundedMask,
    collateral: b.collateral,
    expiry: Number(expiry),
  };
}

/** Reads where a submission stands (see {@link SubmissionState}). */
export async function getSubmission(client: NexClient, submissionId: bigint): Promise<SubmissionStatus> {
  const batchId = batchOf(submissionId);
  const slot = slotOf(submissionId);
  const market = { address: client.addresses.market, abi: aggregationMarketAbi } as const;
  const [batch, verified, refundable, digest] = await Promise.all([
    getBatch(client, batchId),
    client.public.readContract({ ...market, functionName: 'isSubmissionVerified', args: [submissionId] }),
    client.public.readContract({ ...market, functionName: 'isRefundable', args: [submissionId] }),
    client.public.readContract({ ...market, functionName: 'digestOf', args: [submissionId] }),
  ]);
  const bit = 1 << slot;
  let state: SubmissionState;
  if (batch.state === 'none' || slot >= batch.count) state = 'unknown';
  else if (verified) state = 'verified';
  else if ((batch.refundedMask & bit) !== 0) state = 'refunded';
  else if (batch.state === 'fulfilled') state = 'excluded';
  else if (refundable) state = 'expired';
  else state = 'pending';
  return { submissionId, batchId, slot, state, refundable, digest, batch };
}

/** True when the statement (program, public inputs) has been verified through the market. */
export async function isVerified(client: NexClient, programId: Hex, publicInputs: readonly Hex[]): Promise<boolean> {
  return client.public.readContract({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'isVerified',
    args: [programId, [...publicInputs]],
  });
}

/** True when this submission was included in a fulfilled batch. */
export async function isSubmissionVerified(client: NexClient, submissionId: bigint): Promise<boolean> {
  return client.public.readContract({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'isSubmissionVerified',
    args: [submissionId],
  });
}
