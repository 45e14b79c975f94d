// A proving backend that can be replaced: the engine's own bb (pre-check, root verification) is opened
// lazily and, when it fails to answer, closed and opened again. `withBackendRetry` runs one bb call with
// a time limit and bounded retries; only bb's failure to answer is retried, never its verdict.
import { NexError } from '../protocol/index.js';
import type { ProvingBackend } from './backend.js';
import { isBbVerdictError } from './circuits/bb.js';
import type { Logger } from './logger.js';

/** bb kept failing to answer (its process died, its socket closed, a call timed out) after every retry. */
export class BackendUnavailableError extends NexError {
  override readonly name = 'BackendUnavailableError';
  constructor(
    readonly operation: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`bb failed to answer ${operation} ${attempts} time(s)${cause}`, {
      ...options,
      details: 'nothing was excluded; retry later (the keeper does)',
    });
  }
}

/** A bb call that did not answer within its time limit. */
export class BackendTimeoutError extends NexError {
  override readonly name = 'BackendTimeoutError';
}

/** The backend of a session: opened on first use, replaced after bb failed. */
export interface BackendHandle<B = ProvingBackend> {
  get(): Promise<B>;
  /** Closes the current backend (a stuck bb is killed) so the next get() opens a fresh one. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

type Closable = { close(): Promise<void>; bbPid?(): number | undefined };

/** A handle over `open` (e.g. `() => openBackend(options)`). */
export function backendHandle<B extends Closable>(open: () => Promise<B>): BackendHandle<B> {
  let current: Promise<B> | undefined;
  const drop = async (): Promise<void> => {
    const b = current;
    current = undefined;
    if (!b) return;
    const backend = await b.catch(() => undefined);
    if (!backend) return;
    const pid = backend.bbPid?.();
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await backend.close().catch(() => undefined);
  };
  return {
    get() {
      current ??= open();
      const c = current;
      c.catch(() => {
        if (current === c) current = undefined;
      });
      return c;
    },
    reset: drop,
    close: drop,
  };
}

export interface RetryPolicy {
  /** Tries of one call (>= 1). Default 3. */
  attempts: number;
  /** Time limit of one try, in ms. Default 120 s (a verification takes milliseconds; bb's start-up a few seconds). */
  timeoutMs: number;
  /** Pause before a retry, in ms. Default 1 s. */
  delayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, timeoutMs: 120_000, delayMs: 1_000 };

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BackendTimeoutError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * Runs `call` on the handle's backend. A verdict (a return value, or bb refusing the input:
 * BBApiException) is returned or thrown as is. Any other failure (bb died, its socket closed, the call
 * timed out) resets the backend and retries, up to `policy.attempts` tries in all; then
 * BackendUnavailableError.
 */
export async function withBackendRetry<B, T>(
  handle: BackendHandle<B>,
  operation: string,
  call: (b: B) => Promise<T>,
  policy: RetryPolicy,
  logger: Logger,
): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      const b = await withTimeout(handle.get(), policy.timeoutMs, `bb start for ${operation}`);
      return await withTimeout(call(b), policy.timeoutMs, operation);
    } catch (err) {
      if (isBbVerdictError(err)) throw err;
      last = err;
      logger.log('warn', 'bb failed to answer; restarting it', {
        operation,
        attempt,
        attempts: policy.attempts,
        error: (err as Error).message,
      });
      await handle.reset();
      if (attempt < policy.attempts) await new Promise((r) => setTimeout(r, policy.delayMs));
    }
  }
  throw new BackendUnavailableError(operation, policy.attempts, { cause: last });
}
