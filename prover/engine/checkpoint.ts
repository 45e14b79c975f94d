// Checkpoints: every finished proof of the tree is written atomically to
// <checkpointDir>/<batchKey>/<jobId>.json so that an interrupted batch resumes where it stopped.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AGG_CIRCUITS } from '../protocol/index.js';
import type { AggProof, ArtifactsInfo, Hex } from './backend.js';
import type { Batch } from './batch.js';
import type { Job } from './planner.js';
import { aggProofFromJson, aggProofToJson, type AggProofJson } from './serialize.js';

const FORMAT = 1;

/**
 * Identifies a batch's proving work: the batch content (every slot's kind, vk, vkHash, proof, public inputs),
 * the prover, and the key hashes of the aggregation circuits. Any change gives a new key, so stale
 * checkpoints are never reused.
 */
export function batchKey(batch: Batch, prover: Hex, keyHashes: ArtifactsInfo['keyHashes']): string {
  const h = createHash('sha256');
  const put = (s: string | Uint8Array): void => {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(b.length));
    h.update(len).update(b);
  };
  put(`nex-batch-key/v${FORMAT}`);
  put(String(batch.capacity));
  for (const slot of batch.slots) {
    put(slot.kind);
    if (slot.kind === 'proof') {
      put(slot.rollup.vkHash.toLowerCase());
      put(slot.rollup.vk);
      put(slot.rollup.proof);
      put(slot.rollup.publicInputs.map((x) => x.toLowerCase()).join(','));
    }
  }
  put(prover.toLowerCase());
  for (const c of AGG_CIRCUITS) put(`${c}=${keyHashes[c].toLowerCase()}`);
  return h.digest('hex').slice(0, 32);
}

interface CheckpointFile {
  format: number;
  batchKey: string;
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

/** The checkpoint store of one batch. */
export class CheckpointStore {
  readonly dir: string;

  constructor(
    checkpointDir: string,
    readonly key: string,
  ) {
    this.dir = path.join(checkpointDir, key);
  }

  fileFor(jobId: string): string {
    if (!/^[A-Za-z0-9.@_-]+$/.test(jobId)) throw new Error(`job id ${JSON.stringify(jobId)} is not a safe file name`);
    return path.join(this.dir, `${jobId}.json`);
  }

  /**
   * Reads a job's checkpoint. A missing file is 'missing'; an unreadable, partial or mismatching one
   * (wrong batch, circuit, target or root) is 'invalid' and must be re-proven.
   */
  async read(job: Job): Promise<CheckpointReadResult> {
    let text: string;
    try {
      text = await readFile(this.fileFor(job.id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
      return { status: 'invalid', reason: `unreadable: ${(err as Error).message}` };
    }
    try {
      const f = JSON.parse(text) as CheckpointFile;
      if (f.format !== FORMAT) return { status: 'invalid', reason: `format ${String(f.format)}` };
      if (f.batchKey !== this.key || f.jobId !== job.id) return { status: 'invalid', reason: 'belongs to another batch or job' };
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
  async write(job: Job, proof: AggProof, ms: number): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileFor(job.id);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const body: CheckpointFile = { format: FORMAT, batchKey: this.key, jobId: job.id, ms, proof: aggProofToJson(proof) };
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
