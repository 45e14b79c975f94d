/**
 * The base of every error the NEX TypeScript code throws on purpose, in the style of viem's `BaseError`:
 * a one-line `shortMessage`, optional `metaMessages` (lines that explain it) and `details` (what to do
 * about it), the `cause` it wraps, and a stable `name` per subclass that callers and tests can rely on.
 * Contract reverts are decoded by ./revert.ts.
 */

export interface NexErrorOptions {
  /** Extra lines that explain the error or what to do about it (after the meta messages). */
  details?: string | undefined;
  /** The error this one wraps (kept as the standard `cause`). */
  cause?: unknown;
  /** Lines that describe the error further (e.g. the decoded revert), shown after the short message. */
  metaMessages?: readonly string[] | undefined;
}

/**
 * Base class of the NEX errors. `message` is the short message followed by the meta messages and the
 * details, one per line (so an error without either has `message === shortMessage`).
 */
export class NexError extends Error {
  override name: string = 'NexError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: readonly string[] | undefined;

  constructor(shortMessage: string, options: NexErrorOptions = {}) {
    const lines = [shortMessage, ...(options.metaMessages ?? []), ...(options.details ? [options.details] : [])];
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.metaMessages = options.metaMessages;
  }

  /** Follows the cause chain and returns the deepest error (or the first one `fn` accepts). */
  walk(fn?: (err: unknown) => boolean): unknown {
    return walkCauses(this, fn);
  }
}

/**
 * Follows `err.cause` from `err` (any error: NEX, viem, node) and returns the first error `fn` accepts,
 * or, without `fn`, the deepest one. Returns undefined when `fn` accepts none.
 */
export function walkCauses(err: unknown, fn?: (err: unknown) => boolean): unknown {
  let e: unknown = err;
  for (let depth = 0; depth < 32; depth++) {
    if (fn?.(e)) return e;
    const cause = typeof e === 'object' && e !== null ? (e as { cause?: unknown }).cause : undefined;
    if (cause === undefined) break;
    e = cause;
  }
  return fn ? undefined : e;
}
