// IPC messages between the worker pool (parent) and a proving worker (child). JSON only.
import type { BackendOptions, Hex } from './backend.js';
import type { RollupProofJson } from './batch.js';
import type { Job } from './planner.js';
import type { AggProofJson } from './serialize.js';

/**
 * Why a job failed: `input` a circuit rejected the job's inputs (deterministic), `transport` the worker's
 * bb stopped answering (the pool replaces the worker), `error` anything else.
 */
export type FailureKind = 'input' | 'transport' | 'error';

export type ParentMessage =
  | { type: 'init'; backend: BackendOptions }
  | { type: 'job'; taskId: number; job: Job; prover: Hex; rollups: RollupProofJson[]; inputs: AggProofJson[] }
  | { type: 'shutdown' };

export type WorkerMessage =
  | { type: 'ready'; bbPid?: number | undefined }
  | { type: 'init-error'; message: string }
  | { type: 'done'; taskId: number; proof: AggProofJson; ms: number; bbMs: number; rssMiB?: number | undefined }
  | { type: 'failed'; taskId: number; message: string; kind: FailureKind };
