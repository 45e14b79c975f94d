import { NexError } from './errors.js';

/**
 * Thrown when a value does not follow the commitment format: a word that is not 32 bytes, a field
 * element not below r, a capacity, slot, height or submission id out of range.
 */
export class CommitmentError extends NexError {
  override readonly name = 'CommitmentError';
}
