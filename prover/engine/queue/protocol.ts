// What crosses the queue: a job's data (written by the orchestrator) and its result (returned by a
// worker). Plain JSON; both sides validate what they read, since the other side runs elsewhere.
import { AGG_CIRCUITS, NexError } from '../../protocol/index.js';
import type { AggProof, Hex } from '../backend.js';
import type { RollupProofJson } from '../batch.js';
import { AGG_TARGETS } from '../circuits/types.js';
import type { Job } from '../planner.js';
import { aggProofFromJson, type AggProofJson } from '../serialize.js';

/** Version 2: the engine's version-2 tree (pair and single leaves, pads of any height, content keys). */
export const PROTOCOL_VERSION = 2;

/** The circuits a job must be proven with: a worker whose key set differs refuses the job. */
export interface CircuitsRef {
  /** The key-set root (public input 3 of every proof; it commits to every circuit's key hash). */
  keySet: Hex;
  /** The circuits build id of the orchestrator (sources, toolchain, SRS), for messages. */
  buildId: string;
  /** The key hashes by circuit, for the refusal message. */
  keyHashes: Record<string, Hex>;
}

/** What a worker needs to know about an input proof before it uses it. */
export interface InputExpectation {
  id: string;
  /** The input's content key (its queue job id is queueJobId(key)). */
  key: string;
  circuit: string;
  root: Hex;
  target: AggProof['target'];
}

export interface ProveJobData {
  v: typeof PROTOCOL_VERSION;
  /** The content key of this job (checkpoint.ts jobKeys). */
  key: string;
  /** The content key of the flow's root: the key of the flow's liveness mark. */
  flowKey: string;
  circuits: CircuitsRef;
  prover: Hex;
  /** The plan job as the planner made it (kind, circuit, height, index, root, target, deps, slots). */
  job: Job;
  /** The rollup proofs of a leaf's slots, in `job.slots` order (empty for pads and nodes). */
  rollups: RollupProofJson[];
  /** One expectation per dependency, in `job.deps` order. */
  expect: InputExpectation[];
  /** Dependencies already proven (checkpointed) when the flow was added, by plan job id. The others are child jobs. */
  inputs: Record<string, AggProofJson>;
  /** Included slots under this job (named in errors). */
  slots: number[];
}

export interface ProveJobResult {
  v: typeof PROTOCOL_VERSION;
  proof: AggProofJson;
  /** Worker time: input checks + witness + bb proving. */
  ms: number;
  /** bb's own proving time. */
  bbMs?: number | undefined;
  /** Peak RSS of bb during the job. */
  rssMiB?: number | undefined;
  /** The worker that proved it. */
  worker: string;
}

/**
 * How a worker marks a job that failed for its inputs (a circuit rejected them: a verdict, not retried)
 * in the job's failure reason, so the orchestrator can tell it from a bb or worker failure.
 */
export const INPUT_FAILURE_PREFIX = 'bad input: ';

