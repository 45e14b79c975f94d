/** BN254 scalar-field helpers for public inputs and program ids (docs/protocol.md). */
import { isHex, pad, type Hex } from 'viem';

/** The BN254 scalar field modulus r. */
export const BN254_R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

/** True when `value` is a 32-byte word holding a canonical field element (< r). */
export function isCanonicalField(value: Hex): boolean {
  return isHex(value, { strict: true }) && value.length === 66 && BigInt(value) < BN254_R;
}

/**
 * Normalises a field element given as a bigint, a decimal string or a hex string to a 32-byte word.
 * Throws RangeError when it is negative, not a number, or not below r.
 */
export function toField(value: bigint | number | string): Hex {
  let n: bigint;
  try {
    n = typeof value === 'bigint' ? value : BigInt(value);
  } catch {
    throw new RangeError(`not a number: ${String(value)}`);
  }
  if (n < 0n || n >= BN254_R) throw new RangeError(`not a canonical BN254 field element: ${String(value)}`);
  return pad(`0x${n.toString(16)}`, { size: 32 });
}
