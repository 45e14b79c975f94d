// Test-only: a proof cache shared by the real-proof tests, keyed by the circuits build id, so the suite
// proves each distinct proof once per build (CI time is finite; a 2^21 proof takes 25-200 s). It holds:
//   - example rollup proofs by (circuit, seed, owner): bb's ZK proofs are randomized, so caching them is
//     what makes every proof above them cacheable too;
//   - aggregation proofs by a name and the identities of their inputs (tests that call the circuits API);
//   - a shared engine checkpoint directory: the engine keys checkpoints by job content, so an
//     aggregateBatch over cached rollup proofs finds every proof an earlier run made.
// Location: <build root>/test-proofs-<buildId>/ (NEX_BUILD_DIR is shared between checkouts). Set
// NEX_TEST_PROOF_CACHE=off to prove everything again in a fresh temporary directory.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Address } from 'viem';
import {
  aggregateBatch,
  aggProofFromJson,
  aggProofToJson,
  buildRoot,
  rollupFromJson,
  rollupToJson,
  silentLogger,
  type AggregateResult,
  type AggProof,
  type Batch,
  type AggregationArtifacts,
  type ExampleRollup,
  type RollupProof,
} from '../../prover/engine/index.js';

export interface ProofCache {
  readonly dir: string;
  readonly buildId: string;
  /** A shared, content-keyed engine checkpoint directory (pass it as aggregateBatch's checkpointDir). */
  readonly checkpointDir: string;
  /** Whether the cache persists across runs (false with NEX_TEST_PROOF_CACHE=off). */
  readonly persistent: boolean;
  /** The example rollup proof of `kind` for `seed` and `owner`, proven by `prove` on a miss. */
  rollup(kind: ExampleRollup, seed: string, owner: Address, prove: () => Promise<RollupProof>): Promise<RollupProof>;
  /** An aggregation proof named `name` over `inputs`, proven by `make` on a miss. */
  agg(name: string, inputs: readonly (RollupProof | AggProof | string)[], make: () => Promise<AggProof>): Promise<AggProof>;
  /** Counts of hits and misses (for the tests' own logs). */
  readonly stats: { hits: number; misses: number };
}

function sha(parts: readonly (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    h.update(String(b.length)).update(':').update(b);
  }
  return h.digest('hex').slice(0, 32);
}

function identity(x: RollupProof | AggProof | string): (string | Uint8Array)[] {
  if (typeof x === 'string') return ['s', x];
  if ('owner' in x) return ['r', x.vk, x.vkHash, x.owner.toLowerCase(), x.proof, x.publicInputs.join(',')];
  return ['a', x.circuit, x.target, x.root, x.proof, x.publicInputs.join(',')];
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined; // missing or partial: a miss
  }
}

/** The proof cache of the circuits build `art` was loaded from. */
export function openProofCache(art: Pick<AggregationArtifacts, 'buildId'>): ProofCache {
  const persistent = process.env.NEX_TEST_PROOF_CACHE !== 'off';
  const dir = persistent ? path.join(buildRoot(), `test-proofs-${art.buildId}`) : mkdtempSync(path.join(os.tmpdir(), 'nex-test-proofs-'));
  mkdirSync(path.join(dir, 'checkpoints'), { recursive: true });
  const stats = { hits: 0, misses: 0 };
  return {
    dir,
    buildId: art.buildId,
    checkpointDir: path.join(dir, 'checkpoints'),
    persistent,
    stats,
    async rollup(kind, seed, owner, prove) {
      const file = path.join(dir, `rollup-${kind}-${sha([seed, owner.toLowerCase()])}.json`);
      const cached = readJson(file);
      if (cached) {
        stats.hits++;
        return rollupFromJson(cached as ReturnType<typeof rollupToJson>, file);
      }
      stats.misses++;
      const r = await prove();
      writeAtomic(file, JSON.stringify(rollupToJson(r)));
      return r;
    },
    async agg(name, inputs, make) {
      const file = path.join(dir, `agg-${sha([name, ...inputs.flatMap(identity)])}.json`);
      const cached = readJson(file);
      if (cached) {
        stats.hits++;
        return aggProofFromJson(cached);
      }
      stats.misses++;
      const p = await make();
      writeAtomic(file, JSON.stringify(aggProofToJson(p)));
      return p;
    },
  };
}

/** What proving the example batch needs: an example backend (prover/toolchain openExampleBackend). */
export interface ExampleProver {
  proveExampleRollup(args: { publicInputCount: 1 | 2 | 4; seed: string; owner?: Address | undefined }): Promise<RollupProof>;
}

/** The owner of the shared example batch's programs. */
export const EXAMPLE_BATCH_OWNER: Address = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';

/**
 * The shared capacity-4 example batch, [counter, garbage (a transfer proof with scrambled bytes: the
 * pre-check excludes it), empty, empty], built from cached rollup proofs: engine-e2e.test.ts proves it
 * (killing and resuming the engine) and leaves every proof of its tree in the cache's checkpoint
 * directory, so another end-to-end test that aggregates it for the same prover (provenExampleBatch4)
 * gets the root without proving.
 */
export async function exampleBatch4(
  cache: ProofCache,
  backend: ExampleProver,
): Promise<{ valid: RollupProof; other: RollupProof; garbage: RollupProof; batch: Batch }> {
  const owner = EXAMPLE_BATCH_OWNER;
  const valid = await cache.rollup('rollup_counter', 'engine-e2e-0', owner, () =>
    backend.proveExampleRollup({ publicInputCount: 1, seed: 'engine-e2e-0', owner }),
  );
  const other = await cache.rollup('rollup_transfer', 'engine-e2e-1', owner, () =>
    backend.proveExampleRollup({ publicInputCount: 2, seed: 'engine-e2e-1', owner }),
  );
  // Garbage: the right shape and program, scrambled proof bytes (kept canonical field by field).
  const garbage = { ...other, proof: Uint8Array.from(other.proof, (b, i) => (i % 32 === 0 ? 0 : (b * 31 + i) & 0xff)) };
  const batch: Batch = {
    capacity: 4,
    slots: [{ kind: 'proof', rollup: valid }, { kind: 'proof', rollup: garbage }, { kind: 'empty' }, { kind: 'empty' }],
  };
  return { valid, other, garbage, batch };
}

/** The shared example batch aggregated for `prover` through the cache's checkpoints (proven once per build and prover). */
export async function provenExampleBatch4(cache: ProofCache, backend: ExampleProver, prover: Address): Promise<AggregateResult> {
  const { batch } = await exampleBatch4(cache, backend);
  return aggregateBatch({ batch, prover, checkpointDir: cache.checkpointDir, logger: silentLogger });
}
