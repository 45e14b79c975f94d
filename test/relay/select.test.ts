// Batch selection of the posting loop (pure): capacity, per-payer nonce order, timeouts and deadlines.
import { expect } from 'chai';
import type { Address, Hex } from 'viem';
import { postable, selectBatch } from '../../prover/relay/post/select.js';
import { requestIdOf, type StoredRequest } from '../../prover/relay/store/types.js';

const NOW = 1_800_000_000;
const O = { capacity: 8, postTimeoutSeconds: 60, postMarginSeconds: 30 };
const A: Address = '0x00000000000000000000000000000000000000aa';
const B: Address = '0x00000000000000000000000000000000000000bb';

let n = 0;
function req(payer: Address, nonce: bigint, count: number, acceptedAt = NOW, deadline = NOW + 600): StoredRequest {
  const requestHash = `0x${(++n).toString(16).padStart(64, '0')}` as Hex;
  return {
    id: requestIdOf(requestHash, payer),
    requestHash,
    payer,
    request: { programId: `0x${'01'.repeat(32)}`, statementsHash: `0x${'02'.repeat(32)}`, count, feePerProof: 1n, nonce, deadline },
    signature: '0x',
    acceptedAt,
    postBy: acceptedAt + 90,
    receiptSignature: '0x',
    status: 'accepted',
    batchId: null,
    firstSlot: null,
    postTx: null,
    reason: null,
    postAttempts: 0,
    updatedAt: acceptedAt,
  };
}

describe('relay batch selection', () => {
  it('posts nothing before a batch is full or a request waited postTimeout', () => {
    const q = [req(A, 0n, 3), req(B, 0n, 2, NOW + 5)];
    expect(selectBatch(q, NOW + 59, O)).to.equal(undefined);
    const s = selectBatch(q, NOW + 60, O)!;
    expect(s.trigger).to.equal('timeout');
    expect(s.requests).to.deep.equal(q);
    expect(s.statements).to.equal(5);
    expect(selectBatch([], NOW + 1000, O)).to.equal(undefined);
  });

  it('posts a full batch at once, up to capacity, oldest payer first', () => {
    const q = [req(B, 0n, 4, NOW + 1), req(A, 0n, 3, NOW), req(A, 1n, 1, NOW + 2), req(B, 1n, 1, NOW + 3)];
    const s = selectBatch(q, NOW + 3, O)!;
    expect(s.trigger).to.equal('full');
    expect(s.statements).to.equal(8);
    expect(s.requests.map((r) => [r.payer, r.request.nonce])).to.deep.equal([
      [A, 0n],
      [A, 1n],
      [B, 0n],
    ]);
  });

  it("keeps each payer's requests in nonce order and stops a payer at the first that does not fit", () => {
    const q = [req(A, 5n, 2, NOW), req(A, 3n, 5, NOW + 1), req(A, 4n, 2, NOW + 2), req(B, 0n, 2, NOW + 3)];
    const s = selectBatch(q, NOW + 60, O)!;
    // A: nonce 3 (5), nonce 4 (2) = 7; nonce 5 (2) would exceed 8 and cannot jump ahead; B (2) does not fit either.
    expect(s.requests.map((r) => r.request.nonce)).to.deep.equal([3n, 4n]);
    expect(s.statements).to.equal(7);
    expect(s.trigger).to.equal('timeout');
  });

  it('posts early for a request near its deadline, and never one too close to post safely', () => {
    const near = req(A, 0n, 1, NOW, NOW + 59);
    const s = selectBatch([near], NOW, O)!;
    expect(s.trigger).to.equal('deadline');
    const late = req(A, 0n, 1, NOW - 100, NOW + 29);
    expect(postable(late, NOW, O)).to.equal(false);
    expect(selectBatch([late], NOW, O)).to.equal(undefined);
    const both = selectBatch([late, req(B, 0n, 1, NOW - 100)], NOW, O)!;
    expect(both.requests.map((r) => r.payer)).to.deep.equal([B]);
  });

  it('posts the selection when a due request did not fit, so that it goes in the next post', () => {
    const q = [req(A, 0n, 6, NOW + 50), req(B, 0n, 4, NOW)];
    const s = selectBatch(q, NOW + 60, { ...O, capacity: 8 })!;
    expect(s.requests.map((r) => r.payer)).to.deep.equal([B]);
    const first = selectBatch([req(A, 0n, 6, NOW), req(B, 0n, 4, NOW + 50)], NOW + 60, O)!;
    expect(first.requests.map((r) => r.payer)).to.deep.equal([A]);
    expect(first.trigger).to.equal('timeout');
  });
});
