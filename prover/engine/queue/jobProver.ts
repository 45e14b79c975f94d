// What a queue worker proves with: the circuits it loaded, a bb that verifies input proofs in the
// worker's own process, and a forked engine worker (workerPool.ts) that owns the proving bb. An
// interface, so the queue mechanics can be tested with a fake (under test/); the product uses
// `openBbJobProver`.
//
// Why a forked prover: bb.js's bb notices the death of its parent only between commands, so a bb in
// the queue worker's process would go on proving for minutes after a `kill -9` of the worker. The
// forked engine worker kills its bb as soon as its IPC channel closes (worker.ts), and the queue
// worker's event loop stays free for BullMQ's lock renewals while a proof runs.
import { type AggProof, type BackendOptions, type Hex, openBackend, type RollupProof } from '../backend.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Job } from '../planner.js';
import { WorkerPool } from '../workerPool.js';

export interface JobProof {
  proof: AggProof;
  /** bb's own proving time. */
  bbMs?: number | undefined;
  /** Peak RSS of bb during the job. */
  rssMiB?: number | undefined;
}

export interface JobProver {
  /** The key-set root of the loaded circuits: a job made for another key set is refused. */
  readonly keySet: Hex;
  /** The circuits build id (sources, toolchain, SRS). */
  readonly buildId: string;
  readonly keyHashes: Readonly<Record<string, Hex>>;
  /** Where the circuits come from (build directory), for messages. */
  readonly source: string;
  /**
   * Proves one plan job (leaf: `rollups` in `job.slots` order; node: `inputs` in `job.deps` order; pad:
   * nothing). Rejects with the engine's JobInputError when a circuit rejected the inputs.
   */
  prove(job: Job, args: { prover: Hex; rollups: RollupProof[]; inputs: AggProof[] }): Promise<JobProof>;
  /** Verifies an aggregation proof with the stored key of its circuit (milliseconds). */
  verify(proof: AggProof): Promise<boolean>;
  /** Checks a rollup proof (the leaf's input): key hash, shape, bb verification. Why it is invalid, or undefined. */
  checkRollup(rollup: RollupProof): Promise<string | undefined>;
  /** Stops proving (a job in progress rejects) and frees bb. */
  close(): Promise<void>;
}

/**
 * Opens a bb for verification and forks one engine worker for proving (`backend.srs`, `backend.threads`),
 * on the circuits build the toolchain made (`nex worker` builds it first when this machine has none).
 */
export async function openBbJobProver(backend: BackendOptions, logger: Logger = silentLogger): Promise<JobProver> {
  const verifier = await openBackend(backend);
  const { keySet, buildId, keyHashes, buildDir } = verifier.artifacts;
  const pool = new WorkerPool({ size: 1, backend, logger });
  const stop = new AbortController();
  return {
    keySet,
    buildId,
    keyHashes: { ...keyHashes },
    source: buildDir,
    async prove(job, { prover, rollups, inputs }) {
      const res = await pool.run({ job, prover, rollups, inputs }, stop.signal);
      return { proof: res.proof, bbMs: res.bbMs, rssMiB: res.rssMiB };
    },
    verify: (p) => verifier.verifyAggProof(p),
    checkRollup: (r) => verifier.checkRollupProof(r),
    async close() {
      stop.abort(new Error('the worker is closing'));
      await pool.close();
      await verifier.close();
    },
  };
}
