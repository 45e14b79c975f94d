/** Submission ids: `batchId * 32 + slot` (docs/protocol.md). */
const MAX_CAPACITY = 32n;

export function batchOf(submissionId: bigint): bigint {
  return submissionId >> 5n;
}

export function slotOf(submissionId: bigint): number {
  return Number(submissionId & 31n);
}

export function submissionIdOf(batchId: bigint, slot: number): bigint {
  if (!Number.isInteger(slot) || slot < 0 || slot >= 32) throw new RangeError(`slot must be in 0..31, got ${slot}`);
  return batchId * MAX_CAPACITY + BigInt(slot);
}
