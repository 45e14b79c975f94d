// Pre-check: every rollup proof is verified against its stored VK (milliseconds each) before it enters
// the tree, so a bad proof costs seconds instead of a failed multi-minute tree.
import { SUPPORTED_PUBLIC_INPUT_COUNTS } from '../protocol/index.js';
import type { ProvingBackend } from './backend.js';
import type { Batch } from './batch.js';
import type { Logger } from './logger.js';

export interface SlotCheck {
  slot: number;
  valid: boolean;
  /** Why the slot is invalid. */
  reason?: string | undefined;
  ms: number;
}

export interface PrecheckReport {
  /** Slots holding a proof that must not enter the tree, ascending. */
  invalidSlots: number[];
  /** One entry per slot holding a proof. */
  checks: SlotCheck[];
  totalMs: number;
}

type Check = Pick<ProvingBackend, 'verifyRollupProof' | 'vkHashOf'>;

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

/** Checks every proof slot of the batch. Never throws for a bad proof: it reports the slot. */
export async function precheckSlots(backend: Check, batch: Batch, logger: Logger): Promise<PrecheckReport> {
  const start = performance.now();
  const checks: SlotCheck[] = [];
  for (let slot = 0; slot < batch.slots.length; slot++) {
    if (batch.slots[slot]!.kind !== 'proof') continue;
    const t = performance.now();
    const reason = await checkSlot(backend, batch, slot);
    const ms = Math.round(performance.now() - t);
    checks.push({ slot, valid: reason === undefined, reason, ms });
    logger.log(reason ? 'warn' : 'debug', reason ? 'pre-check: slot invalid' : 'pre-check: slot valid', { slot, ms, reason });
  }
  const invalidSlots = checks.filter((c) => !c.valid).map((c) => c.slot);
  const totalMs = Math.round(performance.now() - start);
  logger.log('info', 'pre-check finished', { proofs: checks.length, invalidSlots, totalMs });
  return { invalidSlots, checks, totalMs };
}
