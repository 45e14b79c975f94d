/**
 * BN254 scalar-field elements and 32-byte words: the one canonical-field rule and the conversions
 * between bigints, hex words, bytes, 128-bit halves and addresses that the commitment format, the
 * circuits' witnesses and the SDK use.
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { CommitmentError } from './commitmentError.js';
import { FIELD_BYTES, FIELD_MODULUS } from './constants.js';

export type { Hex };

const WORD = /^0x[0-9a-fA-F]{64}$/;
const TWO_256 = 1n << 256n;

/**
 * The canonical-field rule: `value` is a 0x-prefixed 32-byte hex word (64 hex digits, any case) whose
 * value is below r. Everything that accepts a public input, a vk hash or a key hash checks this.
 */
export function isCanonicalField(value: unknown): value is Hex {
  return typeof value === 'string' && WORD.test(value) && BigInt(value) < FIELD_MODULUS;
}

/** A value below 2^256 (a bigint, or hex of at most 32 bytes) as a lower-case 32-byte word. */
export function toWord(value: bigint | Hex): Hex {
  const v = typeof value === 'bigint' ? value : BigInt(value);
  if (v < 0n || v >= TWO_256) throw new CommitmentError(`value does not fit in 32 bytes: ${String(value)}`);
  return `0x${v.toString(16).padStart(64, '0')}`;
}

/** A field element in [0, r) as a 32-byte word; throws CommitmentError otherwise. */
export function fieldToWord(value: bigint): Hex {
  if (value < 0n || value >= FIELD_MODULUS) throw new CommitmentError(`${value} is not a canonical field element`);
  return toWord(value);
}

/**
 * Normalises a field element given as a bigint, a safe integer, a decimal string or a hex string (any
 * length) to a 32-byte word. Throws CommitmentError when it is not a number, negative or not below r.
 */
export function toField(value: bigint | number | string): Hex {
  let n: bigint;
  try {
    n = typeof value === 'bigint' ? value : BigInt(value);
  } catch {
    throw new CommitmentError(`not a number: ${String(value)}`);
  }
  if (n < 0n || n >= FIELD_MODULUS) throw new CommitmentError(`not a canonical BN254 field element: ${String(value)}`);
  return toWord(n);
}

/** A field element in hex of any length (as bb and noir_js return them) as a 32-byte word; rejects values >= r. */
export function fieldWord(hex: string): Hex {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(hex)) throw new CommitmentError(`not a hex field element: ${hex}`);
  return toField(hex);
}

/** A 20-byte address as a field word (uint160). */
export function addressToField(address: string): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new CommitmentError(`not an address: ${address}`);
  return toWord(BigInt(address));
}

/** Splits bytes into 32-byte words (a bb proof or verification key as field elements). */
export function bytesToFields(bytes: Uint8Array): Hex[] {
  if (bytes.length % FIELD_BYTES !== 0) throw new CommitmentError(`length ${bytes.length} is not a multiple of ${FIELD_BYTES}`);
  const out: Hex[] = [];
  for (let i = 0; i < bytes.length; i += FIELD_BYTES) out.push(bytesToHex(bytes.subarray(i, i + FIELD_BYTES)));
  return out;
}

/** Concatenates field elements (hex of at most 32 bytes each) into bytes, 32 per element. */
export function fieldsToBytes(fields: readonly string[]): Uint8Array {
  const out = new Uint8Array(fields.length * FIELD_BYTES);
  fields.forEach((f, i) => out.set(hexToBytes(toWord(BigInt(f))), i * FIELD_BYTES));
  return out;
}

/** Asserts `value` is a 0x-prefixed 32-byte hex word and returns it lower-cased. */
export function assertWord(value: string, what: string): Hex {
  if (typeof value !== 'string' || !WORD.test(value)) throw new CommitmentError(`${what} must be a 32-byte hex word, got ${String(value)}`);
  return value.toLowerCase() as Hex;
}
