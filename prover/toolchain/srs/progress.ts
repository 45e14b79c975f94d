import type { SrsProgress } from './dev.js';

export interface ProgressReporterOptions {
  readonly stream?: NodeJS.WriteStream | undefined;
  /** Interval between plain lines when the stream is not a TTY. Default 5 s. */
  readonly lineIntervalMs?: number | undefined;
}

const PHASE_LABEL: Readonly<Record<SrsProgress['phase'], string>> = {
  compile: 'compiling generator',
  generate: 'INSECURE dev SRS',
  check: 'checking points',
  patch: 'patching bb copy',
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Turns SrsProgress events into a progress bar on a TTY (redrawn in place) or, when the stream is
 * not a TTY (CI logs), a plain line at most every lineIntervalMs plus one at the end of each phase.
 */
export function progressReporter(opts: ProgressReporterOptions = {}): { onProgress: (p: SrsProgress) => void; finish: () => void } {
  const stream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const interval = opts.lineIntervalMs ?? 5000;
  let lastLine = -Infinity;
  let drawn = false;
  const onProgress = (p: SrsProgress): void => {
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const pct = `${(frac * 100).toFixed(1).padStart(5)}%`;
    const counts = p.phase === 'generate' ? ` ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} points` : '';
    const eta = p.phase === 'generate' && frac > 0.02 && frac < 1 ? `, ~${seconds((p.elapsedMs / frac) * (1 - frac))} left` : '';
    if (tty) {
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 70));
      const filled = Math.round(frac * width);
      stream.write(`\r\x1b[2K${PHASE_LABEL[p.phase]} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}${counts} ${seconds(p.elapsedMs)}${eta}`);
      drawn = true;
      if (p.done >= p.total) {
        stream.write('\n');
        drawn = false;
      }
      return;
    }
    const end = p.done >= p.total;
    if (!end && p.elapsedMs - lastLine < interval) return;
    lastLine = p.elapsedMs;
    stream.write(`${PHASE_LABEL[p.phase]}: ${pct}${counts}, ${seconds(p.elapsedMs)} elapsed${eta}\n`);
  };
  return {
    onProgress,
    finish: () => {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
