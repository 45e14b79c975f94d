/**
 * Shared observability primitives of the suite, below every other TypeScript module (they import nothing
 * from prover/): structured JSON logs on pino with redaction, and the live progress line on cli-progress.
 * The keeper's metrics and HTTP endpoints (prover/keeper/obs) are built on top of these.
 */
export { createLogCore, normalise, LOG_LEVELS, type LogCore, type LogCoreOptions, type LogFields, type LogLevel } from './log.js';
export { REDACTED, SECRET_FIELDS, SECRET_PATHS, redactUrl, redactUrlCredentials } from './redact.js';
export { progressLine, type ProgressLine, type ProgressLineOptions, type ProgressStream, type ProgressView } from './progress.js';
