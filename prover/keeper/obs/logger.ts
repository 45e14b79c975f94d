import { scrub } from '../config/secret.js';
import type { LogLevel } from '../config/config.js';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

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

export function createLogger(opts: LoggerOptions, component = 'keeper'): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && (opts.isTTY ?? process.stdout.isTTY === true));
  const secrets = opts.secrets ?? [];
  const min = LEVELS[opts.level];
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (LEVELS[level] < min) return;
    const entry = { time: new Date().toISOString(), level, component, msg, ...normalise(fields) };
    const line = pretty ? formatPretty(entry) : JSON.stringify(entry, jsonReplacer);
    write(scrub(line, secrets));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (c) => createLogger(opts, `${component}:${c}`),
  };
}

const RESERVED = new Set(['time', 'level', 'component', 'msg']);

function normalise(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, v] of Object.entries(fields)) {
    // A field named like a reserved key (e.g. a tree `level`) must not overwrite it.
    const k = RESERVED.has(key) ? `${key}_` : key;
    if (v instanceof Error) out[k] = { name: v.name, message: shortMessage(v) };
    else out[k] = v;
  }
  return out;
}

/** viem errors carry long multi-line messages with request bodies; keep the first useful line. */
function shortMessage(err: Error): string {
  const s = (err as { shortMessage?: string }).shortMessage ?? err.message;
  return s.split('\n')[0]!.slice(0, 300);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

const COLOURS: Record<string, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };

function formatPretty(e: { time: string; level: LogLevel; component: string; msg: string } & LogFields): string {
  const { time, level, component, msg, ...rest } = e;
  const kv = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v, jsonReplacer) : String(v)}`)
    .join(' ');
  return `${time.slice(11, 19)} ${COLOURS[level]}${level.toUpperCase().padEnd(5)}\x1b[0m ${component} ${msg}${kv ? ` \x1b[90m${kv}\x1b[0m` : ''}`;
}
