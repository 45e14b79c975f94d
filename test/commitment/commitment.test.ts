import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { network } from 'hardhat';
import { concat, encodeAbiParameters, keccak256, type Address, type Hex } from 'viem';
import {
  CommitmentError,
  FIELD_MODULUS,
  STATEMENT_DOMAIN,
  aggregationPublicInputs,
  batchLeaves,
  batchRoot,
  capacityFor,
  fieldToWord,
  inclusionPath,
  isCanonicalField,
  merkleRoot,
  programIdOf,
  rootFromPath,
  splitRoot,
  splitSubmissionId,
  statementDigest,
  submissionId,
  verifyInclusion,
  zeroSubtree,
} from '../../prover/protocol/index.js';
import { type CommitmentVectors, VECTORS_PATH, buildVectors } from '../../scripts/commitmentVectors.js';
import { aggregationPublicInputsV1, batchRootV1, statementDigestV1 } from '../../scripts/lib/commitmentV1.js';

const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as CommitmentVectors;

describe('commitment format (version 2)', () => {
  it('the vector file is what the TypeScript implementation generates (not stale)', () => {
    expect(buildVectors()).to.deep.equal(vectors);
  });

  it('covers PI counts 1, 2, 4, capacities 4..64, 1/2/4 statements, exclusions (bit 63 too), inclusion paths and edge values', () => {
    const piCounts = new Set(vectors.cases.flatMap((c) => c.slots.map((s) => s.publicInputs.length)));
    const capacities = new Set(vectors.cases.map((c) => c.capacity));
    expect([...piCounts].sort()).to.deep.equal([1, 2, 4]);
    expect([...capacities].sort((a, b) => a - b)).to.deep.equal([4, 8, 16, 32, 64]);
    expect(vectors.cases.filter((c) => c.capacity === 4).map((c) => c.slots.length)).to.include.members([1, 2, 4]);
    expect(vectors.cases.some((c) => BigInt(c.excludedMask) !== 0n)).to.equal(true);
    expect(vectors.cases.some((c) => BigInt(c.excludedMask) >> 63n === 1n)).to.equal(true);
    expect(vectors.cases.some((c) => c.slots.length < c.capacity)).to.equal(true);
    expect(vectors.cases.every((c) => c.inclusions.length > 0)).to.equal(true);
    const edges = new Set(vectors.cases.flatMap((c) => c.slots.flatMap((s) => s.publicInputs.map((p) => BigInt(p)))));
    for (const v of [0n, 1n, FIELD_MODULUS - 1n]) expect(edges.has(v), `edge value ${v}`).to.equal(true);
  });

  it('uses the domain keccak256("NEX.statement.v2") and the zero subtrees Z_0..Z_6', () => {
    expect(vectors.statementDomain).to.equal('0xfc6982d08372d42ae8dd44bfc8c30777d63b29ccd74d3694daab9639f820a2f2');
    expect(STATEMENT_DOMAIN).to.equal(vectors.statementDomain);
    let z: Hex = fieldToWord(0n);
    vectors.zeroSubtrees.forEach((expected, h) => {
      expect(zeroSubtree(h), `Z_${h}`).to.equal(expected);
      expect(expected).to.equal(z);
      z = keccak256(concat([z, z]));
    });
  });

  describe('TypeScript (prover/protocol)', () => {
    for (const c of vectors.cases) {
      it(`reproduces ${c.name}`, () => {
        for (const slot of c.slots) {
          // abi.encode(owner, vkHash), computed independently with viem's ABI encoder.
          expect(keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [slot.owner, slot.vkHash]))).to.equal(
            slot.programId,
          );
          expect(programIdOf(slot.owner, slot.vkHash)).to.equal(slot.programId);
          expect(statementDigest(slot.programId, slot.publicInputs)).to.equal(slot.digest);
          expect(keccak256(concat([STATEMENT_DOMAIN, slot.programId, ...slot.publicInputs]))).to.equal(slot.digest);
        }
        const digests = c.slots.map((s) => s.digest);
        const mask = BigInt(c.excludedMask);
        expect(batchLeaves(digests, c.capacity, mask)).to.deep.equal(c.leaves);
        expect(merkleRoot(c.leaves)).to.equal(c.root);
        expect(batchRoot(digests, c.capacity, mask)).to.equal(c.root);
        expect(splitRoot(c.root)).to.deep.equal([c.rootHi, c.rootLo]);
        expect(aggregationPublicInputs(c.root, c.prover, c.keySet)).to.deep.equal(c.aggregationPublicInputs);
        for (const inc of c.inclusions) {
          expect(inclusionPath(c.leaves, inc.index)).to.deep.equal(inc.siblings);
          expect(inc.siblings).to.have.length(Math.log2(c.capacity));
          expect(rootFromPath(inc.leaf, inc.index, inc.siblings)).to.equal(c.root);
          expect(verifyInclusion(inc.leaf, inc.index, inc.siblings, c.root)).to.equal(true);
          // Another index or another leaf does not reach the root.
          expect(verifyInclusion(inc.leaf, inc.index ^ 1, inc.siblings, c.root)).to.equal(inc.leaf === inc.siblings[0]);
          expect(verifyInclusion(fieldToWord(7n), inc.index, inc.siblings, c.root)).to.equal(false);
        }
      });
    }

    it('binds a program to its owner: the same key registered by another address has other statements', () => {
      const c = vectors.cases.find((x) => x.name === 'cap4-same-key-two-owners')!;
      const [a, b] = c.slots as [(typeof c.slots)[number], (typeof c.slots)[number]];
      expect(a.vkHash).to.equal(b.vkHash);
      expect(a.publicInputs).to.deep.equal(b.publicInputs);
      expect(a.owner).to.not.equal(b.owner);
      expect(a.programId).to.not.equal(b.programId);
      expect(a.digest).to.not.equal(b.digest);
    });

    it('a statement digest is never a zero subtree, not even for program id 0 and statement [0] (version 1 gave Z_1)', () => {
      const d = statementDigest(fieldToWord(0n), [fieldToWord(0n)]);
      for (let h = 0; h <= 6; h++) expect(d).to.not.equal(zeroSubtree(h));
      expect(keccak256(concat([fieldToWord(0n), fieldToWord(0n)]))).to.equal(zeroSubtree(1));
    });

    it('rejects malformed input', () => {
      const r = fieldToWord(1n);
      const owner: Address = '0x000000000000000000000000000000000000e0a1';
      expect(() => statementDigest(r, [])).to.throw(CommitmentError, /at least one public input/);
      expect(() => statementDigest(r, [`0x${FIELD_MODULUS.toString(16).padStart(64, '0')}` as Hex])).to.throw(
        CommitmentError,
        /not canonical/,
      );
      expect(() => statementDigest(r, ['0x01'])).to.throw(CommitmentError);
      expect(() => statementDigest('0x01', [r])).to.throw(CommitmentError, /programId/);
      expect(() => programIdOf(owner, fieldToWord(0n).replace(/0$/, 'g') as Hex)).to.throw(CommitmentError);
      expect(() => programIdOf(owner, `0x${FIELD_MODULUS.toString(16).padStart(64, '0')}` as Hex)).to.throw(
        CommitmentError,
        /vkHash is not canonical/,
      );
      expect(() => programIdOf('0x1234' as Address, r)).to.throw(CommitmentError);
      for (const n of [1, 2, 3, 6, 128]) expect(() => merkleRoot(Array<Hex>(n).fill(r)), `${n} leaves`).to.throw(CommitmentError);
      expect(() => batchLeaves([r, r], 4, 0b100n)).to.throw(CommitmentError);
      expect(() => batchLeaves([r, r, r, r, r], 4)).to.throw(CommitmentError);
      expect(() => batchLeaves([r], 2)).to.throw(CommitmentError);
      expect(() => batchLeaves([r], 4, -1n)).to.throw(CommitmentError);
      expect(() => inclusionPath(Array<Hex>(4).fill(r), 4)).to.throw(CommitmentError);
      expect(() => rootFromPath(r, 4, [r, r])).to.throw(CommitmentError);
      expect(() => rootFromPath(r, 0, [])).to.throw(CommitmentError);
      expect(() => aggregationPublicInputs(r, owner, `0x${FIELD_MODULUS.toString(16).padStart(64, '0')}` as Hex)).to.throw(
        CommitmentError,
        /keySet/,
      );
      expect(() => fieldToWord(FIELD_MODULUS)).to.throw(CommitmentError);
      expect(isCanonicalField(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
    });

    it('sizes posted batches: the smallest power of two >= max(4, count), at most 64', () => {
      expect([0, 1, 4, 5, 8, 9, 33, 64].map(capacityFor)).to.deep.equal([4, 4, 4, 8, 8, 16, 64, 64]);
      expect(() => capacityFor(65)).to.throw(CommitmentError);
      expect(() => capacityFor(-1)).to.throw(CommitmentError);
    });

    it('maps submission ids to batch and slot (batchId * 64 + slot)', () => {
      expect(submissionId(1n, 0)).to.equal(64n);
      expect(submissionId(3n, 63)).to.equal(255n);
      expect(splitSubmissionId(255n)).to.deep.equal({ batchId: 3n, slot: 63 });
      expect(() => submissionId(1n, 64)).to.throw(CommitmentError);
      expect(() => submissionId(0n, 0)).to.throw(CommitmentError);
    });
  });
});

