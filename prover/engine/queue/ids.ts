// Deterministic names of distributed proving, from the content keys of the engine's checkpoints
// (checkpoint.ts jobKeys). A flow is named by the content key of its target (the plan's root: it covers
// every job's key, so the batch, the prover and the key set), and a job by its flow's key and its plan
// id: `f<flowKey>-<planJobId>`. The same plan gets the same ids in every run, so a restarted
// orchestrator finds its flow instead of adding a second one; another batch, prover or key set, or a
// re-plan after an excluded slot, gets other ids (its unchanged jobs come from the checkpoints as data).
// A job's own key alone cannot be its id: two pads of the same height in one batch (or in two batches
// of one prover) have the same content, and a BullMQ job has one parent.
import type { Job, Plan } from '../planner.js';

const KEY = /^[0-9a-f]{40}$/;
const PLAN_ID = /^[A-Za-z0-9.@]+$/;

/** The BullMQ id of plan job `planJobId` in the flow of content key `flowKey` (no ':', never an integer). */
export function queueJobId(flowKey: string, planJobId: string): string {
  if (!KEY.test(flowKey)) throw new Error(`flow key ${JSON.stringify(flowKey)} is not a 40-digit hex content key`);
  if (!PLAN_ID.test(planJobId)) throw new Error(`plan job id ${JSON.stringify(planJobId)} has unsafe characters`);
  return `f${flowKey}-${planJobId}`;
}

/** The plan job id inside a queue job id of the flow `flowKey`, or undefined for another flow's job. */
export function planJobIdOf(flowKey: string, queueId: string): string | undefined {
  const prefix = `f${flowKey}-`;
  return queueId.startsWith(prefix) ? queueId.slice(prefix.length) : undefined;
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
