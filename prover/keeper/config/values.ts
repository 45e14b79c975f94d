import { getAddress, isAddress, parseUnits, type Address } from 'viem';
import type { OptionKind } from './options.js';

/** A typed option value, before it is placed into the config object. */
export type OptionValue = string | number | boolean | bigint | string[];

/**
 * Converts a raw value (JSON from the config file, or a string from env/flags) to the option's kind.
 * Throws an Error whose message says what was expected; the caller adds the option name and source.
 */
export function convert(kind: OptionKind, raw: unknown): OptionValue {
  switch (kind) {
    case 'string':
    case 'path':
      if (typeof raw !== 'string' || raw.length === 0) throw new Error('expected a non-empty string');
      return raw;
    case 'int': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got ${show(raw)}`);
      return n;
    }
    case 'number': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number, got ${show(raw)}`);
      return n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      throw new Error(`expected true or false, got ${show(raw)}`);
    case 'wei':
      return parseWei(raw);
    case 'address':
      if (typeof raw !== 'string' || !isAddress(raw, { strict: false }))
        throw new Error(`expected a 0x-prefixed 20-byte address, got ${show(raw)}`);
      return getAddress(raw);
    case 'urls': {
      const list = Array.isArray(raw)
        ? raw
        : typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined;
      if (!list || list.length === 0) throw new Error('expected at least one URL');
      return list.map((u) => {
        if (typeof u !== 'string') throw new Error(`expected a URL string, got ${show(u)}`);
        let url: URL;
        try {
          url = new URL(u);
        } catch {
          throw new Error(`not a URL: ${show(redactUrl(u))}`);
        }
        if (!/^(https?|wss?):$/.test(url.protocol)) throw new Error(`unsupported URL scheme ${url.protocol} (http, https, ws, wss)`);
        return u;
      });
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown option kind ${String(never)}`);
    }
  }
}

/** Parses `123` (wei), `"123"`, `"1.5 gwei"`, `"0.01 ether"` into wei. */
export function parseWei(raw: unknown): bigint {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return BigInt(raw);
  if (typeof raw !== 'string') throw new Error(`expected an amount like "5 gwei", got ${show(raw)}`);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(wei|gwei|ether|eth)?\s*$/i.exec(raw);
  if (!m) throw new Error(`expected an amount like "5 gwei" or "0.01 ether", got ${show(raw)}`);
  const unit = (m[2] ?? 'wei').toLowerCase();
  const decimals = unit === 'wei' ? 0 : unit === 'gwei' ? 9 : 18;
  if (decimals === 0 && m[1]!.includes('.')) throw new Error(`wei amounts are integers, got ${show(raw)}`);
  return parseUnits(m[1]!, decimals);
}

/** Drops user:password and query strings (API keys) from a URL for messages and logs. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    const path = url.pathname.length > 12 ? `${url.pathname.slice(0, 4)}…` : url.pathname;
    return `${url.protocol}//${url.host}${path}`;
  } catch {
    return '<invalid url>';
  }
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export type { Address };
