/**
 * How the blob channel packs rollup proofs into EIP-4844 blobs (docs/protocol.md, the market's blob
 * channel): a blob is 4,096 field elements of 32 bytes; each element carries 31 bytes of data in its low
 * bytes (its first byte is zero, so every element is a canonical BLS12-381 scalar). Proof `k` of a
 * transaction is in blob `floor(k / perBlob)` at byte `(k % perBlob) * proofBytes` of that blob's unpacked
 * data, `perBlob = floor(126,976 / proofBytes)` (8 proofs of 14,656 bytes). The SDK packs, the keeper and
 * tests unpack.
 */
import { CommitmentError } from './commitmentError.js';

export const FIELD_ELEMENTS_PER_BLOB = 4096;
export const BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * 32;
export const USABLE_BYTES_PER_ELEMENT = 31;
/** Data bytes a blob carries: 4,096 x 31 = 126,976 (the market's BLOB_USABLE_BYTES). */
export const BLOB_USABLE_BYTES = FIELD_ELEMENTS_PER_BLOB * USABLE_BYTES_PER_ELEMENT;

/** Proofs of `proofBytes` bytes one blob holds. */
export function proofsPerBlob(proofBytes: number): number {
  const n = Math.floor(BLOB_USABLE_BYTES / proofBytes);
  if (!Number.isInteger(proofBytes) || proofBytes <= 0 || n === 0)
    throw new CommitmentError(`a blob cannot hold a proof of ${proofBytes} bytes`);
  return n;
}

/** One blob holding `data` (at most 126,976 bytes) in the low 31 bytes of each element. */
export function toBlob(data: Uint8Array): Uint8Array {
  if (data.length > BLOB_USABLE_BYTES) throw new CommitmentError(`blob data too long: ${data.length} bytes`);
  const blob = new Uint8Array(BYTES_PER_BLOB);
  for (let i = 0, at = 0; at < data.length; i++, at += USABLE_BYTES_PER_ELEMENT) {
    blob.set(data.subarray(at, at + USABLE_BYTES_PER_ELEMENT), i * 32 + 1);
  }
  return blob;
}

/** All 126,976 data bytes of a blob (the inverse of {@link toBlob}). */
export function fromBlob(blob: Uint8Array): Uint8Array {
  if (blob.length !== BYTES_PER_BLOB) throw new CommitmentError(`a blob has ${BYTES_PER_BLOB} bytes, got ${blob.length}`);
  const out = new Uint8Array(BLOB_USABLE_BYTES);
  for (let i = 0; i < FIELD_ELEMENTS_PER_BLOB; i++) {
    if (blob[i * 32] !== 0) throw new CommitmentError(`blob element ${i} has a non-zero top byte: not packed by the blob channel`);
    out.set(blob.subarray(i * 32 + 1, i * 32 + 32), i * USABLE_BYTES_PER_ELEMENT);
  }
  return out;
}

/** Packs proofs (each exactly `proofBytes` long) into as few blobs as the layout allows. */
export function packBlobProofs(proofs: readonly Uint8Array[], proofBytes: number): Uint8Array[] {
  const perBlob = proofsPerBlob(proofBytes);
  if (proofs.length === 0) throw new CommitmentError('no proofs to pack');
  const blobs: Uint8Array[] = [];
  for (let b = 0; b * perBlob < proofs.length; b++) {
    const chunk = proofs.slice(b * perBlob, (b + 1) * perBlob);
    const data = new Uint8Array(chunk.length * proofBytes);
    chunk.forEach((p, k) => {
      if (p.length !== proofBytes) throw new CommitmentError(`proof ${b * perBlob + k} has ${p.length} bytes, not ${proofBytes}`);
      data.set(p, k * proofBytes);
    });
    blobs.push(toBlob(data));
  }
  return blobs;
}

/** The `count` proofs (default: as many as fit) of `proofBytes` bytes in one blob, in order. */
export function unpackBlobProofs(blob: Uint8Array, proofBytes: number, count?: number): Uint8Array[] {
  const perBlob = proofsPerBlob(proofBytes);
  const n = count ?? perBlob;
  if (!Number.isInteger(n) || n < 0 || n > perBlob) throw new CommitmentError(`a blob holds 0..${perBlob} proofs, asked for ${n}`);
  const data = fromBlob(blob);
  return Array.from({ length: n }, (_, k) => data.slice(k * proofBytes, (k + 1) * proofBytes));
}
