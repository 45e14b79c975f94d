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
import {
  CommitmentError,
  FIELD_MODULUS,
  fieldToWord,
  splitRoot,
  MARKET_EIP712_NAME,
  MARKET_EIP712_VERSION,
  type OffchainRequest,
  REQUEST_TYPES,
  STATEMENT_DOMAIN,
  ZERO_LEAF,
  aggregationPublicInputs,
  batchLeaves,
  batchRoot,
  capacityFor,
  chainCommitment,
  chainSettlement,
  compactSignature,
  fastSettlement,
  groupWord,
  groupsHash,
  inclusionPath,
  isValidCapacity,
  marketDomain,
  merkleRoot,
  postedCommitment,
  postedGroup,
  postedSettlement,
  programIdOf,
  receiptDigest,
  requestMessage,
  rootFromPath,
  splitSubmissionId,
  statementDigest,
  statementsHash,
  submissionId,
  unpackGroupWord,
  verifyReceipt,
  zeroSubtree,
} from '../../prover/protocol/index.js';
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
    expect(STATEMENT_DOMAIN).to.equal(id('NEX.statement.v2'));
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
    expect([name, version]).to.deep.equal([MARKET_EIP712_NAME, MARKET_EIP712_VERSION]);
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
    expect(programIdOf(OWNER, R)).to.equal(ethersKeccak(abi.encode(['address', 'bytes32'], [OWNER, R])));
    expect(() => programIdOf(OWNER, NOT_CANONICAL)).to.throw(CommitmentError, /not canonical/);
    expect(() => programIdOf('0x1234', R)).to.throw(CommitmentError, /address/);
  });

  it('digests only canonical statements with at least one public input, under any 32-byte program id', () => {
    const programId = `0x${'ff'.repeat(32)}` as Hex; // a keccak output may exceed r: program ids are words, not fields
    expect(statementDigest(programId, [R])).to.equal(
      solidityPackedKeccak256(['bytes32', 'bytes32', 'bytes32'], [STATEMENT_DOMAIN, programId, R]),
    );
    expect(() => statementDigest(programId, [])).to.throw(CommitmentError, /at least one/);
    expect(() => statementDigest(programId, [NOT_CANONICAL])).to.throw(CommitmentError, /publicInputs\[0\] is not canonical/);
    expect(() => statementDigest('0x1234', [R])).to.throw(CommitmentError, /programId/);
    expect(statementsHash([])).to.equal(ethersKeccak('0x'));
  });

  it('builds trees of 4..64 leaves with exclusions, inclusion paths that walk to the root, and refuses the rest', () => {
    expect([0, 1, 4, 5, 33, 64].map(capacityFor)).to.deep.equal([4, 4, 4, 8, 64, 64]);
    expect(() => capacityFor(65)).to.throw(CommitmentError);
    expect([2, 4, 8, 64, 128, 12].map(isValidCapacity)).to.deep.equal([false, true, true, true, false, false]);
    const digests = Array.from({ length: 5 }, (_, i) => statementDigest(OWNER.padEnd(66, '0') as Hex, [fieldToWord(BigInt(i))]));
    const leaves = batchLeaves(digests, 8, 0b00101n);
    expect(leaves.filter((l) => l === ZERO_LEAF)).to.have.length(5); // 2 excluded + 3 empty
    expect(batchRoot(digests, 8, 0b00101n)).to.equal(merkleRoot(leaves));
    for (let i = 0; i < 8; i++) expect(rootFromPath(leaves[i]!, i, inclusionPath(leaves, i))).to.equal(merkleRoot(leaves));
    expect(rootFromPath(digests[1]!, 1, inclusionPath(leaves, 0))).to.not.equal(merkleRoot(leaves));
    expect(merkleRoot(Array(8).fill(ZERO_LEAF))).to.equal(zeroSubtree(3));
    expect(() => batchLeaves(digests, 4)).to.throw(CommitmentError, /exceed/);
    expect(() => batchLeaves(digests, 8, 1n << 5n)).to.throw(CommitmentError, /beyond/);
    expect(() => batchLeaves(digests, 8, 1n << 64n)).to.throw(CommitmentError, /uint64/);
    expect(() => zeroSubtree(7)).to.throw(CommitmentError);
    expect(() => rootFromPath(R, 4, [R, R])).to.throw(CommitmentError, /outside a tree of depth 2/);
    expect(() => inclusionPath(leaves, 8)).to.throw(CommitmentError);
    expect(aggregationPublicInputs(R, OWNER, fieldToWord(7n))).to.deep.equal([
      ...splitRoot(R),
      `0x${'0'.repeat(24)}${OWNER.slice(2).toLowerCase()}`,
      fieldToWord(7n),
    ]);
  });

  it('packs group words, hashes groups and builds both settlement forms from consistent content only', () => {
    const g = { payer: OWNER, feePerProof: 123n, count: 3, callbackGas: 70_000 };
    const word = groupWord(g);
    expect(unpackGroupWord(word)).to.deep.equal({ ...g, callbackGas: 70_000n });
    expect(() => groupWord({ ...g, count: 0 })).to.throw(CommitmentError);
    expect(() => groupWord({ ...g, count: 65 })).to.throw(CommitmentError);
    expect(() => groupWord({ ...g, feePerProof: 1n << 64n })).to.throw(CommitmentError, /uint64/);
    expect(() => groupWord({ ...g, callbackGas: 1 << 24 })).to.throw(CommitmentError, /uint24/);
    const programId = programIdOf(OWNER, R);
    const digests = [1n, 2n, 3n].map((i) => statementDigest(programId, [fieldToWord(i)]));
    const groups = [{ word, programId }];
    expect(() => chainCommitment(groups, digests.slice(0, 2))).to.throw(CommitmentError, /3 statements, 2 digests/);
    expect(() => postedSettlement(groups, [...digests, digests[0]!], OWNER)).to.throw(CommitmentError);
    const posted = postedSettlement(groups, digests, OWNER.toLowerCase());
    expect(posted.poster).to.equal(OWNER);
    expect(posted.root).to.equal(batchRoot(digests, 4));
    expect(postedCommitment(posted.root, posted.groupsHash, posted.poster)).to.equal(
      ethersKeccak(abi.encode(['bytes32', 'bytes32', 'address'], [posted.root, groupsHash(groups), OWNER])),
    );
    expect(fastSettlement(posted)).to.deep.equal({
      root: posted.root,
      groupsHash: posted.groupsHash,
      poster: OWNER,
      groups: [],
      digests: [],
    });
    const chain = chainSettlement(groups, digests);
    expect([chain.root, chain.groupsHash, chain.groups, chain.digests]).to.deep.equal([ZERO_LEAF, ZERO_LEAF, groups, digests]);
  });

  it('turns a signed request into the compact posted group that recovers its payer', async () => {
    const payer = privateKeyToAccount(`0x${'11'.repeat(32)}`);
    const domain = marketDomain(31337, OWNER);
    const request: OffchainRequest = {
      programId: programIdOf(OWNER, R),
      statementsHash: statementsHash([R]),
      count: 1,
      feePerProof: 5n,
      nonce: 9n,
      deadline: 1_900_000_000,
    };
    const signature = await payer.signTypedData({
      domain,
      types: REQUEST_TYPES,
      primaryType: 'Request',
      message: requestMessage(request),
    });
    const group = postedGroup(request, signature);
    expect(group).to.deep.include({ programId: request.programId, count: 1, feePerProof: 5n, nonce: 9n, deadline: 1_900_000_000 });
    expect(`0x${group.r.slice(2)}${group.vs.slice(2)}`).to.equal(compactSignature(signature));
    // The compact form (what the market's ECDSA.tryRecover(hash, r, vs) takes) expands back to the signer.
    const expanded = serializeSignature(compactSignatureToSignature(parseCompactSignature(compactSignature(signature))));
    const recovered = await recoverTypedDataAddress({
      domain,
      types: REQUEST_TYPES,
      primaryType: 'Request',
      message: requestMessage(request),
      signature: expanded,
    });
    expect(recovered).to.equal(payer.address);
    expect(() => postedGroup(request, '0x1234')).to.throw();
  });

  it('verifies receipts signed by the relay named in them, and nothing else', async () => {
    const relay = privateKeyToAccount(`0x${'22'.repeat(32)}`);
    const c = vectors.cases[1]!;
    const fields = { requestHash: c.requestHash, payer: c.payer, acceptedAt: c.receipt.acceptedAt, postBy: c.receipt.postBy };
    expect(receiptDigest(fields)).to.equal(c.receipt.digest);
    const signature = await relay.signMessage({ message: { raw: c.receipt.digest } });
    const receipt = { ...fields, relay: relay.address, signature };
    expect(await verifyReceipt(receipt)).to.equal(true);
    expect(await verifyReceipt({ ...receipt, postBy: receipt.postBy + 1 })).to.equal(false);
    expect(await verifyReceipt({ ...receipt, relay: OWNER })).to.equal(false);
    expect(await verifyReceipt({ ...receipt, signature: '0x1234' })).to.equal(false);
  });

  it('packs submission ids as batchId * 64 + slot', () => {
    expect(submissionId(1n, 0)).to.equal(64n);
    expect(submissionId(3n, 63)).to.equal(255n);
    expect(splitSubmissionId(255n)).to.deep.equal({ batchId: 3n, slot: 63 });
    expect(() => submissionId(1n, 64)).to.throw(CommitmentError);
    expect(() => submissionId(0n, 0)).to.throw(CommitmentError, /start at 1/);
  });
});
