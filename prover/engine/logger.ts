// Structured JSON logs. The logger is passed in explicitly (no global state).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One JSON object per line: {"time","level","component","msg",...fields}. */
export function jsonLogger(opts: { write?: (line: string) => void; level?: LogLevel; component?: string } = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const min = ORDER[opts.level ?? 'info'];
  const component = opts.component ?? 'prover-engine';
  return {
    log(level, msg, fields) {
      if (ORDER[level] < min) return;
      write(JSON.stringify({ time: new Date().toISOString(), level, component, msg, ...fields }, (_k, v: unknown) =>
        typeof v === 'bigint' ? v.toString() : v,
      ));
    },
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log() {} };
