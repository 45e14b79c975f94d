// The version-2 identities the relay computes (program id, statement digest, statements hash, EIP-712
// request hash, receipt digest) against test/vectors/relay-v2.json, and every vector against an
// independent implementation (ethers).
import { expect } from 'chai';
import { AbiCoder, TypedDataEncoder, getBytes, id, keccak256 as ethersKeccak, solidityPackedKeccak256, verifyMessage } from 'ethers';
import { readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { FIELD_MODULUS, STATEMENT_DOMAIN, isCanonicalWord, programIdOf, statementDigest, statementsHash } from '../../prover/relay/protocol.js';
import { RECEIPT_DOMAIN, receiptDigest, signReceipt, verifyReceipt } from '../../prover/relay/receipt.js';
import { buildRelayVectors, RELAY_VECTORS_PATH, type RelayVectors } from '../../scripts/relay-vectors.js';
import { KEYS } from './helpers/relay.js';

const vectors = JSON.parse(readFileSync(RELAY_VECTORS_PATH, 'utf8')) as RelayVectors;
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

describe('relay version-2 identities', () => {
  it('the vectors file is what the relay computes (npx tsx scripts/relay-vectors.ts)', () => {
    expect(buildRelayVectors()).to.deep.equal(vectors);
    expect(vectors.cases.map((c) => c.statements.length)).to.deep.equal([1, 2, 1, 64]);
  });

  it('domain words are keccak256 of their labels', () => {
    expect(vectors.statementDomain).to.equal(id('NEX.statement.v2'));
    expect(STATEMENT_DOMAIN).to.equal(id('NEX.statement.v2'));
    expect(RECEIPT_DOMAIN).to.equal(id('NEX.relay.receipt.v2'));
  });

  for (const c of vectors.cases) {
    it(`reproduces "${c.name}" independently`, () => {
      expect(c.programId).to.equal(ethersKeccak(abi.encode(['address', 'bytes32'], [c.owner, c.vkHash])));
      for (const s of c.statements) {
        const types = ['bytes32', 'bytes32', ...s.publicInputs.map(() => 'bytes32')];
        expect(s.digest).to.equal(solidityPackedKeccak256(types, [STATEMENT_DOMAIN, c.programId, ...s.publicInputs]));
      }
      expect(c.statementsHash).to.equal(solidityPackedKeccak256(c.statements.map(() => 'bytes32'), c.statements.map((s) => s.digest)));
      const domain = { name: 'NEX AggregationMarket', version: '2', chainId: c.domain.chainId, verifyingContract: c.domain.verifyingContract };
      const message = { programId: c.programId, statementsHash: c.statementsHash, count: c.request.count, feePerProof: c.request.feePerProof, nonce: c.request.nonce, deadline: c.request.deadline };
      expect(c.requestHash).to.equal(TypedDataEncoder.hash(domain, REQUEST_TYPES_ETHERS, message));
      expect(c.receipt.digest).to.equal(
        ethersKeccak(abi.encode(['bytes32', 'bytes32', 'address', 'uint64', 'uint64'], [RECEIPT_DOMAIN, c.requestHash, c.payer, c.receipt.acceptedAt, c.receipt.postBy])),
      );
    });
  }

  it('refuses non-canonical public inputs, an empty statement and a malformed program id', () => {
    const pid = programIdOf('0x0000000000000000000000000000000000000001', `0x${'00'.repeat(32)}`);
    const r = `0x${FIELD_MODULUS.toString(16).padStart(64, '0')}` as Hex;
    expect(() => statementDigest(pid, [r])).to.throw(RangeError, /publicInputs\[0\]/);
    expect(() => statementDigest(pid, [])).to.throw(RangeError, /at least one/);
    expect(() => statementDigest('0x1234', [`0x${'00'.repeat(32)}`])).to.throw(RangeError, /programId/);
    expect(isCanonicalWord(`0x${(FIELD_MODULUS - 1n).toString(16).padStart(64, '0')}`)).to.equal(true);
    expect(isCanonicalWord(r)).to.equal(false);
    expect(isCanonicalWord('0x01')).to.equal(false);
    expect(statementsHash([])).to.equal(ethersKeccak('0x'));
  });

  it('signs receipts with EIP-191 that any client can verify', async () => {
    const relay = privateKeyToAccount(KEYS.relay);
    const c = vectors.cases[1]!;
    const fields = { requestHash: c.requestHash, payer: c.payer, acceptedAt: c.receipt.acceptedAt, postBy: c.receipt.postBy };
    const signature = await signReceipt(relay, fields);
    const receipt = { ...fields, relay: relay.address, signature };
    expect(receiptDigest(fields)).to.equal(c.receipt.digest);
    expect(verifyMessage(getBytes(c.receipt.digest), signature)).to.equal(relay.address);
    expect(await verifyReceipt(receipt)).to.equal(true);
    expect(await verifyReceipt({ ...receipt, payer: privateKeyToAccount(KEYS.bob).address })).to.equal(false);
    expect(await verifyReceipt({ ...receipt, relay: privateKeyToAccount(KEYS.bob).address })).to.equal(false);
    expect(await verifyReceipt({ ...receipt, signature: '0x1234' })).to.equal(false);
  });
});
