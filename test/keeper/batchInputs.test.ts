// A batch's inputs are fetched and checked once: before the lock they are fetched from chain data and
// pre-checked, then stored; the next poll, the proving step after the lock and a restarted keeper reuse
// them, asking the chain only whether each slot still stands. A slot the chain changed (refunded) is
// fetched again, alone. Real market on anvil; the proofs are opaque bytes (no bb: the prover is a
// counting stand-in), so this test is fast.
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPublicClient,
  custom,
  encodeFunctionData,
  hexToBytes,
  http,
  pad,
  toHex,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { precheckDigest, type PrecheckReport, type SlotCheck } from '../../prover/engine/index.js';
import { aggregationMarketAbi } from '../../prover/abi/v1.js';
import { CallTracer } from '../../prover/keeper/chain/callTrace.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { checkBatchInputs, inputsForProving } from '../../prover/keeper/work/batchInputs.js';
import type { BatchProver } from '../../prover/keeper/work/batchProver.js';
import type { InputSource, SlotFetch } from '../../prover/keeper/work/inputs.js';
import { Anvil, DEV_KEYS } from './helpers/anvil.js';

function artifact(path: string): { abi: Abi; bytecode: Hex } {
  return JSON.parse(readFileSync(`artifacts/${path}`, 'utf8')) as { abi: Abi; bytecode: Hex };
}

const PROGRAM = pad(toHex(0xbee001));
const FEE = 10n ** 14n;
const TTL = 86_400;
const BATCH = 1n;
const CAPACITY = 4;
/** As stored (JSON drops undefined fields). */
const stored = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const subs = [1, 2, 3].map((n) => ({ inputs: [pad(toHex(n))], proof: toHex(`proof ${n} `.repeat(16)) }));

/** RPC calls by method, through a client the test can read the counters of. */
function countingClient(url: string): { client: PublicClient; calls: Map<string, number> } {
  const inner = http(url, { retryCount: 0 })({});
  const calls = new Map<string, number>();
  const client = createPublicClient({
    cacheTime: 0,
    transport: custom(
      {
        request({ method, params }: { method: string; params?: unknown }) {
          calls.set(method, (calls.get(method) ?? 0) + 1);
          return inner.request({ method, params } as never);
        },
      },
      { retryCount: 0 },
    ),
  });
  return { client, calls };
}

/** A stand-in for the engine: slot 2's proof "does not verify"; counts the proofs it verified. */
function countingProver(): BatchProver & { verified: number[] } {
  const self = {
    verified: [] as number[],
    async precheck(_capacity: number, slots: readonly SlotFetch[]): Promise<PrecheckReport> {
      const checks: SlotCheck[] = [];
      for (const s of slots) {
        if (!s.ok) continue;
        self.verified.push(s.slot);
        const digest = precheckDigest({
          vk: hexToBytes(s.input.vk),
          vkHash: s.input.programId,
          owner: s.input.owner,
          proof: hexToBytes(s.input.proof),
          publicInputs: s.input.publicInputs,
        });
        checks.push({ slot: s.slot, valid: s.slot !== 2, reason: s.slot === 2 ? 'proof does not verify' : undefined, ms: 1, digest });
      }
      return { invalidSlots: checks.filter((c) => !c.valid).map((c) => c.slot), checks, totalMs: checks.length };
    },
    prove(): never {
      throw new Error('not used');
    },
  };
  return self;
}

