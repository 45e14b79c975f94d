// Checkpoints: every finished proof of a tree is written atomically to <checkpointDir>/<jobKey>.json,
// keyed by the job's CONTENT (circuit, target, inputs, prover, key set), not by the batch. A rerun, or a
// re-plan after a slot was excluded, finds every proof whose inputs did not change: excluding a slot
// changes only the keys of its unit and of the unit's ancestors.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { AggProof, Hex, RollupProof } from './backend.js';
import type { Batch } from './batch.js';
import type { Job, Plan } from './planner.js';
import { aggProofFromJson, aggProofToJson, type AggProofJson } from './serialize.js';

const FORMAT = 2;

class KeyHasher {
  private readonly h = createHash('sha256');

  put(s: string | Uint8Array): this {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(b.length));
    this.h.update(len).update(b);
    return this;
  }

  digest(): string {
    return this.h.digest('hex').slice(0, 40);
  }
}

function putRollup(h: KeyHasher, r: RollupProof): void {
  h.put(r.vk)
    .put(r.vkHash.toLowerCase())
    .put(r.owner.toLowerCase())
    .put(r.proof)
    .put(r.publicInputs.map((x) => x.toLowerCase()).join(','));
}

/**
 * The content key of every job of a plan: a hash of what its proof depends on and nothing else. A leaf's
 * key covers its circuit, the rollup proofs and keys of its slots in order and its root (which fixes the
 * side or swap bit); a pad's its height; a node's its children's keys and its target. Every key also
 * covers the prover and the key set (the proof's public inputs). Two plans of one batch that differ by an
 * exclusion share every key outside the excluded slot's unit and its ancestors.
 */
export function jobKeys(plan: Plan, batch: Batch, prover: Hex, keySet: Hex): ReadonlyMap<string, string> {
  const keys = new Map<string, string>();
  for (const job of plan.jobs) {
    const h = new KeyHasher().put(`nex-job/v${FORMAT}`).put(job.kind).put(job.circuit).put(job.target).put(job.root.toLowerCase());
    h.put(prover.toLowerCase()).put(keySet.toLowerCase());
    if (job.kind === 'leaf') {
      for (const slot of job.slots) {
        const s = batch.slots[slot];
        if (s?.kind !== 'proof') throw new Error(`leaf job ${job.id} covers slot ${slot}, which holds no proof`);
        putRollup(h, s.rollup);
      }
    } else if (job.kind === 'pad') {
      h.put(String(job.height));
    } else {
      for (const d of job.deps) {
        const k = keys.get(d);
        if (!k) throw new Error(`node job ${job.id} comes before its child ${d}`);
        h.put(k);
      }
    }
    keys.set(job.id, h.digest());
  }
  return keys;
}

interface CheckpointFile {
  format: number;
  key: string;
  jobId: string;
  ms: number;
  proof: AggProofJson;
}

export interface Checkpoint {
  proof: AggProof;
  /** Proving time recorded when the checkpoint was written. */
  ms: number;
}

export type CheckpointReadResult = { status: 'ok'; checkpoint: Checkpoint } | { status: 'missing' } | { status: 'invalid'; reason: string };

/** A content-addressed store of finished proofs (one directory; the keeper uses one per batch). */
export class CheckpointStore {
  constructor(readonly dir: string) {}

  fileFor(key: string): string {
    if (!/^[0-9a-f]{40}$/.test(key)) throw new Error(`checkpoint key ${JSON.stringify(key)} is not a 40-digit hex key`);
    return path.join(this.dir, `${key}.json`);
  }

  /**
   * Reads the checkpoint of `job` under its content key. A missing file is 'missing'; an unreadable,
   * partial or mismatching one (another key, circuit, target or root) is 'invalid' and must be re-proven.
   */
  async read(job: Job, key: string): Promise<CheckpointReadResult> {
    let text: string;
    try {
      text = await readFile(this.fileFor(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
      return { status: 'invalid', reason: `unreadable: ${(err as Error).message}` };
    }
    try {
      const f = JSON.parse(text) as CheckpointFile;
      if (f.format !== FORMAT) return { status: 'invalid', reason: `format ${String(f.format)}` };
      if (f.key !== key) return { status: 'invalid', reason: 'belongs to another job' };
      const proof = aggProofFromJson(f.proof);
      if (proof.circuit !== job.circuit) return { status: 'invalid', reason: `circuit ${proof.circuit} != ${job.circuit}` };
      if (proof.target !== job.target) return { status: 'invalid', reason: `target ${proof.target} != ${job.target}` };
      if (proof.root.toLowerCase() !== job.root.toLowerCase()) return { status: 'invalid', reason: 'root mismatch' };
      if (typeof f.ms !== 'number' || !(f.ms >= 0)) return { status: 'invalid', reason: 'bad ms' };
      return { status: 'ok', checkpoint: { proof, ms: f.ms } };
    } catch (err) {
      return { status: 'invalid', reason: `corrupt: ${(err as Error).message}` };
    }
  }

  /** Writes a checkpoint atomically: temp file, fsync, rename, fsync of the directory. */
  async write(job: Job, key: string, proof: AggProof, ms: number): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileFor(key);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const body: CheckpointFile = { format: FORMAT, key, jobId: job.id, ms, proof: aggProofToJson(proof) };
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(body));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
