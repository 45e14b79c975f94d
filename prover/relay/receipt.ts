/**
 * The relay's signature of a receipt (docs/relay.md, "Receipts"): an EIP-191 personal message over the
 * receipt digest of prover/protocol (v2), which also verifies receipts for the SDK and anyone else. The
 * receipt binds nothing on chain: a relay has no stake.
 */
import type { Hex } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { type ReceiptFields, receiptDigest } from '../protocol/index.js';

/** The relay's EIP-191 signature of a receipt. */
export async function signReceipt(account: LocalAccount, r: ReceiptFields): Promise<Hex> {
  if (!account.signMessage) throw new Error('the relay account cannot sign messages');
  return account.signMessage({ message: { raw: receiptDigest(r) } });
}
