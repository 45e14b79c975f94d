// The keeper's batch inputs on the version-2 market (Hardhat network, MockVerifier): a batch's content
// rebuilt from events and calldata (calldata and off-chain channels), proofs from calldata or from relays
// (a fake relay HTTP server), slots no source serves excluded (never the batch), the fetch bounds, and
// the settlements the keeper builds accepted by the market (fulfil with exclusions, fast path, close).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { network } from 'hardhat';
import { createPublicClient, custom, encodeFunctionData, type Address, type Hex, type PublicClient } from 'viem';
import { aggregationMarketAbi } from '../../prover/abi/generated.js';
import { statementDigest } from '../../prover/protocol/index.js';
import { CallTracer, type MarketCalls } from '../../prover/keeper/chain/callTrace.js';
import { MarketReader } from '../../prover/keeper/chain/market.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { checkBatchInputs, inputsForProving } from '../../prover/keeper/work/batchInputs.js';
import type { BatchProver } from '../../prover/keeper/work/batchProver.js';
import { ContentError } from '../../prover/keeper/work/content.js';
import { fetchBatchInputs, type InputSource, type SlotFetch } from '../../prover/keeper/work/inputs.js';
import { isFastPath, settlementArg, settlementFor } from '../../prover/keeper/work/settlement.js';
import { relayResponseLimit } from '../../prover/keeper/work/sources/relay.js';
import {
  BatchState,
  Book,
  MIN_FEE,
  ROLLUP_PROOF_BYTES,
  VK_HASH,
  deadlineIn,
  deployMarket,
  freshInputs,
  freshStatements,
  lockByAssigned,
  post,
  proofFor,
  rollupProof,
  sealByTimeout,
  signRequest,
  submitN,
  type MarketFixture,
} from '../market/fixture.js';
import { startFakeServer, type FakeServer } from './helpers/fakeRelay.js';

const { ethers, networkHelpers, provider } = await network.create();
const { time } = networkHelpers;
const chain = { time, mine: (n?: number) => networkHelpers.mine(n) };

/** A pre-check stand-in: every usable slot verifies (the engine's verdicts are tested with real proofs). */
function acceptingProver(): BatchProver & { checked: number } {
  const self = {
    checked: 0,
    async precheck(_capacity: number, slots: readonly SlotFetch[]) {
      const checks = slots.filter((s) => s.ok).map((s) => ({ slot: s.slot, valid: true, ms: 1, digest: `0x${'00'.repeat(32)}` as Hex }));
      self.checked += checks.length;
      return { invalidSlots: [], checks, totalMs: checks.length };
    },
    prove(): never {
      throw new Error('not used');
    },
    async identity() {
      return { keySet: `0x${'00'.repeat(32)}` as Hex, srs: 'dev' as const };
    },
  };
  return self;
}

