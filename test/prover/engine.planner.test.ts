import { expect } from 'chai';
import { encodeAbiParameters, keccak256, type Hex } from 'viem';
import { BatchError, excludedMask, excludeSlots, type Batch } from '../../prover/engine/batch.js';
import { expectedRootPublicInputs, rollupDigest } from '../../prover/engine/index.js';
import { jobsPerLevel, type Job, type LeafJob, planBatch } from '../../prover/engine/planner.js';
import {
  batchRoot,
  hashPair,
  merkleRoot,
  pairLeafFor,
  programIdOf,
  singleLeafFor,
  statementDigest,
  zeroSubtree,
  ZERO_LEAF,
} from '../../prover/protocol/index.js';
import type { CommitmentVectors } from '../../scripts/commitmentVectors.js';
import vectorsJson from '../vectors/commitment.json' with { type: 'json' };
import { batchFromMask, randomRollup, rng } from './engineHelpers.js';

const vectors = vectorsJson as unknown as CommitmentVectors;
const CAPACITIES = [4, 8, 16, 32, 64];

const isIncluded = (batch: Batch, i: number): boolean => batch.slots[i]!.kind === 'proof';
const countOf = (batch: Batch, i: number): number => (batch.slots[i] as { rollup: { publicInputs: unknown[] } }).rollup.publicInputs.length;

/** Independent reference: the maximal all-zero subtrees of height >= 1, by brute force over every (height, index). */
function maximalZeroSubtrees(capacity: number, included: (i: number) => boolean): string[] {
  const depth = Math.log2(capacity);
  const zero = (h: number, idx: number): boolean => {
    for (let i = idx << h; i < (idx + 1) << h; i++) if (included(i)) return false;
    return true;
  };
  const out: string[] = [];
  for (let h = 1; h <= depth; h++) {
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
  const included = (i: number): boolean => isIncluded(batch, i);
  const digests = batch.slots.map((s) =>
    s.kind === 'proof' ? statementDigest(programIdOf(s.rollup.owner, s.rollup.vkHash), s.rollup.publicInputs) : null,
  );

  expect(plan.expectedRoot).to.equal(merkleRoot(digests.map((d) => d ?? ZERO_LEAF)));
  expect(plan.depth).to.equal(depth);
  expect(plan.excludedMask).to.equal(excludedMask(batch));

  const byId = new Map<string, Job>();
  for (const j of plan.jobs) {
    expect(byId.has(j.id), `duplicate id ${j.id}`).to.equal(false);
    byId.set(j.id, j);
  }
  // Leaves: one per height-1 unit holding an included slot; a pair leaf when both are included.
  const leaves = plan.jobs.filter((j): j is LeafJob => j.kind === 'leaf');
  const units = new Set(plan.includedSlots.map((i) => i >> 1));
  expect(leaves.map((l) => l.index).sort((a, b) => a - b)).to.deep.equal([...units].sort((a, b) => a - b));
  expect(leaves.flatMap((l) => l.slots).sort((a, b) => a - b)).to.deep.equal([...plan.includedSlots]);
  for (const l of leaves) {
    const [a, b] = [2 * l.index, 2 * l.index + 1];
    expect(l.height).to.equal(1);
    expect(l.deps).to.deep.equal([]);
    expect(l.target).to.equal('noir-recursive-no-zk');
    if (included(a) && included(b)) {
      expect(l.id).to.equal(`L${a}.${b}`);
      expect(l.slots).to.deep.equal([a, b]);
      expect(l.circuit).to.equal(pairLeafFor(countOf(batch, a), countOf(batch, b)).circuit);
      expect(l.root).to.equal(hashPair(digests[a]!, digests[b]!));
    } else {
      const slot = included(a) ? a : b;
      expect(l.id).to.equal(`L${slot}`);
      expect(l.slots).to.deep.equal([slot]);
      expect(l.circuit).to.equal(singleLeafFor(countOf(batch, slot)));
      expect(l.root).to.equal(slot === a ? hashPair(digests[a]!, ZERO_LEAF) : hashPair(ZERO_LEAF, digests[b]!));
    }
  }
  // Pads: one per maximal zero subtree of height >= 1 (never a single slot), with its height and Z_h.
  const pads = plan.jobs.filter((j) => j.kind === 'pad');
  expect(pads.map((j) => j.id).sort()).to.deep.equal(maximalZeroSubtrees(capacity, included));
  for (const p of pads) {
    expect(p.height).to.be.at.least(1);
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
      expect(j.height).to.be.at.least(2);
      expect([l!.height, r!.height]).to.deep.equal([j.height - 1, j.height - 1]);
      expect([l!.index, r!.index]).to.deep.equal([2 * j.index, 2 * j.index + 1]);
      expect(j.root).to.equal(hashPair(l!.root, r!.root));
      expect(j.circuit).to.equal('node');
    }
  });
  // Every job but the root feeds exactly one node; the root is N<depth>.0 with the evm-no-zk target.
  for (const j of plan.jobs) {
    if (j.id === plan.rootJobId) expect(seenAsDep.has(j.id)).to.equal(false);
    else expect(seenAsDep.get(j.id), j.id).to.equal(1);
    expect(j.target).to.equal(j.id === plan.rootJobId ? 'evm-no-zk' : 'noir-recursive-no-zk');
  }
  expect(plan.rootJobId).to.equal(`N${depth}.0`);
  expect(byId.get(plan.rootJobId)!.root).to.equal(plan.expectedRoot);
  // The leaves and pads tile the slots exactly once (a leaf covers its pair of slots).
  const covered = new Array<number>(capacity).fill(0);
  for (const j of plan.jobs) {
    if (j.kind === 'node') continue;
    for (let i = j.index << j.height; i < (j.index + 1) << j.height; i++) covered[i]!++;
  }
  expect(covered).to.deep.equal(new Array<number>(capacity).fill(1));
  expect(jobsPerLevel(plan).reduce((a, b) => a + b, 0)).to.equal(plan.jobs.length);
}

