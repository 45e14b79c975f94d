/**
 * Progress output of the demo: one line per stage, on the shared progress line (prover/telemetry, cli-progress).
 * On a terminal the running stage shows a spinner with its elapsed time (and a bar when the stage knows
 * its total); elsewhere (CI logs) a line when the stage starts, one per new detail and one every 15 s.
 */
import { progressLine, type ProgressLine, type ProgressStream, type ProgressView } from '../telemetry/index.js';

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

interface Stage {
  readonly label: string;
  readonly start: number;
  detail: string;
  fraction?: number | undefined;
  line?: ProgressLine;
}

export function createProgress(out: ProgressStream = process.stdout, opts: { tty?: boolean; heartbeatMs?: number } = {}): Progress {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  let current: Stage | undefined;

  const text = (s: Stage, view: ProgressView): string => {
    const b = s.fraction !== undefined ? ` [${view.bar(s.fraction)}]` : '';
    return `${s.label}${b} ${formatMs(Date.now() - s.start)}${s.detail ? ` · ${s.detail}` : ''}`;
  };
  const finish = (s: Stage, ok: boolean, note?: string): number => {
    const ms = Date.now() - s.start;
    s.line?.stop(`${ok ? '✔' : '✖'} ${s.label} (${formatMs(ms)})${note ? ` · ${note}` : ''}`);
    if (current === s) current = undefined;
    return ms;
  };

  return {
    stage(label) {
      if (current) finish(current, true);
      const start = Date.now();
      const s: Stage = { label, start, detail: '' };
      const line = progressLine({
        stream: out,
        ...(opts.tty === undefined ? {} : { tty: opts.tty }),
        heartbeat: true,
        intervalMs: heartbeatMs,
        render: (view) =>
          view.tty ? `${FRAMES[Math.floor((Date.now() - start) / 100) % FRAMES.length]} ${text(s, view)}` : `  … ${text(s, view)}`,
      });
      s.line = line;
      current = s;
      line.update({ force: true, plain: `… ${label}` });
      return {
        update(detail, fraction) {
          if (current !== s) return;
          const changed = detail !== s.detail;
          s.detail = detail;
          s.fraction = fraction;
          if (changed) line.update({ force: true, plain: `  · ${detail}` });
        },
        done: (note) => (current === s ? finish(s, true, note) : 0),
        fail: (note) => (current === s ? finish(s, false, note) : 0),
      };
    },
    info(text) {
      if (current?.line) current.line.print(text);
      else out.write(`${text}\n`);
    },
    close() {
      current?.line?.stop('');
      current = undefined;
    },
  };
}
