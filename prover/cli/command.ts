import { NexError } from '../protocol/errors.js';

/** One `nex` sub-command. `run` returns the process exit code. */
export interface Command {
  /** Words that select the command, e.g. ['srs', 'setup']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Usage text printed by `nex help <path>` and on argument errors. */
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}

/** An error whose message is meant for the user as is (no stack trace). */
export class UsageError extends NexError {
  override readonly name = 'UsageError';
}
