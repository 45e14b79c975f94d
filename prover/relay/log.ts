/**
 * The relay's structured logger: pino, one JSON object per line (the logger Fastify uses natively), with the
 * suite's redaction (prover/telemetry): fields named like secrets are blanked and every URL carrying
 * credentials is rewritten in each finished line.
 */
import { pino, type Logger } from 'pino';
import { REDACTED, SECRET_PATHS, redactUrlCredentials } from '../telemetry/index.js';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * A JSON-lines logger on stdout (or `destination`). Components log through one child each of this root
 * (`root.child({ component: 'relay:post' })`), so every line has exactly one `component`.
 */
export function createRelayLogger(opts: {
  level: LogLevel;
  destination?: NodeJS.WritableStream;
  /** Strings replaced in every line before it is written (an RPC URL with an API key, by its origin). */
  scrub?: readonly { readonly text: string; readonly by: string }[];
}): Logger {
  const scrub = (opts.scrub ?? []).filter((x) => x.text.length > 0);
  return pino(
    {
      level: opts.level,
      hooks: { streamWrite: (line) => redactUrlCredentials(scrub.reduce((l, x) => l.split(x.text).join(x.by), line)) },
      redact: { paths: [...SECRET_PATHS], censor: REDACTED },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    opts.destination ?? process.stdout,
  );
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
