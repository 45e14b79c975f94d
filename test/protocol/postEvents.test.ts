import { expect } from 'chai';
import { concat, toHex, type Address, type Hex } from 'viem';
import { acceptedOfPost, groupWord } from '../../prover/protocol/index.js';

const ALICE = '0x00000000000000000000000000000000000A11cE' as Address;
const BOB = '0x0000000000000000000000000000000000000B0b' as Address;
const PROGRAM = `0x${'11'.repeat(32)}` as Hex;
const hash = (b: string) => `0x${b.repeat(32)}` as Hex;

describe('protocol: the accepted requests of a MarketBatchPosted event', () => {
  const groups = concat([
    toHex(groupWord({ payer: ALICE, feePerProof: 5n, count: 3, callbackGas: 0 }), { size: 32 }),
    PROGRAM,
    toHex(groupWord({ payer: BOB, feePerProof: 7n, count: 2, callbackGas: 9n }), { size: 32 }),
    PROGRAM,
  ]);

  it('request i is group i: payer from its word, first slot after the counts before it, hash and nonce in order', () => {
    expect(acceptedOfPost(groups, [hash('aa'), hash('bb')], [4n, 0n])).to.deep.equal([
      { payer: ALICE, nonce: 4n, requestHash: hash('aa'), programId: PROGRAM, firstSlot: 0, count: 3, feePerProof: 5n, callbackGas: 0n },
      { payer: BOB, nonce: 0n, requestHash: hash('bb'), programId: PROGRAM, firstSlot: 3, count: 2, feePerProof: 7n, callbackGas: 9n },
    ]);
    expect(acceptedOfPost('0x', [], [])).to.deep.equal([]);
  });

  it('refuses an event whose groups, hashes and nonces disagree in length', () => {
    expect(() => acceptedOfPost(groups, [hash('aa')], [4n])).to.throw(/2 groups, 1 hashes, 1 nonces/);
    expect(() => acceptedOfPost(groups, [hash('aa'), hash('bb')], [4n])).to.throw(/2 groups, 2 hashes, 1 nonces/);
  });
});
