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
  ZERO_LEAF,
  chainCommitment,
  depthOf,
  groupWord,
  groupsHash,
  postedCommitment,
} from '../../prover/protocol/index.js';
import { type CommitmentVectors, VECTORS_PATH, buildVectors } from '../../scripts/commitmentVectors.js';

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

  // The Solidity library against prover/protocol, which the shared vectors above pin (test/protocol/v2.test.ts
  // also checks both against test/vectors/identities-v2.json).
  describe('Solidity version 2 (contracts/libraries/BatchCommitment.sol)', () => {
    const edge = [0n, 1n, FIELD_MODULUS - 1n].map(fieldToWord);

    it('program ids, digests, zero subtrees, roots of 4..64 leaves, paths, groups and public inputs', async () => {
      const { ethers } = await network.create();
      const h = await ethers.deployContract('CommitmentHarness');
      const owner = '0x93E9D77446ED1b85Dcf07c3F480B89c751f287De';
      for (const vk of edge) expect(await h.getFunction('programId')(owner, vk)).to.equal(programIdOf(owner, vk));
      const id = programIdOf(owner, edge[1]!);
      for (const inputs of [[edge[0]!], [edge[0]!, edge[2]!], edge.concat([edge[1]!])]) {
        expect(await h.getFunction('digest')(id, inputs)).to.equal(statementDigest(id, inputs));
        expect(await h.getFunction('digestMemory')(id, inputs)).to.equal(statementDigest(id, inputs));
      }
      for (let z = 0; z <= 6; z++) expect(await h.getFunction('zeroSubtree')(z)).to.equal(zeroSubtree(z));
      await expect(h.getFunction('zeroSubtree')(7)).to.be.revertedWithCustomError(h, 'BatchCommitmentInvalidCapacity');
      for (const capacity of [4, 8, 16, 32, 64]) {
        for (const n of [0, 1, capacity / 2 + 1, capacity]) {
          const leaves = Array.from({ length: n }, (_, i) => statementDigest(id, [fieldToWord(BigInt(i))]));
          const [root, after] = await h.getFunction('root')(leaves, capacity);
          expect(root).to.equal(batchRoot(leaves, capacity));
          expect(after).to.deep.equal(leaves);
          if (n > 0) {
            const index = n - 1;
            const path = inclusionPath(batchLeaves(leaves, capacity), index);
            expect(path).to.have.length(depthOf(capacity));
            expect(await h.getFunction('walk')(leaves[index]!, index, path)).to.equal(root);
            expect(rootFromPath(leaves[index]!, index, path)).to.equal(root);
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
      const word = groupWord({ payer: owner, feePerProof: 123_456n, count: 3, callbackGas: 70_000n });
      expect(await h.getFunction('packGroup')(owner, 123_456n, 3, 70_000n)).to.equal(word);
      expect([...(await h.getFunction('unpackGroup')(word))]).to.deep.equal([owner, 123_456n, 3n, 70_000n]);
      const digests = [1n, 2n, 3n].map((i) => statementDigest(id, [fieldToWord(i)]));
      const chained = chainCommitment([{ word, programId: id }], digests);
      expect(await h.getFunction('chainAppend')(ZERO_LEAF, word, id, digests, 0, 3)).to.equal(chained);
      expect(await h.getFunction('chainAppendCalldata')(ZERO_LEAF, word, id, digests, 0, 3)).to.equal(chained);
      const gh = groupsHash([{ word, programId: id }]);
      expect(await h.getFunction('postedCommitment')(edge[2]!, gh, owner)).to.equal(postedCommitment(edge[2]!, gh, owner));
      expect(await h.getFunction('aggregationPublicInputs')(edge[2]!, owner, edge[1]!)).to.deep.equal(
        aggregationPublicInputs(edge[2]!, owner, edge[1]!),
      );
      expect(await h.getFunction('submissionId')(3n, 63n)).to.deep.equal([submissionId(3n, 63), 3n, 63n]);
      expect(splitSubmissionId(3n * 64n + 63n)).to.deep.equal({ batchId: 3n, slot: 63 });
      await expect(h.getFunction('submissionId')(1n, 64n)).to.be.revertedWithCustomError(h, 'SubmissionIdInvalidSlot').withArgs(64);
    });
  });
});
