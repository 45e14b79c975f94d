// A fake JobProver for queue tests without bb (test-only). Proofs are derived from their inputs (leaf:
// statement digest of the rollup; pad: zero subtree; node: hash of the two input roots), so the data
// flow through the queue is checked, not assumed; the proof bytes are a hash of (circuit, root,
// prover, target) that `verify` recomputes, so a tampered proof fails verification.
import { createHash } from 'node:crypto';
import type { AggProof } from '../../prover/engine/backend.js';
import { hashPair, type Hex, splitRoot, statementDigest, word, zeroSubtreeRoot } from '../../prover/engine/commitment.js';
import type { Job } from '../../prover/engine/planner.js';
import { circuitsIdOf } from '../../prover/engine/queue/ids.js';
import type { JobProver } from '../../prover/engine/queue/job-prover.js';

export interface FakeProverOptions {
  keyHashes: Record<string, Hex>;
  /** Proving time per job (ms). */
  delayMs?: number | ((job: Job) => number);
  /** Called when a job starts; may throw (an Error named InvalidAggProofError = bad input). */
  onProve?: (job: Job) => void;
  /** Rollup proofs (by vkHash) the fake's verifyRollup rejects. */
  badRollups?: readonly string[];
  /** Jobs whose proof comes out with a wrong root. */
  wrongRootFor?: readonly string[];
  /** Shared record of proven job ids (several fake provers in one test). */
  log?: string[];
}

const tag = (p: Pick<AggProof, 'circuit' | 'root' | 'target'>, prover: Hex): Uint8Array =>
  createHash('sha256').update(`fake|${p.circuit}|${p.target}|${p.root.toLowerCase()}|${word(prover)}`).digest();

export function badInputError(msg: string): Error {
  const e = new Error(msg);
  e.name = 'InvalidAggProofError';
  return e;
}

export function fakeJobProver(o: FakeProverOptions): JobProver & { proven: string[]; verified: string[]; closed: boolean } {
  const proven = o.log ?? [];
  const verified: string[] = [];
  const keyHashes = { ...o.keyHashes };
  const me = {
    circuitsId: circuitsIdOf(keyHashes),
    keyHashes,
    source: 'fake circuits',
    proven,
    verified,
    closed: false,
    async prove(job: Job, args: { prover: Hex; rollup?: { vkHash: Hex; publicInputs: Hex[] } | undefined; inputs: AggProof[] }) {
      o.onProve?.(job);
      const ms = typeof o.delayMs === 'function' ? o.delayMs(job) : (o.delayMs ?? 5);
      await new Promise((r) => setTimeout(r, ms));
      let root: Hex;
      if (job.kind === 'leaf') root = statementDigest(args.rollup!.vkHash, args.rollup!.publicInputs);
      else if (job.kind === 'pad') root = zeroSubtreeRoot(job.height);
      else root = hashPair(args.inputs[0]!.root, args.inputs[1]!.root);
      if (o.wrongRootFor?.includes(job.id)) root = word('0x1234');
      const p = { circuit: job.circuit, target: job.target, root };
      proven.push(job.id);
      const proof: AggProof = {
        ...p,
        proof: tag(p, args.prover),
        publicInputs: [...splitRoot(root), word(args.prover), ...Object.values(keyHashes)],
      };
      return { proof, bbMs: ms, rssMiB: 64 };
    },
    async verify(p: AggProof) {
      verified.push(p.root);
      const prover = p.publicInputs[2] as Hex;
      return Buffer.from(p.proof).equals(Buffer.from(tag(p, `0x${prover.slice(-40)}` as Hex)));
    },
    async verifyRollup(r: { vkHash: Hex }) {
      return !(o.badRollups ?? []).includes(r.vkHash);
    },
    async close() {
      me.closed = true;
    },
  };
  return me;
}
