// The batch's remaining jobs as ONE BullMQ flow (pure: no connection).
//
// A flow is a tree of jobs; a parent runs when all its children are done, and reads their return
// values. The plan's root job is the flow's root. A dependency that is already proven (a checkpoint)
// is not a child job: its proof travels in the parent's data (`inputs`). Job ids are deterministic
// (batch key + plan job id), so adding the same flow again finds the jobs already there (BullMQ
// ignores a job whose id exists and re-links it to its parent) instead of queueing a second copy.
import type { FlowJob, FlowJobNode, JobsOptions } from 'bullmq';
import type { AggProof, Hex, RollupProof } from '../backend.js';
import { type Batch, rollupToJson } from '../batch.js';
import type { Job, Plan } from '../planner.js';
import { aggProofToJson } from '../serialize.js';
import { includedSlotsUnder, queueJobId } from './ids.js';
import { type CircuitsRef, PROTOCOL_VERSION, type ProveJobData } from './protocol.js';

/** Retry and retention settings of every job of a flow. */
export interface FlowJobPolicy {
  /** Attempts per job (an attempt ends with an error or a lost worker). */
  attempts: number;
  /** First retry delay (exponential backoff). */
  backoffMs: number;
  /** Completed and failed jobs are kept this long at most (the orchestrator removes its flow when done). */
  keepSeconds: number;
}

export const DEFAULT_FLOW_POLICY: FlowJobPolicy = { attempts: 3, backoffMs: 5_000, keepSeconds: 24 * 3600 };

export interface BuildFlowInput {
  plan: Plan;
  batch: Batch;
  prover: Hex;
  batchKey: string;
  circuits: CircuitsRef;
  /** Proofs already available (checkpoints), by plan job id. */
  done: ReadonlyMap<string, AggProof>;
  queueName: string;
  prefix: string;
  policy?: FlowJobPolicy | undefined;
}

function jobOptions(job: Job, id: string, policy: FlowJobPolicy, isRoot: boolean): JobsOptions {
  return {
    jobId: id,
    // Breadth-first, like the in-process scheduler: every leaf before any node, each level before the
    // next (1 = first). Without priorities BullMQ puts a parent whose children are done at the head of
    // the queue, which proves branch by branch and leaves the last branch alone on one worker at the end
    // (measured: 9 rounds instead of 8 for a batch of 8 on 2 workers).
    priority: job.height + 1,
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { age: policy.keepSeconds },
    removeOnFail: { age: policy.keepSeconds },
    // A child that fails for good fails its parent, and so on up to the root: the flow ends instead
    // of waiting for ever, and the orchestrator reports the job where it started.
    ...(isRoot ? {} : { failParentOnFailure: true }),
  };
}

/**
 * The flow proving what `done` lacks to reach the plan's root, or undefined when the root is done.
 * Only jobs on a path to the root through missing proofs are included (a lost leaf under a
 * checkpointed node is not proven again).
 */
export function buildFlow(input: BuildFlowInput): FlowJob | undefined {
  const { plan, batch, prover, batchKey, circuits, done, queueName, prefix } = input;
  const policy = input.policy ?? DEFAULT_FLOW_POLICY;
  if (done.has(plan.rootJobId)) return undefined;
  const byId = new Map(plan.jobs.map((j) => [j.id, j]));

  const dataFor = (job: Job): ProveJobData => {
    const inputs: ProveJobData['inputs'] = {};
    for (const d of job.deps) {
      const p = done.get(d);
      if (p) inputs[d] = aggProofToJson(p);
    }
    let rollup: RollupProof | undefined;
    if (job.kind === 'leaf') {
      const slot = batch.slots[job.slot];
      if (slot?.kind !== 'proof') throw new Error(`plan leaf ${job.id} has no proof in slot ${job.slot}`);
      rollup = slot.rollup;
    }
    return {
      v: PROTOCOL_VERSION,
      batchKey,
      circuits,
      prover,
      job,
      rollup: rollup ? rollupToJson(rollup) : undefined,
      expect: job.deps.map((d) => {
        const dep = byId.get(d)!;
        return { id: dep.id, circuit: dep.circuit, root: dep.root, target: dep.target };
      }),
      inputs,
      slots: includedSlotsUnder(plan, job),
    };
  };

  const node = (job: Job, isRoot: boolean): FlowJobNode => {
    const children = job.deps.filter((d) => !done.has(d)).map((d) => node(byId.get(d)!, false));
    return {
      name: job.circuit,
      queueName,
      prefix,
      data: dataFor(job),
      opts: jobOptions(job, queueJobId(batchKey, job.id), policy, isRoot),
      ...(children.length > 0 ? { children } : {}),
    };
  };
  const root = byId.get(plan.rootJobId);
  if (!root) throw new Error(`plan root ${plan.rootJobId} is not among its jobs`);
  return node(root, true) as FlowJob;
}

/** Every job of a flow tree, root first (tests and diagnostics). */
export function flowJobs(flow: FlowJob | FlowJobNode): (FlowJob | FlowJobNode)[] {
  return [flow, ...(flow.children ?? []).flatMap((c) => flowJobs(c))];
}
