import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { network } from 'hardhat';
import type { Hex } from 'viem';
import {
  CommitmentError,
  FIELD_MODULUS,
  aggregationPublicInputs,
  batchLeaves,
  batchRoot,
  fieldToWord,
  isCanonicalField,
  merkleRoot,
  splitRoot,
  splitSubmissionId,
  statementDigest,
  submissionId,
} from '../../prover/protocol/index.js';
import { type CommitmentVectors, VECTORS_PATH, buildVectors } from '../../scripts/commitmentVectors.js';

const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as CommitmentVectors;

describe('commitment format', () => {
  it('the vector file is what the TypeScript implementation generates (not stale)', () => {
    expect(buildVectors()).to.deep.equal(vectors);
  });

  it('covers PI counts 1, 2, 4, capacities 2..32, exclusions and partial batches', () => {
    const piCounts = new Set(vectors.cases.flatMap((c) => c.slots.map((s) => s.publicInputs.length)));
    const capacities = new Set(vectors.cases.map((c) => c.capacity));
    expect([...piCounts].sort()).to.deep.equal([1, 2, 4]);
    expect([...capacities].sort((a, b) => a - b)).to.deep.equal([2, 4, 8, 16, 32]);
    expect(vectors.cases.some((c) => c.excludedMask !== 0)).to.equal(true);
    expect(vectors.cases.some((c) => c.slots.length < c.capacity)).to.equal(true);
  });

  describe('TypeScript (prover/protocol)', () => {
    for (const c of vectors.cases) {
      it(`reproduces ${c.name}`, () => {
        for (const slot of c.slots) expect(statementDigest(slot.vkHash, slot.publicInputs)).to.equal(slot.digest);
        const digests = c.slots.map((s) => s.digest);
        expect(batchLeaves(digests, c.capacity, c.excludedMask)).to.deep.equal(c.leaves);
        expect(merkleRoot(c.leaves)).to.equal(c.root);
        expect(batchRoot(digests, c.capacity, c.excludedMask)).to.equal(c.root);
        expect(splitRoot(c.root)).to.deep.equal([c.rootHi, c.rootLo]);
        expect(aggregationPublicInputs(c.root, c.prover, c.keyHashes)).to.deep.equal(c.aggregationPublicInputs);
      });
    }

    it('rejects malformed input', () => {
      const r = fieldToWord(1n);
      expect(() => statementDigest(r, [])).to.throw(CommitmentError);
      expect(() => statementDigest(r, [`0x${FIELD_MODULUS.toString(16).padStart(64, '0')}` as Hex])).to.throw(CommitmentError);
      expect(() => statementDigest(r, ['0x01'])).to.throw(CommitmentError);
      expect(() => merkleRoot([r])).to.throw(CommitmentError);
      expect(() => merkleRoot([r, r, r])).to.throw(CommitmentError);
      expect(() => merkleRoot(Array(64).fill(r) as Hex[])).to.throw(CommitmentError);
      expect(() => batchLeaves([r, r], 2, 0b100)).to.throw(CommitmentError);
      expect(() => batchLeaves([r, r, r], 2)).to.throw(CommitmentError);
      expect(() => fieldToWord(FIELD_MODULUS)).to.throw(CommitmentError);
      expect(isCanonicalField(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
    });

    it('maps submission ids to batch and slot', () => {
      expect(submissionId(1n, 0)).to.equal(32n);
      expect(submissionId(3n, 31)).to.equal(127n);
      expect(splitSubmissionId(127n)).to.deep.equal({ batchId: 3n, slot: 31 });
      expect(() => submissionId(1n, 32)).to.throw(CommitmentError);
      expect(() => submissionId(0n, 0)).to.throw(CommitmentError);
    });
  });

  describe('Solidity (contracts/libraries/BatchCommitment.sol)', () => {
    it('reproduces every vector', async () => {
      const { ethers } = await network.create();
      const harness = await ethers.deployContract('CommitmentHarness');
      for (const c of vectors.cases) {
        for (const slot of c.slots) {
          expect(await harness.getFunction('digest')(slot.vkHash, slot.publicInputs)).to.equal(slot.digest);
          expect(await harness.getFunction('digestMemory')(slot.vkHash, slot.publicInputs)).to.equal(slot.digest);
        }
        const [root, leavesAfter] = await harness.getFunction('root')(c.leaves);
        expect(root).to.equal(c.root);
        expect(leavesAfter).to.deep.equal(c.leaves); // root() does not clobber its input
        expect(await harness.getFunction('splitRoot')(c.root)).to.deep.equal([c.rootHi, c.rootLo]);
        expect(await harness.getFunction('aggregationPublicInputs')(c.root, c.prover, c.keyHashes)).to.deep.equal(
          c.aggregationPublicInputs,
        );
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
});