describe('keeper: batch inputs fetched and checked once (anvil)', function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let market: Address;
  let dir: string;
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });

  const source = (client: PublicClient, db: KeeperDb): InputSource => ({
    client,
    db,
    market,
    startBlock: 0n,
    maxLogRange: 10_000,
    log,
    tracer: new CallTracer(client, log),
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nex-keeper-inputs-'));
    anvil = await Anvil.launch(dir);
    const admin = anvil.wallet(DEV_KEYS[0]);
    const me = admin.account.address;
    const deploy = async (path: string, args: unknown[]): Promise<Address> => {
      const a = artifact(path);
      const hash = await admin.deployContract({ abi: a.abi, bytecode: a.bytecode, args });
      return (await anvil.client.waitForTransactionReceipt({ hash })).contractAddress!;
    };
    const token = await deploy('contracts/token/NexToken.sol/NexToken.json', [me, 10n ** 27n]);
    const staking = await deploy('contracts/staking/ProverStaking.sol/ProverStaking.json', [token, me, 10n ** 21n]);
    const router = await deploy('contracts/router/VerifierRouter.sol/VerifierRouter.json', [me, me]);
    const params = {
      minFeePerProof: FEE,
      batchCapacity: CAPACITY,
      batchTimeout: 300,
      assignmentWindow: 120,
      provingWindowBase: 600,
      provingWindowPerProof: 120,
      secondaryWindow: 1800,
      submissionTtl: TTL,
      collateralPerProof: 10n ** 19n,
      protocolFeeBps: 500,
      callbackGasLimit: 100_000,
    };
    market = await deploy('contracts/market/AggregationMarket.sol/AggregationMarket.json', [me, me, staking, router, me, params]);
    await sendFromAdmin(encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'registerProgram', args: [PROGRAM, '0xabcd', 1] }));
    for (const s of subs)
      await sendFromAdmin(
        encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submit', args: [PROGRAM, s.inputs, s.proof] }),
        FEE,
      );

    async function sendFromAdmin(data: Hex, value = 0n): Promise<void> {
      const hash = await admin.sendTransaction({ to: market, data, value, gas: 5_000_000n });
      const r = await anvil.client.waitForTransactionReceipt({ hash });
      if (r.status !== 'success') throw new Error('tx reverted');
    }
  });
  after(async () => anvil?.stop());

  it('fetches and pre-checks before the lock once; the next poll, the proving step and a restart reuse it', async () => {
    const path = join(dir, 'keeper.sqlite');
    const { client, calls } = countingClient(anvil.url);
    const prover = countingProver();
    const batch = { batchId: BATCH, capacity: CAPACITY, count: subs.length };

    let db = new KeeperDb(path);
    db.noteBatch(BATCH);
    const first = await checkBatchInputs(source(client, db), prover, batch);
    expect(first.fresh).to.equal(true);
    expect(first.validProofs).to.equal(2);
    expect(first.slots.map((s) => s.ok)).to.deep.equal([true, true, true]);
    expect(prover.verified).to.deep.equal([0, 1, 2]);
    const txReads = calls.get('eth_getTransactionByHash');
    expect(txReads).to.equal(3);

    // The next poll (the batch is still a candidate): nothing fetched, nothing verified.
    const again = await checkBatchInputs(source(client, db), prover, batch);
    expect(again.fresh).to.equal(false);
    expect(again.validProofs).to.equal(2);
    expect(again.precheck).to.deep.equal(stored(first.precheck));
    expect(prover.verified).to.have.length(3);

    // After the lock: the stored slots, confirmed on chain by one digestOf read per usable slot.
    db.transition(BATCH, 'locking');
    db.transition(BATCH, 'proving');
    const ethCalls = calls.get('eth_call') ?? 0;
    const proving = await inputsForProving(source(client, db), batch);
    expect(proving).to.deep.include({ source: 'stored', refetched: [] });
    expect(proving.slots).to.deep.equal(first.slots);
    expect(proving.prechecked).to.deep.equal(stored(first.precheck));
    expect(calls.get('eth_call')).to.equal(ethCalls + 3);

    // A restart (a new database handle on the same file): still nothing fetched or verified again.
    db.close();
    db = new KeeperDb(path);
    const restarted = await inputsForProving(source(client, db), batch);
    expect(restarted).to.deep.include({ source: 'stored', refetched: [] });
    expect(restarted.slots).to.deep.equal(first.slots);
    expect(restarted.prechecked).to.deep.equal(stored(first.precheck));
    expect(calls.get('eth_getTransactionByHash')).to.equal(txReads);
    expect(calls.get('debug_traceTransaction')).to.equal(undefined);
    expect(prover.verified).to.have.length(3);
    db.close();
  });

  it('fetches again only the slot the chain changed (refunded), and keeps the rest and their checks', async () => {
    const path = join(dir, 'refund.sqlite');
    const { client, calls } = countingClient(anvil.url);
    const prover = countingProver();
    const batch = { batchId: BATCH, capacity: CAPACITY, count: subs.length };
    const db = new KeeperDb(path);
    db.noteBatch(BATCH);
    const checked = await checkBatchInputs(source(client, db), prover, batch);
    expect(calls.get('eth_getTransactionByHash')).to.equal(3);

    // The batch expires and slot 1's submitter takes its fee back: its digest is gone from the market.
    await anvil.test.increaseTime({ seconds: TTL + 1 });
    await anvil.test.mine({ blocks: 1 });
    const hash = await anvil.wallet(DEV_KEYS[0]).sendTransaction({
      to: market,
      data: encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'refund', args: [BATCH * 32n + 1n] }),
      gas: 500_000n,
    });
    expect((await anvil.client.waitForTransactionReceipt({ hash })).status).to.equal('success');

    const out = await inputsForProving(source(client, db), batch);
    expect(out.source).to.equal('stored');
    expect(out.refetched).to.deep.equal([1]);
    expect(out.slots[0]).to.deep.equal(checked.slots[0]);
    expect(out.slots[2]).to.deep.equal(checked.slots[2]);
    const s1 = out.slots[1]!;
    expect(s1.ok).to.equal(false);
    if (!s1.ok) expect(s1.reason).to.match(/digest on chain 0x0{64} differs from the event's \(refunded or reorged\)/);
    // One slot fetched again (no transaction read: its digest check fails first); the report is kept whole,
    // the engine reuses the checks of the unchanged slots.
    expect(calls.get('eth_getTransactionByHash')).to.equal(3);
    expect(out.prechecked).to.deep.equal(stored(checked.precheck));
    expect(prover.verified).to.deep.equal([0, 1, 2]);

    // The refetch is stored: the next proving attempt reads the chain again but refetches nothing.
    const next = await inputsForProving(source(client, db), batch);
    expect(next.refetched).to.deep.equal([]);
    expect(next.slots).to.deep.equal(out.slots);
    db.close();
  });

  it('without a stored check (a lock adopted from chain) fetches everything and stores it; a corrupt row is fetched again', async () => {
    const { client, calls } = countingClient(anvil.url);
    const db = new KeeperDb(':memory:');
    db.noteBatch(BATCH);
    const out = await inputsForProving(source(client, db), { batchId: BATCH, count: subs.length });
    expect(out).to.deep.include({ source: 'fetched', prechecked: undefined, refetched: [] });
    expect(calls.get('eth_getTransactionByHash')).to.equal(2); // slot 1 was refunded above: no transaction read
    expect(db.getBatchInputs(BATCH)?.count).to.equal(3);
    // A pre-lock check still verifies (nothing was checked yet).
    const prover = countingProver();
    const checked = await checkBatchInputs(source(client, db), prover, { batchId: BATCH, capacity: CAPACITY, count: subs.length });
    expect(checked.fresh).to.equal(true);
    expect(prover.verified).to.deep.equal([0, 2]);

    db.putBatchInputs(BATCH, { count: 3, slots: '{not json', precheck: null, validProofs: 0 });
    const recovered = await inputsForProving(source(client, db), { batchId: BATCH, count: subs.length });
    expect(recovered.source).to.equal('fetched');
    expect(lines.some((l) => l.includes('stored batch inputs unreadable; fetching again'))).to.equal(true);
    // Reaching done drops what was stored.
    db.transition(BATCH, 'done', { outcome: 'expired' });
    expect(db.getBatchInputs(BATCH)).to.equal(undefined);
    db.close();
  });
});
