import { createHash } from 'node:crypto';
import { FIELD_MODULUS } from '../../protocol/index.js';

/** Domain separator of the tau derivation; changing it changes every dev SRS. */
const TAU_DOMAIN = 'NEX dev SRS tau v1 (INSECURE: tau is public)';

/**
 * Derives the INSECURE dev-SRS trapdoor tau from a public seed string:
 * tau = SHA-512(domain || 0x00 || utf8(seed)) mod r. 512 bits reduced mod a 254-bit r leave no
 * usable bias. Anyone who knows the seed knows tau and can forge proofs for this SRS: that is the
 * point (every machine derives the same dev SRS), and why it must never reach a public chain.
 */
export function deriveDevTau(seed: string): bigint {
  if (seed.length === 0) throw new Error('dev SRS seed must not be empty');
  const digest = createHash('sha512')
    .update(TAU_DOMAIN)
    .update(Buffer.from([0]))
    .update(seed, 'utf8')
    .digest();
  const tau = BigInt(`0x${digest.toString('hex')}`) % FIELD_MODULUS;
  if (tau === 0n) throw new Error(`dev SRS seed ${JSON.stringify(seed)} derives tau = 0; choose another seed`);
  return tau;
}

/** Short, filesystem-safe identifier of a seed (first 16 hex digits of its SHA-256). */
export function seedId(seed: string): string {
  return createHash('sha256').update(seed, 'utf8').digest('hex').slice(0, 16);
}

/** tau as the 64 hex digits (big-endian) the native generator takes. */
export function tauHex(tau: bigint): string {
  return tau.toString(16).padStart(64, '0');
}
