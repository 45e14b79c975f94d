// Pre-check: every rollup proof is verified against its stored VK (milliseconds each) before it enters
// the tree, so a bad proof costs seconds instead of a failed multi-minute tree. A caller that already
// checked the batch (the keeper, before it locks) passes that report back; a check whose content digest
// still matches the slot is reused instead of verifying the same proof again.
import { concatHex, keccak256, padHex } from 'viem';
import { SUPPORTED_PUBLIC_INPUT_COUNTS } from '../protocol/index.js';
import type { Hex, ProvingBackend, RollupProof } from './backend.js';
import type { Batch } from './batch.js';
import type { Logger } from './logger.js';

export interface SlotCheck {
  slot: number;
  valid: boolean;
  /** Why the slot is invalid. */
  reason?: string | undefined;
  ms: number;
  /** What was checked: {@link precheckDigest} of the slot's proof, vk, vk hash and public inputs. */
  digest: Hex;
  /** True when the check was taken from an earlier report instead of made again. */
  reused?: boolean | undefined;
}

export interface PrecheckReport {
  /** Slots holding a proof that must not enter the tree, ascending. */
  invalidSlots: number[];
  /** One entry per slot holding a proof. */
  checks: SlotCheck[];
  totalMs: number;
}

type Check = Pick<ProvingBackend, 'verifyRollupProof' | 'vkHashOf'>;

/**
 * Binds a check to the exact content checked: keccak256(keccak(vk) || keccak(proof) || vkHash ||
 * publicInputs...). Everything before the public inputs has a fixed length, so the encoding is unambiguous.
 */
export function precheckDigest(r: RollupProof): Hex {
  const word = (h: Hex): Hex => padHex(h, { size: 32 });
  return keccak256(concatHex([keccak256(r.vk), keccak256(r.proof), word(r.vkHash), ...r.publicInputs.map(word)]));
}

async function checkSlot(backend: Check, batch: Batch, slot: number): Promise<string | undefined> {
  const s = batch.slots[slot]!;
  if (s.kind !== 'proof') return undefined;
  const r = s.rollup;
  if (!SUPPORTED_PUBLIC_INPUT_COUNTS.includes(r.publicInputs.length)) {
    return `unsupported public-input count ${r.publicInputs.length} (supported: ${SUPPORTED_PUBLIC_INPUT_COUNTS.join(', ')})`;
  }
  let hash;
  try {
    hash = await backend.vkHashOf(r.vk);
  } catch (err) {
    return `verification key is malformed: ${(err as Error).message}`;
  }
  if (BigInt(hash) !== BigInt(r.vkHash)) return `verification key hashes to ${hash}, not to the program's vkHash ${r.vkHash}`;
  try {
    if (!(await backend.verifyRollupProof(r))) return 'proof does not verify against the program verification key';
  } catch (err) {
    return `proof could not be verified: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * Checks every proof slot of the batch. Never throws for a bad proof: it reports the slot. With `prior`
 * (an earlier report of this batch), a slot whose content digest matches its earlier check keeps that
 * check; only the others are verified.
 */
export async function precheckSlots(backend: Check, batch: Batch, logger: Logger, prior?: PrecheckReport): Promise<PrecheckReport> {
  const start = performance.now();
  const checks: SlotCheck[] = [];
  let reused = 0;
  for (let slot = 0; slot < batch.slots.length; slot++) {
    const s = batch.slots[slot]!;
    if (s.kind !== 'proof') continue;
    const digest = precheckDigest(s.rollup);
    const earlier = prior?.checks.find((c) => c.slot === slot && c.digest === digest);
    if (earlier) {
      checks.push({ slot, valid: earlier.valid, reason: earlier.reason, ms: earlier.ms, digest, reused: true });
      reused++;
      continue;
    }
    const t = performance.now();
    const reason = await checkSlot(backend, batch, slot);
    const ms = Math.round(performance.now() - t);
    checks.push({ slot, valid: reason === undefined, reason, ms, digest });
    logger.log(reason ? 'warn' : 'debug', reason ? 'pre-check: slot invalid' : 'pre-check: slot valid', { slot, ms, reason });
  }
  const invalidSlots = checks.filter((c) => !c.valid).map((c) => c.slot);
  const totalMs = Math.round(performance.now() - start);
  logger.log('info', 'pre-check finished', { proofs: checks.length, reused, invalidSlots, totalMs });
  return { invalidSlots, checks, totalMs };
}
