// Pre-check: every rollup proof is verified against its stored VK (milliseconds each) before it enters
// the tree, so a bad proof costs seconds instead of a failed multi-minute tree. A caller that already
// checked the batch (the keeper, before it locks) passes that report back; a check whose content digest
// still matches the slot is reused instead of verifying the same proof again.
//
// Only a verdict excludes a slot: a shape the leaves cannot take (sizes, counts, a word >= r), a key
// that does not hash to the program's vkHash, or a verification that ran and said false (or that bb
// refused as malformed). When bb fails to answer (it crashed, its socket closed, a call timed out), the
// call is retried on a fresh bb; if it keeps failing the pre-check throws BackendUnavailableError and
// excludes nothing.
import { concatHex, keccak256, padHex } from 'viem';
import type { Hex, ProvingBackend, RollupProof } from './backend.js';
import { type BackendHandle, DEFAULT_RETRY_POLICY, type RetryPolicy, withBackendRetry } from './backendHandle.js';
import type { Batch } from './batch.js';
import { isBbVerdictError } from './circuits/bb.js';
import { rollupShapeProblem } from './circuits/prove.js';
import type { Logger } from './logger.js';

export interface SlotCheck {
  slot: number;
  valid: boolean;
  /** Why the slot is invalid. */
  reason?: string | undefined;
  ms: number;
  /** What was checked: {@link precheckDigest} of the slot's proof, vk, vk hash, owner and public inputs. */
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

/** What the pre-check needs of a backend: one rollup proof's verdict (throws when bb fails to answer). */
export type Check = Pick<ProvingBackend, 'checkRollupProof'>;

/**
 * Binds a check to the exact content checked: keccak256(keccak(vk) || keccak(proof) || vkHash ||
 * owner || publicInputs...). Everything before the public inputs has a fixed length, so the encoding
 * is unambiguous.
 */
export function precheckDigest(r: RollupProof): Hex {
  const word = (h: Hex): Hex => padHex(h, { size: 32 });
  return keccak256(concatHex([keccak256(r.vk), keccak256(r.proof), word(r.vkHash), word(r.owner), ...r.publicInputs.map(word)]));
}

async function checkSlot(
  handle: BackendHandle<Check>,
  batch: Batch,
  slot: number,
  policy: RetryPolicy,
  logger: Logger,
): Promise<string | undefined> {
  const s = batch.slots[slot]!;
  if (s.kind !== 'proof') return undefined;
  const shape = rollupShapeProblem(s.rollup);
  if (shape) return shape;
  try {
    return await withBackendRetry(handle, `the pre-check of slot ${slot}`, (b) => b.checkRollupProof(s.rollup), policy, logger);
  } catch (err) {
    // bb answered, refusing the input as malformed: a verdict about the proof.
    if (isBbVerdictError(err)) return `bb refused the proof as malformed: ${(err as Error).message}`;
    throw err;
  }
}

/**
 * Checks every proof slot of the batch. Never throws for a bad proof: it reports the slot. With `prior`
 * (an earlier report of this batch), a slot whose content digest matches its earlier check keeps that
 * check; only the others are verified. Throws BackendUnavailableError when bb keeps failing to answer.
 */
export async function precheckSlots(
  handle: BackendHandle<Check>,
  batch: Batch,
  logger: Logger,
  prior?: PrecheckReport,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<PrecheckReport> {
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
    const reason = await checkSlot(handle, batch, slot, policy, logger);
    const ms = Math.round(performance.now() - t);
    checks.push({ slot, valid: reason === undefined, reason, ms, digest });
    logger.log(reason ? 'warn' : 'debug', reason ? 'pre-check: slot invalid' : 'pre-check: slot valid', { slot, ms, reason });
  }
  const invalidSlots = checks.filter((c) => !c.valid).map((c) => c.slot);
  const totalMs = Math.round(performance.now() - start);
  logger.log('info', 'pre-check finished', { proofs: checks.length, reused, invalidSlots, totalMs });
  return { invalidSlots, checks, totalMs };
}
