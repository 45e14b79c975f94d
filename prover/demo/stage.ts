/** How the demo runs its stages: each is timed and shown as one progress line. */
import { formatMs, type Progress } from './progress.js';
import { DemoError, type StageTime } from './types.js';

/** Replaces a running stage's detail text (and its bar, given the done fraction). */
export type Update = (detail: string, fraction?: number) => void;

export class StageRunner {
  readonly times: StageTime[] = [];

  constructor(private readonly progress: Progress) {}

  /** Runs `body` as the stage `stage` shown as `label`; `note` describes its result on the done line. */
  async run<T>(stage: string, label: string, body: (update: Update) => Promise<T>, note?: (v: T) => string): Promise<T> {
    const h = this.progress.stage(label);
    try {
      const v = await body((d, f) => h.update(d, f));
      this.times.push({ stage, ms: h.done(note?.(v)) });
      return v;
    } catch (err) {
      h.fail();
      throw err;
    }
  }
}

/** Polls `f` until it returns a value; throws a DemoError naming `what` after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new DemoError(`timed out after ${formatMs(timeoutMs)} waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function short(a: string): string {
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
}
