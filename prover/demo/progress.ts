/**
 * Progress output of the demo: one line per stage. On a terminal the running stage shows a spinner with
 * its elapsed time (and a bar when the stage knows its total); elsewhere (CI logs) a line every 15 s.
 */
export interface StageHandle {
  /** Replaces the detail text shown after the stage label. */
  update(detail: string, fraction?: number): void;
  /** Ends the stage successfully; returns its duration in ms. */
  done(note?: string): number;
  /** Ends the stage as failed (the error itself is reported by the caller). */
  fail(note?: string): number;
}

export interface Progress {
  stage(label: string): StageHandle;
  /** A plain line between stages. */
  info(line: string): void;
  /** Stops any running spinner (on errors and signals). */
  close(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = ms / 1_000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

function bar(fraction: number, width = 20): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

export function createProgress(out: NodeJS.WriteStream = process.stdout, opts: { tty?: boolean; heartbeatMs?: number } = {}): Progress {
  const tty = opts.tty ?? Boolean(out.isTTY);
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  let current: { label: string; start: number; detail: string; fraction?: number | undefined } | undefined;
  let frame = 0;

  const line = (): string => {
    if (!current) return '';
    const elapsed = formatMs(Date.now() - current.start);
    const b = current.fraction !== undefined ? ` ${bar(current.fraction)}` : '';
    return `${current.label}${b} ${elapsed}${current.detail ? ` · ${current.detail}` : ''}`;
  };
  const clear = (): void => {
    if (tty) out.write('\r\x1b[2K');
  };
  const stopTimer = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const finish = (ok: boolean, note?: string): number => {
    if (!current) return 0;
    const ms = Date.now() - current.start;
    stopTimer();
    clear();
    out.write(`${ok ? '✔' : '✖'} ${current.label} (${formatMs(ms)})${note ? ` · ${note}` : ''}\n`);
    current = undefined;
    return ms;
  };

  return {
    stage(label) {
      if (current) finish(true);
      current = { label, start: Date.now(), detail: '' };
      if (tty) {
        timer = setInterval(() => {
          frame = (frame + 1) % FRAMES.length;
          clear();
          out.write(`${FRAMES[frame]} ${line()}`);
        }, 100);
      } else {
        out.write(`… ${label}\n`);
        timer = setInterval(() => out.write(`  … ${line()}\n`), heartbeatMs);
      }
      timer.unref();
      const mine = current;
      return {
        update(detail, fraction) {
          if (current !== mine) return;
          const changed = detail !== mine.detail;
          mine.detail = detail;
          mine.fraction = fraction;
          if (!tty && changed) out.write(`  · ${detail}\n`);
        },
        done: (note) => (current === mine ? finish(true, note) : 0),
        fail: (note) => (current === mine ? finish(false, note) : 0),
      };
    },
    info(text) {
      clear();
      out.write(`${text}\n`);
    },
    close() {
      stopTimer();
      if (current) clear();
      current = undefined;
    },
  };
}
