import { expect } from 'chai';
import { AbiCoder, keccak256 as ethersKeccak, solidityPackedKeccak256 } from 'ethers';
import { BatchError, excludedMask, type Batch } from '../../prover/engine/batch.js';
import {
  batchRoot,
  CommitmentError,
  hashPair,
  type Hex,
  merkleRoot,
  splitRoot,
  statementDigest,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  zeroSubtree,
  ZERO_LEAF,
} from '../../prover/protocol/index.js';
import { jobsPerLevel, type Job, planBatch } from '../../prover/engine/planner.js';
import { expectedRootPublicInputs } from '../../prover/engine/index.js';
import vectors from '../vectors/commitment.json' with { type: 'json' };
import { batchFromMask, randomRollup, rng } from './engineHelpers.js';

const CAPACITIES = [2, 4, 8, 16, 32];

/** Independent reference: the maximal all-zero subtrees, by brute force over every (height, index). */
function maximalZeroSubtrees(capacity: number, included: (i: number) => boolean): string[] {
  const depth = Math.log2(capacity);
  const zero = (h: number, idx: number): boolean => {
    for (let i = idx << h; i < (idx + 1) << h; i++) if (included(i)) return false;
    return true;
  };
  const out: string[] = [];
  for (let h = 0; h <= depth; h++) {
    for (let idx = 0; idx < capacity >> h; idx++) {
      if (zero(h, idx) && (h === depth || !zero(h + 1, idx >> 1))) out.push(`P${idx}@h${h}`);
    }
  }
  return out.sort();
}

/** Checks every structural property of a plan against the batch. */
function checkPlan(batch: Batch): void {
  const plan = planBatch(batch);
  const { capacity } = batch;
  const depth = Math.log2(capacity);
  const included = (i: number): boolean => batch.slots[i]!.kind === 'proof';
  const digests = batch.slots.map((s) => (s.kind === 'proof' ? statementDigest(s.rollup.vkHash, s.rollup.publicInputs) : null));

  expect(plan.expectedRoot).to.equal(merkleRoot(digests.map((d) => d ?? ZERO_LEAF)));
  expect(plan.depth).to.equal(depth);
  expect(plan.excludedMask).to.equal(excludedMask(batch));

  const byId = new Map<string, Job>();
  for (const j of plan.jobs) {
    expect(byId.has(j.id), `duplicate id ${j.id}`).to.equal(false);
    byId.set(j.id, j);
  }
  // Leaves: exactly the included slots, with the right circuit and digest.
  const leaves = plan.jobs.filter((j) => j.kind === 'leaf');
  expect(leaves.map((j) => j.id).sort()).to.deep.equal(plan.includedSlots.map((i) => `L${i}`).sort());
  for (const l of leaves) {
    if (l.kind !== 'leaf') continue;
    const s = batch.slots[l.slot]!;
    if (s.kind !== 'proof') expect.fail('leaf on a non-proof slot');
    expect(l.circuit).to.equal(`leaf${s.rollup.publicInputs.length}`);
    expect(l.root).to.equal(digests[l.slot]);
    expect(l.deps).to.deep.equal([]);
  }
  // Pads: one per maximal zero subtree, with its height and Z_h.
  const pads = plan.jobs.filter((j) => j.kind === 'pad');
  expect(pads.map((j) => j.id).sort()).to.deep.equal(maximalZeroSubtrees(capacity, included));
  for (const p of pads) {
    expect(p.root).to.equal(zeroSubtree(p.height));
    expect(p.circuit).to.equal('pad');
    expect(p.deps).to.deep.equal([]);
  }
  // Nodes: two children one level down, left then right, root = keccak(left || right).
  const seenAsDep = new Map<string, number>();
  plan.jobs.forEach((j, pos) => {
    for (const d of j.deps) {
      const child = byId.get(d);
      expect(child, `${j.id} depends on unknown ${d}`).to.not.equal(undefined);
      expect(plan.jobs.indexOf(child!)).to.be.lessThan(pos); // topological order
      seenAsDep.set(d, (seenAsDep.get(d) ?? 0) + 1);
    }
    if (j.kind === 'node') {
      const [l, r] = j.deps.map((d) => byId.get(d)!);
      expect(j.id).to.equal(`N${j.height}.${j.index}`);
      expect([l!.height, r!.height]).to.deep.equal([j.height - 1, j.height - 1]);
      expect([l!.index, r!.index]).to.deep.equal([2 * j.index, 2 * j.index + 1]);
      expect(j.root).to.equal(hashPair(l!.root, r!.root));
      expect(j.circuit).to.equal('node');
    }
  });
  // Every job but the root feeds exactly one node; the root is N<depth>.0 with the evm target.
  for (const j of plan.jobs) {
    if (j.id === plan.rootJobId) expect(seenAsDep.has(j.id)).to.equal(false);
    else expect(seenAsDep.get(j.id), j.id).to.equal(1);
    expect(j.target).to.equal(j.id === plan.rootJobId ? 'evm' : 'noir-recursive');
  }
  expect(plan.rootJobId).to.equal(`N${depth}.0`);
  expect(byId.get(plan.rootJobId)!.root).to.equal(plan.expectedRoot);
  // The leaves and pads tile the slots exactly once.
  const covered = new Array<number>(capacity).fill(0);
  for (const j of plan.jobs) {
    if (j.kind === 'node') continue;
    for (let i = j.index << j.height; i < (j.index + 1) << j.height; i++) covered[i]!++;
  }
  expect(covered).to.deep.equal(new Array<number>(capacity).fill(1));
  expect(jobsPerLevel(plan).reduce((a, b) => a + b, 0)).to.equal(plan.jobs.length);
}

