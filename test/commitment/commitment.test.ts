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
  v2,
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

  // The contracts are at version 2 (docs/protocol.md): the Solidity library is checked against prover/protocol's
  // version-2 section (and test/protocol/v2.test.ts checks both against test/vectors/identities-v2.json); the
  // version-1 vectors above keep testing the version-1 TypeScript module that the engine, keeper and SDK use
  // until they move to version 2.
  describe('Solidity version 2 (contracts/libraries/BatchCommitment.sol)', () => {
    const edge = [0n, 1n, FIELD_MODULUS - 1n].map(fieldToWord);

    it('program ids, digests, zero subtrees, roots of 4..64 leaves, paths, groups and public inputs', async () => {
      const { ethers } = await network.create();
      const h = await ethers.deployContract('CommitmentHarness');
      const owner = '0x93E9D77446ED1b85Dcf07c3F480B89c751f287De';
      for (const vk of edge) expect(await h.getFunction('programId')(owner, vk)).to.equal(v2.programIdOf(owner, vk));
      const id = v2.programIdOf(owner, edge[1]!);
      for (const inputs of [[edge[0]!], [edge[0]!, edge[2]!], edge.concat([edge[1]!])]) {
        expect(await h.getFunction('digest')(id, inputs)).to.equal(v2.statementDigest(id, inputs));
        expect(await h.getFunction('digestMemory')(id, inputs)).to.equal(v2.statementDigest(id, inputs));
      }
      for (let z = 0; z <= 6; z++) expect(await h.getFunction('zeroSubtree')(z)).to.equal(v2.zeroSubtree(z));
      await expect(h.getFunction('zeroSubtree')(7)).to.be.revertedWithCustomError(h, 'BatchCommitmentInvalidCapacity');
      for (const capacity of [4, 8, 16, 32, 64]) {
        for (const n of [0, 1, capacity / 2 + 1, capacity]) {
          const leaves = Array.from({ length: n }, (_, i) => v2.statementDigest(id, [fieldToWord(BigInt(i))]));
          const [root, after] = await h.getFunction('root')(leaves, capacity);
          expect(root).to.equal(v2.batchRoot(leaves, capacity));
          expect(after).to.deep.equal(leaves);
          if (n > 0) {
            const index = n - 1;
            const path = v2.inclusionPath(v2.batchLeaves(leaves, capacity), index);
            expect(path).to.have.length(v2.depthOf(capacity));
            expect(await h.getFunction('walk')(leaves[index]!, index, path)).to.equal(root);
            expect(v2.walkPath(leaves[index]!, index, path)).to.equal(root);
          }
        }
        expect(await h.getFunction('capacityFor')(capacity)).to.equal(BigInt(capacity));
      }
      for (const [leaves, capacity] of [
        [[], 2],
        [[], 128],
        [Array(5).fill(edge[0]), 4],
      ] as const) {
        await expect(h.getFunction('root')([...leaves], capacity)).to.be.revertedWithCustomError(
          h,
          capacity === 4 ? 'BatchCommitmentTooManyLeaves' : 'BatchCommitmentInvalidCapacity',
        );
      }
      await expect(h.getFunction('walk')(edge[0]!, 4, [edge[0]!, edge[0]!]))
        .to.be.revertedWithCustomError(h, 'BatchCommitmentInvalidPath')
        .withArgs(4, 2);
      await expect(h.getFunction('capacityFor')(65)).to.be.revertedWithCustomError(h, 'BatchCommitmentTooManyLeaves').withArgs(65, 64);
      const word = v2.groupWord({ payer: owner, feePerProof: 123_456n, count: 3, callbackGas: 70_000n });
      expect(await h.getFunction('packGroup')(owner, 123_456n, 3, 70_000n)).to.equal(word);
      expect([...(await h.getFunction('unpackGroup')(word))]).to.deep.equal([owner, 123_456n, 3n, 70_000n]);
      const digests = [1n, 2n, 3n].map((i) => v2.statementDigest(id, [fieldToWord(i)]));
      const chained = v2.chainCommitment([{ word, programId: id }], digests);
      expect(await h.getFunction('chainAppend')(v2.ZERO_LEAF, word, id, digests, 0, 3)).to.equal(chained);
      expect(await h.getFunction('chainAppendCalldata')(v2.ZERO_LEAF, word, id, digests, 0, 3)).to.equal(chained);
      const gh = v2.groupsHash([{ word, programId: id }]);
      expect(await h.getFunction('postedCommitment')(edge[2]!, gh, owner)).to.equal(v2.postedCommitment(edge[2]!, gh, owner));
      expect(await h.getFunction('aggregationPublicInputs')(edge[2]!, owner, edge[1]!)).to.deep.equal(
        v2.aggregationPublicInputs(edge[2]!, owner, edge[1]!),
      );
      expect(await h.getFunction('submissionId')(3n, 63n)).to.deep.equal([v2.submissionId(3n, 63), 3n, 63n]);
      expect(v2.splitSubmissionId(3n * 64n + 63n)).to.deep.equal({ batchId: 3n, slot: 63 });
      await expect(h.getFunction('submissionId')(1n, 64n)).to.be.revertedWithCustomError(h, 'SubmissionIdInvalidSlot').withArgs(64);
    });
  });
});
