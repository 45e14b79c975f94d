// A plan's remaining jobs as BullMQ flows (pure: no connection). Proving a batch is ONE flow, rooted at
// the plan's root; the engine's bad-slot search proves one leaf alone (its own one-job flow).
//
// A flow is a tree of jobs; a parent runs when all its children are done, and reads their return
// values. A dependency that is already proven (a checkpoint) is not a child job: its proof travels in
// the parent's data (`inputs`). Job ids come from the flow's content key and the plan ids (ids.ts), so
// adding the same flow again finds the jobs already there (BullMQ ignores a job whose id exists)
// instead of queueing a second copy.
import type { FlowJob, FlowJobNode, JobsOptions } from 'bullmq';
import type { AggProof, Hex } from '../backend.js';
import { type Batch, rollupToJson } from '../batch.js';
import type { Job, Plan } from '../planner.js';
import { aggProofToJson } from '../serialize.js';
import { includedSlotsUnder, queueJobId } from './ids.js';
import { type CircuitsRef, PROTOCOL_VERSION, type ProveJobData } from './protocol.js';

/** Retry and retention settings of every job of a flow. */
export interface FlowJobPolicy {
  /** Attempts per job (an attempt ends with an error or a lost worker); input failures are not retried. */
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
  /** The content key of every job of the plan (checkpoint.ts jobKeys). */
  keys: ReadonlyMap<string, string>;
  circuits: CircuitsRef;
  /** Proofs already available (checkpoints), by plan job id. */
  done: ReadonlyMap<string, AggProof>;
  /** The jobs whose proofs are wanted (default: the plan's root); one flow each. */
  targets?: readonly string[] | undefined;
  /**
   * The content key naming the flows (job ids, liveness): default each target's own key. The orchestrator
   * passes its target's key when it adds flows rooted under a blocked target, so their jobs keep their ids.
   */
  flowKey?: string | undefined;
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
    priority: job.height,
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { age: policy.keepSeconds },
    removeOnFail: { age: policy.keepSeconds },
    // A child that fails for good fails its parent, and so on up to the root: the jobs that depend on a
    // bad leaf end at once, while every other job of the flow goes on (the orchestrator waits for them,
    // checkpoints them, and reports the bad leaf so the engine excludes its slot and plans again).
    ...(isRoot ? {} : { failParentOnFailure: true }),
  };
}

/** The key of a plan job, or an error naming it. */
export function keyOf(keys: ReadonlyMap<string, string>, jobId: string): string {
  const k = keys.get(jobId);
  if (!k) throw new Error(`no content key for job ${jobId}`);
  return k;
}

/**
 * The flows proving what `done` lacks to reach the targets (none for a target already done). Only jobs on
 * a path to a target through missing proofs are included (a lost leaf under a checkpointed node is not
 * proven again).
 */
export function buildFlows(input: BuildFlowInput): FlowJob[] {
  const { plan, batch, prover, keys, circuits, done, queueName, prefix } = input;
  const policy = input.policy ?? DEFAULT_FLOW_POLICY;
  const byId = new Map(plan.jobs.map((j) => [j.id, j]));

  const dataFor = (job: Job, flowKey: string): ProveJobData => {
    const inputs: ProveJobData['inputs'] = {};
    for (const d of job.deps) {
      const p = done.get(d);
      if (p) inputs[d] = aggProofToJson(p);
    }
    const rollups =
      job.kind === 'leaf'
        ? job.slots.map((s) => {
            const slot = batch.slots[s];
            if (slot?.kind !== 'proof') throw new Error(`plan leaf ${job.id} covers slot ${s}, which holds no proof`);
            return rollupToJson(slot.rollup);
          })
        : [];
    return {
      v: PROTOCOL_VERSION,
      key: keyOf(keys, job.id),
      flowKey,
      circuits,
      prover,
      job,
      rollups,
      expect: job.deps.map((d) => {
        const dep = byId.get(d)!;
        return { id: dep.id, key: keyOf(keys, dep.id), circuit: dep.circuit, root: dep.root, target: dep.target };
      }),
      inputs,
      slots: includedSlotsUnder(plan, job),
    };
  };

  const node = (job: Job, flowKey: string, isRoot: boolean): FlowJobNode => {
    const children = job.deps.filter((d) => !done.has(d)).map((d) => node(byId.get(d)!, flowKey, false));
    return {
      name: job.circuit,
      queueName,
      prefix,
      data: dataFor(job, flowKey),
      opts: jobOptions(job, queueJobId(flowKey, job.id), policy, isRoot),
      ...(children.length > 0 ? { children } : {}),
    };
  };
  const targets = input.targets ?? [plan.rootJobId];
  return targets
    .filter((t) => !done.has(t))
    .map((t) => {
      const target = byId.get(t);
      if (!target) throw new Error(`target ${t} is not a job of the plan`);
      return node(target, input.flowKey ?? keyOf(keys, t), true) as FlowJob;
    });
}

/** Every job of a flow tree, root first (tests and diagnostics). */
export function flowJobs(flow: FlowJob | FlowJobNode): (FlowJob | FlowJobNode)[] {
  return [flow, ...(flow.children ?? []).flatMap((c) => flowJobs(c))];
}
