// The relay's receipts: signed with the relay's key (EIP-191 over prover/protocol's receipt digest) so that
// any client verifies them with prover/protocol (verifyReceipt) or ethers. The identities the relay
// computes (program ids, digests, request hashes, receipt digests) are prover/protocol's, tested against
// test/vectors/identities-v2.json in test/protocol/v2.test.ts.
import { expect } from 'chai';
import { getBytes, verifyMessage } from 'ethers';
import { readFileSync } from 'node:fs';
import { privateKeyToAccount } from 'viem/accounts';
import { receiptDigest, verifyReceipt } from '../../prover/protocol/index.js';
import { signReceipt } from '../../prover/relay/receipt.js';
import { IDENTITY_VECTORS_PATH, type IdentityVectors } from '../../scripts/identityVectors.js';
import { KEYS } from './helpers/relay.js';

const vectors = JSON.parse(readFileSync(IDENTITY_VECTORS_PATH, 'utf8')) as IdentityVectors;

describe('relay receipts', () => {
  it('signs receipts with EIP-191 that any client can verify', async () => {
    const relay = privateKeyToAccount(KEYS.relay);
    const c = vectors.cases[1]!;
    const fields = { requestHash: c.requestHash, payer: c.payer, acceptedAt: c.receipt.acceptedAt, postBy: c.receipt.postBy };
    const signature = await signReceipt(relay, fields);
    const receipt = { ...fields, relay: relay.address, signature };
    expect(receiptDigest(fields)).to.equal(c.receipt.digest);
    expect(verifyMessage(getBytes(c.receipt.digest), signature)).to.equal(relay.address);
    expect(await verifyReceipt(receipt)).to.equal(true);
    expect(await verifyReceipt({ ...receipt, payer: privateKeyToAccount(KEYS.bob).address })).to.equal(false);
    expect(await verifyReceipt({ ...receipt, relay: privateKeyToAccount(KEYS.bob).address })).to.equal(false);
    expect(await verifyReceipt({ ...receipt, signature: '0x1234' })).to.equal(false);
  });
});
