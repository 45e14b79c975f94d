import { createLogCore, type LogCore, type LogFields } from '../../telemetry/index.js';
import { scrub } from '../config/secret.js';
import type { LogLevel } from '../config/config.js';

export type { LogFields };

/** Structured logger: one JSON object per line, or a readable line in a terminal. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger for a sub-component (`keeper:tx`), sharing sink and secrets. */
  child(component: string): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: 'json' | 'pretty' | 'auto';
  /** Values that must never be printed (the private key); scrubbed from every line. */
  readonly secrets?: readonly string[];
  /** Where lines go (default: stdout). */
  readonly write?: (line: string) => void;
  readonly isTTY?: boolean;
}

/**
 * The keeper's logger on the suite's pino core (prover/telemetry): JSON lines with pino's redaction of secret
 * fields and of credentials in URLs, plus the keeper's own scrubbing of the signing key by value. In a
 * terminal (`format: auto`) the same lines are shown in a readable form.
 */
export function createLogger(opts: LoggerOptions, component = 'keeper'): Logger {
  const out = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && (opts.isTTY ?? process.stdout.isTTY === true));
  const secrets = opts.secrets ?? [];
  const core = createLogCore({
    level: opts.level,
    component,
    redactLine: (line) => scrub(line, secrets),
    write: pretty ? (line) => out(formatPretty(line)) : out,
  });
  return wrap(core);
}

function wrap(core: LogCore): Logger {
  return {
    debug: (m, f) => core.log('debug', m, f),
    info: (m, f) => core.log('info', m, f),
    warn: (m, f) => core.log('warn', m, f),
    error: (m, f) => core.log('error', m, f),
    child: (c) => wrap(core.child(c)),
  };
}

const COLOURS: Record<string, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };

/** `12:34:56 INFO  keeper:tx msg key=value ...` from a JSON line. */
function formatPretty(json: string): string {
  const { time, level, component, msg, ...rest } = JSON.parse(json) as {
    time: string;
    level: string;
    component: string;
    msg: string;
  } & LogFields;
  const kv = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${time.slice(11, 19)} ${COLOURS[level] ?? ''}${level.toUpperCase().padEnd(5)}\x1b[0m ${component} ${msg}${kv ? ` \x1b[90m${kv}\x1b[0m` : ''}`;
}
