// The keeper end to end with real proofs on anvil (a process, so it can be stopped and restarted):
// two keeper daemons in child processes compete on one market (capacity-2 batches). One test file,
// three batches, sequential phases sharing the chain and fixtures to keep real proving to a minimum:
//   batch 1: exactly one keeper locks and proves; it is killed -9 while proving and again while its
//            fulfil tx is pending (and the node has lost the tx); it resumes from checkpoints,
//            rebroadcasts, fulfils once, is paid, and no collateral is lost.
//   batch 2: a garbage proof is excluded, the other verified, the garbage refundable; the node is
//            stopped and restarted while the keeper proves (RPC outage).
//   batch 3: a staked prover without a keeper locks and stalls; a keeper fulfils late as secondary,
//            is paid the fees and the beneficiary share of the locker's slashed collateral.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFunctionData, parseEther, parseEventLogs, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { RollupProof } from '../../prover/engine/index.js';
import { engineBackend } from './helpers/engine.js';
import { BatchState, aggregationMarketAbi, nexTokenAbi, proverStakingAbi } from '../../prover/abi/v1.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { Anvil, DEV_KEYS } from './helpers/anvil.js';
import { KeeperProc, keeperEnv } from './helpers/keeperProc.js';
import { deployProtocol, fundNex, registerProgram, stakeDirect, submitProof, TEST_PARAMS, type Protocol } from './helpers/protocol.js';

const FEE = parseEther('0.02');
const STAKE = parseEther('2000');
const ROLLUP = DEV_KEYS[4];
const STALLER = DEV_KEYS[3];
const addr = (k: Hex): Address => privateKeyToAccount(k).address;

