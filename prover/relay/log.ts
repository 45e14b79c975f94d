/** The relay's structured logger: pino, one JSON object per line (the logger Fastify uses natively). */
import { pino, type Logger } from 'pino';
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
      hooks: scrub.length === 0 ? {} : { streamWrite: (line) => scrub.reduce((l, x) => l.split(x.text).join(x.by), line) },
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
