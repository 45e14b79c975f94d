// What a queue worker proves with: the circuits it was built with, a bb that verifies input proofs in
// the worker's own process, and a forked engine worker (worker-pool.ts) that owns the proving bb. An
// interface, so the queue mechanics can be tested with a fake (under test/); the product uses
// `openBbJobProver`.
//
// Why a forked prover: bb.js's bb notices the death of its parent only between commands, so a bb in
// the queue worker's process would go on proving for minutes after a `kill -9` of the worker. The
// forked engine worker kills its bb as soon as its IPC channel closes (worker.ts), and the queue
// worker's event loop stays free for BullMQ's lock renewals while a proof runs.
import { circuitBuild, openBackend, type AggProof, type BackendOptions, type Hex, type RollupProof } from '../backend.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Job } from '../planner.js';
import { WorkerPool } from '../worker-pool.js';
import { circuitsIdOf } from './ids.js';
export interface JobProof {
  proof: AggProof;
  /** bb's own proving time. */
  bbMs?: number | undefined;
  /** Peak RSS of bb during the job. */
  rssMiB?: number | undefined;
}

export interface JobProver {
  /** circuitsIdOf(keyHashes) of the loaded circuits. */
  readonly circuitsId: string;
  readonly keyHashes: Readonly<Record<string, Hex>>;
  /** Where the circuits come from (build directory), for messages. */
  readonly source: string;
  /** Proves one plan job (leaf: `rollup`; node: `inputs` in `job.deps` order; pad: nothing). */
  prove(job: Job, args: { prover: Hex; rollup?: RollupProof | undefined; inputs: AggProof[] }): Promise<JobProof>;
  /** Verifies an aggregation proof with the stored key of its circuit (milliseconds). */
  verify(proof: AggProof): Promise<boolean>;
  /** Verifies a rollup proof (the leaf's input): key hash, shape, bb verification (milliseconds). */
  verifyRollup(rollup: RollupProof): Promise<boolean>;
  /** Stops proving (a job in progress rejects) and frees bb. */
  close(): Promise<void>;
}

/** An error of the proof itself (an invalid input inside it): retrying cannot help. */
export function isBadInputError(err: unknown): boolean {
  return err instanceof Error && err.name === 'InvalidAggProofError';
}

/**
 * Builds the circuits when this machine has no build yet (about 6 CPU-minutes, cached under
 * NEX_BUILD_DIR), opens a bb for verification, and forks one engine worker for proving
 * (`backend.srs`, `backend.threads`).
 */
export async function openBbJobProver(backend: BackendOptions, logger: Logger = silentLogger): Promise<JobProver> {
  await circuitBuild(backend);
  const verifier = await openBackend(backend);
  const keyHashes = { ...verifier.artifacts.keyHashes };
  const pool = new WorkerPool({ size: 1, backend, logger });
  const stop = new AbortController();
  return {
    circuitsId: circuitsIdOf(keyHashes),
    keyHashes,
    source: verifier.artifacts.buildDir,
    async prove(job, { prover, rollup, inputs }) {
      const res = await pool.run({ job, prover, rollup, inputs }, stop.signal);
      return { proof: res.proof, bbMs: res.bbMs, rssMiB: res.rssMiB };
    },
    verify: (p) => verifier.verifyAggProof(p),
    verifyRollup: (r) => verifier.verifyRollupProof(r),
    async close() {
      stop.abort(new Error('the worker is closing'));
      await pool.close();
      await verifier.close();
    },
  };
}
