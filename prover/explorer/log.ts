/**
 * The explorer's structured logger: pino JSON lines on stdout (Fastify's native logger) with the suite's
 * redaction (prover/telemetry): secret-named fields blanked, credentials in URLs rewritten.
 */
import { pino, type Logger } from 'pino';
import { REDACTED, SECRET_PATHS, redactUrlCredentials } from '../telemetry/index.js';
import type { LogLevel } from './config.js';

export type { Logger };

export function createExplorerLogger(opts: { level: LogLevel; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: opts.level,
      hooks: { streamWrite: (line) => redactUrlCredentials(line) },
      redact: { paths: [...SECRET_PATHS], censor: REDACTED },
      base: { pid: process.pid, component: 'explorer' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    opts.destination ?? process.stdout,
  );
}
