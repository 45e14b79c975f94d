/**
 * The one structured-log implementation of the suite, on pino: JSON lines
 * `{"level":"info","time":"<ISO>","component":"...",...fields,"msg":"..."}` with redaction. The keeper
 * (prover/keeper/obs/logger.ts) and the prover engine (prover/engine/logger.ts) keep their own small
 * Logger interfaces at their call sites and delegate here.
 */
import { pino, type Logger as Pino } from 'pino';
import { REDACTED, SECRET_PATHS, redactUrlCredentials } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogCoreOptions {
  readonly level: LogLevel;
  readonly component: string;
  /** Receives each finished line (JSON, no trailing newline). */
  readonly write: (line: string) => void;
  /** Further scrubbing of each line, e.g. of a secret known by value (applied before `write`). */
  readonly redactLine?: (line: string) => string;
}

/** A logger bound to one component; `child` derives `<component>:<sub>` sharing sink and redaction. */
export interface LogCore {
  readonly component: string;
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  child(component: string): LogCore;
}

export function createLogCore(opts: LogCoreOptions): LogCore {
  const finish = (line: string): string => redactUrlCredentials(opts.redactLine ? opts.redactLine(line) : line);
  const root = pino(
    {
      level: opts.level,
      base: null, // no pid/hostname: the lines keep the fields they always had
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors are already reduced to { name, message } by normalise(), under any field name; pino's
      // default `err` serializer would add type and stack to that one field.
      serializers: { err: (v: unknown) => v },
      redact: { paths: [...SECRET_PATHS], censor: REDACTED },
    },
    { write: (chunk: string) => opts.write(finish(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk)) },
  );
  const bind = (component: string): LogCore => {
    // The component is bound once per logger (a pino child of a child would repeat the key).
    const p: Pino = root.child({ component });
    return {
      component,
      log: (level, msg, fields) => {
        if (fields === undefined) p[level](msg);
        else p[level](normalise(fields), msg);
      },
      child: (sub) => bind(`${component}:${sub}`),
    };
  };
  return bind(opts.component);
}

const RESERVED = new Set(['time', 'level', 'component', 'msg']);

/** Log fields as JSON-safe values: reserved names get a `_` suffix, errors their first line, bigints strings. */
export function normalise(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, v] of Object.entries(fields)) out[RESERVED.has(key) ? `${key}_` : key] = value(v, 0);
  return out;
}

function value(v: unknown, depth: number): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return { name: v.name, message: shortMessage(v) };
  if (depth > 8 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => value(x, depth + 1));
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v; // class instances keep their toJSON (Secret)
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, depth + 1)]));
}

/** viem errors carry long multi-line messages with request bodies; keep the first useful line. */
function shortMessage(err: Error): string {
  const s = (err as { shortMessage?: string }).shortMessage ?? err.message;
  return s.split('\n')[0]!.slice(0, 300);
}
