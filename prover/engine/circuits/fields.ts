/** Conversions between bytes, 32-byte field words and 128-bit halves (BN254 scalar field). */
import type { Hex } from './types.js';

/** BN254 scalar field modulus r. */
export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
const TWO_128 = 1n << 128n;

export function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

export function hexToBytes(hex: string): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`not an even-length 0x hex string: ${hex.slice(0, 20)}`);
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
}

/** A value as a 32-byte big-endian hex word. */
export function toWord(value: bigint): Hex {
  if (value < 0n || value >= 1n << 256n) throw new Error(`value does not fit in 32 bytes: ${value}`);
  return `0x${value.toString(16).padStart(64, '0')}`;
}

/** Normalises a field element given as hex of any length to a 32-byte word; rejects values >= r. */
export function fieldWord(hex: string): Hex {
  const v = BigInt(hex);
  if (v >= FIELD_MODULUS) throw new Error(`not a canonical field element: ${hex}`);
  return toWord(v);
}

export function isCanonicalField(hex: string): boolean {
  return /^0x[0-9a-fA-F]{1,64}$/.test(hex) && BigInt(hex) < FIELD_MODULUS;
}

/** Splits bytes into 32-byte field words (a bb proof or verification key). */
export function bytesToFields(bytes: Uint8Array): Hex[] {
  if (bytes.length % 32 !== 0) throw new Error(`length ${bytes.length} is not a multiple of 32`);
  const out: Hex[] = [];
  for (let i = 0; i < bytes.length; i += 32) out.push(bytesToHex(bytes.subarray(i, i + 32)));
  return out;
}

export function fieldsToBytes(fields: readonly string[]): Uint8Array {
  const out = new Uint8Array(fields.length * 32);
  fields.forEach((f, i) => out.set(hexToBytes(toWord(BigInt(f))), i * 32));
  return out;
}

/** (high 128 bits, low 128 bits) of a 32-byte word, each as a 32-byte word. */
export function splitWord(word: Hex): { hi: Hex; lo: Hex } {
  const v = BigInt(word);
  return { hi: toWord(v >> 128n), lo: toWord(v & (TWO_128 - 1n)) };
}

export function joinWord(hi: string, lo: string): Hex {
  const h = BigInt(hi);
  const l = BigInt(lo);
  if (h >= TWO_128 || l >= TWO_128) throw new Error('hi/lo halves must be < 2^128');
  return toWord((h << 128n) | l);
}

/** A 20-byte address as a field word. */
export function addressToField(address: string): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`not an address: ${address}`);
  return toWord(BigInt(address));
}