describe('keeper: batch inputs on the version-2 market (calldata and off-chain channels, relays)', function () {
  this.timeout(120_000);
  let f: MarketFixture;
  let client: PublicClient;
  let reader: MarketReader;
  let relay: FakeServer;
  let relay2: FakeServer;
  let dir: string;
  let db: KeeperDb;
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
    relays: [relay.url],
    blobSource: undefined,
    fetchTimeoutMs: 2_000,
    onFetchFailure: (s, kind) => failures.push(`${s}:${kind}`),
    ...over,
  });

  /** The relay's proof view of a statement (docs/relay.md). */
  const view = (inputs: Hex[], proof: Hex = rollupProof(7)) => ({
    digest: statementDigest(f.programId, inputs),
    programId: f.programId,
    publicInputs: inputs,
    proof,
  });

  /** A posted batch of `n` statements by user1 (through the fixture's relay signer). */
  async function postedBatch(book: Book, n: number, nonce: bigint) {
    const { inputs, digests } = freshStatements(f, n);
    const group = await signRequest(f, f.user1, {
      programId: f.programId,
      digests,
      feePerProof: MIN_FEE,
      nonce,
      deadline: deadlineIn(await time.latest()),
    });
    const { batchId } = await post(f, book, f.relay, [{ group, digests, inputs }]);
    return { batchId, inputs, digests };
  }

  before(async () => {
    f = await deployMarket(ethers);
    await f.market.connect(f.user1).deposit({ value: 1000n * MIN_FEE });
    client = createPublicClient({ transport: custom(provider) }) as PublicClient;
    reader = new MarketReader(client, f.market.target as Address, f.staking.target as Address);
    relay = await startFakeServer();
    relay2 = await startFakeServer();
    dir = mkdtempSync(join(tmpdir(), 'nex-keeper-v2-inputs-'));
    db = new KeeperDb(join(dir, 'keeper.sqlite'));
  });
  after(async () => {
    db.close();
    await relay.close();
    await relay2.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    failures.length = 0;
    relay.fallback = { kind: 'status', status: 404 };
    relay2.fallback = { kind: 'status', status: 404 };
  });

  it('reads a calldata batch: content hashes to the commitment, each proof from its call, program owner and key hash from the registration', async () => {
    const book = new Book();
    const subs = await submitN(f, book, 3);
    const batchId = subs[0]!.batchId;
    await sealByTimeout(f, chain, batchId);
    const b = await reader.batch(batchId);
    const { content, slots } = await fetchBatchInputs(source(), b, ROLLUP_PROOF_BYTES);
    expect(content.posted).to.equal(false);
    expect(content.commitment.toLowerCase()).to.equal(b.commitment.toLowerCase());
    expect(content.digests).to.deep.equal(subs.map((s) => s.digest));
    expect(slots.map((s) => s.ok)).to.deep.equal([true, true, true]);
    slots.forEach((s, i) => {
      if (!s.ok) return;
      expect(s.input.source).to.equal('calldata');
      expect(s.input.proof).to.equal(rollupProof(i));
      expect(s.input.publicInputs).to.deep.equal(subs[i]!.inputs);
      expect(s.input.owner).to.equal(f.rollup.address);
      expect(s.input.vkHash.toLowerCase()).to.equal(VK_HASH.toLowerCase());
    });
    expect(relay.requests).to.deep.equal([]); // calldata slots never ask a relay
    // The settlement the keeper builds closes the batch it locked (nothing provable: every fee back).
    const locker = await lockByAssigned(f, chain, batchId);
    const settlement = settlementArg(settlementFor(content, { kind: 'close' }));
    await f.market.connect(locker).close(batchId, settlement);
    expect((await reader.batch(batchId)).state).to.equal(Number(BatchState.Closed));
  });

  it('reads a posted batch: proofs from the relays, checked against the digest; a withheld or forged proof excludes only its slot', async () => {
    const book = new Book();
    const { batchId, inputs, digests } = await postedBatch(book, 4, 0n);
    relay.answer(`/v1/proofs/${digests[0]}`, { kind: 'json', body: view(inputs[0]!) });
    // A relay that serves another statement for slot 1's digest is not believed.
    relay.answer(`/v1/proofs/${digests[1]}`, { kind: 'json', body: { ...view(inputs[2]!), digest: digests[1] } });
    // Slot 2: the first relay has nothing, the second serves it.
    relay2.answer(`/v1/proofs/${digests[2]}`, { kind: 'json', body: view(inputs[2]!) });
    // Slot 3: a proof of the wrong length.
    relay.answer(`/v1/proofs/${digests[3]}`, { kind: 'json', body: view(inputs[3]!, rollupProof(1, 100)) });
    const b = await reader.batch(batchId);
    const { content, slots } = await fetchBatchInputs(source({ relays: [relay.url, relay2.url] }), b, ROLLUP_PROOF_BYTES);
    expect(content.posted).to.equal(true);
    expect(content.commitment.toLowerCase()).to.equal(b.commitment.toLowerCase());
    expect(content.post?.poster).to.equal(f.relay.address);
    expect(slots.map((s) => s.ok)).to.deep.equal([true, false, true, false]);
    const [s0, s1, s2, s3] = slots as [SlotFetch, SlotFetch, SlotFetch, SlotFetch];
    expect(s0.ok && s0.input.source).to.equal('relay');
    expect(s0.ok && s0.input.publicInputs).to.deep.equal(inputs[0]);
    expect(!s1.ok && s1.reason).to.match(/hashes to/);
    expect(!s1.ok && s1.source).to.equal('relay');
    expect(s2.ok && s2.input.source).to.equal('relay');
    expect(!s3.ok && s3.reason).to.match(/100 bytes, the version takes 14656/);
    expect(failures.filter((x) => x === 'relay:mismatch')).to.have.length(2);

    // The keeper fulfils with slots 1 and 3 excluded: the settlement carries groups and digests.
    const mask = (1n << 1n) | (1n << 3n);
    const use = { kind: 'fulfil', excludedMask: mask, hasCallback: b.hasCallback } as const;
    expect(isFastPath(content, use)).to.equal(false);
    const locker = await lockByAssigned(f, chain, batchId);
    const balanceBefore = (await f.market.getAccount(f.user1.address)).balance;
    await f.market
      .connect(locker)
      .fulfill(batchId, proofFor(book, batchId, locker.address, mask), mask, settlementArg(settlementFor(content, use)));
    expect((await reader.batch(batchId)).state).to.equal(Number(BatchState.Fulfilled));
    // The excluded fees went back to the payer's deposit, in the market (the keeper only reports them).
    expect((await f.market.getAccount(f.user1.address)).balance - balanceBefore).to.equal(2n * MIN_FEE);
  });

  it('takes the fast path for a posted batch with nothing excluded and no callback (96 bytes of settlement)', async () => {
    const book = new Book();
    const { batchId, inputs, digests } = await postedBatch(book, 2, 1n);
    digests.forEach((d, i) => relay.answer(`/v1/proofs/${d}`, { kind: 'json', body: view(inputs[i]!) }));
    const b = await reader.batch(batchId);
    const { content, slots } = await fetchBatchInputs(source(), b, ROLLUP_PROOF_BYTES);
    expect(slots.every((s) => s.ok)).to.equal(true);
    const use = { kind: 'fulfil', excludedMask: 0n, hasCallback: false } as const;
    expect(isFastPath(content, use)).to.equal(true);
    const s = settlementFor(content, use);
    expect(s.groups).to.deep.equal([]);
    expect(s.digests).to.deep.equal([]);
    const locker = await lockByAssigned(f, chain, batchId);
    await f.market.connect(locker).fulfill(batchId, proofFor(book, batchId, locker.address), 0n, settlementArg(s));
    expect((await reader.batch(batchId)).state).to.equal(Number(BatchState.Fulfilled));
  });

  it('closes a posted batch whose every proof is withheld, with the groups-only settlement', async () => {
    const book = new Book();
    const { batchId } = await postedBatch(book, 2, 2n);
    const b = await reader.batch(batchId);
    const { content, slots } = await fetchBatchInputs(source(), b, ROLLUP_PROOF_BYTES);
    expect(slots.every((s) => !s.ok && /no relay serves it/.test(s.reason))).to.equal(true);
    const locker = await lockByAssigned(f, chain, batchId);
    const before = (await f.market.getAccount(f.user1.address)).balance;
    await f.market.connect(locker).close(batchId, settlementArg(settlementFor(content, { kind: 'close' })));
    expect((await reader.batch(batchId)).state).to.equal(Number(BatchState.Closed));
    expect((await f.market.getAccount(f.user1.address)).balance - before).to.equal(2n * MIN_FEE);
  });

  it('bounds relay fetches: a relay that hangs is cut at the time limit, one that floods at the size limit; no relay configured excludes', async () => {
    const book = new Book();
    const { batchId, digests } = await postedBatch(book, 2, 3n);
    relay.answer(`/v1/proofs/${digests[0]}`, { kind: 'hang' });
    relay.answer(`/v1/proofs/${digests[1]}`, { kind: 'flood', bytes: relayResponseLimit(ROLLUP_PROOF_BYTES) + 200_000 });
    const b = await reader.batch(batchId);
    const started = Date.now();
    const { slots } = await fetchBatchInputs(source({ fetchTimeoutMs: 300 }), b, ROLLUP_PROOF_BYTES);
    expect(Date.now() - started).to.be.lessThan(5_000);
    expect(slots.map((s) => s.ok)).to.deep.equal([false, false]);
    expect(!slots[0]!.ok && slots[0]!.reason).to.match(/no answer within the time limit/);
    expect(!slots[1]!.ok && slots[1]!.reason).to.match(/exceeds the \d+-byte limit/);
    expect(failures).to.deep.equal(['relay:timeout', 'relay:too-large']);
    const none = await fetchBatchInputs(source({ relays: [] }), b, ROLLUP_PROOF_BYTES);
    expect(none.slots.every((s) => !s.ok && s.source === 'relay' && /no relay configured/.test(s.reason))).to.equal(true);
  });

  it('fetches and checks a batch once: the stored read is reused before and after the lock while the commitment stands', async () => {
    const book = new Book();
    const { batchId, inputs, digests } = await postedBatch(book, 2, 4n);
    digests.forEach((d, i) => relay.answer(`/v1/proofs/${d}`, { kind: 'json', body: view(inputs[i]!) }));
    const b = await reader.batch(batchId);
    const prover = acceptingProver();
    const first = await checkBatchInputs(source(), prover, b, ROLLUP_PROOF_BYTES);
    expect(first.fresh).to.equal(true);
    expect(first.validProofs).to.equal(2);
    const asked = relay.requests.length;
    const again = await checkBatchInputs(source(), prover, b, ROLLUP_PROOF_BYTES);
    expect(again.fresh).to.equal(false);
    const proving = await inputsForProving(source(), b, ROLLUP_PROOF_BYTES);
    expect(proving.source).to.equal('stored');
    expect(proving.content.digests).to.deep.equal(digests);
    expect(relay.requests.length).to.equal(asked);
    expect(prover.checked).to.equal(2);
    // Another commitment (a reorg rebuilt the batch) makes the stored read stale: it is read again.
    const other = await inputsForProving(source(), { ...b, commitment: `0x${'11'.repeat(32)}` }, ROLLUP_PROOF_BYTES).catch((e: Error) => e);
    expect(other).to.be.instanceOf(Error); // the chain's content does not hash to a made-up commitment
    expect((other as Error).message).to.match(/does not hash to the batch commitment/);
  });

  it('reads a statement a contract submitted through the call trace; without the debug API the batch is unreadable, not silently excluded', async () => {
    const book = new Book();
    const [direct] = await submitN(f, book, 1);
    const forwarder = await ethers.deployContract('SubmitForwarder');
    const inputs = freshInputs();
    const proof = rollupProof(9);
    const tx = await forwarder.getFunction('forward')(f.market.target, f.programId, inputs, proof, { value: MIN_FEE });
    await tx.wait();
    const batchId = direct!.batchId;
    await sealByTimeout(f, chain, batchId);
    const b = await reader.batch(batchId);
    const inner = encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submit', args: [f.programId, inputs, proof] });
    const traced: Hex[] = [];
    const tracer = (answer: MarketCalls) =>
      ({
        async marketCalls(hash: Hex) {
          traced.push(hash);
          return answer;
        },
      }) as unknown as CallTracer;
    const { content, slots } = await fetchBatchInputs(source({ tracer: tracer({ ok: true, inputs: [inner] }) }), b, ROLLUP_PROOF_BYTES);
    expect(traced).to.deep.equal([tx.hash]); // only the transaction that did not call the market directly
    expect(content.digests[1]).to.equal(statementDigest(f.programId, inputs));
    expect(slots[1]!.ok && slots[1]!.input.proof).to.equal(proof);
    // A trace that does not match what the market recorded is refused (the commitment does not match).
    const other = encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submit', args: [f.programId, freshInputs(), proof] });
    const forged = await fetchBatchInputs(source({ tracer: tracer({ ok: true, inputs: [other] }) }), b, ROLLUP_PROOF_BYTES).catch(
      (e: unknown) => e,
    );
    expect(forged).to.be.instanceOf(ContentError);
    expect((forged as Error).message).to.match(/hashes to 0x[0-9a-f]{64}, not the commitment/);
    const unsupported = await fetchBatchInputs(
      source({ tracer: tracer({ ok: false, unsupported: 'Method not found' }) }),
      b,
      ROLLUP_PROOF_BYTES,
    ).catch((e: unknown) => e);
    expect(unsupported).to.be.instanceOf(ContentError);
    expect((unsupported as Error).message).to.match(/through another contract .* use an RPC with the debug API/);
  });
});
