/**
 * Test-only: the pairing-only forgery of issue 10 item 3 (docs/prover.md, "Soundness"):
 * a rollup proof whose only wrong part is its final KZG opening commitment W (the last G1 point of
 * an UltraHonk proof). An in-circuit (recursive) verifier never runs a pairing: it checks sumcheck and
 * the Shplemini batching, then returns the two KZG pairing points P0 = C + z*W and P1 = -W as an
 * accumulator that the outer proof exposes for the next verifier. Replacing W by another valid curve
 * point leaves every in-circuit check satisfied and only makes e(P0, [1]_2) = e(P1, [x]_2) false; the
 * failure surfaces only where a pairing is finally checked: bb's native verify of any proof above it,
 * or the L1 verifier of the root.
 */
import { bn254 } from '@noble/curves/bn254';

/** A G1 point in a poseidon2-transcript proof is 4 fields: x_lo, x_hi, y_lo, y_hi (bb's 136-bit limbs). */
export const G1_PROOF_FIELDS = 4;
const LIMB_BITS = 136n;
const LIMB_MASK = (1n << LIMB_BITS) - 1n;
const HI_BITS = 118n;
const FIELD_BYTES = 32;

export interface AffinePoint {
  x: bigint;
  y: bigint;
}

const readField = (proof: Uint8Array, index: number): bigint =>
  BigInt(`0x${Buffer.from(proof.subarray(index * FIELD_BYTES, (index + 1) * FIELD_BYTES)).toString('hex')}`);

function writeField(proof: Uint8Array, index: number, value: bigint): void {
  proof.set(Buffer.from(value.toString(16).padStart(64, '0'), 'hex'), index * FIELD_BYTES);
}

/** The G1 point whose 4 limb fields start at field `index` of a poseidon2-transcript proof. */
export function readPoint(proof: Uint8Array, index: number): AffinePoint {
  const [xLo, xHi, yLo, yHi] = [0, 1, 2, 3].map((k) => readField(proof, index + k)) as [bigint, bigint, bigint, bigint];
  if (xLo > LIMB_MASK || yLo > LIMB_MASK || xHi >> HI_BITS !== 0n || yHi >> HI_BITS !== 0n)
    throw new Error(`fields ${index}..${index + 3} are not G1 limbs`);
  return { x: xLo | (xHi << LIMB_BITS), y: yLo | (yHi << LIMB_BITS) };
}

export function writePoint(proof: Uint8Array, index: number, p: AffinePoint): void {
  writeField(proof, index, p.x & LIMB_MASK);
  writeField(proof, index + 1, p.x >> LIMB_BITS);
  writeField(proof, index + 2, p.y & LIMB_MASK);
  writeField(proof, index + 3, p.y >> LIMB_BITS);
}

export function isOnCurve(p: AffinePoint): boolean {
  try {
    bn254.G1.ProjectivePoint.fromAffine(p).assertValidity();
    return true;
  } catch {
    return false;
  }
}

export interface KzgForgery {
  proof: Uint8Array;
  /** Field index of W (the last G1 point of the proof). */
  index: number;
  original: AffinePoint;
  forged: AffinePoint;
}

/**
 * Replaces the KZG opening commitment W (the proof's last 4 fields) of a poseidon2-transcript
 * UltraHonk proof by W + G (G the BN254 G1 generator): still a valid curve point, so the proof stays
 * well-formed, and nothing the verifier derives by Fiat-Shamir changes (W is the last prover message,
 * absorbed after every challenge has been drawn).
 */
export function forgeKzgOpening(proof: Uint8Array): KzgForgery {
  const fields = proof.length / FIELD_BYTES;
  if (!Number.isInteger(fields) || fields < G1_PROOF_FIELDS) throw new Error(`not a field-encoded proof (${proof.length} bytes)`);
  const index = fields - G1_PROOF_FIELDS;
  const original = readPoint(proof, index);
  if (!isOnCurve(original)) throw new Error(`the proof's last 4 fields are not a curve point (index ${index})`);
  const w = bn254.G1.ProjectivePoint.fromAffine(original);
  const moved = w.add(bn254.G1.ProjectivePoint.BASE).toAffine();
  const forged = { x: moved.x, y: moved.y };
  const out = Uint8Array.from(proof);
  writePoint(out, index, forged);
  return { proof: out, index, original, forged };
}
