/**
 * A relay's acknowledgement of an accepted request (spec V2.8; docs/relay.md, "Receipts"). The relay signs
 * it with its key (EIP-191 personal message over a 32-byte digest) so the submitter can publish it, but it
 * binds nothing on chain: a relay has no stake. What protects the submitter is the request itself (its nonce
 * makes it usable once, its deadline voids it). The relay signs receipts; the SDK verifies them.
 */
import { encodeAbiParameters, keccak256, recoverMessageAddress, stringToHex, type Address, type Hex } from 'viem';

/** `keccak256("NEX.relay.receipt.v2")`: the first word of a receipt's signed preimage. */
export const RECEIPT_DOMAIN: Hex = keccak256(stringToHex('NEX.relay.receipt.v2'));

export interface Receipt {
  /** EIP-712 hash of the request (it commits the chain id and the market). */
  readonly requestHash: Hex;
  /**
   * The payer whose signature the relay checked. The EIP-712 hash does not name the signer (two payers
   * signing the same fields give one hash), so the receipt names it.
   */
  readonly payer: Address;
  /** The relay's signing address. */
  readonly relay: Address;
  /** Unix seconds at which the request was persisted. */
  readonly acceptedAt: number;
  /** Unix seconds by which the relay intends to have posted it (at most the request's deadline). */
  readonly postBy: number;
  /** EIP-191 signature of `receiptDigest(...)` by `relay`. */
  readonly signature: Hex;
}

export type ReceiptFields = Pick<Receipt, 'requestHash' | 'payer' | 'acceptedAt' | 'postBy'>;

/** `keccak256(abi.encode(RECEIPT_DOMAIN, requestHash, payer, uint64 acceptedAt, uint64 postBy))`: what the relay signs. */
export function receiptDigest(r: ReceiptFields): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'address' }, { type: 'uint64' }, { type: 'uint64' }],
      [RECEIPT_DOMAIN, r.requestHash, r.payer, BigInt(r.acceptedAt), BigInt(r.postBy)],
    ),
  );
}

/** True when `receipt.signature` is `receipt.relay`'s signature of the receipt's fields. */
export async function verifyReceipt(receipt: Receipt): Promise<boolean> {
  try {
    const signer = await recoverMessageAddress({ message: { raw: receiptDigest(receipt) }, signature: receipt.signature });
    return signer.toLowerCase() === receipt.relay.toLowerCase();
  } catch {
    return false;
  }
}
