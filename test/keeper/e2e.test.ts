// The keeper end to end with real proofs on the version-2 market on anvil (a process, so it can be
// stopped and restarted): two keeper daemons in child processes compete on one market (capacity-4
// batches sealed by timeout). One test file, seven batches, sequential phases sharing the chain and
// fixtures to keep real proving to a minimum:
//   batch 1: exactly one keeper locks and proves; it is killed -9 while proving and again while its
//            fulfil tx is pending (and the node has lost the tx); it resumes from checkpoints,
//            rebroadcasts, fulfils once with the chain settlement, is paid, and no collateral is lost.
//   batch 2: a garbage proof is excluded and its fee returned to the payer by the market, the other
//            verified; the node is stopped and restarted while the keeper proves (RPC outage).
//   batch 3: an off-chain batch (signed request, postBatch) whose second proof no relay serves: that
//            slot is excluded and its fee returned to the payer's deposit, the first verified.
//   batch 4: a staked prover without a keeper locks and stalls; a keeper fulfils late as secondary,
//            is paid the fees and the beneficiary share of the locker's slashed collateral.
//   batch 5: a blob batch (the SDK's submitBlobs, EIP-7594 sidecar) with one proof corrupted in the blob:
//            the keeper (blob source anvil) reads the blob back, checks the versioned hash, proves; the
//            valid statements are verified, the corrupted slot excluded and its fee returned.
//   batch 6: a blob slot next to a calldata slot, handled by a keeper configured without a blob source:
//            the blob slot is excluded and refunded, the calldata one verified; the batch is not stuck.
//   batch 7: with the assignment window widened and the keeper drawn, it proves without a lock and fulfils
//            the Sealed batch directly (no lock transaction, no collateral), the statements verified.
// (A malformed or withheld blob and a batch closed because nothing is provable are covered with the
// MockVerifier in blobs.test.ts and keeperV2.test.ts.)
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, encodeFunctionData, parseEther, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { RollupProof } from '../../prover/engine/index.js';
import {
  REQUEST_TYPES,
  batchLeaves,
  inclusionPath,
  marketDomain,
  postedGroup,
  requestMessage,
  statementDigest,
  statementsHash,
  type OffchainRequest,
} from '../../prover/protocol/index.js';
import { createNexClient, submitBlobs, type Statement } from '../../prover/sdk/index.js';
import { engineBackend } from '../helpers/engine.js';
import { BatchState, aggregationMarketAbi, nexTokenAbi, proverStakingAbi } from '../../prover/abi/generated.js';
import { MarketReader } from '../../prover/keeper/chain/market.js';
import { decodeMarketEvents, type MarketEvent } from '../../prover/keeper/chain/marketEvents.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { Anvil, DEV_KEYS } from './helpers/anvil.js';
import { startFakeServer, type FakeServer } from './helpers/fakeRelay.js';
import { KeeperProc, keeperEnv } from './helpers/keeperProc.js';
import {
  deployProtocol,
  fundNex,
  programOf,
  registerProgram,
  stakeDirect,
  submitProof,
  TEST_PARAMS,
  type Protocol,
} from './helpers/protocol.js';

const FEE = parseEther('0.02');
const STAKE = parseEther('2000');
const ROLLUP = DEV_KEYS[4];
const STALLER = DEV_KEYS[3];
const POSTER = DEV_KEYS[5];
const addr = (k: Hex): Address => privateKeyToAccount(k).address;
const afterFees = (fees: bigint, bps: bigint) => fees - (fees * bps) / 10_000n;
/** Scrambles a proof's bytes (right length, each 32-byte word kept canonical) so that it no longer verifies. */
const scramble = (proof: Uint8Array) => Uint8Array.from(proof, (b, i) => (i % 32 === 0 ? 0 : (b * 31 + i) & 0xff));

