/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped at `maxMs`. */
export class Backoff {
  #failures = 0;
  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 30_000,
  ) {}

  get failures(): number {
    return this.#failures;
  }

  /** Delay before the next attempt after a failure. */
  fail(): number {
    this.#failures++;
    const exp = Math.min(this.maxMs, this.baseMs * 2 ** (this.#failures - 1));
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }

  reset(): void {
    this.#failures = 0;
  }
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
