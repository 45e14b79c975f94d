// What crosses the queue: a job's data (written by the orchestrator) and its result (returned by a
// worker). Plain JSON; both sides validate what they read, since the other side runs elsewhere.
import type { AggProof, Hex } from '../backend.js';
import { type RollupProofJson } from '../batch.js';
import type { Job } from '../planner.js';
import { aggProofFromJson, type AggProofJson } from '../serialize.js';

export const PROTOCOL_VERSION = 1;

/** The circuits a job must be proven with. */
export interface CircuitsRef {
  /** circuitsIdOf(keyHashes): what a worker compares with its own. */
  id: string;
  /** The key hashes, by circuit (for the refusal message and for humans). */
  keyHashes: Record<string, Hex>;
}

/** What a worker needs to know about an input proof before it uses it. */
export interface InputExpectation {
  id: string;
  circuit: string;
  root: Hex;
  target: AggProof['target'];
}

export interface ProveJobData {
  v: typeof PROTOCOL_VERSION;
  batchKey: string;
  circuits: CircuitsRef;
  prover: Hex;
  /** The plan job as the planner made it (kind, circuit, height, index, root, target, deps...). */
  job: Job;
  /** The slot's rollup proof (leaf jobs). */
  rollup?: RollupProofJson | undefined;
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

/** A job's data or result that does not parse. */
export class QueueProtocolError extends Error {
  override readonly name = 'QueueProtocolError';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const WORD = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function checkJob(j: unknown): Job {
  if (!isObj(j)) throw new QueueProtocolError('job must be an object');
  if (j.kind !== 'leaf' && j.kind !== 'pad' && j.kind !== 'node') throw new QueueProtocolError(`job.kind ${String(j.kind)} is unknown`);
  if (typeof j.id !== 'string' || typeof j.circuit !== 'string') throw new QueueProtocolError('job.id and job.circuit must be strings');
  if (!Number.isInteger(j.height) || !Number.isInteger(j.index)) throw new QueueProtocolError('job.height and job.index must be integers');
  if (typeof j.root !== 'string' || !WORD.test(j.root)) throw new QueueProtocolError('job.root must be a 32-byte word');
  if (j.target !== 'noir-recursive' && j.target !== 'evm') throw new QueueProtocolError(`job.target ${String(j.target)} is unknown`);
  if (!Array.isArray(j.deps) || !j.deps.every((d) => typeof d === 'string')) throw new QueueProtocolError('job.deps must be strings');
  if (j.kind === 'leaf' && !Number.isInteger(j.slot)) throw new QueueProtocolError('leaf job without a slot');
  return j as unknown as Job;
}

/** Validates job data read from the queue. */
export function parseJobData(d: unknown): ProveJobData {
  if (!isObj(d)) throw new QueueProtocolError('job data must be an object');
  if (d.v !== PROTOCOL_VERSION) throw new QueueProtocolError(`job data version ${String(d.v)}, this worker speaks ${PROTOCOL_VERSION}`);
  if (typeof d.batchKey !== 'string') throw new QueueProtocolError('batchKey must be a string');
  const c = d.circuits;
  if (!isObj(c) || typeof c.id !== 'string' || !isObj(c.keyHashes)) throw new QueueProtocolError('circuits must be { id, keyHashes }');
  if (typeof d.prover !== 'string' || !ADDRESS.test(d.prover)) throw new QueueProtocolError('prover must be an address');
  const job = checkJob(d.job);
  if (job.kind === 'leaf' && !isObj(d.rollup)) throw new QueueProtocolError('leaf job without its rollup proof');
  if (!Array.isArray(d.expect) || d.expect.length !== job.deps.length) throw new QueueProtocolError('expect must list every dependency');
  d.expect.forEach((e: unknown, i) => {
    if (!isObj(e) || e.id !== job.deps[i] || typeof e.circuit !== 'string' || typeof e.root !== 'string' || !WORD.test(e.root)) {
      throw new QueueProtocolError(`expect[${i}] does not describe dependency ${job.deps[i]}`);
    }
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
    throw new QueueProtocolError(`job result proof: ${(err as Error).message}`);
  }
  return { result: r as unknown as ProveJobResult, proof };
}
