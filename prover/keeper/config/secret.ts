import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (private key, keystore password) that cannot leak by accident: string conversion,
 * JSON serialisation and util.inspect all print `[redacted]`. Only `reveal()` returns the value.
 */
export class Secret<T extends string = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The secret itself. Call sites are few and grep-able. */
  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Replaces every occurrence of the given secrets (and, as a belt and braces, anything shaped like a
 * 32-byte private key right after a `key`-ish word) in `text`.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 8) continue;
    const bare = s.startsWith('0x') ? s.slice(2) : s;
    out = out.split(s).join(REDACTED);
    if (bare.length >= 8) out = out.split(bare).join(REDACTED);
  }
  return out.replace(/((?:private|secret)[_ ]?key["'=:\s]+)(0x)?[0-9a-fA-F]{64}/gi, `$1${REDACTED}`);
}