describe('engine commitment (TS)', () => {
  it('digest = keccak256(abi.encodePacked(vkHash, publicInputs)) as computed by ethers', () => {
    const rand = rng(1);
    for (let n = 1; n <= 4; n++) {
      const r = randomRollup(rand, n);
      const ref = solidityPackedKeccak256(['bytes32', 'bytes32[]'], [r.vkHash, r.publicInputs]);
      expect(statementDigest(r.vkHash, r.publicInputs)).to.equal(ref);
    }
  });

  it('zero subtree values follow Z_{h+1} = keccak(Z_h || Z_h) and reject heights outside 0..5', () => {
    expect(zeroSubtree(0)).to.equal(ZERO_LEAF);
    let z = ZERO_LEAF as string;
    for (let h = 1; h <= 5; h++) {
      z = ethersKeccak(AbiCoder.defaultAbiCoder().encode(['bytes32', 'bytes32'], [z, z]));
      expect(zeroSubtree(h)).to.equal(z);
    }
    expect(() => zeroSubtree(6)).to.throw(CommitmentError);
    expect(() => zeroSubtree(-1)).to.throw(CommitmentError);
  });

  it("the planner's pairwise roots agree with the tree over all leaves at once on random batches", () => {
    const rand = rng(77);
    for (const capacity of CAPACITIES) {
      const b = batchFromMask(rand, capacity, Math.floor(rand() * 2 ** capacity) | 1);
      const leaves = b.slots.map((s) => (s.kind === 'proof' ? statementDigest(s.rollup.vkHash, s.rollup.publicInputs) : ZERO_LEAF));
      expect(merkleRoot(leaves)).to.equal(planBatch(b).expectedRoot);
      expect(merkleRoot(leaves.slice(0, 2))).to.equal(hashPair(leaves[0]!, leaves[1]!));
    }
    for (let h = 1; h <= 5; h++) expect(merkleRoot(new Array<Hex>(2 ** h).fill(ZERO_LEAF))).to.equal(zeroSubtree(h));
  });

  it('plans the roots and root public inputs of the shared test vectors (test/vectors/commitment.json)', () => {
    let planned = 0;
    for (const c of vectors.cases) {
      const slots: Batch['slots'] = Array.from({ length: c.capacity }, (_, i) => {
        const s = c.slots[i];
        if (!s) return { kind: 'empty' };
        expect(statementDigest(s.vkHash as Hex, s.publicInputs as Hex[]), c.name).to.equal(s.digest);
        if ((c.excludedMask >>> i) & 1) return { kind: 'excluded' };
        return {
          kind: 'proof',
          rollup: { vk: new Uint8Array(32), vkHash: s.vkHash as Hex, proof: new Uint8Array(32), publicInputs: s.publicInputs as Hex[] },
        };
      });
      const batch = { capacity: c.capacity, slots };
      const supported = slots.every((s) => s.kind !== 'proof' || SUPPORTED_PUBLIC_INPUT_COUNTS.includes(s.rollup.publicInputs.length));
      const hasProof = slots.some((s) => s.kind === 'proof');
      if (!supported || !hasProof) continue;
      const plan = planBatch(batch);
      expect(plan.expectedRoot, c.name).to.equal(c.root);
      expect(plan.excludedMask, c.name).to.equal(c.excludedMask);
      const kh = c.keyHashes as Hex[];
      const keyHashes = { leaf1: kh[0]!, leaf2: kh[1]!, leaf4: kh[2]!, pad: kh[3]!, node: kh[4]! };
      expect(expectedRootPublicInputs(plan.expectedRoot, c.prover as Hex, keyHashes), c.name).to.deep.equal(
        c.aggregationPublicInputs.map((x) => x.toLowerCase()),
      );
      planned++;
    }
    expect(planned).to.be.greaterThan(0);
  });

  it('batch root of an all-zero batch equals Z_depth and splitRoot gives high/low 128 bits', () => {
    expect(batchRoot([], 8)).to.equal(zeroSubtree(3));
    const root: Hex = '0x0123456789abcdef0123456789abcdeffedcba9876543210fedcba9876543210';
    expect(splitRoot(root)).to.deep.equal([
      '0x000000000000000000000000000000000123456789abcdef0123456789abcdef',
      '0x00000000000000000000000000000000fedcba9876543210fedcba9876543210',
    ]);
  });
});

