// Deterministic names: the circuits a job needs, and the queue id of a plan job.
import { createHash } from 'node:crypto';
import type { Hex } from '../backend.js';
import type { Job, Plan } from '../planner.js';

/**
 * The content hash of a circuit set: sha256 over its key hashes (name=hash, sorted by name). Two
 * builds with the same key hashes prove the same statements and accept each other's proofs; any
 * other difference (Noir or bb version, SRS, sources) changes a key hash.
 */
export function circuitsIdOf(keyHashes: Readonly<Record<string, Hex>>): string {
  const entries = Object.entries(keyHashes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) throw new Error('no key hashes: cannot identify the circuits');
  const h = createHash('sha256').update('nex-circuits/v1');
  for (const [name, kh] of entries) h.update(`\n${name}=${kh.toLowerCase()}`);
  return h.digest('hex');
}

/** The BullMQ job id of a plan job: `<batchKey>-<planJobId>` (BullMQ ids may not contain ':'). */
export function queueJobId(batchKey: string, planJobId: string): string {
  if (!/^[0-9a-f]{32}$/.test(batchKey)) throw new Error(`batch key ${JSON.stringify(batchKey)} is not 32 hex characters`);
  if (!/^[A-Za-z0-9.@_-]+$/.test(planJobId)) throw new Error(`plan job id ${JSON.stringify(planJobId)} has unsafe characters`);
  return `${batchKey}-${planJobId}`;
}

/** The plan job id inside a queue job id of this batch, or undefined for another batch's job. */
export function planJobIdOf(batchKey: string, qid: string): string | undefined {
  return qid.startsWith(`${batchKey}-`) ? qid.slice(batchKey.length + 1) : undefined;
}

/** The slots (included or not) a job's subtree covers: [index * 2^height, (index + 1) * 2^height). */
export function slotsCoveredBy(job: Pick<Job, 'height' | 'index'>): number[] {
  const first = job.index * 2 ** job.height;
  return Array.from({ length: 2 ** job.height }, (_, i) => first + i);
}

/** The included slots under a job (what a failure of that job puts at risk). */
export function includedSlotsUnder(plan: Pick<Plan, 'includedSlots'>, job: Pick<Job, 'height' | 'index'>): number[] {
  const covered = new Set(slotsCoveredBy(job));
  return plan.includedSlots.filter((s) => covered.has(s));
}
