// Deterministic names of distributed proving: the queue id of a job and of its flow, from the content
// keys of the engine's checkpoints (checkpoint.ts jobKeys). A job's key covers everything its proof
// depends on (circuit, target, inputs, prover, key set), so the same job gets the same id in every
// run: a restarted orchestrator finds its flow instead of adding a second one, and a re-plan after an
// excluded slot changes only the ids of the jobs whose inputs changed.
import type { Job, Plan } from '../planner.js';

const KEY = /^[0-9a-f]{40}$/;

/** The BullMQ id of the job of content key `key`: `k<key>` (an id may not be an integer or hold ':'). */
export function queueJobId(key: string): string {
  if (!KEY.test(key)) throw new Error(`job key ${JSON.stringify(key)} is not a 40-digit hex content key`);
  return `k${key}`;
}

/** The content key inside a queue job id, or undefined for an id this engine did not make. */
export function keyOfQueueJobId(id: string): string | undefined {
  return /^k[0-9a-f]{40}$/.test(id) ? id.slice(1) : undefined;
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
