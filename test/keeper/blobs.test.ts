// Blob-channel inputs (Hardhat network, EIP-4844 transactions): a blob slot's proof comes from a beacon
// node (a fake one, GET /eth/v1/beacon/blobs/{block}) or an anvil-style JSON-RPC
// (anvil_getBlobsByTransactionHash), is kept only when the blob matches the versioned hash the market
// recorded, and is unpacked with the channel's format; a blob withheld, substituted or malformed excludes
// its slots (a relay may still serve them), never the batch.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { network } from 'hardhat';
import { bytesToHex, createPublicClient, custom, type Address, type Hex, type PublicClient } from 'viem';
import { statementDigest } from '../../prover/protocol/index.js';
import { CallTracer } from '../../prover/keeper/chain/callTrace.js';
import { MarketReader } from '../../prover/keeper/chain/market.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { fetchBatchInputs, type InputSource, type SlotFetch } from '../../prover/keeper/work/inputs.js';
import { packBlob, unpackBlob, versionedHashOf } from '../../prover/keeper/work/sources/blobCodec.js';
import { anvilBlobSource, beaconBlobSource, blobResponseLimit } from '../../prover/keeper/work/sources/blobs.js';
import { fromBlob, packProofs, sendBlobTransaction, versionedHashes } from '../../scripts/lib/blob.js';
import { MIN_FEE, ROLLUP_PROOF_BYTES, deployMarket, freshInputs, sealByTimeout, type MarketFixture } from '../market/fixture.js';
import { startFakeServer, type FakeServer } from './helpers/fakeRelay.js';

const { ethers, networkHelpers, provider } = await network.create();
const chain = { time: networkHelpers.time, mine: (n?: number) => networkHelpers.mine(n) };
const USER1 = 10; // fixture signer index of user1

const proofBytes = (k: number): Uint8Array => new Uint8Array(ROLLUP_PROOF_BYTES).fill(k + 1);

