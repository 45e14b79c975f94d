import type { PrecheckReport } from '../../engine/index.js';
import type { BatchInfo } from '../chain/market.js';
import type { KeeperDb } from '../db/keeperDb.js';
import { EngineFailure, validSlotsOf, type BatchProver } from './batchProver.js';
import type { BatchContent } from './content.js';
import { fetchBatchInputs, type InputSource, type SlotFetch } from './inputs.js';

/**
 * A batch's inputs are read and checked once: before the lock (the keeper must know that at least one
 * proof verifies and that it can build the batch's settlement), stored in the keeper database, and reused
 * after the lock and after a restart. A stored read stands while the batch's commitment on chain is the
 * one its content hashes to (a sealed batch's content never changes; a reorg that rebuilt the batch
 * changes the commitment, and everything is read again). The engine verifies only what it has not checked
 * before (its report binds each check to the slot's content).
 */
export interface CheckedInputs {
  readonly content: BatchContent;
  /** One entry per slot 0..count-1. */
  readonly slots: SlotFetch[];
  /** The engine's pre-check of the usable slots; undefined when none was usable or none was checked yet. */
  readonly precheck: PrecheckReport | undefined;
  readonly validProofs: number;
}

export interface InputsForProving {
  readonly content: BatchContent;
  readonly slots: SlotFetch[];
  readonly prechecked: PrecheckReport | undefined;
  /** Where the slots came from: the stored pre-lock read, or chain data and sources (nothing usable was stored). */
  readonly source: 'stored' | 'fetched';
}

/**
 * Before the lock: the stored check of this batch, else reads its inputs, pre-checks the usable proofs
 * and stores both. `fresh` says whether anything was fetched or checked. The pre-check throws when the
 * engine fails without a verdict (bb crashed, timed out): the fetched inputs stay stored, nothing is
 * excluded, and the caller retries later.
 */
export async function checkBatchInputs(
  src: InputSource,
  prover: BatchProver,
  b: BatchInfo,
  proofBytes: number,
): Promise<CheckedInputs & { fresh: boolean }> {
  let stored = loadInputs(src, b);
  if (stored && (stored.precheck !== undefined || !stored.slots.some((s) => s.ok))) return { ...stored, fresh: false };
  if (!stored) {
    const fetched = await fetchBatchInputs(src, b, proofBytes);
    stored = { content: fetched.content, slots: fetched.slots, precheck: undefined, validProofs: 0 };
    storeInputs(src.db, b, stored);
  }
  let precheck: PrecheckReport | undefined;
  try {
    precheck = stored.slots.some((s) => s.ok) ? await prover.precheck(b.capacity, stored.slots) : undefined;
  } catch (err) {
    throw new EngineFailure(`the pre-check of batch ${b.batchId} failed without a verdict: ${(err as Error).message}`, { cause: err });
  }
  const result: CheckedInputs = { ...stored, precheck, validProofs: precheck ? validSlotsOf(precheck).length : 0 };
  storeInputs(src.db, b, result);
  return { ...result, fresh: true };
}

/**
 * After the lock (and after a restart): the stored read when it still matches the batch's commitment;
 * else (a lock adopted from chain, a lost database, a rebuilt batch) everything is read again and stored.
 */
export async function inputsForProving(src: InputSource, b: BatchInfo, proofBytes: number): Promise<InputsForProving> {
  const stored = loadInputs(src, b);
  if (stored) return { content: stored.content, slots: stored.slots, prechecked: stored.precheck, source: 'stored' };
  const fetched = await fetchBatchInputs(src, b, proofBytes);
  storeInputs(src.db, b, { content: fetched.content, slots: fetched.slots, precheck: undefined, validProofs: 0 });
  return { content: fetched.content, slots: fetched.slots, prechecked: undefined, source: 'fetched' };
}

/** The stored content of a batch, when it still matches the commitment (for settlements after proving). */
export function storedContent(src: Pick<InputSource, 'db' | 'log'>, b: BatchInfo): BatchContent | undefined {
  return loadInputs(src, b)?.content;
}

// ---- storage (JSON documents in the keeper database) -------------------------------------------

type ContentJson = Omit<BatchContent, 'batchId' | 'groups' | 'slots'> & {
  batchId: string;
  groups: { word: string; programId: BatchContent['groups'][number]['programId'] }[];
  slots: (Omit<BatchContent['slots'][number], 'blob'> & {
    blob?: { txHash: string; block: string; versionedHash: string; offset: number };
  })[];
};

function contentToJson(c: BatchContent): string {
  const j: ContentJson = {
    ...c,
    batchId: c.batchId.toString(),
    groups: c.groups.map((g) => ({ word: g.word.toString(), programId: g.programId })),
    slots: c.slots.map((s) => (s.blob ? { ...s, blob: { ...s.blob, block: s.blob.block.toString() } } : { ...s, blob: undefined })),
  };
  return JSON.stringify(j);
}

function contentFromJson(text: string): BatchContent {
  const j = JSON.parse(text) as ContentJson;
  return {
    ...j,
    batchId: BigInt(j.batchId),
    groups: j.groups.map((g) => ({ word: BigInt(g.word), programId: g.programId })),
    slots: j.slots.map((s) =>
      s.blob
        ? {
            ...s,
            blob: {
              ...s.blob,
              txHash: s.blob.txHash as `0x${string}`,
              versionedHash: s.blob.versionedHash as `0x${string}`,
              block: BigInt(s.blob.block),
            },
          }
        : { ...s, blob: undefined },
    ),
  } as BatchContent;
}

function storeInputs(db: KeeperDb, b: BatchInfo, c: CheckedInputs): void {
  db.putBatchInputs(b.batchId, {
    count: b.count,
    slots: JSON.stringify(c.slots),
    precheck: c.precheck ? JSON.stringify(c.precheck) : null,
    content: contentToJson(c.content),
    validProofs: c.validProofs,
  });
}

/** The stored inputs of a batch while they match its commitment; undefined (logged when unreadable) otherwise. */
function loadInputs(src: Pick<InputSource, 'db' | 'log'>, b: BatchInfo): CheckedInputs | undefined {
  const row = src.db.getBatchInputs(b.batchId);
  if (!row || row.content === null) return undefined;
  try {
    const content = contentFromJson(row.content);
    if (content.commitment.toLowerCase() !== b.commitment.toLowerCase()) return undefined;
    const slots = JSON.parse(row.slots) as SlotFetch[];
    if (slots.length !== row.count || row.count !== b.count || slots.some((s, i) => s.slot !== i))
      throw new Error(`expected slots 0..${b.count - 1}`);
    const precheck = row.precheck === null ? undefined : (JSON.parse(row.precheck) as PrecheckReport);
    return { content, slots, precheck, validProofs: row.validProofs };
  } catch (err) {
    src.log.warn('stored batch inputs unreadable; fetching again', { batchId: b.batchId, error: err as Error });
    return undefined;
  }
}
