import { randomInt } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import type { AffineG1, DevG2 } from '../../engine/index.js';
import { FIELD_MODULUS } from '../../protocol/index.js';
import { G1_POINT_BYTES } from './constants.js';
import { consecutivePowersConsistent, g1Equal, g1FromBytes, g1Mul, g2FromBytes, g2FromTau } from './curve.js';

export interface SrsCheckReport {
  readonly points: number;
  /** Indices i where P_i was recomputed as [tau^i]G1 with @noble/curves and matched. */
  readonly spotChecked: readonly number[];
  /** Indices i where e(P_{i+1}, G2) == e(P_i, [tau]G2) held. */
  readonly pairingChecked: readonly number[];
}

export interface SrsCheckOptions {
  readonly g1File: string;
  readonly g2File: string;
  /** When given, points are also recomputed from tau and G2 is compared with [tau]G2. */
  readonly tau?: bigint | undefined;
  /** Number of random indices for each kind of check, besides the fixed ones (first, last). */
  readonly randomChecks?: number | undefined;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

async function readPoints(file: string, indices: readonly number[]): Promise<Map<number, AffineG1>> {
  const fd = await open(file, 'r');
  try {
    const out = new Map<number, AffineG1>();
    for (const i of indices) {
      const buf = Buffer.alloc(G1_POINT_BYTES);
      const { bytesRead } = await fd.read(buf, 0, G1_POINT_BYTES, i * G1_POINT_BYTES);
      if (bytesRead !== G1_POINT_BYTES) throw new Error(`${file}: point ${i} is truncated`);
      out.set(i, g1FromBytes(buf));
    }
    return out;
  } finally {
    await fd.close();
  }
}

/**
 * Checks a dev SRS on disk: G1 point indices (0, 1, 2, the last ones and random ones) recomputed
 * with @noble/curves, and pairing checks that consecutive points differ by the tau that the G2 file
 * commits to. Throws on the first mismatch.
 */
export async function checkSrsFiles(opts: SrsCheckOptions): Promise<SrsCheckReport> {
  const size = (await stat(opts.g1File)).size;
  if (size % G1_POINT_BYTES !== 0 || size < 2 * G1_POINT_BYTES)
    throw new Error(`${opts.g1File}: size ${size} is not a whole number of >= 2 points`);
  const points = size / G1_POINT_BYTES;
  const g2: DevG2 = g2FromBytes(await readFile(opts.g2File));
  const random = Array.from({ length: opts.randomChecks ?? 3 }, () => randomInt(0, points - 1));
  const pairingChecked = [...new Set([0, points - 2, ...random])].sort((a, b) => a - b);
  const spotChecked = opts.tau === undefined ? [] : [...new Set([0, 1, 2, points - 1, ...random])].sort((a, b) => a - b);
  const needed = [...new Set([...spotChecked, ...pairingChecked.flatMap((i) => [i, i + 1])])];
  const read = await readPoints(opts.g1File, needed);
  const at = (i: number): AffineG1 => {
    const p = read.get(i);
    if (!p) throw new Error(`point ${i} was not read`);
    return p;
  };

  if (opts.tau !== undefined) {
    const expectedG2 = g2FromTau(opts.tau);
    if (expectedG2.xC0 !== g2.xC0 || expectedG2.xC1 !== g2.xC1 || expectedG2.yC0 !== g2.yC0 || expectedG2.yC1 !== g2.yC1) {
      throw new Error(`${opts.g2File} is not [tau]G2 for this seed`);
    }
    for (const i of spotChecked) {
      const expected = g1Mul(modPow(opts.tau, BigInt(i), FIELD_MODULUS));
      if (!g1Equal(expected, at(i))) throw new Error(`${opts.g1File}: point ${i} is not [tau^${i}]G1`);
    }
  }
  for (const i of pairingChecked) {
    if (!consecutivePowersConsistent(at(i), at(i + 1), g2))
      throw new Error(`${opts.g1File}: pairing check failed between points ${i} and ${i + 1}`);
  }
  return { points, spotChecked, pairingChecked };
}