describe('engine commitment (TS)', () => {
  it('digest = keccak256(abi.encodePacked(DOMAIN, keccak256(abi.encode(owner, vkHash)), publicInputs)) as computed independently', () => {
    const rand = rng(1);
    for (const n of [1, 2, 4]) {
      const r = randomRollup(rand, n);
      const program = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [r.owner, r.vkHash]));
      const packed = keccak256(
        `0x${['fc6982d08372d42ae8dd44bfc8c30777d63b29ccd74d3694daab9639f820a2f2', program.slice(2), ...r.publicInputs.map((p) => p.slice(2))].join('')}`,
      );
      expect(rollupDigest(r)).to.equal(packed);
    }
  });

  it("the planner's pairwise roots agree with the tree over all leaves at once on random batches", () => {
    const rand = rng(77);
    for (const capacity of CAPACITIES) {
      const b = batchFromMask(rand, capacity, (BigInt(Math.floor(rand() * 2 ** 30)) << 3n) | 1n);
      const leaves = b.slots.map((s) => (s.kind === 'proof' ? rollupDigest(s.rollup) : ZERO_LEAF));
      expect(merkleRoot(leaves)).to.equal(planBatch(b).expectedRoot);
    }
  });

  it('plans the roots and root public inputs of the shared test vectors (test/vectors/commitment.json)', () => {
    for (const c of vectors.cases) {
      const mask = BigInt(c.excludedMask);
      const slots: Batch['slots'] = Array.from({ length: c.capacity }, (_, i) => {
        const s = c.slots[i];
        if (!s) return { kind: 'empty' };
        if ((mask >> BigInt(i)) & 1n) return { kind: 'excluded' };
        return {
          kind: 'proof',
          rollup: { vk: new Uint8Array(32), vkHash: s.vkHash, owner: s.owner, proof: new Uint8Array(32), publicInputs: s.publicInputs },
        };
      });
      const plan = planBatch({ capacity: c.capacity, slots });
      expect(plan.expectedRoot, c.name).to.equal(c.root);
      expect(plan.excludedMask, c.name).to.equal(mask);
      expect(expectedRootPublicInputs(plan.expectedRoot, c.prover, c.keySet), c.name).to.deep.equal(
        c.aggregationPublicInputs.map((x) => x.toLowerCase()),
      );
      checkPlan({ capacity: c.capacity, slots });
    }
  });

  it('batch root of an all-zero batch equals Z_depth', () => {
    for (const capacity of CAPACITIES) expect(batchRoot([], capacity)).to.equal(zeroSubtree(Math.log2(capacity)));
  });
});