describe('keeper: blob-channel inputs (beacon and anvil sources, versioned-hash check)', function () {
  this.timeout(300_000);
  let f: MarketFixture;
  let client: PublicClient;
  let db: KeeperDb;
  let dir: string;
  let beacon: FakeServer;
  let relay: FakeServer;
  let batchId: bigint;
  let good: Uint8Array;
  let malformed: Uint8Array;
  let inputs: Hex[][];
  const failures: string[] = [];
  const log = createLogger({ level: 'error', format: 'json', write: () => undefined });

  const source = (over: Partial<InputSource> = {}): InputSource => ({
    client,
    db,
    market: f.market.target as Address,
    chainId: 31337,
    startBlock: 0n,
    maxLogRange: 10_000,
    log,
    tracer: new CallTracer(client, log),
    relays: [],
    blobSource: beaconBlobSource({ url: beacon.url, client, timeoutMs: 5_000 }),
    fetchTimeoutMs: 5_000,
    onFetchFailure: (s, kind) => failures.push(`${s}:${kind}`),
    ...over,
  });
  const fetch = async (over: Partial<InputSource> = {}): Promise<SlotFetch[]> =>
    (
      await fetchBatchInputs(
        source(over),
        await new MarketReader(client, f.market.target as Address, f.staking.target as Address).batch(batchId),
        ROLLUP_PROOF_BYTES,
      )
    ).slots;
  const submitBlobs = async (n: number, blobs: Uint8Array[]): Promise<Hex[][]> => {
    const ins = Array.from({ length: n }, () => freshInputs());
    const data = f.market.interface.encodeFunctionData('submitBlobs', [ins.map(() => f.programId), ins, MIN_FEE]);
    await sendBlobTransaction(ethers, USER1, await f.market.getAddress(), data, BigInt(n) * MIN_FEE, blobs);
    return ins;
  };

  before(async () => {
    f = await deployMarket(ethers);
    client = createPublicClient({ transport: custom(provider) }) as PublicClient;
    dir = mkdtempSync(join(tmpdir(), 'nex-keeper-blobs-'));
    db = new KeeperDb(join(dir, 'keeper.sqlite'));
    beacon = await startFakeServer();
    relay = await startFakeServer();
    // One batch: two proofs in a well-formed blob, then one in a blob whose first element's high byte is set
    // (a valid blob, committed on chain, but not in the channel's packing).
    [good] = packProofs([proofBytes(0), proofBytes(1)], ROLLUP_PROOF_BYTES) as [Uint8Array];
    [malformed] = packProofs([proofBytes(2)], ROLLUP_PROOF_BYTES) as [Uint8Array];
    malformed[0] = 0x01;
    inputs = [...(await submitBlobs(2, [good])), ...(await submitBlobs(1, [malformed]))];
    batchId = (await f.market.openBatchId()) as bigint;
    await sealByTimeout(f, chain, batchId);
  });
  after(async () => {
    db.close();
    await beacon.close();
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    failures.length = 0;
    db.close();
    db = new KeeperDb(join(mkdtempSync(join(tmpdir(), 'nex-keeper-blobs-db-')), 'keeper.sqlite'));
  });

  it("packs and unpacks the channel's format like the SDK's packer, and hashes a blob to its EIP-4844 versioned hash", () => {
    const data = fromBlob(good);
    expect(bytesToHex(unpackBlob(good)!)).to.equal(bytesToHex(data));
    expect(bytesToHex(packBlob(data))).to.equal(bytesToHex(good));
    expect(unpackBlob(malformed)).to.equal(undefined);
    expect(unpackBlob(good.subarray(1))).to.equal(undefined);
    expect(versionedHashOf(good)).to.equal(versionedHashes([good])[0]);
  });

  it('serves blob slots from a beacon node, checked against the versioned hashes; a malformed blob excludes only its slot', async () => {
    beacon.fallback = { kind: 'json', body: { data: [bytesToHex(good), bytesToHex(malformed)] } };
    const slots = await fetch();
    expect(slots.map((s) => s.ok)).to.deep.equal([true, true, false]);
    slots.slice(0, 2).forEach((s, k) => {
      expect(s.ok && s.input.source).to.equal('blob');
      expect(s.ok && s.input.proof).to.equal(bytesToHex(proofBytes(k)));
      expect(s.ok && s.input.publicInputs).to.deep.equal(inputs[k]);
    });
    expect(!slots[2]!.ok && slots[2]!.reason).to.match(/not in the blob channel's packing/);
    expect(!slots[2]!.ok && slots[2]!.source).to.equal('blob');
    // The request names the beacon block (parentBeaconBlockRoot of the next block) and the wanted hashes.
    expect(beacon.requests.at(-1)).to.match(/^\/eth\/v1\/beacon\/blobs\/0x[0-9a-f]{64}\?versioned_hashes=0x01[0-9a-f]{62}$/);
  });

  it('a substituted blob is not believed; a withheld one excludes its slots unless a relay serves them', async () => {
    // The server answers with the malformed blob for every request: tx A's blob is not among the answer.
    beacon.fallback = { kind: 'json', body: { data: [bytesToHex(malformed)] } };
    const substituted = await fetch();
    expect(substituted.map((s) => s.ok)).to.deep.equal([false, false, false]);
    expect(!substituted[0]!.ok && substituted[0]!.reason).to.match(/served no blob matching versioned hash 0x01/);
    expect(failures).to.include('blob:missing');
    // Withheld (404) with a relay that serves slot 1: slot 1 proven from the relay, the others excluded.
    beacon.fallback = { kind: 'status', status: 404 };
    const d1 = statementDigest(f.programId, inputs[1]!);
    relay.answer(`/v1/proofs/${d1}`, {
      kind: 'json',
      body: { digest: d1, programId: f.programId, publicInputs: inputs[1], proof: bytesToHex(proofBytes(1)) },
    });
    const withheld = await fetch({ relays: [relay.url] });
    expect(withheld.map((s) => s.ok)).to.deep.equal([false, true, false]);
    expect(withheld[1]!.ok && withheld[1]!.input.source).to.equal('relay');
    expect(!withheld[0]!.ok && withheld[0]!.reason).to.match(/does not serve blob .*; no relay serves it/);
  });

  it('bounds beacon fetches (size and time) and excludes without a blob source', async () => {
    beacon.fallback = { kind: 'flood', bytes: blobResponseLimit(1) + 100_000 };
    const flooded = await fetch();
    expect(flooded.every((s) => !s.ok && /exceeds the \d+-byte limit/.test(s.reason))).to.equal(true);
    expect(failures).to.include('blob:too-large');
    beacon.fallback = { kind: 'hang' };
    const started = Date.now();
    const slow = await fetch({ blobSource: beaconBlobSource({ url: beacon.url, client, timeoutMs: 300 }) });
    expect(Date.now() - started).to.be.lessThan(10_000);
    expect(slow.every((s) => !s.ok && /no answer within the time limit/.test(s.reason))).to.equal(true);
    const none = await fetch({ blobSource: undefined });
    expect(none.every((s) => !s.ok && /no blob source configured/.test(s.reason))).to.equal(true);
  });

  it("reads blobs from an anvil-style RPC's anvil_getBlobsByTransactionHash", async () => {
    const rpc = await startFakeServer();
    try {
      rpc.fallback = { kind: 'json', body: { jsonrpc: '2.0', id: 1, result: [bytesToHex(good)] } };
      const slots = await fetch({ blobSource: anvilBlobSource({ rpcUrl: rpc.url, timeoutMs: 5_000 }) });
      expect(slots.map((s) => s.ok)).to.deep.equal([true, true, false]);
      rpc.fallback = { kind: 'json', body: { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } } };
      const refused = await fetch({ blobSource: anvilBlobSource({ rpcUrl: rpc.url, timeoutMs: 5_000 }) });
      expect(refused.every((s) => !s.ok && /anvil_getBlobsByTransactionHash: Method not found/.test(s.reason))).to.equal(true);
    } finally {
      await rpc.close();
    }
  });
});