describe('engine planner', () => {
  it('names jobs and shapes a sparse capacity-4 batch', () => {
    const rand = rng(2);
    const plan = planBatch({
      capacity: 4,
      slots: [{ kind: 'proof', rollup: randomRollup(rand, 2) }, { kind: 'empty' }, { kind: 'excluded' }, { kind: 'empty' }],
    });
    expect(plan.jobs.map((j) => j.id)).to.deep.equal(['L0', 'P1@h0', 'N1.0', 'P1@h1', 'N2.0']);
    expect(plan.jobs.map((j) => j.circuit)).to.deep.equal(['leaf2', 'pad', 'node', 'pad', 'node']);
    expect(plan.jobs.find((j) => j.id === 'N1.0')!.deps).to.deep.equal(['L0', 'P1@h0']);
    expect(plan.jobs.find((j) => j.id === 'N2.0')!.deps).to.deep.equal(['N1.0', 'P1@h1']);
    expect(plan.excludedMask).to.equal(0b0100);
    expect(plan.includedSlots).to.deep.equal([0]);
  });

  it('a full batch of 8 has 8 leaves, 7 nodes and no pad', () => {
    const plan = planBatch(batchFromMask(rng(3), 8, 0xff));
    expect(plan.jobs.filter((j) => j.kind === 'leaf')).to.have.length(8);
    expect(plan.jobs.filter((j) => j.kind === 'node')).to.have.length(7);
    expect(plan.jobs.filter((j) => j.kind === 'pad')).to.have.length(0);
    expect(jobsPerLevel(plan)).to.deep.equal([8, 4, 2, 1]);
  });

  for (const capacity of [2, 4, 8]) {
    it(`every fill pattern of capacity ${capacity} (exhaustive)`, () => {
      const rand = rng(capacity);
      for (let mask = 1; mask < 1 << capacity; mask++) checkPlan(batchFromMask(rand, capacity, mask));
    });
  }

  for (const capacity of [16, 32]) {
    it(`random fill and exclusion patterns of capacity ${capacity}`, () => {
      const rand = rng(100 + capacity);
      for (let k = 0; k < 150; k++) {
        // Mix densities: sparse, half and dense batches.
        const density = [0.1, 0.5, 0.9][k % 3]!;
        let mask = 0;
        for (let i = 0; i < capacity; i++) if (rand() < density) mask |= 1 << i;
        if (mask === 0) mask = 1 << Math.floor(rand() * capacity);
        checkPlan(batchFromMask(rand, capacity, mask >>> 0));
      }
      checkPlan(batchFromMask(rand, capacity, 1)); // single first slot
      checkPlan(batchFromMask(rand, capacity, (2 ** capacity - 1) >>> 0)); // full
      checkPlan(batchFromMask(rand, capacity, (1 << (capacity - 1)) >>> 0)); // single last slot
    });
  }

  it('covers every capacity 2..32', () => {
    for (const capacity of CAPACITIES) checkPlan(batchFromMask(rng(capacity * 7), capacity, 0b101));
  });

  describe('rejects', () => {
    const rand = rng(9);
    const proof = (): Batch['slots'][number] => ({ kind: 'proof', rollup: randomRollup(rand, 1) });
    const cases: [string, () => Batch, RegExp][] = [
      ['capacity 1', () => ({ capacity: 1, slots: [proof()] }), /capacity must be a power of two in 2\.\.32, got 1/],
      ['capacity 3', () => ({ capacity: 3, slots: [proof(), proof(), proof()] }), /power of two/],
      ['capacity 64', () => ({ capacity: 64, slots: Array.from({ length: 64 }, proof) }), /power of two in 2\.\.32, got 64/],
      ['a slot count different from the capacity', () => ({ capacity: 4, slots: [proof(), proof()] }), /exactly 4 slots, got 2/],
      [
        'no included slot',
        () => ({ capacity: 4, slots: [{ kind: 'empty' }, { kind: 'excluded' }, { kind: 'empty' }, { kind: 'empty' }] }),
        /no included slot/,
      ],
      [
        'an unsupported public-input count',
        () => ({ capacity: 2, slots: [proof(), { kind: 'proof', rollup: randomRollup(rand, 3) }] }),
        /slot 1: no leaf circuit for 3 public inputs/,
      ],
      [
        'a non-canonical vkHash',
        () => ({ capacity: 2, slots: [proof(), { kind: 'proof', rollup: { ...randomRollup(rand, 1), vkHash: `0x${'ff'.repeat(32)}` } }] }),
        /slot 1: vkHash must be a canonical/,
      ],
      [
        'a non-canonical public input',
        () => ({ capacity: 2, slots: [{ kind: 'proof', rollup: { ...randomRollup(rand, 1), publicInputs: ['0x1234'] } }, proof()] }),
        /slot 0: public input 0/,
      ],
      ['an unknown slot kind', () => ({ capacity: 2, slots: [proof(), { kind: 'full' } as never] }), /slot 1: kind must be/],
    ];
    for (const [name, make, msg] of cases) {
      it(name, () => {
        expect(() => planBatch(make())).to.throw(BatchError, msg);
      });
    }
  });
});