describe('engine planner (version-2 tree shape)', () => {
  it('names jobs and shapes a sparse capacity-4 batch: one single leaf and a pad of height 1', () => {
    const rand = rng(2);
    const plan = planBatch({
      capacity: 4,
      slots: [{ kind: 'proof', rollup: randomRollup(rand, 2) }, { kind: 'empty' }, { kind: 'excluded' }, { kind: 'empty' }],
    });
    expect(plan.jobs.map((j) => j.id)).to.deep.equal(['L0', 'P1@h1', 'N2.0']);
    expect(plan.jobs.map((j) => j.circuit)).to.deep.equal(['leaf_2', 'pad', 'node']);
    expect(plan.jobs.find((j) => j.id === 'N2.0')!.deps).to.deep.equal(['L0', 'P1@h1']);
    expect(plan.excludedMask).to.equal(0b0100n);
    expect(plan.includedSlots).to.deep.equal([0]);
    expect(jobsPerLevel(plan)).to.deep.equal([2, 1]);
  });

  it('a pair of different input counts is one pair leaf with its swap; a lone right slot is a right single leaf', () => {
    const rand = rng(3);
    const batch: Batch = {
      capacity: 4,
      slots: [
        { kind: 'proof', rollup: randomRollup(rand, 4) },
        { kind: 'proof', rollup: randomRollup(rand, 2) },
        { kind: 'excluded' },
        { kind: 'proof', rollup: randomRollup(rand, 1) },
      ],
    };
    const plan = planBatch(batch);
    expect(plan.jobs.map((j) => [j.id, j.circuit])).to.deep.equal([
      ['L0.1', 'leaf_2_4'],
      ['L3', 'leaf_1'],
      ['N2.0', 'node'],
    ]);
    expect(pairLeafFor(4, 2)).to.deep.equal({ circuit: 'leaf_2_4', swap: true });
    checkPlan(batch);
  });

  it('a full batch of 8 is 4 pair leaves + 3 nodes (7 x 2^21), no single leaf and no pad', () => {
    const plan = planBatch(batchFromMask(rng(3), 8, 0xffn));
    expect(plan.jobs.filter((j) => j.kind === 'leaf' && j.slots.length === 2)).to.have.length(4);
    expect(plan.jobs.filter((j) => j.kind === 'node')).to.have.length(3);
    expect(plan.jobs.filter((j) => j.kind === 'pad')).to.have.length(0);
    expect(jobsPerLevel(plan)).to.deep.equal([4, 2, 1]);
  });

  it("version 1's shape, emulated: N proofs on every other slot of a 2N batch are N single leaves and N - 1 nodes", () => {
    for (const n of [2, 4, 8, 16, 32]) {
      let mask = 0n;
      for (let i = 0; i < n; i++) mask |= 1n << BigInt(2 * i);
      const plan = planBatch(batchFromMask(rng(n), 2 * n, mask));
      expect(
        plan.jobs.filter((j) => j.kind === 'leaf' && j.slots.length === 1),
        `N = ${n}`,
      ).to.have.length(n);
      expect(plan.jobs.filter((j) => j.kind === 'node')).to.have.length(n - 1);
      expect(plan.jobs.filter((j) => j.kind === 'pad')).to.have.length(0);
    }
  });

  it('excluding a slot changes only its unit and the nodes above it', () => {
    const batch = batchFromMask(rng(4), 16, 0xffffn);
    const before = new Map(planBatch(batch).jobs.map((j) => [j.id, j.root]));
    const after = planBatch(excludeSlots(batch, [5]));
    const changed = after.jobs.filter((j) => before.get(j.id) !== j.root).map((j) => j.id);
    expect(changed).to.deep.equal(['L4', 'N2.1', 'N3.0', 'N4.0']);
    expect(before.has('L4.5')).to.equal(true);
  });

  for (const capacity of [4, 8]) {
    it(`every fill pattern of capacity ${capacity} (exhaustive)`, () => {
      const rand = rng(capacity);
      for (let mask = 1; mask < 1 << capacity; mask++) checkPlan(batchFromMask(rand, capacity, BigInt(mask)));
    });
  }

  for (const capacity of [16, 32, 64]) {
    it(`random fill and exclusion patterns of capacity ${capacity}`, () => {
      const rand = rng(100 + capacity);
      for (let k = 0; k < 120; k++) {
        // Mix densities: sparse, half and dense batches.
        const density = [0.1, 0.5, 0.9][k % 3]!;
        let mask = 0n;
        for (let i = 0; i < capacity; i++) if (rand() < density) mask |= 1n << BigInt(i);
        if (mask === 0n) mask = 1n << BigInt(Math.floor(rand() * capacity));
        checkPlan(batchFromMask(rand, capacity, mask));
      }
      checkPlan(batchFromMask(rand, capacity, 1n)); // single first slot
      checkPlan(batchFromMask(rand, capacity, (1n << BigInt(capacity)) - 1n)); // full
      checkPlan(batchFromMask(rand, capacity, 1n << BigInt(capacity - 1))); // single last slot
    });
  }

  describe('rejects', () => {
    const rand = rng(9);
    const proof = (): Batch['slots'][number] => ({ kind: 'proof', rollup: randomRollup(rand, 1) });
    const four = (...s: Batch['slots']): Batch['slots'] => [...s, ...Array.from({ length: 4 - s.length }, proof)];
    const cases: [string, () => Batch, RegExp][] = [
      ['capacity 2', () => ({ capacity: 2, slots: [proof(), proof()] }), /capacity must be a power of two in 4\.\.64, got 2/],
      ['capacity 3', () => ({ capacity: 3, slots: [proof(), proof(), proof()] }), /power of two/],
      ['capacity 128', () => ({ capacity: 128, slots: Array.from({ length: 128 }, proof) }), /power of two in 4\.\.64, got 128/],
      ['a slot count different from the capacity', () => ({ capacity: 4, slots: [proof(), proof()] }), /exactly 4 slots, got 2/],
      [
        'no included slot',
        () => ({ capacity: 4, slots: [{ kind: 'empty' }, { kind: 'excluded' }, { kind: 'empty' }, { kind: 'empty' }] }),
        /no included slot/,
      ],
      [
        'an unsupported public-input count',
        () => ({ capacity: 4, slots: four(proof(), { kind: 'proof', rollup: randomRollup(rand, 3) }) }),
        /slot 1: no leaf circuit for 3 public inputs/,
      ],
      [
        'a non-canonical vkHash',
        () => ({
          capacity: 4,
          slots: four(proof(), { kind: 'proof', rollup: { ...randomRollup(rand, 1), vkHash: `0x${'ff'.repeat(32)}` } }),
        }),
        /slot 1: vkHash must be a canonical/,
      ],
      [
        'an owner that is not an address',
        () => ({ capacity: 4, slots: four({ kind: 'proof', rollup: { ...randomRollup(rand, 1), owner: '0x1234' as Hex } }) }),
        /slot 0: owner must be the 20-byte address/,
      ],
      [
        'a non-canonical public input',
        () => ({ capacity: 4, slots: four({ kind: 'proof', rollup: { ...randomRollup(rand, 1), publicInputs: ['0x1234'] } }) }),
        /slot 0: public input 0/,
      ],
      ['an unknown slot kind', () => ({ capacity: 4, slots: four(proof(), { kind: 'full' } as never) }), /slot 1: kind must be/],
    ];
    for (const [name, make, msg] of cases) {
      it(name, () => {
        expect(() => planBatch(make())).to.throw(BatchError, msg);
      });
    }
  });
});
