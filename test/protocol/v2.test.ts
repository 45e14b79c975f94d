/**
 * prover/protocol's version-2 section: the identity vectors (test/vectors/identities-v2.json) against the
 * TypeScript that generates them, an independent implementation (ethers) and the Solidity library and market;
 * and the failure paths of the identities, tree, groups, settlements, requests, receipts and ids.
 */
import { expect } from 'chai';
import { AbiCoder, TypedDataEncoder, id, keccak256 as ethersKeccak, solidityPackedKeccak256 } from 'ethers';
import { readFileSync } from 'node:fs';
import { network } from 'hardhat';
import {
  compactSignatureToSignature,
  parseCompactSignature,
  recoverTypedDataAddress,
  serializeSignature,
  type Address,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { CommitmentError, FIELD_MODULUS, fieldToWord, v2 } from '../../prover/protocol/index.js';
import { buildIdentityVectors, IDENTITY_VECTORS_PATH, type IdentityVectors } from '../../scripts/identityVectors.js';
import { deployMarket } from '../../scripts/lib/marketDeployment.js';

const vectors = JSON.parse(readFileSync(IDENTITY_VECTORS_PATH, 'utf8')) as IdentityVectors;
const abi = AbiCoder.defaultAbiCoder();
const REQUEST_TYPES_ETHERS = {
  Request: [
    { name: 'programId', type: 'bytes32' },
    { name: 'statementsHash', type: 'bytes32' },
    { name: 'count', type: 'uint32' },
    { name: 'feePerProof', type: 'uint64' },
    { name: 'nonce', type: 'uint64' },
    { name: 'deadline', type: 'uint40' },
  ],
};
const R = fieldToWord(FIELD_MODULUS - 1n);
const NOT_CANONICAL = `0x${FIELD_MODULUS.toString(16).padStart(64, '0')}` as Hex;
const OWNER: Address = '0x93E9D77446ED1b85Dcf07c3F480B89c751f287De';

describe('protocol v2: identity vectors (test/vectors/identities-v2.json)', () => {
  it('the vector file is what prover/protocol generates (npx tsx scripts/identityVectors.ts)', () => {
    expect(buildIdentityVectors()).to.deep.equal(vectors);
    expect(vectors.cases.map((c) => c.statements.length)).to.deep.equal([1, 2, 1, 64]);
  });

  it('domain words are keccak256 of their labels', () => {
    expect(vectors.statementDomain).to.equal(id('NEX.statement.v2'));
    expect(v2.STATEMENT_DOMAIN).to.equal(id('NEX.statement.v2'));
    expect(vectors.receiptDomain).to.equal(id('NEX.relay.receipt.v2'));
  });

  for (const c of vectors.cases) {
    it(`reproduces "${c.name}" independently (ethers)`, () => {
      expect(c.programId).to.equal(ethersKeccak(abi.encode(['address', 'bytes32'], [c.owner, c.vkHash])));
      for (const s of c.statements) {
        const types = ['bytes32', 'bytes32', ...s.publicInputs.map(() => 'bytes32')];
        expect(s.digest).to.equal(solidityPackedKeccak256(types, [vectors.statementDomain, c.programId, ...s.publicInputs]));
      }
      expect(c.statementsHash).to.equal(
        solidityPackedKeccak256(
          c.statements.map(() => 'bytes32'),
          c.statements.map((s) => s.digest),
        ),
      );
      const domain = {
        name: 'NEX AggregationMarket',
        version: '2',
        chainId: c.domain.chainId,
        verifyingContract: c.domain.verifyingContract,
      };
      const message = {
        programId: c.programId,
        statementsHash: c.statementsHash,
        count: c.request.count,
        feePerProof: c.request.feePerProof,
        nonce: c.request.nonce,
        deadline: c.request.deadline,
      };
      expect(c.requestHash).to.equal(TypedDataEncoder.hash(domain, REQUEST_TYPES_ETHERS, message));
      const word =
        (BigInt(c.payer) << 96n) | (BigInt(c.request.feePerProof) << 32n) | (BigInt(c.request.count) << 24n) | BigInt(c.group.callbackGas);
      expect(BigInt(c.group.word)).to.equal(word);
      expect(c.receipt.digest).to.equal(
        ethersKeccak(
          abi.encode(
            ['bytes32', 'bytes32', 'address', 'uint64', 'uint64'],
            [vectors.receiptDomain, c.requestHash, c.payer, c.receipt.acceptedAt, c.receipt.postBy],
          ),
        ),
      );
    });
  }

  it('the Solidity library and the market compute the same program ids, digests, group words and request hashes', async () => {
    const { ethers } = await network.create();
    const h = await ethers.deployContract('CommitmentHarness');
    // The harness hashes requests with the market's type hash and the market's EIP-712 domain.
    const f = await deployMarket(ethers);
    const extension = await ethers.getContractAt('AggregationMarketExtension', await f.market.extension());
    expect(await h.getFunction('REQUEST_TYPEHASH')()).to.equal(await extension.REQUEST_TYPEHASH());
    const [, name, version] = await f.market.eip712Domain();
    expect([name, version]).to.deep.equal([v2.MARKET_EIP712_NAME, v2.MARKET_EIP712_VERSION]);
    for (const c of vectors.cases) {
      expect(await h.getFunction('programId')(c.owner, c.vkHash), c.name).to.equal(c.programId);
      for (const s of c.statements) expect(await h.getFunction('digest')(c.programId, s.publicInputs), c.name).to.equal(s.digest);
      expect(await h.getFunction('statementsHash')(c.statements.map((s) => s.digest)), c.name).to.equal(c.statementsHash);
      const packed = await h.getFunction('packGroup')(c.payer, BigInt(c.request.feePerProof), c.request.count, c.group.callbackGas);
      expect(packed, c.name).to.equal(BigInt(c.group.word));
      const request = {
        programId: c.programId,
        statementsHash: c.statementsHash,
        count: c.request.count,
        feePerProof: c.request.feePerProof,
        nonce: c.request.nonce,
        deadline: c.request.deadline,
      };
      expect(await h.getFunction('requestHash')(request, c.domain.chainId, c.domain.verifyingContract), c.name).to.equal(c.requestHash);
    }
  });
});

describe('protocol v2: identities, tree, groups, requests, receipts and ids', () => {
  it('program ids need an address and a canonical key hash', () => {
    expect(v2.programIdOf(OWNER, R)).to.equal(ethersKeccak(abi.encode(['address', 'bytes32'], [OWNER, R])));
    expect(() => v2.programIdOf(OWNER, NOT_CANONICAL)).to.throw(CommitmentError, /not canonical/);
    expect(() => v2.programIdOf('0x1234', R)).to.throw(CommitmentError, /address/);
  });

  it('digests only canonical statements with at least one public input, under any 32-byte program id', () => {
    const programId = `0x${'ff'.repeat(32)}` as Hex; // a keccak output may exceed r: program ids are words, not fields
    expect(v2.statementDigest(programId, [R])).to.equal(
      solidityPackedKeccak256(['bytes32', 'bytes32', 'bytes32'], [v2.STATEMENT_DOMAIN, programId, R]),
    );
    expect(() => v2.statementDigest(programId, [])).to.throw(CommitmentError, /at least one/);
    expect(() => v2.statementDigest(programId, [NOT_CANONICAL])).to.throw(CommitmentError, /publicInputs\[0\] is not canonical/);
    expect(() => v2.statementDigest('0x1234', [R])).to.throw(CommitmentError, /programId/);
    expect(v2.statementsHash([])).to.equal(ethersKeccak('0x'));
  });

  it('builds trees of 4..64 leaves with exclusions, inclusion paths that walk to the root, and refuses the rest', () => {
    expect([0, 1, 4, 5, 33, 64].map(v2.capacityFor)).to.deep.equal([4, 4, 4, 8, 64, 64]);
    expect(() => v2.capacityFor(65)).to.throw(CommitmentError);
    expect([2, 4, 8, 64, 128, 12].map(v2.isValidCapacity)).to.deep.equal([false, true, true, true, false, false]);
    const digests = Array.from({ length: 5 }, (_, i) => v2.statementDigest(OWNER.padEnd(66, '0') as Hex, [fieldToWord(BigInt(i))]));
    const leaves = v2.batchLeaves(digests, 8, 0b00101n);
    expect(leaves.filter((l) => l === v2.ZERO_LEAF)).to.have.length(5); // 2 excluded + 3 empty
    expect(v2.batchRoot(digests, 8, 0b00101n)).to.equal(v2.merkleRoot(leaves));
    for (let i = 0; i < 8; i++) expect(v2.walkPath(leaves[i]!, i, v2.inclusionPath(leaves, i))).to.equal(v2.merkleRoot(leaves));
    expect(v2.walkPath(digests[1]!, 1, v2.inclusionPath(leaves, 0))).to.not.equal(v2.merkleRoot(leaves));
    expect(v2.merkleRoot(Array(8).fill(v2.ZERO_LEAF))).to.equal(v2.zeroSubtree(3));
    expect(() => v2.batchLeaves(digests, 4)).to.throw(CommitmentError, /exceed/);
    expect(() => v2.batchLeaves(digests, 8, 1n << 5n)).to.throw(CommitmentError, /beyond/);
    expect(() => v2.batchLeaves(digests, 8, 1n << 64n)).to.throw(CommitmentError, /uint64/);
    expect(() => v2.zeroSubtree(7)).to.throw(CommitmentError);
    expect(() => v2.walkPath(R, 4, [R, R])).to.throw(CommitmentError, /no path/);
    expect(() => v2.inclusionPath(leaves, 8)).to.throw(CommitmentError);
    expect(v2.aggregationPublicInputs(R, OWNER, fieldToWord(7n))).to.deep.equal([
      ...v2.splitRoot(R),
      `0x${'0'.repeat(24)}${OWNER.slice(2).toLowerCase()}`,
      fieldToWord(7n),
    ]);
  });

  it('packs group words, hashes groups and builds both settlement forms from consistent content only', () => {
    const g = { payer: OWNER, feePerProof: 123n, count: 3, callbackGas: 70_000 };
    const word = v2.groupWord(g);
    expect(v2.unpackGroupWord(word)).to.deep.equal({ ...g, callbackGas: 70_000n });
    expect(() => v2.groupWord({ ...g, count: 0 })).to.throw(CommitmentError);
    expect(() => v2.groupWord({ ...g, count: 65 })).to.throw(CommitmentError);
    expect(() => v2.groupWord({ ...g, feePerProof: 1n << 64n })).to.throw(CommitmentError, /uint64/);
    expect(() => v2.groupWord({ ...g, callbackGas: 1 << 24 })).to.throw(CommitmentError, /uint24/);
    const programId = v2.programIdOf(OWNER, R);
    const digests = [1n, 2n, 3n].map((i) => v2.statementDigest(programId, [fieldToWord(i)]));
    const groups = [{ word, programId }];
    expect(() => v2.chainCommitment(groups, digests.slice(0, 2))).to.throw(CommitmentError, /3 statements, 2 digests/);
    expect(() => v2.postedSettlement(groups, [...digests, digests[0]!], OWNER)).to.throw(CommitmentError);
    const posted = v2.postedSettlement(groups, digests, OWNER.toLowerCase());
    expect(posted.poster).to.equal(OWNER);
    expect(posted.root).to.equal(v2.batchRoot(digests, 4));
    expect(v2.postedCommitment(posted.root, posted.groupsHash, posted.poster)).to.equal(
      ethersKeccak(abi.encode(['bytes32', 'bytes32', 'address'], [posted.root, v2.groupsHash(groups), OWNER])),
    );
    expect(v2.fastSettlement(posted)).to.deep.equal({
      root: posted.root,
      groupsHash: posted.groupsHash,
      poster: OWNER,
      groups: [],
      digests: [],
    });
    const chain = v2.chainSettlement(groups, digests);
    expect([chain.root, chain.groupsHash, chain.groups, chain.digests]).to.deep.equal([v2.ZERO_LEAF, v2.ZERO_LEAF, groups, digests]);
  });

  it('turns a signed request into the compact posted group that recovers its payer', async () => {
    const payer = privateKeyToAccount(`0x${'11'.repeat(32)}`);
    const domain = v2.marketDomain(31337, OWNER);
    const request: v2.OffchainRequest = {
      programId: v2.programIdOf(OWNER, R),
      statementsHash: v2.statementsHash([R]),
      count: 1,
      feePerProof: 5n,
      nonce: 9n,
      deadline: 1_900_000_000,
    };
    const signature = await payer.signTypedData({
      domain,
      types: v2.REQUEST_TYPES,
      primaryType: 'Request',
      message: v2.requestMessage(request),
    });
    const group = v2.postedGroup(request, signature);
    expect(group).to.deep.include({ programId: request.programId, count: 1, feePerProof: 5n, nonce: 9n, deadline: 1_900_000_000 });
    expect(`0x${group.r.slice(2)}${group.vs.slice(2)}`).to.equal(v2.compactSignature(signature));
    // The compact form (what the market's ECDSA.tryRecover(hash, r, vs) takes) expands back to the signer.
    const expanded = serializeSignature(compactSignatureToSignature(parseCompactSignature(v2.compactSignature(signature))));
    const recovered = await recoverTypedDataAddress({
      domain,
      types: v2.REQUEST_TYPES,
      primaryType: 'Request',
      message: v2.requestMessage(request),
      signature: expanded,
    });
    expect(recovered).to.equal(payer.address);
    expect(() => v2.postedGroup(request, '0x1234')).to.throw();
  });

  it('verifies receipts signed by the relay named in them, and nothing else', async () => {
    const relay = privateKeyToAccount(`0x${'22'.repeat(32)}`);
    const c = vectors.cases[1]!;
    const fields = { requestHash: c.requestHash, payer: c.payer, acceptedAt: c.receipt.acceptedAt, postBy: c.receipt.postBy };
    expect(v2.receiptDigest(fields)).to.equal(c.receipt.digest);
    const signature = await relay.signMessage({ message: { raw: c.receipt.digest } });
    const receipt = { ...fields, relay: relay.address, signature };
    expect(await v2.verifyReceipt(receipt)).to.equal(true);
    expect(await v2.verifyReceipt({ ...receipt, postBy: receipt.postBy + 1 })).to.equal(false);
    expect(await v2.verifyReceipt({ ...receipt, relay: OWNER })).to.equal(false);
    expect(await v2.verifyReceipt({ ...receipt, signature: '0x1234' })).to.equal(false);
  });

  it('packs submission ids as batchId * 64 + slot', () => {
    expect(v2.submissionId(1n, 0)).to.equal(64n);
    expect(v2.submissionId(3n, 63)).to.equal(255n);
    expect(v2.splitSubmissionId(255n)).to.deep.equal({ batchId: 3n, slot: 63 });
    expect(() => v2.submissionId(1n, 64)).to.throw(CommitmentError);
    expect(() => v2.submissionId(0n, 0)).to.throw(CommitmentError, /start at 1/);
  });
});
