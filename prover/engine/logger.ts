// Structured JSON logs of the prover engine, on the suite's pino core (prover/telemetry). The logger is passed
// in explicitly (no global state); call sites use `log(level, msg, fields)`.
import { createLogCore, type LogFields, type LogLevel } from '../telemetry/index.js';

export type { LogFields, LogLevel };

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

/** One JSON object per line: {"level","time","component","msg",...fields} (on stderr by default). */
export function jsonLogger(opts: { write?: (line: string) => void; level?: LogLevel; component?: string } = {}): Logger {
  const core = createLogCore({
    level: opts.level ?? 'info',
    component: opts.component ?? 'prover-engine',
    write: opts.write ?? ((line: string) => process.stderr.write(`${line}\n`)),
  });
  return { log: (level, msg, fields) => core.log(level, msg, fields) };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log() {} };
