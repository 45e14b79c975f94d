// Errors of distributed proving. QueueJobFailedError is a JobFailedError, so callers that handle the
// in-process engine's failures handle these too; it adds the slots at stake. A leaf that fails for its
// inputs is not one of these: the orchestrator reports it as the scheduler does (SlotsFailedError), and
// the engine excludes its bad slot and plans again.
import { NexError } from '../../protocol/index.js';
import { JobFailedError } from '../scheduler.js';

export interface QueueJobFailure {
  /** The plan job where the failure started (not the ancestors it failed with). */
  jobId: string;
  circuit: string;
  /** Included slots under that job: for a leaf, its slots. */
  slots: number[];
  /** Attempts made before giving up. */
  attempts: number;
  /** The worker's error message, or why the orchestrator rejected the worker's result. */
  reason: string;
  /** 'failed': the job failed on its workers; 'invalid-result': a worker returned a proof that did not check. */
  kind: 'failed' | 'invalid-result';
}

/** A job of the flow failed for good (after its retries), or a worker returned a proof that does not check. */
export class QueueJobFailedError extends JobFailedError {
  override readonly name = 'QueueJobFailedError';
  readonly failure: QueueJobFailure;

  constructor(failure: QueueJobFailure, options?: { cause?: unknown }) {
    const where =
      failure.slots.length === 1
        ? `slot ${failure.slots[0]}`
        : failure.slots.length > 1
          ? `slots ${failure.slots.join(', ')}`
          : 'no included slot';
    super(
      failure.jobId,
      `job ${failure.jobId} (${failure.circuit}, ${where}) ${failure.kind === 'failed' ? `failed after ${failure.attempts} attempt(s)` : 'returned an invalid proof'}: ${failure.reason}`,
      { cause: options?.cause, retryable: true },
    );
    this.failure = failure;
  }

  /** Included slots under the failed job. */
  get slots(): number[] {
    return this.failure.slots;
  }
}

/** A flow from an earlier run failed and some of its jobs are still held by workers. */
export class FlowBusyError extends NexError {
  override readonly name = 'FlowBusyError';
}