async function until<T>(f: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('[proofs] keeper end to end (anvil)', function () {
  this.timeout(40 * 60_000);
  let anvil: Anvil;
  let p: Protocol;
  let dir: string;
  let valid: RollupProof[] = [];
  let garbage: RollupProof;
  const keepers = new Map<Address, KeeperProc>();

  const batch = (id: bigint) =>
    anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'getBatch', args: [id] });
  const stakeOf = async (a: Address) => {
    const [staked, locked, pendingUnstake] = await anvil.client.readContract({
      address: p.staking,
      abi: proverStakingAbi,
      functionName: 'stakeOf',
      args: [a],
    });
    return { staked, locked, pendingUnstake };
  };
  const marketEvents = async () => anvil.client.getLogs({ address: p.market, fromBlock: 0n });
  const dbOf = (a: Address) => new KeeperDb(join(dir, a, 'keeper.sqlite'));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nex-keeper-e2e-'));
    anvil = await Anvil.launch(dir);
    const backend = await engineBackend();
    try {
      p = await deployProtocol(anvil, backend);
      for (let i = 0; i < 5; i++) valid.push(await backend.proveExampleRollup({ publicInputCount: 1, seed: `keeper-e2e-${i}` }));
      const other = await backend.proveExampleRollup({ publicInputCount: 1, seed: 'keeper-e2e-garbage' });
      // Garbage: right program and shape, proof bytes scrambled (each 32-byte word kept canonical).
      garbage = { ...other, proof: Uint8Array.from(other.proof, (b, i) => (i % 32 === 0 ? 0 : (b * 31 + i) & 0xff)) };
      expect(await backend.verifyRollupProof(garbage)).to.equal(false);
    } finally {
      await backend.close();
    }
    await registerProgram(p, ROLLUP, valid[0]!);
    for (const k of [DEV_KEYS[1], DEV_KEYS[2], STALLER]) await fundNex(p, addr(k), parseEther('5000'));
    for (const k of [DEV_KEYS[1], DEV_KEYS[2]]) {
      await stakeDirect(p, k, STAKE);
      const proc = new KeeperProc(
        `keeper-${addr(k).slice(2, 6)}`,
        keeperEnv({ key: k, rpc: anvil.url, market: p.market, dataDir: join(dir, addr(k)) }),
      );
      keepers.set(addr(k), proc);
      proc.start();
    }
  });

  after(async () => {
    for (const k of keepers.values()) await k.stop();
    await anvil?.stop();
  });

  it('batch 1: one keeper locks, is killed while proving and while its fulfil is pending, resumes, fulfils once, is paid', async () => {
    await submitProof(p, ROLLUP, valid[0]!, FEE);
    await submitProof(p, ROLLUP, valid[1]!, FEE);
    const locked = await until(
      async () => {
        const b = await batch(1n);
        return b.state === BatchState.Locked && b;
      },
      120_000,
      'batch 1 to be locked',
    );
    const locker = keepers.get(locked.locker)!;
    const other = [...keepers.entries()].find(([a]) => a !== locked.locker)![1];
    expect(locker, 'locker is one of the keepers').to.not.equal(undefined);

    // Crash 1: kill -9 once the first proof job is checkpointed.
    await locker.waitLog((l) => l.msg === 'proof job finished' && l.batchId === '1', 600_000, 'the first proof job of batch 1');
    await locker.kill9();
    let db = dbOf(locked.locker);
    expect(db.getBatch(1n)?.phase).to.equal('proving');
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
          return d.txsFor(1n, 'fulfill').find((t) => t.status === 'pending');
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
    await until(async () => (await batch(1n)).state === BatchState.Fulfilled, 120_000, 'batch 1 fulfilled');
    await locker.waitLog((l) => l.msg === 'batch done' && l.batchId === '1', 60_000, 'the locker to record the outcome');

    const events = await marketEvents();
    expect(
      parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchLocked', logs: events }).filter((e) => e.args.batchId === 1n),
    ).to.have.length(1);
    const fulfilled = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchFulfilled', logs: events }).filter(
      (e) => e.args.batchId === 1n,
    );
    expect(fulfilled).to.have.length(1);
    expect(fulfilled[0]!.args.prover).to.equal(locked.locker);
    expect(fulfilled[0]!.args.includedMask).to.equal(0b11);
    expect(fulfilled[0]!.args.late).to.equal(false);
    expect(fulfilled[0]!.transactionHash).to.equal(pendingFulfil.minedHash ?? fulfilled[0]!.transactionHash);
    for (const id of [32n, 33n]) {
      expect(
        await anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'isSubmissionVerified', args: [id] }),
      ).to.equal(true);
    }
    // Paid, once; no collateral lost.
    expect(
      await anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'earnings', args: [locked.locker] }),
    ).to.equal((2n * FEE * 9500n) / 10_000n);
    expect(await stakeOf(locked.locker)).to.deep.equal({ staked: STAKE, locked: 0n, pendingUnstake: 0n });
    db = dbOf(locked.locker);
    expect(db.txsFor(1n, 'fulfill').map((t) => t.nonce)).to.deep.equal([pendingFulfil.nonce]);
    expect(db.getBatch(1n)).to.deep.include({ phase: 'done', outcome: 'fulfilled' });
    expect(db.totals().feesEarned).to.equal((2n * FEE * 9500n) / 10_000n);
    db.close();
    // The other keeper did no proving work for batch 1.
    expect(other.find((l) => l.msg === 'proving batch' && l.batchId === '1')).to.equal(undefined);
    expect(other.find((l) => l.msg === 'proof job finished')).to.equal(undefined);
    // Fetched and verified once, before the lock: every proving run (the first and the one after the
    // kill -9) reused the stored inputs and the engine reused the stored pre-check (no second bb verify).
    const inputs = locker.lines.filter((l) => l.event === 'batch.inputs' && l.batchId === '1');
    expect(inputs, 'proving runs of batch 1').to.have.length(2);
    for (const l of inputs) expect(l).to.deep.include({ source: 'stored', refetched: [] });
    const prechecks = locker.lines.filter((l) => l.msg === 'pre-check finished');
    expect(prechecks.map((l) => [l.proofs, l.reused])).to.deep.equal([
      [2, 0],
      [2, 2],
      [2, 2],
    ]);
  });

  it('batch 2: a garbage proof is excluded and refundable, the valid one verified, across an RPC outage', async () => {
    await submitProof(p, ROLLUP, valid[2]!, FEE);
    await submitProof(p, ROLLUP, garbage, FEE);
    const locked = await until(
      async () => {
        const b = await batch(2n);
        return b.state === BatchState.Locked && b;
      },
      120_000,
      'batch 2 to be locked',
    );
    const locker = keepers.get(locked.locker)!;
    await locker.waitLog((l) => l.msg === 'proving batch' && l.batchId === '2', 120_000, 'proving batch 2');
    // Outage: the node goes away for a while during proving, then comes back with its state.
    await anvil.stop();
    await new Promise((r) => setTimeout(r, 8_000));
    await anvil.start();
    await until(async () => (await batch(2n)).state === BatchState.Fulfilled, 900_000, 'batch 2 fulfilled');
    for (const k of keepers.values()) {
      expect(
        k.find((l) => l.msg === 'poll failed; backing off'),
        `${k.name} saw the outage`,
      ).to.not.equal(undefined);
      expect(
        k.find((l) => l.msg === 'RPC reachable again'),
        `${k.name} recovered`,
      ).to.not.equal(undefined);
    }
    const b = await batch(2n);
    expect(b.includedMask).to.equal(0b01);
    const events = await marketEvents();
    expect(
      parseEventLogs({ abi: aggregationMarketAbi, eventName: 'SubmissionExcluded', logs: events }).map((e) => e.args.submissionId),
    ).to.deep.equal([65n]);
    expect(
      await anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'isSubmissionVerified', args: [64n] }),
    ).to.equal(true);
    expect(
      await anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'isRefundable', args: [65n] }),
    ).to.equal(true);
    const before = await anvil.client.getBalance({ address: addr(ROLLUP) });
    await p.send(ROLLUP, p.market, encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'refund', args: [65n] }));
    expect((await anvil.client.getBalance({ address: addr(ROLLUP) })) > before).to.equal(true);
    expect(await stakeOf(locked.locker)).to.deep.include({ locked: 0n });
  });

  it('batch 3: a stalled locker is slashed by a keeper that fulfils as secondary and is paid', async () => {
    // Only keeper B runs from here; the staller stakes and locks without ever proving.
    const [aAddr, bAddr] = [addr(DEV_KEYS[1]), addr(DEV_KEYS[2])];
    await keepers.get(aAddr)!.stop();
    const kb = keepers.get(bAddr)!;
    await kb.stop();
    await stakeDirect(p, STALLER, STAKE);
    await submitProof(p, ROLLUP, valid[3]!, FEE);
    await submitProof(p, ROLLUP, valid[4]!, FEE);
    let b = await batch(3n);
    expect(b.state).to.equal(BatchState.Sealed);
    if (b.assigned !== addr(STALLER)) {
      await anvil.test.increaseTime({ seconds: TEST_PARAMS.assignmentWindow + 1 });
      await anvil.test.mine({ blocks: 1 });
    }
    await p.send(STALLER, p.market, encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'lock', args: [3n] }));
    b = await batch(3n);
    expect(b.locker).to.equal(addr(STALLER));
    // The staller misses its lock deadline.
    await anvil.test.setNextBlockTimestamp({ timestamp: BigInt(b.lockDeadline) + 1n });
    await anvil.test.mine({ blocks: 1 });
    const nexBefore = await anvil.client.readContract({ address: p.token, abi: nexTokenAbi, functionName: 'balanceOf', args: [bAddr] });
    const earnedBefore = await anvil.client.readContract({
      address: p.market,
      abi: aggregationMarketAbi,
      functionName: 'earnings',
      args: [bAddr],
    });
    kb.start();
    await kb.waitLog((l) => l.msg === 'fulfilling as secondary prover' && l.batchId === '3', 120_000, 'the secondary decision');
    await until(async () => (await batch(3n)).state === BatchState.Fulfilled, 900_000, 'batch 3 fulfilled');
    const events = await marketEvents();
    const f = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchFulfilled', logs: events }).find((e) => e.args.batchId === 3n)!;
    expect(f.args.prover).to.equal(bAddr);
    expect(f.args.late).to.equal(true);
    const slashed = parseEventLogs({
      abi: proverStakingAbi,
      eventName: 'Slashed',
      logs: await anvil.client.getLogs({ address: p.staking, fromBlock: 0n }),
    });
    const s = slashed.find((e) => e.args.prover === addr(STALLER))!;
    expect(s.args.beneficiary).to.equal(bAddr);
    expect(s.args.amount).to.equal(TEST_PARAMS.collateralPerProof * 2n);
    expect(await anvil.client.readContract({ address: p.token, abi: nexTokenAbi, functionName: 'balanceOf', args: [bAddr] })).to.equal(
      nexBefore + s.args.rewarded,
    );
    expect(
      await anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'earnings', args: [bAddr] }),
    ).to.equal(earnedBefore + (2n * FEE * 9500n) / 10_000n);
    expect(await stakeOf(addr(STALLER))).to.deep.include({ staked: STAKE - TEST_PARAMS.collateralPerProof * 2n, locked: 0n });
  });
});
