import { aggregationMarketAbi } from '../../abi/v1.js';
import type { PrecheckReport } from '../../engine/index.js';
import type { KeeperDb } from '../db/keeperDb.js';
import { validSlotsOf, type BatchProver } from './batchProver.js';
import { digestOf, fetchBatchInputs, type InputSource, type SlotFetch, type SlotInput } from './inputs.js';

/**
 * A batch's inputs are fetched and checked once: before the lock (the keeper must know that at least
 * one proof verifies), stored in the keeper database, and reused after the lock and after a restart.
 * After the lock only the chain is asked whether a stored slot still stands (its digest on chain); a
 * slot that changed (refunded, reorged) is fetched again, and the engine verifies only what it has
 * not checked before (its report binds each check to the slot's content).
 */
export interface CheckedInputs {
  /** One entry per slot 0..count-1. */
  readonly slots: SlotFetch[];
  /** The engine's pre-check of the usable slots; undefined when none was usable or none was checked yet. */
  readonly precheck: PrecheckReport | undefined;
  readonly validProofs: number;
}

export interface InputsForProving {
  readonly slots: SlotFetch[];
  readonly prechecked: PrecheckReport | undefined;
  /** Where the slots came from: the stored pre-lock check, or chain data (nothing usable was stored). */
  readonly source: 'stored' | 'fetched';
  /** Stored slots fetched again because the chain no longer holds their digest. */
  readonly refetched: number[];
}

/**
 * Before the lock: the stored check of this batch, else fetches its inputs, pre-checks the usable
 * proofs and stores both. `fresh` says whether anything was fetched.
 */
export async function checkBatchInputs(
  src: InputSource,
  prover: BatchProver,
  b: { batchId: bigint; capacity: number; count: number },
): Promise<CheckedInputs & { fresh: boolean }> {
  const stored = loadInputs(src, b.batchId);
  const checked = stored && (stored.precheck !== undefined || !stored.slots.some((s) => s.ok));
  if (stored && stored.count === b.count && checked) return { ...stored, fresh: false };
  const slots = await fetchBatchInputs(src, b.batchId, b.count);
  const precheck = slots.some((s) => s.ok) ? await prover.precheck(b.capacity, slots) : undefined;
  const result: CheckedInputs = { slots, precheck, validProofs: precheck ? validSlotsOf(precheck).length : 0 };
  storeInputs(src.db, b.batchId, b.count, result);
  return { ...result, fresh: true };
}

/**
 * After the lock (and after a restart): the stored slots, each usable one confirmed by its digest on
 * chain; slots whose digest changed are fetched again. Without stored slots for this count (a lock
 * adopted from chain, a lost database) everything is fetched and stored.
 */
export async function inputsForProving(src: InputSource, b: { batchId: bigint; count: number }): Promise<InputsForProving> {
  const stored = loadInputs(src, b.batchId);
  if (!stored || stored.count !== b.count) {
    const slots = await fetchBatchInputs(src, b.batchId, b.count);
    storeInputs(src.db, b.batchId, b.count, { slots, precheck: undefined, validProofs: 0 });
    return { slots, prechecked: undefined, source: 'fetched', refetched: [] };
  }
  const changed = await changedOnChain(src, stored.slots);
  let slots = stored.slots;
  if (changed.length > 0) {
    const again = await fetchBatchInputs(src, b.batchId, b.count, changed);
    slots = slots.map((s) => again.find((x) => x.slot === s.slot) ?? s);
    storeInputs(src.db, b.batchId, b.count, { ...stored, slots });
  }
  return { slots, prechecked: stored.precheck, source: 'stored', refetched: changed };
}

/** Usable slots whose statement digest is no longer the one the market holds for the submission. */
async function changedOnChain(src: InputSource, slots: readonly SlotFetch[]): Promise<number[]> {
  const usable = slots.filter((s): s is Extract<SlotFetch, { ok: true }> => s.ok);
  const onChain = await Promise.all(
    usable.map((s) =>
      src.client.readContract({ address: src.market, abi: aggregationMarketAbi, functionName: 'digestOf', args: [s.input.submissionId] }),
    ),
  );
  return usable
    .filter((s, i) => onChain[i]!.toLowerCase() !== digestOf(s.input.programId, s.input.publicInputs)?.toLowerCase())
    .map((s) => s.slot);
}

// ---- storage (JSON documents in the keeper database) -------------------------------------------

type SlotJson =
  | { slot: number; ok: true; input: Omit<SlotInput, 'submissionId' | 'fee'> & { submissionId: string; fee: string } }
  | { slot: number; ok: false; reason: string };

function storeInputs(db: KeeperDb, batchId: bigint, count: number, c: CheckedInputs): void {
  const slots: SlotJson[] = c.slots.map((s) =>
    s.ok
      ? { slot: s.slot, ok: true, input: { ...s.input, submissionId: s.input.submissionId.toString(), fee: s.input.fee.toString() } }
      : s,
  );
  db.putBatchInputs(batchId, {
    count,
    slots: JSON.stringify(slots),
    precheck: c.precheck ? JSON.stringify(c.precheck) : null,
    validProofs: c.validProofs,
  });
}

/** The stored inputs of a batch; undefined (logged) when none are stored or they cannot be read. */
function loadInputs(src: InputSource, batchId: bigint): (CheckedInputs & { count: number }) | undefined {
  const row = src.db.getBatchInputs(batchId);
  if (!row) return undefined;
  try {
    const slots = (JSON.parse(row.slots) as SlotJson[]).map((s): SlotFetch => {
      if (!s.ok) return { slot: s.slot, ok: false, reason: s.reason };
      return { slot: s.slot, ok: true, input: { ...s.input, submissionId: BigInt(s.input.submissionId), fee: BigInt(s.input.fee) } };
    });
    if (slots.length !== row.count || slots.some((s, i) => s.slot !== i)) throw new Error(`expected slots 0..${row.count - 1}`);
    const precheck = row.precheck === null ? undefined : (JSON.parse(row.precheck) as PrecheckReport);
    return { count: row.count, slots, precheck, validProofs: row.validProofs };
  } catch (err) {
    src.log.warn('stored batch inputs unreadable; fetching again', { batchId, error: err as Error });
    return undefined;
  }
}