/**
 * The version-1 contracts are still on this branch (the version-2 contracts replace them on the
 * integration branch): their commitment library keeps being checked against the version-1 vectors.
 */
describe('version-1 contracts (contracts/libraries/BatchCommitment.sol) against the frozen version-1 vectors', () => {
  interface V1Case {
    name: string;
    capacity: number;
    excludedMask: number;
    slots: { vkHash: Hex; publicInputs: Hex[]; digest: Hex }[];
    leaves: Hex[];
    root: Hex;
    rootHi: Hex;
    rootLo: Hex;
    prover: Hex;
    keyHashes: Hex[];
    aggregationPublicInputs: Hex[];
  }
  const v1 = JSON.parse(readFileSync(fileURLToPath(new URL('../vectors/commitment-v1.json', import.meta.url)), 'utf8')) as {
    cases: V1Case[];
  };

  it('the frozen version-1 TypeScript reference the version-1 contract tests use (scripts/lib/commitmentV1.ts) reproduces them', () => {
    for (const c of v1.cases) {
      for (const slot of c.slots) expect(statementDigestV1(slot.vkHash, slot.publicInputs)).to.equal(slot.digest);
      expect(
        batchRootV1(
          c.slots.map((x) => x.digest),
          c.capacity,
          c.excludedMask,
        ),
      ).to.equal(c.root);
      expect(aggregationPublicInputsV1(c.root, c.prover, c.keyHashes)).to.deep.equal(c.aggregationPublicInputs);
    }
  });

  it('reproduces every version-1 vector', async () => {
    const { ethers } = await network.create();
    const harness = await ethers.deployContract('CommitmentHarness');
    for (const c of v1.cases) {
      for (const slot of c.slots) {
        expect(await harness.getFunction('digest')(slot.vkHash, slot.publicInputs)).to.equal(slot.digest);
        expect(await harness.getFunction('digestMemory')(slot.vkHash, slot.publicInputs)).to.equal(slot.digest);
      }
      const [root, leavesAfter] = await harness.getFunction('root')(c.leaves);
      expect(root).to.equal(c.root);
      expect(leavesAfter).to.deep.equal(c.leaves); // root() does not clobber its input
      expect(await harness.getFunction('splitRoot')(c.root)).to.deep.equal([c.rootHi, c.rootLo]);
      expect(await harness.getFunction('aggregationPublicInputs')(c.root, c.prover, c.keyHashes)).to.deep.equal(c.aggregationPublicInputs);
    }
  });

  it('rejects invalid capacities and checks canonicity', async () => {
    const { ethers } = await network.create();
    const harness = await ethers.deployContract('CommitmentHarness');
    const zero = ethers.ZeroHash;
    for (const n of [0, 1, 3, 6, 64]) {
      await expect(harness.getFunction('root')(Array(n).fill(zero)))
        .to.be.revertedWithCustomError(harness, 'BatchCommitmentInvalidCapacity')
        .withArgs(n);
    }
    for (const n of [2, 4, 8, 16, 32]) expect(await harness.getFunction('isValidCapacity')(n)).to.equal(true);
    expect(await harness.getFunction('isCanonical')(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
    expect(await harness.getFunction('isCanonical')(ethers.toBeHex(FIELD_MODULUS, 32))).to.equal(false);
  });
});
