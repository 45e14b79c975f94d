/**
 * Cleanup for the demo: every process it starts registers a stop function here. They run in reverse
 * order on success, on errors and on SIGINT/SIGTERM, each at most once.
 */
export type StopFn = () => Promise<void>;

export class Cleanup {
  readonly #stops: { name: string; stop: StopFn }[] = [];
  #running: Promise<void> | undefined;
  #signal: NodeJS.Signals | undefined;

  /** The signal that interrupted the run, if one did. */
  get signal(): NodeJS.Signals | undefined {
    return this.#signal;
  }

  /** Registers a stop function; returns a function that unregisters it (after a normal stop). */
  add(name: string, stop: StopFn): () => void {
    const entry = { name, stop };
    this.#stops.push(entry);
    return () => {
      const i = this.#stops.indexOf(entry);
      if (i >= 0) this.#stops.splice(i, 1);
    };
  }

  /** Runs every registered stop function (last registered first); errors are reported, not thrown. */
  run(report: (msg: string) => void = () => undefined): Promise<void> {
    this.#running ??= (async () => {
      while (this.#stops.length > 0) {
        const { name, stop } = this.#stops.pop()!;
        try {
          await stop();
        } catch (err) {
          report(`cleanup of ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.#running;
  }

  /**
   * Runs the cleanup then exits with 130 (SIGINT) or 143 (SIGTERM) when the process is interrupted.
   * A second signal while cleaning up is ignored; the cleanup itself ends with SIGKILLs.
   */
  onSignals(report: (msg: string) => void): () => void {
    const handler = (sig: NodeJS.Signals): void => {
      this.#signal = sig;
      report(`\n${sig} received: stopping the demo's processes…`);
      void this.run(report).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    };
    const swallow = (): void => undefined;
    const first = (sig: NodeJS.Signals): void => {
      process.removeListener('SIGINT', first);
      process.removeListener('SIGTERM', first);
      process.on('SIGINT', swallow);
      process.on('SIGTERM', swallow);
      handler(sig);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
    return () => {
      process.removeListener('SIGINT', first);
      process.removeListener('SIGTERM', first);
      process.removeListener('SIGINT', swallow);
      process.removeListener('SIGTERM', swallow);
    };
  }
}

/** Sends a signal to a whole process group; false when it no longer exists. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
