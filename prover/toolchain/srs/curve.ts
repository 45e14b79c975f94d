import { bn254 } from '@noble/curves/bn254';
import type { AffineG1, DevG2 } from '../../engine/index.js';
import { G1_POINT_BYTES, G2_POINT_BYTES } from './constants.js';

type G1Point = InstanceType<typeof bn254.G1.ProjectivePoint>;
type G2Point = InstanceType<typeof bn254.G2.ProjectivePoint>;

const word = (v: bigint): Buffer => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
const readWord = (b: Uint8Array, offset: number): bigint => BigInt(`0x${Buffer.from(b.subarray(offset, offset + 32)).toString('hex')}`);

/** [tau]G2 computed with @noble/curves. */
export function g2FromTau(tau: bigint): DevG2 {
  const p = bn254.G2.ProjectivePoint.BASE.multiply(tau).toAffine();
  return { xC0: p.x.c0, xC1: p.x.c1, yC0: p.y.c0, yC1: p.y.c1 };
}

/** bb's 128-byte serialisation of a G2 point. */
export function g2ToBytes(g2: DevG2): Buffer {
  return Buffer.concat([word(g2.xC0), word(g2.xC1), word(g2.yC0), word(g2.yC1)]);
}

export function g2FromBytes(bytes: Uint8Array): DevG2 {
  if (bytes.length !== G2_POINT_BYTES) throw new Error(`G2 point must be ${G2_POINT_BYTES} bytes, got ${bytes.length}`);
  return { xC0: readWord(bytes, 0), xC1: readWord(bytes, 32), yC0: readWord(bytes, 64), yC1: readWord(bytes, 96) };
}

/** bb's 64-byte serialisation of an affine G1 point (x || y, big-endian). */
export function g1FromBytes(bytes: Uint8Array): AffineG1 {
  if (bytes.length !== G1_POINT_BYTES) throw new Error(`G1 point must be ${G1_POINT_BYTES} bytes, got ${bytes.length}`);
  return { x: readWord(bytes, 0), y: readWord(bytes, 32) };
}

export function g1ToBytes(p: AffineG1): Buffer {
  return Buffer.concat([word(p.x), word(p.y)]);
}

/** [k]G1 in affine coordinates (k reduced mod r, k != 0 mod r). */
export function g1Mul(k: bigint): AffineG1 {
  const r = bn254.fields.Fr.ORDER;
  const e = ((k % r) + r) % r;
  if (e === 0n) throw new Error('scalar is 0 mod r');
  return bn254.G1.ProjectivePoint.BASE.multiply(e).toAffine();
}

function g1Point(p: AffineG1): G1Point {
  const point = bn254.G1.ProjectivePoint.fromAffine({ x: p.x, y: p.y });
  point.assertValidity(); // on the curve (G1 has cofactor 1)
  return point;
}

function g2Point(g2: DevG2): G2Point {
  const Fp2 = bn254.fields.Fp2;
  const point = bn254.G2.ProjectivePoint.fromAffine({
    x: Fp2.create({ c0: g2.xC0, c1: g2.xC1 }),
    y: Fp2.create({ c0: g2.yC0, c1: g2.yC1 }),
  });
  point.assertValidity(); // on the twist and in the prime-order subgroup
  return point;
}

/**
 * KZG consistency of consecutive powers: e(P_{i+1}, G2) == e(P_i, [tau]G2), i.e. P_{i+1} = tau·P_i
 * for the tau committed to by the G2 point, without knowing tau.
 */
export function consecutivePowersConsistent(pi: AffineG1, pNext: AffineG1, tauG2: DevG2): boolean {
  const lhs = bn254.pairing(g1Point(pNext), bn254.G2.ProjectivePoint.BASE);
  const rhs = bn254.pairing(g1Point(pi), g2Point(tauG2));
  return bn254.fields.Fp12.eql(lhs, rhs);
}

export function g1Equal(a: AffineG1, b: AffineG1): boolean {
  return a.x === b.x && a.y === b.y;
}
