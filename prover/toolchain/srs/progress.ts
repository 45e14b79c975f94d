import { progressLine, type ProgressLine, type ProgressStream, type ProgressView } from '../../telemetry/index.js';
import type { SrsProgress } from './dev.js';

export interface ProgressReporterOptions {
  readonly stream?: ProgressStream | undefined;
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
 * Turns SrsProgress events into a progress bar per phase on a TTY (redrawn in place, left at 100 % when
 * the phase ends) or, when the stream is not a TTY (CI logs), a plain line at most every lineIntervalMs
 * plus one at the end of each phase. The terminal mechanics are the shared progress line (prover/telemetry).
 */
export function progressReporter(opts: ProgressReporterOptions = {}): { onProgress: (p: SrsProgress) => void; finish: () => void } {
  const stream = opts.stream ?? process.stderr;
  let current: SrsProgress | undefined;
  let line: ProgressLine | undefined;
  const render = (view: ProgressView): string => {
    const p = current!;
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const pct = `${(frac * 100).toFixed(1).padStart(5)}%`;
    const counts = p.phase === 'generate' ? ` ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} points` : '';
    const eta = p.phase === 'generate' && frac > 0.02 && frac < 1 ? `, ~${seconds((p.elapsedMs / frac) * (1 - frac))} left` : '';
    return view.tty
      ? `${PHASE_LABEL[p.phase]} [${view.bar(frac)}] ${pct}${counts} ${seconds(p.elapsedMs)}${eta}`
      : `${PHASE_LABEL[p.phase]}: ${pct}${counts}, ${seconds(p.elapsedMs)} elapsed${eta}`;
  };
  const finish = (): void => {
    line?.stop();
    line = undefined;
  };
  return {
    onProgress(p) {
      if (current?.phase !== p.phase) finish();
      current = p;
      line ??= progressLine({
        stream,
        render,
        intervalMs: opts.lineIntervalMs ?? 5000,
        barWidth: Math.max(10, Math.min(40, (stream.columns ?? 80) - 70)),
      });
      const end = p.done >= p.total;
      line.update({ force: end });
      if (end) finish();
    },
    finish,
  };
}
