/**
 * prover/protocol's field rule, conversions, root halves and submission ids (the commitment format
 * itself is checked against the shared vectors in test/commitment/commitment.test.ts).
 */
import { expect } from 'chai';
import { keccak256, concat, type Hex } from 'viem';
import {
  CommitmentError,
  FIELD_MODULUS,
  MAX_CAPACITY,
  ZERO_LEAF,
  addressToField,
  bytesToFields,
  fieldToWord,
  fieldWord,
  fieldsToBytes,
  hashPair,
  isCanonicalField,
  joinRoot,
  programIdOf,
  splitRoot,
  splitSubmissionId,
  STATEMENT_DOMAIN,
  statementDigest,
  submissionId,
  batchOf,
  slotOf,
  toField,
  toWord,
  zeroSubtree,
} from '../../prover/protocol/index.js';
import * as sdk from '../../prover/sdk/index.js';

const R_MINUS_1 = `0x${(FIELD_MODULUS - 1n).toString(16)}` as Hex;

describe('protocol: field elements, words, halves and submission ids', () => {
  it('has one canonical-field rule: a 0x + 64 hex digit word below r', () => {
    expect(isCanonicalField(fieldToWord(0n))).to.equal(true);
    expect(isCanonicalField(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
    expect(
      isCanonicalField(
        fieldToWord(FIELD_MODULUS - 1n)
          .toUpperCase()
          .replace('0X', '0x'),
      ),
    ).to.equal(true);
    expect(isCanonicalField(toWord(FIELD_MODULUS))).to.equal(false); // = r
    expect(isCanonicalField(toWord((1n << 256n) - 1n))).to.equal(false);
    expect(isCanonicalField('0x01')).to.equal(false); // short hex is not a word
    expect(isCanonicalField(`0x${'0'.repeat(63)}`)).to.equal(false);
    expect(isCanonicalField(`0x${'0'.repeat(65)}`)).to.equal(false);
    expect(isCanonicalField(`0x${'g'.repeat(64)}`)).to.equal(false);
    expect(isCanonicalField(42)).to.equal(false);
  });

  it('converts values to words and rejects what does not fit, with CommitmentError (a NexError)', () => {
    expect(toWord(1n)).to.equal(`0x${'0'.repeat(63)}1`);
    expect(toWord('0xABC')).to.equal(`0x${'0'.repeat(61)}abc`);
    expect(() => toWord(1n << 256n)).to.throw(CommitmentError);
    expect(() => toWord(-1n)).to.throw(CommitmentError, /does not fit/);
    expect(fieldWord('0x5')).to.equal(toWord(5n));
    expect(() => fieldWord(toWord(FIELD_MODULUS))).to.throw(CommitmentError, /not a canonical/);
    expect(() => fieldWord('5')).to.throw(CommitmentError);
    expect(toField(7)).to.equal(toWord(7n));
    expect(toField('12')).to.equal(toWord(12n));
    expect(toField(R_MINUS_1)).to.equal(fieldToWord(FIELD_MODULUS - 1n));
    expect(() => toField('not a number')).to.throw(CommitmentError, /not a number/);
    expect(() => toField(-1n)).to.throw(CommitmentError);
    expect(() => toField(FIELD_MODULUS)).to.throw(CommitmentError);
    expect(new CommitmentError('x').name).to.equal('CommitmentError');
  });

  it('turns addresses and bytes into field words and back', () => {
    expect(addressToField('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')).to.equal(toWord(0x70997970c51812dc3a010c7d01b50e0d17dc79c8n));
    expect(() => addressToField('0x1234')).to.throw(CommitmentError);
    const bytes = Uint8Array.from({ length: 96 }, (_, i) => i);
    const fields = bytesToFields(bytes);
    expect(fields).to.have.length(3);
    expect(fieldsToBytes(fields)).to.deep.equal(bytes);
    expect(fieldsToBytes(['0x1'])).to.deep.equal(Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 1 : 0)));
    expect(() => bytesToFields(new Uint8Array(33))).to.throw(CommitmentError);
  });

  it('splits roots into 128-bit halves and joins only halves below 2^128', () => {
    const root = keccak256('0x01');
    const [hi, lo] = splitRoot(root);
    expect(BigInt(hi)).to.equal(BigInt(root) >> 128n);
    expect(joinRoot(hi, lo)).to.equal(root);
    expect(() => joinRoot('0x0', toWord(1n << 128n))).to.throw(CommitmentError);
    expect(() => splitRoot('0x01')).to.throw(CommitmentError);
  });

  it('hashes pairs and zero subtrees as keccak256(left || right)', () => {
    const l = keccak256('0x01');
    const r = keccak256('0x02');
    expect(hashPair(l, r)).to.equal(keccak256(concat([l, r])));
    expect(hashPair('0x1', '0x2')).to.equal(keccak256(concat([toWord(1n), toWord(2n)])));
    expect(zeroSubtree(0)).to.equal(ZERO_LEAF);
    expect(zeroSubtree(2)).to.equal(hashPair(zeroSubtree(1), zeroSubtree(1)));
    expect(zeroSubtree(6)).to.equal(hashPair(zeroSubtree(5), zeroSubtree(5)));
    expect(() => zeroSubtree(7)).to.throw(CommitmentError);
    expect(() => zeroSubtree(-1)).to.throw(CommitmentError);
    expect(() => zeroSubtree(1.5)).to.throw(CommitmentError);
  });

  it('digests only canonical statements with at least one public input, under the statement domain', () => {
    const program = keccak256('0x09'); // a program id is a keccak output: any 32-byte word
    expect(statementDigest(program, [toWord(1n)])).to.equal(keccak256(concat([STATEMENT_DOMAIN, program, toWord(1n)])));
    expect(statementDigest(toWord((1n << 256n) - 1n), [toWord(1n)])).to.equal(
      keccak256(concat([STATEMENT_DOMAIN, toWord((1n << 256n) - 1n), toWord(1n)])),
    );
    expect(() => statementDigest(program, [])).to.throw(CommitmentError, /at least one public input/);
    expect(() => statementDigest(program, [toWord(FIELD_MODULUS)])).to.throw(CommitmentError, /publicInputs\[0\] is not canonical/);
    expect(() => statementDigest('0x09', [toWord(1n)])).to.throw(CommitmentError, /programId/);
  });

  it('derives program ids from the owner and the key hash: keccak256(abi.encode(owner, vkHash))', () => {
    const owner = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    const vk = toWord(9n);
    expect(programIdOf(owner, vk)).to.equal(keccak256(concat([addressToField(owner), vk])));
    expect(programIdOf(owner, vk)).to.not.equal(programIdOf('0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', vk));
    expect(() => programIdOf(owner, toWord(FIELD_MODULUS))).to.throw(CommitmentError, /vkHash is not canonical/);
  });

  it('packs submission ids as batchId * 64 + slot and unpacks them', () => {
    expect(submissionId(1n, 0)).to.equal(64n);
    expect(submissionId(5n, 63)).to.equal(5n * 64n + 63n);
    for (const id of [64n, 127n, 128n, 1_000_003n]) {
      expect(batchOf(id) * BigInt(MAX_CAPACITY) + BigInt(slotOf(id))).to.equal(id);
      expect(splitSubmissionId(id)).to.deep.equal({ batchId: batchOf(id), slot: slotOf(id) });
    }
    expect(() => submissionId(1n, 64)).to.throw(CommitmentError);
    expect(() => submissionId(1n, -1)).to.throw(CommitmentError);
    expect(() => submissionId(0n, 0)).to.throw(CommitmentError);
  });

  it('the SDK keeps its names for the protocol helpers (BN254_R, submissionIdOf, toField...)', () => {
    expect(sdk.BN254_R).to.equal(FIELD_MODULUS);
    expect(sdk.submissionIdOf(2n, 3)).to.equal(131n);
    expect(sdk.batchOf(131n)).to.equal(2n);
    expect(sdk.slotOf(131n)).to.equal(3);
    expect(sdk.toField(1n)).to.equal(toWord(1n));
    expect(sdk.isCanonicalField(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
    expect(sdk.isCanonicalField(toWord(FIELD_MODULUS))).to.equal(false);
    expect(sdk.PROOF_FIELDS).to.equal(458);
    expect(sdk.VK_BYTES).to.equal(3_680);
    for (const name of ['aggregationPublicInputs', 'batchRoot', 'merkleRoot', 'splitRoot', 'statementDigest'] as const) {
      expect(sdk[name], name).to.be.a('function');
    }
  });
});
