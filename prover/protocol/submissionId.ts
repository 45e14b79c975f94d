/**
 * Submission ids: `batchId * 64 + slot` (docs/protocol.md, V2.2). The slot is the low SLOT_BITS bits, the
 * batch id the rest; batch ids start at 1 and are shared by all channels.
 */
import { CommitmentError } from './commitmentError.js';
import { MAX_CAPACITY, SLOT_BITS } from './constants.js';

const SLOT_MASK = BigInt(MAX_CAPACITY - 1);

/** submissionId = batchId * 64 + slot; throws CommitmentError for a slot outside 0..63 or a batch id below 1. */
export function submissionId(batchId: bigint, slot: number): bigint {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_CAPACITY)
    throw new CommitmentError(`invalid slot ${slot} (0..${MAX_CAPACITY - 1})`);
  if (batchId < 1n) throw new CommitmentError(`batch ids start at 1, got ${batchId}`);
  return (batchId << BigInt(SLOT_BITS)) | BigInt(slot);
}

/** The batch of a submission id. */
export function batchOf(id: bigint): bigint {
  return id >> BigInt(SLOT_BITS);
}

/** The slot of a submission id in its batch. */
export function slotOf(id: bigint): number {
  return Number(id & SLOT_MASK);
}

/** The batch and slot of a submission id. */
export function splitSubmissionId(id: bigint): { batchId: bigint; slot: number } {
  return { batchId: batchOf(id), slot: slotOf(id) };
}
