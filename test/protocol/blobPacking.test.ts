// The blob channel's packing (prover/protocol/blobPacking.ts): 31 data bytes per field element, proof k of
// a transaction in blob k / 8 at byte (k % 8) * 14,656 of the blob's data; unpacking inverts it and refuses
// data the layout cannot have produced.
import { expect } from 'chai';
import {
  BLOB_USABLE_BYTES,
  BYTES_PER_BLOB,
  CommitmentError,
  ROLLUP_PROOF_BYTES,
  fromBlob,
  packBlobProofs,
  proofsPerBlob,
  toBlob,
  unpackBlobProofs,
} from '../../prover/protocol/index.js';

const proof = (seed: number) => Uint8Array.from({ length: ROLLUP_PROOF_BYTES }, (_, i) => (seed * 31 + i) % 256);

describe('protocol: blob packing', () => {
  it('puts 8 proofs of 14,656 bytes in a blob, 31 bytes per element with a zero top byte', () => {
    expect(BLOB_USABLE_BYTES).to.equal(126_976); // the market's BLOB_USABLE_BYTES
    expect(proofsPerBlob(ROLLUP_PROOF_BYTES)).to.equal(8);
    const blob = toBlob(Uint8Array.from({ length: 62 }, (_, i) => i + 1));
    expect(blob.length).to.equal(BYTES_PER_BLOB);
    expect([...blob.subarray(0, 33)]).to.deep.equal([0, ...Array.from({ length: 31 }, (_, i) => i + 1), 0]);
    expect(blob[33]).to.equal(32);
  });

  it('packs 9 proofs into 2 blobs and unpacks each at its offset', () => {
    const proofs = Array.from({ length: 9 }, (_, i) => proof(i));
    const blobs = packBlobProofs(proofs, ROLLUP_PROOF_BYTES);
    expect(blobs).to.have.length(2);
    const back = [...unpackBlobProofs(blobs[0]!, ROLLUP_PROOF_BYTES), ...unpackBlobProofs(blobs[1]!, ROLLUP_PROOF_BYTES, 1)];
    expect(back).to.deep.equal(proofs);
    // Proof 3 starts at byte 3 * 14,656 of the first blob's data.
    expect(fromBlob(blobs[0]!).subarray(3 * ROLLUP_PROOF_BYTES, 4 * ROLLUP_PROOF_BYTES)).to.deep.equal(proofs[3]);
  });

  it('refuses what the layout cannot hold or cannot have produced', () => {
    expect(() => packBlobProofs([], ROLLUP_PROOF_BYTES)).to.throw(CommitmentError, /no proofs/);
    expect(() => packBlobProofs([proof(1).subarray(1)], ROLLUP_PROOF_BYTES)).to.throw(CommitmentError, /14655 bytes, not 14656/);
    expect(() => proofsPerBlob(BLOB_USABLE_BYTES + 1)).to.throw(CommitmentError);
    expect(() => toBlob(new Uint8Array(BLOB_USABLE_BYTES + 1))).to.throw(CommitmentError, /too long/);
    const bad = toBlob(new Uint8Array(10));
    bad[32] = 1; // the top byte of element 1
    expect(() => fromBlob(bad)).to.throw(CommitmentError, /element 1 has a non-zero top byte/);
    expect(() => unpackBlobProofs(toBlob(new Uint8Array(1)), ROLLUP_PROOF_BYTES, 9)).to.throw(CommitmentError, /0\.\.8/);
  });
});
