// A fake JobProver for queue tests without bb (test-only). Proofs are derived from their inputs (leaf:
// the statement digests of its rollups, placed as the version-2 tree places them; pad: the zero subtree;
// node: hash of the two input roots), so the data flow through the queue is checked, not assumed; the
// proof bytes are a hash of (circuit, root, prover, target) that `verify` recomputes, so a tampered
// proof fails verification.
import { createHash } from 'node:crypto';
import type { AggProof, Hex, RollupProof } from '../../../prover/engine/backend.js';
import { slotDigest } from '../../../prover/engine/batch.js';
import { isRightSingle, type Job } from '../../../prover/engine/planner.js';
import type { JobProver } from '../../../prover/engine/queue/jobProver.js';
import { JobInputError } from '../../../prover/engine/scheduler.js';
import { aggregationPublicInputs, hashPair, toWord, ZERO_LEAF, zeroSubtree } from '../../../prover/protocol/index.js';

export const FAKE_KEY_SET: Hex = `0x${'0a'.repeat(32)}`;
export const OTHER_KEY_SET: Hex = `0x${'0b'.repeat(32)}`;

export interface FakeProverOptions {
  keySet?: Hex;
  /** Proving time per job (ms). */
  delayMs?: number | ((job: Job) => number);
  /** Called when a job starts; may throw (a JobInputError = a circuit rejected the inputs). */
  onProve?: (job: Job) => void;
  /** Rollup proofs (by vkHash) the fake's checkRollup rejects. */
  badRollups?: readonly string[];
  /** Jobs whose proof comes out with a wrong root. */
  wrongRootFor?: readonly string[];
  /** Shared record of proven job ids (several fake provers in one test). */
  log?: string[];
}

const tag = (p: Pick<AggProof, 'circuit' | 'root' | 'target'>, prover: Hex): Uint8Array =>
  createHash('sha256')
    .update(`fake|${p.circuit}|${p.target}|${p.root.toLowerCase()}|${toWord(prover)}`)
    .digest();

export function badInputError(msg: string): Error {
  return new JobInputError(msg);
}

const digest = (r: RollupProof): Hex => slotDigest({ kind: 'proof', rollup: r })!;

export function fakeJobProver(o: FakeProverOptions = {}): JobProver & { proven: string[]; verified: string[]; closed: boolean } {
  const proven = o.log ?? [];
  const verified: string[] = [];
  const keySet = o.keySet ?? FAKE_KEY_SET;
  const me = {
    keySet,
    buildId: `fake-build-${keySet.slice(2, 6)}`,
    keyHashes: { node: keySet },
    source: 'fake circuits',
    proven,
    verified,
    closed: false,
    async prove(job: Job, args: { prover: Hex; rollups: RollupProof[]; inputs: AggProof[] }) {
      o.onProve?.(job);
      const ms = typeof o.delayMs === 'function' ? o.delayMs(job) : (o.delayMs ?? 5);
      await new Promise((r) => setTimeout(r, ms));
      let root: Hex;
      if (job.kind === 'leaf') {
        const [a, b] = args.rollups.map(digest);
        root = b !== undefined ? hashPair(a!, b) : isRightSingle(job) ? hashPair(ZERO_LEAF, a!) : hashPair(a!, ZERO_LEAF);
      } else if (job.kind === 'pad') root = zeroSubtree(job.height);
      else root = hashPair(args.inputs[0]!.root, args.inputs[1]!.root);
      if (o.wrongRootFor?.includes(job.id)) root = toWord('0x1234');
      const p = { circuit: job.circuit, target: job.target, root };
      proven.push(job.id);
      const proof: AggProof = { ...p, proof: tag(p, args.prover), publicInputs: aggregationPublicInputs(root, args.prover, keySet) };
      return { proof, bbMs: ms, rssMiB: 64 };
    },
    async verify(p: AggProof) {
      verified.push(p.root);
      const prover = p.publicInputs[2] as Hex;
      return Buffer.from(p.proof).equals(Buffer.from(tag(p, `0x${prover.slice(-40)}` as Hex)));
    },
    async checkRollup(r: RollupProof) {
      return (o.badRollups ?? []).includes(r.vkHash) ? 'the proof does not verify with its key' : undefined;
    },
    async close() {
      me.closed = true;
    },
  };
  return me;
}
