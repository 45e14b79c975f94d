/**
 * What the logs never show. Two complementary layers: pino's path redaction blanks fields named like
 * secrets (`privateKey`, `password`, `keystore`, ...) wherever they sit in the logged object, and
 * `redactUrlCredentials` rewrites every URL in a finished line that carries credentials (user:password@,
 * a query string, an API key as a path segment), so that an RPC URL quoted inside an error message is
 * covered too. Values known to be secret (the signing key) are scrubbed by the caller's `redactLine`.
 */
export const REDACTED = '[redacted]';

/** Field names whose values are secrets, at any of the first three levels of a log object. */
export const SECRET_FIELDS: readonly string[] = [
  'privateKey',
  'private_key',
  'secretKey',
  'secret',
  'password',
  'passphrase',
  'keystorePassword',
  'keystore',
  'keystoreJson',
  'mnemonic',
  'apiKey',
  'authorization',
];

/** pino `redact.paths` for SECRET_FIELDS (fast-redact needs explicit depths). */
export const SECRET_PATHS: readonly string[] = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

const URL_IN_TEXT = /\b(?:https?|wss?):\/\/[^\s"'<>\\`]+/gi;
/** A path segment that looks like an API key (Infura /v3/<32 hex>, Alchemy /v2/<key>, ...). */
const KEY_SEGMENT = /^[A-Za-z0-9_-]{20,}$/;

/** The URL without user:password, query string and key-like path segments; unchanged if it has none. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  const segments = url.pathname.split('/');
  const keyed = segments.some((s) => KEY_SEGMENT.test(s));
  if (!url.username && !url.password && !url.search && !keyed) return raw;
  const path = segments.map((s) => (KEY_SEGMENT.test(s) ? REDACTED : s)).join('/');
  const auth = url.username || url.password ? `${REDACTED}@` : '';
  return `${url.protocol}//${auth}${url.host}${path}${url.search ? `?${REDACTED}` : ''}`;
}

/** Applies redactUrl to every URL in a text (a log line, an error message). */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_IN_TEXT, (u) => redactUrl(u));
}
