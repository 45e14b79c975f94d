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
  aggProofFromJson,
  aggProofToJson,
  buildRoot,
  rollupFromJson,
  rollupToJson,
  type AggProof,
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
