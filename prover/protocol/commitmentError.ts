/**
 * Thrown when a value does not follow the commitment format: a word that is not 32 bytes, a field
 * element not below r, a capacity, slot, height or submission id out of range. It is a RangeError, so
 * callers that caught the RangeError of the older helpers keep working.
 */
export class CommitmentError extends RangeError {
  override readonly name = 'CommitmentError';
}