/** A job's data or result that does not parse. */
export class QueueProtocolError extends NexError {
  override readonly name = 'QueueProtocolError';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const WORD = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const KEY = /^[0-9a-f]{40}$/;

function checkJob(j: unknown): Job {
  if (!isObj(j)) throw new QueueProtocolError('job must be an object');
  if (j.kind !== 'leaf' && j.kind !== 'pad' && j.kind !== 'node') throw new QueueProtocolError(`job.kind ${String(j.kind)} is unknown`);
  if (typeof j.id !== 'string') throw new QueueProtocolError('job.id must be a string');
  if (!AGG_CIRCUITS.includes(j.circuit as Job['circuit'])) throw new QueueProtocolError(`job.circuit ${String(j.circuit)} is unknown`);
  if (!Number.isInteger(j.height) || !Number.isInteger(j.index)) throw new QueueProtocolError('job.height and job.index must be integers');
  if (typeof j.root !== 'string' || !WORD.test(j.root)) throw new QueueProtocolError('job.root must be a 32-byte word');
  if (!AGG_TARGETS.includes(j.target as Job['target'])) throw new QueueProtocolError(`job.target ${String(j.target)} is unknown`);
  if (!Array.isArray(j.deps) || !j.deps.every((d) => typeof d === 'string')) throw new QueueProtocolError('job.deps must be strings');
  if (j.kind === 'node' && j.deps.length !== 2) throw new QueueProtocolError('a node job has two dependencies');
  if (j.kind !== 'node' && j.deps.length !== 0) throw new QueueProtocolError(`a ${j.kind} job has no dependency`);
  if (j.kind === 'leaf') {
    const s = j.slots;
    if (!Array.isArray(s) || s.length < 1 || s.length > 2 || !s.every((x) => Number.isInteger(x))) {
      throw new QueueProtocolError('a leaf job covers one or two slots');
    }
  }
  return j as unknown as Job;
}

/** Validates job data read from the queue. */
export function parseJobData(d: unknown): ProveJobData {
  if (!isObj(d)) throw new QueueProtocolError('job data must be an object');
  if (d.v !== PROTOCOL_VERSION) throw new QueueProtocolError(`job data version ${String(d.v)}, this worker speaks ${PROTOCOL_VERSION}`);
  if (typeof d.key !== 'string' || !KEY.test(d.key)) throw new QueueProtocolError('key must be a 40-digit hex content key');
  if (typeof d.flowKey !== 'string' || !KEY.test(d.flowKey)) throw new QueueProtocolError('flowKey must be a 40-digit hex content key');
  const c = d.circuits;
  if (!isObj(c) || typeof c.keySet !== 'string' || !WORD.test(c.keySet) || typeof c.buildId !== 'string' || !isObj(c.keyHashes)) {
    throw new QueueProtocolError('circuits must be { keySet, buildId, keyHashes }');
  }
  if (typeof d.prover !== 'string' || !ADDRESS.test(d.prover)) throw new QueueProtocolError('prover must be an address');
  const job = checkJob(d.job);
  if (!Array.isArray(d.rollups) || !d.rollups.every(isObj)) throw new QueueProtocolError('rollups must be a list of rollup proofs');
  const wanted = job.kind === 'leaf' ? job.slots.length : 0;
  if (d.rollups.length !== wanted)
    throw new QueueProtocolError(`a ${job.kind} job carries ${wanted} rollup proof(s), got ${d.rollups.length}`);
  if (!Array.isArray(d.expect) || d.expect.length !== job.deps.length) throw new QueueProtocolError('expect must list every dependency');
  d.expect.forEach((e: unknown, i) => {
    if (!isObj(e) || e.id !== job.deps[i] || typeof e.key !== 'string' || !KEY.test(e.key) || typeof e.circuit !== 'string') {
      throw new QueueProtocolError(`expect[${i}] does not describe dependency ${job.deps[i]}`);
    }
    if (typeof e.root !== 'string' || !WORD.test(e.root)) throw new QueueProtocolError(`expect[${i}].root must be a 32-byte word`);
  });
  if (!isObj(d.inputs)) throw new QueueProtocolError('inputs must be an object');
  if (!Array.isArray(d.slots) || !d.slots.every((s) => Number.isInteger(s))) throw new QueueProtocolError('slots must be integers');
  return d as unknown as ProveJobData;
}

/** Validates a worker's result and decodes its proof. */
export function parseJobResult(r: unknown): { result: ProveJobResult; proof: AggProof } {
  if (!isObj(r)) throw new QueueProtocolError('job result must be an object');
  if (r.v !== PROTOCOL_VERSION) throw new QueueProtocolError(`job result version ${String(r.v)}`);
  if (typeof r.ms !== 'number' || !(r.ms >= 0)) throw new QueueProtocolError('job result ms must be a number >= 0');
  if (typeof r.worker !== 'string') throw new QueueProtocolError('job result worker must be a string');
  for (const k of ['bbMs', 'rssMiB'] as const) {
    if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'number') throw new QueueProtocolError(`job result ${k} must be a number`);
  }
  let proof: AggProof;
  try {
    proof = aggProofFromJson(r.proof);
  } catch (err) {
    throw new QueueProtocolError(`job result proof: ${(err as Error).message}`, { cause: err });
  }
  return { result: r as unknown as ProveJobResult, proof };
}
