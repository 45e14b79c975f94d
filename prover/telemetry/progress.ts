/**
 * One live progress line, on cli-progress. On a terminal the line is a cli-progress bar redrawn in place
 * (about 10 times a second, cut to the terminal width); elsewhere (CI logs, files, pipes) it degrades to
 * plain lines: one when the caller forces it (a new stage, a finished phase), at most one per `intervalMs`
 * from updates, and with `heartbeat` one every `intervalMs` while nothing else was printed, so that a long
 * silent step still shows it is alive. The printers (SRS generation, the demo) own their wording through
 * `render`; this module owns the terminal mechanics.
 */
import cliProgress from 'cli-progress';

/** What a progress line writes to (process.stderr / process.stdout, or a test double). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressView {
  /** True when the line is drawn in place (terminal); false for a plain log line. */
  readonly tty: boolean;
  /** cli-progress's bar (`#` done, `.` to do) for a fraction in 0..1. */
  bar(fraction: number): string;
}

export interface ProgressLineOptions {
  /** Default process.stderr. */
  readonly stream?: ProgressStream;
  /** false forces plain lines on a terminal; default: the stream's isTTY. */
  readonly tty?: boolean;
  /** The line's text, asked on each redraw (terminal) or plain line. */
  readonly render: (view: ProgressView) => string;
  /** Plain mode: the least time between two lines from updates (and the heartbeat period). Default 5 s. */
  readonly intervalMs?: number;
  /** Plain mode: print the line every intervalMs even without updates. */
  readonly heartbeat?: boolean;
  /** Bar width in characters (default 20). */
  readonly barWidth?: number;
}

export interface ProgressLine {
  readonly tty: boolean;
  /**
   * The state behind `render` changed. Terminal: redrawn on the next frame. Plain: a line when the
   * interval has passed, or now with `force`; `plain` replaces the rendered text of that line.
   */
  update(opts?: { force?: boolean; plain?: string }): void;
  /** A permanent line (on a terminal: printed above the live line). */
  print(line: string): void;
  /**
   * Ends the line. Terminal: the live line is replaced by `final` (default: its last text; '' = nothing);
   * plain: `final` if given. On a terminal the bar's redraw timer keeps the process alive until then.
   */
  stop(final?: string): void;
}

export function progressLine(opts: ProgressLineOptions): ProgressLine {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? stream.isTTY === true;
  return tty && stream.isTTY === true ? terminalLine(stream, opts) : plainLine(stream, opts);
}

function terminalLine(stream: ProgressStream, opts: ProgressLineOptions): ProgressLine {
  let last = '';
  const start = (): cliProgress.SingleBar => {
    const b = new cliProgress.SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: (options) => {
        last = opts.render({ tty: true, bar: (f) => cliProgress.Format.BarFormat(Math.max(0, Math.min(1, f)), options) });
        return last;
      },
      barsize: opts.barWidth ?? 20,
      barCompleteChar: '#',
      barIncompleteChar: '.',
      fps: 10,
      forceRedraw: true,
      clearOnComplete: true,
      linewrap: true, // cut to the terminal width; leaves the terminal's settings alone
      hideCursor: false,
      gracefulExit: false, // the callers handle signals
    });
    b.start(1, 0);
    return b;
  };
  let bar: cliProgress.SingleBar | undefined = start();
  return {
    tty: true,
    update: () => bar?.update(0),
    print: (line) => {
      // cli-progress restores the cursor to where its bar started: end the bar, print, start a new one below.
      bar?.stop();
      stream.write(`${line}\n`);
      if (bar) bar = start();
    },
    stop: (final) => {
      if (!bar) return;
      bar.stop();
      bar = undefined;
      const text = final ?? last;
      if (text) stream.write(`${text}\n`);
    },
  };
}

function plainLine(stream: ProgressStream, opts: ProgressLineOptions): ProgressLine {
  const interval = opts.intervalMs ?? 5000;
  const view: ProgressView = { tty: false, bar: (f) => plainBar(f, opts.barWidth ?? 20) };
  let lastAt = -Infinity;
  let stopped = false;
  const emit = (text: string): void => {
    lastAt = Date.now();
    stream.write(`${text}\n`);
  };
  const timer = opts.heartbeat
    ? setInterval(() => {
        if (Date.now() - lastAt >= interval) emit(opts.render(view));
      }, interval)
    : undefined;
  timer?.unref();
  return {
    tty: false,
    update: (u = {}) => {
      if (stopped) return;
      if (u.force || Date.now() - lastAt >= interval) emit(u.plain ?? opts.render(view));
    },
    print: (line) => emit(line),
    stop: (final) => {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (final) emit(final);
    },
  };
}

function plainBar(fraction: number, width: number): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'#'.repeat(n)}${'.'.repeat(width - n)}`;
}