async function until<T>(f: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('[proofs] keeper end to end on the version-2 market (anvil)', function () {
  this.timeout(40 * 60_000);
  let anvil: Anvil;
  let p: Protocol;
  let reader: MarketReader;
  let relay: FakeServer;
  let dir: string;
  const valid: RollupProof[] = [];
  let garbage: RollupProof;
  let corrupted: RollupProof;
  const keepers = new Map<Address, KeeperProc>();

  const batch = (id: bigint) => reader.batch(id);
  const marketEvents = async (): Promise<MarketEvent[]> =>
    decodeMarketEvents(await anvil.client.getLogs({ address: p.market, fromBlock: 0n }));
  const dbOf = (a: Address) => new KeeperDb(join(dir, a, 'keeper.sqlite'));
  const earnings = (a: Address) =>
    anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'earnings', args: [a] });
  /**
   * True when the statement is in the proven root of `batchId`: the path is built over the tree the prover
   * proved (slots `digests`, the excluded ones and the empty rest zero leaves, the batch's own capacity).
   */
  const isVerified = async (r: RollupProof, batchId: bigint, digests: Hex[], index: number, excludedMask = 0n) => {
    const leaves = batchLeaves(digests, (await batch(batchId)).capacity, excludedMask);
    return anvil.client.readContract({
      address: p.market,
      abi: aggregationMarketAbi,
      functionName: 'isVerified',
      args: [programOf(r.owner, r), r.publicInputs, { batchId, index: BigInt(index), siblings: inclusionPath(leaves, index) }],
    });
  };
  const digestOf = (r: RollupProof) => statementDigest(programOf(r.owner, r), r.publicInputs);
  const statementOf = (r: RollupProof): Statement => ({
    programId: programOf(r.owner, r),
    publicInputs: r.publicInputs,
    proof: bytesToHex(r.proof),
  });
  /** Submits through the calldata channel; returns the batch the statements entered. */
  const submitAll = async (rs: RollupProof[]): Promise<bigint> => {
    for (const r of rs) await submitProof(p, ROLLUP, r, FEE);
    return anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'openBatchId' });
  };
  /** Lets the batch time out (the keepers seal it), then mines the block after the seal (the draw's seed). */
  const sealed = async (id: bigint) => {
    await anvil.test.increaseTime({ seconds: TEST_PARAMS.batchTimeout + 1 });
    await anvil.test.mine({ blocks: 1 });
    await until(async () => (await batch(id)).state === BatchState.Sealed, 120_000, `batch ${id} sealed by a keeper`);
    await anvil.test.mine({ blocks: 1 });
  };
  /**
   * With a staked prover that runs no keeper (batch 4's staller, or a stopped keeper), the draw can name it:
   * then lets the assignment window pass, so that `running` may lock the sealed batch.
   */
  const openTo = async (id: bigint, running: Address) => {
    const assigned = await anvil.client.readContract({
      address: p.market,
      abi: aggregationMarketAbi,
      functionName: 'assignedProver',
      args: [id],
    });
    if (assigned === running) return;
    await anvil.test.increaseTime({ seconds: TEST_PARAMS.assignmentWindow + 1 });
    await anvil.test.mine({ blocks: 1 });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nex-keeper-e2e-'));
    anvil = await Anvil.launch(dir);
    relay = await startFakeServer();
    const backend = await engineBackend();
    const owner = addr(ROLLUP);
    try {
      p = await deployProtocol(anvil, backend);
      for (let i = 0; i < 7; i++) valid.push(await backend.proveExampleRollup({ publicInputCount: 1, seed: `keeper-e2e-${i}`, owner }));
      const other = await backend.proveExampleRollup({ publicInputCount: 1, seed: 'keeper-e2e-garbage', owner });
      // Garbage: right program and shape, proof bytes scrambled (each 32-byte word kept canonical).
      garbage = { ...other, proof: scramble(other.proof) };
      expect(await backend.verifyRollupProof(garbage)).to.equal(false);
      // Corrupted for the blob batch: a valid statement whose proof bytes (as packed into the blob) are changed.
      corrupted = { ...valid[4]!, proof: scramble(valid[4]!.proof) };
      expect(await backend.verifyRollupProof(corrupted)).to.equal(false);
    } finally {
      await backend.close();
    }
    reader = new MarketReader(anvil.client, p.market, p.staking);
    await registerProgram(p, ROLLUP, valid[0]!);
    for (const k of [DEV_KEYS[1], DEV_KEYS[2], STALLER]) await fundNex(p, addr(k), parseEther('5000'));
    for (const k of [DEV_KEYS[1], DEV_KEYS[2]]) {
      await stakeDirect(p, k, STAKE);
      const proc = new KeeperProc(
        `keeper-${addr(k).slice(2, 6)}`,
        keeperEnv({
          key: k,
          rpc: anvil.url,
          market: p.market,
          dataDir: join(dir, addr(k)),
          extra: { NEX_KEEPER_RELAYS: relay.url, NEX_KEEPER_BLOB_SOURCE: 'anvil' },
        }),
      );
      keepers.set(addr(k), proc);
      proc.start();
    }
  });

  after(async () => {
    for (const k of keepers.values()) await k.stop();
    await anvil?.stop();
    await relay?.close();
  });

  it('batch 1: one keeper locks, is killed while proving and while its fulfil is pending, resumes, fulfils once, is paid', async () => {
    const id = await submitAll([valid[0]!, valid[1]!]);
    await sealed(id);
    const locked = await until(
      async () => {
        const b = await batch(id);
        return b.state === BatchState.Locked && b;
      },
      120_000,
      `batch ${id} to be locked`,
    );
    const locker = keepers.get(locked.locker)!;
    const other = [...keepers.entries()].find(([a]) => a !== locked.locker)![1];
    expect(locker, 'locker is one of the keepers').to.not.equal(undefined);
    const bid = String(id);

    // Crash 1: kill -9 once the first proof job is checkpointed.
    await locker.waitLog((l) => l.msg === 'proof job finished' && l.batchId === bid, 600_000, 'the first proof job of batch 1');
    await locker.kill9();
    let db = dbOf(locked.locker);
    expect(db.getBatch(id)?.phase).to.equal('proving');
    db.close();

    // Crash 2: with mining paused, restart; kill -9 again once the fulfil tx is recorded, and make
    // the node forget it (as a node restart would).
    await anvil.test.setAutomine(false);
    locker.start();
    const resumed = await locker.waitLog((l) => l.msg === 'plan scheduled', 120_000, 'the engine to resume batch 1');
    expect(resumed.fromCheckpoints, 'proofs resumed from checkpoints').to.be.at.least(1);
    const pendingFulfil = await until(
      async () => {
        const d = dbOf(locked.locker);
        try {
          return d.txsFor(id, 'fulfill').find((t) => t.status === 'pending');
        } finally {
          d.close();
        }
      },
      900_000,
      'the fulfil tx to be recorded',
    );
    await locker.waitLog((l) => l.msg === 'tx sending' && l.purpose === 'fulfill', 10_000, 'the fulfil broadcast');
    await locker.kill9();
    await anvil.client.request({ method: 'anvil_dropAllTransactions' as never, params: [] as never });
    locker.start();
    await locker.waitLog((l) => l.msg === 'rebroadcasting pending tx after restart', 120_000, 'the rebroadcast');
    await anvil.test.setAutomine(true);
    await anvil.test.mine({ blocks: 1 });
    await until(async () => (await batch(id)).state === BatchState.Fulfilled, 120_000, 'batch 1 fulfilled');
    await locker.waitLog((l) => l.msg === 'batch done' && l.batchId === bid, 60_000, 'the locker to record the outcome');

    const events = await marketEvents();
    expect(events.filter((e) => e.kind === 'locked' && e.batchId === id)).to.have.length(1);
    const fulfilled = events.filter((e): e is Extract<MarketEvent, { kind: 'fulfilled' }> => e.kind === 'fulfilled' && e.batchId === id);
    expect(fulfilled).to.have.length(1);
    expect(fulfilled[0]!.prover).to.equal(locked.locker);
    expect(fulfilled[0]!.excludedMask).to.equal(0n);
    expect(fulfilled[0]!.late).to.equal(false);
    expect(fulfilled[0]!.txHash).to.equal(pendingFulfil.minedHash ?? fulfilled[0]!.txHash);
    const digests = [digestOf(valid[0]!), digestOf(valid[1]!)];
    for (const [i, r] of [valid[0]!, valid[1]!].entries()) expect(await isVerified(r, id, digests, i)).to.equal(true);
    // Paid, once; no collateral lost.
    const paid = afterFees(2n * FEE, BigInt(TEST_PARAMS.protocolFeeBps));
    expect(await earnings(locked.locker)).to.equal(paid);
    expect(await reader.stakeOf(locked.locker)).to.deep.equal({ staked: STAKE, locked: 0n, pendingUnstake: 0n });
    db = dbOf(locked.locker);
    expect(db.txsFor(id, 'fulfill').map((t) => t.nonce)).to.deep.equal([pendingFulfil.nonce]);
    expect(db.getBatch(id)).to.deep.include({ phase: 'done', outcome: 'fulfilled' });
    expect(db.totals().feesEarned).to.equal(paid);
    db.close();
    // The other keeper did no proving work for batch 1.
    expect(other.find((l) => l.msg === 'proving batch' && l.batchId === bid)).to.equal(undefined);
    expect(other.find((l) => l.msg === 'proof job finished')).to.equal(undefined);
    // Read and verified once, before the lock: every proving run (the first and the one after the
    // kill -9) reused the stored inputs and the engine reused the stored pre-check (no second bb verify).
    const inputs = locker.lines.filter((l) => l.event === 'batch.inputs' && l.batchId === bid);
    expect(inputs, 'proving runs of batch 1').to.have.length(2);
    for (const l of inputs) expect(l).to.deep.include({ source: 'stored' });
    const prechecks = locker.lines.filter((l) => l.msg === 'pre-check finished');
    expect(prechecks.map((l) => [l.proofs, l.reused])).to.deep.equal([
      [2, 0],
      [2, 2],
      [2, 2],
    ]);
  });

  it('batch 2: a garbage proof is excluded and its fee returned by the market, the valid one verified, across an RPC outage', async () => {
    const claimableBefore = await earnings(addr(ROLLUP));
    const id = await submitAll([valid[2]!, garbage]);
    await sealed(id);
    const locked = await until(
      async () => {
        const b = await batch(id);
        return b.state === BatchState.Locked && b;
      },
      120_000,
      `batch ${id} to be locked`,
    );
    const locker = keepers.get(locked.locker)!;
    await locker.waitLog((l) => l.msg === 'proving batch' && l.batchId === String(id), 120_000, 'proving batch 2');
    // Outage: the node goes away for a while during proving, then comes back with its state.
    await anvil.stop();
    await new Promise((r) => setTimeout(r, 8_000));
    await anvil.start();
    await until(async () => (await batch(id)).state === BatchState.Fulfilled, 900_000, 'batch 2 fulfilled');
    for (const k of keepers.values()) {
      expect(
        k.find((l) => l.event === 'rpc.failed'),
        `${k.name} saw the outage`,
      ).to.not.equal(undefined);
      expect(
        k.find((l) => l.event === 'rpc.recovered'),
        `${k.name} recovered`,
      ).to.not.equal(undefined);
    }
    const fulfilled = (await marketEvents()).find((e) => e.kind === 'fulfilled' && e.batchId === id);
    expect(fulfilled?.kind === 'fulfilled' && fulfilled.excludedMask).to.equal(0b10n);
    const excluded = locker.lines.filter((l) => l.event === 'batch.slot.excluded' && l.batchId === String(id));
    expect(excluded.map((l) => [l.slot, l.source])).to.deep.equal([[1, 'engine']]);
    const digests = [digestOf(valid[2]!), digestOf(garbage)];
    expect(await isVerified(valid[2]!, id, digests, 0, 0b10n)).to.equal(true);
    expect(await isVerified(garbage, id, digests, 1, 0b10n)).to.equal(false);
    expect(await isVerified(garbage, id, digests, 1)).to.equal(false);
    // The excluded fee went back to its payer (claimable earnings for calldata escrow).
    expect((await earnings(addr(ROLLUP))) - claimableBefore).to.equal(FEE);
    expect(await reader.stakeOf(locked.locker)).to.deep.include({ locked: 0n });
  });

  it('batch 3: an off-chain batch whose second proof no relay serves is fulfilled with that slot excluded and refunded', async () => {
    const payer = anvil.wallet(ROLLUP);
    await p.send(ROLLUP, p.market, encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'deposit' }), 2n * FEE);
    const statements = [valid[5]!, valid[6]!];
    const digests = statements.map(digestOf);
    const request: OffchainRequest = {
      programId: programOf(addr(ROLLUP), valid[5]!),
      statementsHash: statementsHash(digests),
      count: 2,
      feePerProof: FEE,
      nonce: 0n,
      deadline: Math.floor(Date.now() / 1000) + 3_600,
    };
    const signature = await payer.signTypedData({
      domain: marketDomain(31337, p.market),
      types: REQUEST_TYPES,
      primaryType: 'Request',
      message: requestMessage(request),
    });
    // The relay serves the first statement's proof only.
    relay.answer(`/v1/proofs/${digests[0]}`, {
      kind: 'json',
      body: { digest: digests[0], programId: request.programId, publicInputs: valid[5]!.publicInputs, proof: bytesToHex(valid[5]!.proof) },
    });
    await p.send(
      POSTER,
      p.market,
      encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'postBatch', args: [[postedGroup(request, signature)], digests] }),
    );
    const posted = (await marketEvents()).find((e) => e.kind === 'posted');
    expect(posted, 'the batch was posted').to.not.equal(undefined);
    const id = posted!.kind === 'posted' ? posted!.batchId : 0n;
    await anvil.test.mine({ blocks: 1 });
    await until(async () => (await batch(id)).state === BatchState.Fulfilled, 900_000, 'the posted batch fulfilled');
    const fulfilled = (await marketEvents()).find(
      (e): e is Extract<MarketEvent, { kind: 'fulfilled' }> => e.kind === 'fulfilled' && e.batchId === id,
    )!;
    expect(fulfilled.excludedMask).to.equal(0b10n);
    const locker = keepers.get(fulfilled.prover)!;
    const excluded = locker.lines.filter((l) => l.event === 'batch.slot.excluded' && l.batchId === String(id));
    expect(excluded.map((l) => [l.slot, l.source])).to.deep.equal([[1, 'relay']]);
    expect(await isVerified(valid[5]!, id, digests, 0, 0b10n)).to.equal(true);
    // The withheld statement's fee is back in the payer's deposit.
    const account = await anvil.client.readContract({
      address: p.market,
      abi: aggregationMarketAbi,
      functionName: 'getAccount',
      args: [addr(ROLLUP)],
    });
    expect(account.balance).to.equal(FEE);
  });

  it('batch 4: a stalled locker is slashed by a keeper that fulfils as secondary and is paid', async () => {
    // Only keeper B runs from here; the staller stakes and locks without ever proving.
    const [aAddr, bAddr] = [addr(DEV_KEYS[1]), addr(DEV_KEYS[2])];
    await keepers.get(aAddr)!.stop();
    const kb = keepers.get(bAddr)!;
    await kb.stop();
    await stakeDirect(p, STALLER, STAKE);
    const id = await submitAll([valid[3]!, valid[4]!]);
    await anvil.test.increaseTime({ seconds: TEST_PARAMS.batchTimeout + 1 });
    await anvil.test.mine({ blocks: 1 });
    await p.send(STALLER, p.market, encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'seal', args: [id] }));
    await anvil.test.mine({ blocks: 1 });
    const assigned = await anvil.client.readContract({
      address: p.market,
      abi: aggregationMarketAbi,
      functionName: 'assignedProver',
      args: [id],
    });
    if (assigned !== addr(STALLER)) {
      await anvil.test.increaseTime({ seconds: TEST_PARAMS.assignmentWindow + 1 });
      await anvil.test.mine({ blocks: 1 });
    }
    await p.send(STALLER, p.market, encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'lock', args: [id] }));
    const b = await batch(id);
    expect(b.locker).to.equal(addr(STALLER));
    // The staller misses its lock deadline.
    await anvil.test.setNextBlockTimestamp({ timestamp: BigInt(b.lockDeadline) + 1n });
    await anvil.test.mine({ blocks: 1 });
    const nexBefore = await anvil.client.readContract({ address: p.token, abi: nexTokenAbi, functionName: 'balanceOf', args: [bAddr] });
    const earnedBefore = await earnings(bAddr);
    kb.start();
    await kb.waitLog((l) => l.event === 'batch.secondary' && l.batchId === String(id), 120_000, 'the secondary decision');
    await until(async () => (await batch(id)).state === BatchState.Fulfilled, 900_000, 'batch 4 fulfilled');
    const f = (await marketEvents()).find(
      (e): e is Extract<MarketEvent, { kind: 'fulfilled' }> => e.kind === 'fulfilled' && e.batchId === id,
    )!;
    expect(f.prover).to.equal(bAddr);
    expect(f.late).to.equal(true);
    const slashedLogs = await anvil.client.getContractEvents({
      address: p.staking,
      abi: proverStakingAbi,
      eventName: 'StakingSlashed',
      fromBlock: 0n,
    });
    const s = slashedLogs.find((e) => e.args.prover === addr(STALLER))!;
    expect(s.args.beneficiary).to.equal(bAddr);
    expect(s.args.amount).to.equal(TEST_PARAMS.collateralPerProof * 2n);
    expect(await anvil.client.readContract({ address: p.token, abi: nexTokenAbi, functionName: 'balanceOf', args: [bAddr] })).to.equal(
      nexBefore + s.args.rewarded!,
    );
    expect(await earnings(bAddr)).to.equal(earnedBefore + afterFees(2n * FEE, BigInt(TEST_PARAMS.protocolFeeBps)));
    expect(await reader.stakeOf(addr(STALLER))).to.deep.include({ staked: STAKE - TEST_PARAMS.collateralPerProof * 2n, locked: 0n });
  });

  it('batch 5: a blob batch (SDK submitBlobs) with a proof corrupted in the blob: the valid ones verified, the corrupted slot excluded and refunded', async () => {
    // Keeper B (blob source anvil) runs alone since batch 4.
    const bAddr = addr(DEV_KEYS[2]);
    const client = await createNexClient({
      rpcUrl: anvil.url,
      privateKey: ROLLUP,
      addresses: { market: p.market, router: p.router, staking: p.staking, token: p.token },
      pollingIntervalMs: 200,
    });
    const statements = [valid[0]!, valid[1]!, corrupted];
    const claimableBefore = await earnings(addr(ROLLUP));
    const sent = await submitBlobs(client, { statements: statements.map(statementOf), feePerProof: FEE });
    expect(sent.versionedHashes, 'three proofs in one blob').to.have.length(1);
    const id = sent.statements[0]!.batchId;
    expect(sent.statements.map((s) => [s.batchId, s.slot])).to.deep.equal([
      [id, 0],
      [id, 1],
      [id, 2],
    ]);
    // Nothing but the blob holds these proofs: calldata carries the statements only, no relay serves them.
    const tx = await anvil.client.getTransaction({ hash: sent.txHash });
    expect(tx.type).to.equal('eip4844');
    expect(tx.input.includes(bytesToHex(valid[0]!.proof).slice(2, 200))).to.equal(false);
    await sealed(id);
    await openTo(id, bAddr);
    await until(async () => (await batch(id)).state === BatchState.Fulfilled, 900_000, 'the blob batch fulfilled');
    const fulfilled = (await marketEvents()).find(
      (e): e is Extract<MarketEvent, { kind: 'fulfilled' }> => e.kind === 'fulfilled' && e.batchId === id,
    )!;
    expect(fulfilled.prover).to.equal(bAddr);
    expect(fulfilled.excludedMask).to.equal(0b100n);
    // The corrupted proof was read from the blob (it matched the versioned hash) and failed verification.
    const excluded = keepers.get(bAddr)!.lines.filter((l) => l.event === 'batch.slot.excluded' && l.batchId === String(id));
    expect(excluded.map((l) => [l.slot, l.source])).to.deep.equal([[2, 'engine']]);
    const digests = statements.map(digestOf);
    expect(await isVerified(valid[0]!, id, digests, 0, 0b100n)).to.equal(true);
    expect(await isVerified(valid[1]!, id, digests, 1, 0b100n)).to.equal(true);
    expect(await isVerified(corrupted, id, digests, 2, 0b100n)).to.equal(false);
    expect(await isVerified(corrupted, id, digests, 2)).to.equal(false);
    // The corrupted slot's fee went back to its payer.
    expect((await earnings(addr(ROLLUP))) - claimableBefore).to.equal(FEE);
    expect(await reader.stakeOf(bAddr)).to.deep.include({ locked: 0n });
  });

  it('batch 6: a blob slot that a keeper without a blob source cannot read is excluded and refunded, never a stuck batch', async () => {
    // Keeper B (which reads blobs) stops; keeper A restarts without a blob source (the default, none).
    const [aAddr, bAddr] = [addr(DEV_KEYS[1]), addr(DEV_KEYS[2])];
    await keepers.get(bAddr)!.stop();
    const blind = new KeeperProc(
      `keeper-${aAddr.slice(2, 6)}-noblob`,
      keeperEnv({ key: DEV_KEYS[1], rpc: anvil.url, market: p.market, dataDir: join(dir, aAddr), extra: { NEX_KEEPER_RELAYS: relay.url } }),
    );
    keepers.set(aAddr, blind);
    blind.start();
    const client = await createNexClient({
      rpcUrl: anvil.url,
      privateKey: ROLLUP,
      addresses: { market: p.market, router: p.router, staking: p.staking, token: p.token },
      pollingIntervalMs: 200,
    });
    const claimableBefore = await earnings(addr(ROLLUP));
    // Slot 0 on the blob channel, slot 1 on the calldata channel, in the same batch.
    const sent = await submitBlobs(client, { statements: [statementOf(valid[2]!)], feePerProof: FEE });
    const id = sent.statements[0]!.batchId;
    expect(await submitAll([valid[3]!])).to.equal(id);
    await sealed(id);
    await openTo(id, aAddr);
    await until(async () => (await batch(id)).state === BatchState.Fulfilled, 900_000, 'the batch with an unread blob fulfilled');
    const fulfilled = (await marketEvents()).find(
      (e): e is Extract<MarketEvent, { kind: 'fulfilled' }> => e.kind === 'fulfilled' && e.batchId === id,
    )!;
    expect(fulfilled.prover).to.equal(aAddr);
    expect(fulfilled.excludedMask).to.equal(0b01n);
    const excluded = blind.lines.filter((l) => l.event === 'batch.slot.excluded' && l.batchId === String(id));
    expect(excluded.map((l) => [l.slot, l.source])).to.deep.equal([[0, 'blob']]);
    expect(String(excluded[0]!.reason)).to.match(/no blob source configured/);
    const digests = [digestOf(valid[2]!), digestOf(valid[3]!)];
    expect(await isVerified(valid[3]!, id, digests, 1, 0b01n)).to.equal(true);
    expect(await isVerified(valid[2]!, id, digests, 0, 0b01n)).to.equal(false);
    expect((await earnings(addr(ROLLUP))) - claimableBefore).to.equal(FEE);
    expect(await reader.stakeOf(aAddr)).to.deep.include({ locked: 0n });
  });
  it('batch 7: the drawn keeper proves without a lock and fulfils directly when its estimate fits the assignment window', async () => {
    // The admin widens the assignment window (as the testnet template does) and the other two provers
    // request to unstake everything, so that the draw names keeper A; A restarts with `direct` on.
    const [aAddr, bAddr] = [addr(DEV_KEYS[1]), addr(DEV_KEYS[2])];
    await keepers.get(aAddr)!.stop();
    const window = 1_800;
    await p.send(
      DEV_KEYS[0],
      p.market,
      encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'setParams', args: [{ ...TEST_PARAMS, assignmentWindow: window }] }),
    );
    for (const [key, who] of [
      [DEV_KEYS[2], bAddr],
      [STALLER, addr(STALLER)],
    ] as const) {
      const { staked } = await reader.stakeOf(who);
      await p.send(key, p.staking, encodeFunctionData({ abi: proverStakingAbi, functionName: 'requestUnstake', args: [staked] }));
    }
    const direct = new KeeperProc(
      `keeper-${aAddr.slice(2, 6)}-direct`,
      keeperEnv({
        key: DEV_KEYS[1],
        rpc: anvil.url,
        market: p.market,
        dataDir: join(dir, aAddr),
        extra: { NEX_KEEPER_RELAYS: relay.url, NEX_KEEPER_DIRECT: 'true' },
      }),
    );
    keepers.set(aAddr, direct);
    direct.start();
    const id = await submitAll([valid[5]!, valid[6]!]);
    await sealed(id);
    expect(
      await anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'assignedProver', args: [id] }),
    ).to.equal(aAddr);
    await direct.waitLog((l) => l.event === 'batch.direct' && l.batchId === String(id), 120_000, 'the direct decision');
    await until(async () => (await batch(id)).state === BatchState.Fulfilled, 900_000, 'batch 7 fulfilled without a lock');
    const events = (await marketEvents()).filter((e) => 'batchId' in e && e.batchId === id);
    expect(events.filter((e) => e.kind === 'locked')).to.deep.equal([]);
    const fulfilled = events.find((e): e is Extract<MarketEvent, { kind: 'fulfilled' }> => e.kind === 'fulfilled')!;
    expect([fulfilled.prover, fulfilled.late, fulfilled.excludedMask]).to.deep.equal([aAddr, false, 0n]);
    const digests = [digestOf(valid[5]!), digestOf(valid[6]!)];
    for (const [i, r] of [valid[5]!, valid[6]!].entries()) expect(await isVerified(r, id, digests, i)).to.equal(true);
    await direct.waitLog((l) => l.msg === 'batch done' && l.batchId === String(id), 60_000, 'the keeper to record the outcome');
    const row = dbOf(aAddr).getBatch(id);
    expect(row).to.deep.include({ role: 'direct', outcome: 'fulfilled' });
    expect(dbOf(aAddr).txsFor(id, 'lock')).to.deep.equal([]);
    expect(await reader.stakeOf(aAddr)).to.deep.include({ locked: 0n });
  });
});
