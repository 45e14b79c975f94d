// What a queue worker proves with: one bb instance and the circuits it was built with. An interface,
// so the queue mechanics can be tested with a fake (under test/); the product uses `openBbJobProver`.
import { circuitBuild, openBackend, type AggProof, type BackendOptions, type Hex, type ProvingBackend, type RollupProof } from '../backend.js';
import type { Job } from '../planner.js';
import { peakRssMiB, resetPeakRss } from '../rss.js';
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
  close(): Promise<void>;
}

/** An error of the proof itself (an invalid input inside it): retrying cannot help. */
export function isBadInputError(err: unknown): boolean {
  return err instanceof Error && err.name === 'InvalidAggProofError';
}

function fromBackend(b: ProvingBackend): JobProver {
  const keyHashes = { ...b.artifacts.keyHashes };
  return {
    circuitsId: circuitsIdOf(keyHashes),
    keyHashes,
    source: b.artifacts.buildDir,
    async prove(job, { prover, rollup, inputs }) {
      const pid = b.bbPid();
      if (pid !== undefined) await resetPeakRss(pid);
      b.takeBbProveMs();
      let proof: AggProof;
      switch (job.kind) {
        case 'leaf':
          if (!rollup) throw new Error(`leaf job ${job.id} without its rollup proof`);
          proof = await b.proveLeaf({ rollup, prover });
          break;
        case 'pad':
          proof = await b.provePad({ height: job.height, prover });
          break;
        case 'node': {
          const [left, right] = inputs;
          if (!left || !right || inputs.length !== 2) throw new Error(`node job ${job.id} needs 2 input proofs, got ${inputs.length}`);
          proof = await b.proveNode({ left, right, prover, target: job.target });
          break;
        }
        default: {
          const never: never = job;
          throw new Error(`unknown job kind ${JSON.stringify((never as Job).kind)}`);
        }
      }
      const rssMiB = pid !== undefined ? await peakRssMiB(pid) : undefined;
      return { proof, bbMs: b.takeBbProveMs(), rssMiB };
    },
    verify: (p) => b.verifyAggProof(p),
    close: () => b.close(),
  };
}

/**
 * Builds the circuits when this machine has no build yet (about 6 CPU-minutes, cached under
 * NEX_BUILD_DIR), then opens bb with them and the SRS (`backend.srs`, `backend.threads`).
 */
export async function openBbJobProver(backend: BackendOptions): Promise<JobProver> {
  await circuitBuild(backend);
  return fromBackend(await openBackend(backend));
}
