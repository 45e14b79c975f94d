// The keeper daemon against the real contracts on anvil, without aggregation proofs: staking and
// status, listen-only, locking, metrics/health, and slashing a stalled locker. The prover engine is
// replaced by one that never finishes (a real proof is not needed until fulfilment; the
// end-to-end test covers that).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFunctionData, getAddress, parseEther, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { custom, http } from 'viem';
import type { ProvingBackend, RollupProof } from '../../prover/engine/index.js';
import type { ExampleBackend } from '../../prover/toolchain/index.js';
import { engineBackend } from '../helpers/engine.js';
import { BatchState, aggregationMarketAbi, proverStakingAbi } from '../../prover/abi/generated.js';
import { decodeMarketEvents } from '../../prover/keeper/chain/marketEvents.js';
import { loadConfig } from '../../prover/keeper/config/load.js';
import { Secret } from '../../prover/keeper/config/secret.js';
import { Keeper } from '../../prover/keeper/daemon/keeper.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { requestUnstake, stake, withdraw } from '../../prover/keeper/daemon/stakeActions.js';
import { statusReport } from '../../prover/keeper/daemon/status.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import type { BatchProver, ProveRequest, ProveResult } from '../../prover/keeper/work/batchProver.js';
import type { SlotFetch } from '../../prover/keeper/work/inputs.js';
import type { KeeperEvent } from '../../prover/keeper/obs/events.js';
import { precheckDigest, type PrecheckReport, type SlotCheck } from '../../prover/engine/index.js';
import { Anvil, DEV_KEYS, freePort } from './helpers/anvil.js';
import { deployProtocol, fundNex, registerProgram, submitProof, TEST_PARAMS, type Protocol } from './helpers/protocol.js';

const FEE = parseEther('0.02');

/** A prover that pre-checks for real (bb verify) but never finishes proving (until aborted). */
function blockingProver(backend: ProvingBackend): BatchProver & { started: bigint[]; requests: ProveRequest[]; verified: number } {
  const self = {
    started: [] as bigint[],
    requests: [] as ProveRequest[],
    /** bb verify calls made by pre-checks. */
    verified: 0,
    async precheck(_capacity: number, slots: readonly SlotFetch[]): Promise<PrecheckReport> {
      const checks: SlotCheck[] = [];
      for (const s of slots) {
        if (!s.ok) continue;
        const r: RollupProof = {
          vk: Buffer.from(s.input.vk.slice(2), 'hex'),
          vkHash: s.input.vkHash,
          owner: s.input.owner,
          proof: Buffer.from(s.input.proof.slice(2), 'hex'),
          publicInputs: s.input.publicInputs,
        };
        self.verified++;
        checks.push({ slot: s.slot, valid: await backend.verifyRollupProof(r), ms: 0, digest: precheckDigest(r) });
      }
      return { invalidSlots: checks.filter((c) => !c.valid).map((c) => c.slot), checks, totalMs: 0 };
    },
    prove(req: ProveRequest): Promise<ProveResult> {
      self.started.push(req.batchId);
      self.requests.push(req);
      return new Promise((_resolve, reject) => req.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    },
    // The key set of the circuits the backend loaded (what the router of a real deployment pins).
    async identity() {
      return { keySet: backend.artifacts.keySet, srs: 'dev' as const };
    },
  };
  return self;
}

describe('[proofs] keeper daemon on the real version-2 contracts (anvil, no aggregation proofs)', function () {
  this.timeout(300_000);
  let anvil: Anvil;
  let backend: ExampleBackend;
  let p: Protocol;
  let dir: string;
  const rollups: RollupProof[] = [];
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });

  const getBatch = (id: bigint) =>
    anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'getBatch', args: [id] });
  const assignedOf = (id: bigint): Promise<Address> =>
    anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'assignedProver', args: [id] });
  /** Submits two statements into the open batch and seals it by timeout; returns its id (the draw is readable). */
  const sealedBatchOf = async (a: RollupProof, b: RollupProof): Promise<bigint> => {
    await submitProof(p, DEV_KEYS[4], a, FEE);
    await submitProof(p, DEV_KEYS[4], b, FEE);
    const id = await anvil.client.readContract({ address: p.market, abi: aggregationMarketAbi, functionName: 'openBatchId' });
    await anvil.test.increaseTime({ seconds: TEST_PARAMS.batchTimeout + 1 });
    await anvil.test.mine({ blocks: 1 });
    await p.send(DEV_KEYS[4], p.market, encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'seal', args: [id] }));
    await anvil.test.mine({ blocks: 1 });
    return id;
  };

  const make = async (key: Hex, name: string, extra: Record<string, string> = {}) => {
    const config = loadConfig({
      env: {
        NEX_KEEPER_RPC_URLS: anvil.url,
        NEX_KEEPER_MARKET_ADDRESS: p.market,
        NEX_KEEPER_DATA_DIR: join(dir, name),
        NEX_KEEPER_POLL_MS: '300',
        NEX_KEEPER_METRICS_PORT: '0',
        ...extra,
      },
      cwd: dir,
    });
    const prover = blockingProver(backend);
    const keeper = await Keeper.create({
      config,
      signer: { account: privateKeyToAccount(key), key: new Secret(key) },
      log: log.child(name),
      transport: http(anvil.url),
      prover,
    });
    return { keeper, prover, config };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nex-keeper-daemon-'));
    anvil = await Anvil.launch(dir);
    backend = await engineBackend();
    p = await deployProtocol(anvil, backend);
    const owner = privateKeyToAccount(DEV_KEYS[4]).address;
    for (let i = 0; i < 4; i++) rollups.push(await backend.proveExampleRollup({ publicInputCount: 1, seed: `daemon-${i}`, owner }));
    await registerProgram(p, DEV_KEYS[4], rollups[0]!);
    for (const k of [DEV_KEYS[1], DEV_KEYS[2]]) await fundNex(p, privateKeyToAccount(k).address, parseEther('5000'));
  });
  after(async () => {
    await backend?.close();
    await anvil?.stop();
  });

  it('stakes through the keeper and reports status', async () => {
    for (const [k, name] of [
      [DEV_KEYS[1], 'a'],
      [DEV_KEYS[2], 'b'],
    ] as const) {
      const { keeper } = await make(k, name);
      const out = await stake(keeper.ctx, parseEther('2000'));
      expect(out.status).to.equal('mined');
      const report = await statusReport(keeper.ctx);
      expect(report).to.match(/staked\s+2000 NEX/);
      expect(report).to.match(/eligible\s+yes/);
      expect(report).to.include('Batches in flight: 0/1');
      if (name === 'a') {
        expect((await requestUnstake(keeper.ctx, parseEther('100'))).status).to.equal('mined');
        const after = await statusReport(keeper.ctx);
        expect(after).to.match(/pending unstake\s+100 NEX/);
        expect(after).to.match(/available\s+1900 NEX/);
        expect(after).to.match(/Unstake queue:\n\s+100 NEX\s+unlocks 20/);
        let err: unknown;
        try {
          await withdraw(keeper.ctx, 32n);
        } catch (e) {
          err = e;
        }
        expect(String((err as { shortMessage?: string }).shortMessage ?? err)).to.match(/StakingNothingToWithdraw/);
      }
      keeper.ctx.db.close();
    }
  });

  it('listen-only decides and logs but sends nothing; a live keeper locks the batch assigned to it', async () => {
    const id = await sealedBatchOf(rollups[0]!, rollups[1]!);
    expect(id).to.equal(1n);
    const b = { ...(await getBatch(id)), assigned: await assignedOf(id) };
    expect(b.state).to.equal(BatchState.Sealed);
    const assignedKey = [DEV_KEYS[1], DEV_KEYS[2]].find((k) => privateKeyToAccount(k).address === b.assigned)!;
    const assignedName = assignedKey === DEV_KEYS[1] ? 'a' : 'b';

    const quiet = await make(assignedKey, `${assignedName}-listen`, { NEX_KEEPER_LISTEN_ONLY: 'true' });
    const nonceBefore = await anvil.client.getTransactionCount({ address: b.assigned });
    const ac1 = new AbortController();
    const run1 = quiet.keeper.run(ac1.signal);
    const end = Date.now() + 30_000;
    while (!lines.some((l) => l.includes('would lock (listen-only)')) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    ac1.abort();
    await run1;
    if (process.env.NEX_TEST_ECHO) console.log(lines.join('\n'));
    expect(lines.some((l) => l.includes('would lock (listen-only)') && l.includes('"batchId":"1"'))).to.equal(true);
    expect(await anvil.client.getTransactionCount({ address: b.assigned })).to.equal(nonceBefore);
    expect(quiet.prover.started).to.deep.equal([]);

    const live = await make(assignedKey, assignedName, { NEX_KEEPER_METRICS_PORT: '0' });
    // Embedded: the keeper's typed events arrive in process, in order.
    const seen: KeeperEvent[] = [];
    live.keeper.events.on('*', (e) => seen.push(e));
    const ac2 = new AbortController();
    const run2 = live.keeper.run(ac2.signal);
    const end2 = Date.now() + 60_000;
    while (live.prover.started.length === 0 && Date.now() < end2) await new Promise((r) => setTimeout(r, 200));
    expect(live.prover.started).to.deep.equal([1n]);
    // Fetched and checked once, before the lock: the proving step reused both (no second bb verify).
    expect(live.prover.verified).to.equal(2);
    const req = live.prover.requests[0]!;
    expect(req.prechecked?.checks.map((c) => [c.slot, c.valid])).to.deep.equal([
      [0, true],
      [1, true],
    ]);
    expect(req.slots.map((s) => s.ok)).to.deep.equal([true, true]);
    const codes = seen.filter((e) => 'batchId' in e && e.batchId === 1n).map((e) => e.event);
    expect(codes).to.deep.equal(['batch.decided', 'batch.prechecked', 'batch.locked', 'batch.inputs', 'batch.proving']);
    const inputs = seen.find((e): e is KeeperEvent<'batch.inputs'> => e.event === 'batch.inputs')!;
    expect(inputs).to.deep.include({ source: 'stored' });
    expect(lines.some((l) => l.includes('"event":"batch.locked"') && l.includes('"msg":"batch locked"'))).to.equal(true);
    const locked = await getBatch(1n);
    expect(locked.state).to.equal(BatchState.Locked);
    expect(locked.locker).to.equal(b.assigned);
    expect(await live.keeper.ctx.metrics.get('nex_keeper_batches_locked_total')).to.equal(1);
    const [, lockedStake] = await anvil.client.readContract({
      address: p.staking,
      abi: proverStakingAbi,
      functionName: 'stakeOf',
      args: [b.assigned],
    });
    expect(lockedStake).to.equal(TEST_PARAMS.collateralPerProof * 2n);
    expect(live.keeper.health().ok).to.equal(true);
    expect(await live.keeper.ctx.metrics.render()).to.match(/nex_keeper_batches_in_flight 1/);
    ac2.abort();
    await run2;
    if (process.env.NEX_TEST_ECHO) console.log(lines.join('\n'));
  });

  it('CLI: init writes a config that loads; status prints the table; errors never show the key', async () => {
    const cli = (args: string[], env: Record<string, string>) =>
      spawnSync(
        process.execPath,
        ['--import', import.meta.resolve('tsx'), join(import.meta.dirname, 'fixtures', 'nexKeeper.ts'), ...args],
        {
          env: { ...process.env, ...env, NEX_KEEPER_TEST_FIXTURE: '1' },
          cwd: dir,
          encoding: 'utf8',
        },
      );
    const file = join(dir, 'cli.jsonc');
    const init = cli(['keeper', 'init', file, '--market', p.market, '--rpc-url', anvil.url, '--data-dir', join(dir, 'cli')], {});
    expect(init.status, init.stderr).to.equal(0);
    expect(cli(['keeper', 'init', file], {}).stderr).to.include('exists (use --force to overwrite)');
    const status = cli(['keeper', 'status', '--config', file], { NEX_KEEPER_PRIVATE_KEY: DEV_KEYS[1] });
    expect(status.status, status.stderr).to.equal(0);
    expect(status.stdout).to.match(/staked\s+2000 NEX/);
    expect(status.stdout).to.include('Batches in flight');
    const bad = cli(['keeper', 'status', '--config', file, '--market', '0x0000000000000000000000000000000000000001'], {
      NEX_KEEPER_PRIVATE_KEY: DEV_KEYS[1],
    });
    expect(bad.status).to.equal(1);
    expect(bad.stderr).to.include('no contract at 0x0000000000000000000000000000000000000001');
    const wrong = cli(['keeper', 'status', '--config', file, '--bump-percent', 'x'], { NEX_KEEPER_PRIVATE_KEY: DEV_KEYS[1] });
    expect(wrong.stderr).to.include('gas.bumpPercent (--bump-percent): expected a non-negative integer');
    for (const out of [init, status, bad, wrong]) expect(out.stdout + out.stderr).not.to.include(DEV_KEYS[1].slice(2, 18));
    expect(cli(['keeper', 'stake', '--bogus'], {}).status).to.equal(2);
  });

  it('reads addresses from the deployments file, falls back to the next RPC URL, serves /metrics and /healthz', async () => {
    const port = await freePort();
    // No market address configured: it comes from the deploy code's deployments file for the chain.
    mkdirSync(join(dir, 'deployments'), { recursive: true });
    writeFileSync(
      join(dir, 'deployments', '31337.json'),
      JSON.stringify({
        format: 1,
        chainId: 31337,
        startBlock: '1',
        contracts: {
          AggregationMarket: { address: p.market, abi: [] },
          ProverStaking: { address: p.staking, abi: [] },
          NexToken: { address: p.token, abi: [] },
        },
      }),
    );
    const config = loadConfig({
      env: {
        NEX_KEEPER_RPC_URLS: `http://127.0.0.1:1,${anvil.url}`,
        NEX_KEEPER_DATA_DIR: join(dir, 'c'),
        NEX_KEEPER_POLL_MS: '300',
        NEX_KEEPER_METRICS_PORT: String(port),
        NEX_KEEPER_LISTEN_ONLY: 'true',
      },
      cwd: dir,
    });
    const saved = process.env.NEX_DEPLOYMENTS_DIR;
    process.env.NEX_DEPLOYMENTS_DIR = join(dir, 'deployments');
    const keeper = await Keeper.create({
      config,
      signer: { account: privateKeyToAccount(DEV_KEYS[5]), key: new Secret(DEV_KEYS[5]) },
      log,
      prover: blockingProver(backend),
    }).finally(() => (saved === undefined ? delete process.env.NEX_DEPLOYMENTS_DIR : (process.env.NEX_DEPLOYMENTS_DIR = saved)));
    expect(keeper.ctx.addresses).to.deep.include({
      market: getAddress(p.market),
      staking: getAddress(p.staking),
      token: getAddress(p.token),
      startBlock: 1n,
    });
    const ac = new AbortController();
    const run = keeper.run(ac.signal);
    try {
      const end = Date.now() + 30_000;
      let health: Response | undefined;
      while (Date.now() < end) {
        health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        if (health?.status === 200) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(health?.status).to.equal(200);
      expect(await health!.json()).to.deep.include({ ok: true, inFlight: 0 });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).to.include('# TYPE nex_keeper_batches_locked_total counter');
      expect(metrics).to.match(/nex_keeper_rpc_up 1/);
      expect(metrics).to.match(/nex_keeper_head_block \d+/);
      expect(metrics).to.match(/nex_keeper_balance_wei \d+/);
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).to.equal(404);
    } finally {
      ac.abort();
      await run;
    }
  });

  it('a stalled locker is slashed by the other keeper after the final deadline', async () => {
    const b = await getBatch(1n);
    const otherKey = privateKeyToAccount(DEV_KEYS[1]).address === b.locker ? DEV_KEYS[2] : DEV_KEYS[1];
    const otherName = otherKey === DEV_KEYS[1] ? 'a' : 'b';
    await anvil.test.setNextBlockTimestamp({ timestamp: BigInt(b.finalDeadline) + 1n });
    await anvil.test.mine({ blocks: 1 });
    const other = await make(otherKey, otherName);
    const ac = new AbortController();
    const run = other.keeper.run(ac.signal);
    const end = Date.now() + 60_000;
    let slashed = false;
    while (!slashed && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 300));
      const logs = await anvil.client.getLogs({ address: p.market, fromBlock: 0n });
      slashed = decodeMarketEvents(logs).some(
        (e) => e.kind === 'slashed' && e.batchId === 1n && e.caller === privateKeyToAccount(otherKey).address,
      );
    }
    expect(slashed).to.equal(true);
    // Back to open assignment: the slashing keeper may now lock it itself.
    const end2 = Date.now() + 60_000;
    while (other.prover.started.length === 0 && Date.now() < end2) await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await run;
    expect(other.prover.started).to.deep.equal([1n]);
    const after = await getBatch(1n);
    expect(after.locker).to.equal(privateKeyToAccount(otherKey).address);
    const [staked, locked] = await anvil.client.readContract({
      address: p.staking,
      abi: proverStakingAbi,
      functionName: 'stakeOf',
      args: [b.locker],
    });
    expect(locked).to.equal(0n);
    expect(staked).to.equal(parseEther('2000') - TEST_PARAMS.collateralPerProof * 2n);
    const db = new KeeperDb(join(dir, otherName, 'keeper.sqlite'));
    expect(db.totals().slashes).to.equal(1);
    expect(db.txsFor(1n, 'slash').map((t) => t.status)).to.deep.equal(['mined']);
    db.close();
  });

  it('a lock that landed although the client saw an error is found by re-reading the chain', async () => {
    const id = await sealedBatchOf(rollups[2]!, rollups[3]!);
    expect(id).to.equal(2n);
    const b = { assigned: await assignedOf(id) };
    const key = [DEV_KEYS[1], DEV_KEYS[2]].find((k) => privateKeyToAccount(k).address === b.assigned)!;
    const name = key === DEV_KEYS[1] ? 'a' : 'b';
    // The node accepts the raw transaction, but the client sees a timeout.
    const inner = http(anvil.url)({});
    let lied = 0;
    const flaky = custom({
      async request({ method, params }: { method: string; params?: unknown }) {
        const out = await inner.request({ method, params } as never);
        if (method === 'eth_sendRawTransaction' && lied === 0) {
          lied++;
          throw new Error('The request took too long to respond.');
        }
        return out;
      },
    });
    const config = loadConfig({
      env: {
        NEX_KEEPER_RPC_URLS: anvil.url,
        NEX_KEEPER_MARKET_ADDRESS: p.market,
        NEX_KEEPER_DATA_DIR: join(dir, `${name}-flaky`),
        NEX_KEEPER_POLL_MS: '300',
        NEX_KEEPER_METRICS_PORT: '0',
        NEX_KEEPER_CAPACITY: '2',
      },
      cwd: dir,
    });
    const prover = blockingProver(backend);
    const keeper = await Keeper.create({
      config,
      signer: { account: privateKeyToAccount(key), key: new Secret(key) },
      log: log.child(`${name}-flaky`),
      transport: flaky,
      prover,
    });
    const ac = new AbortController();
    const run = keeper.run(ac.signal);
    const end = Date.now() + 60_000;
    while (!prover.started.includes(2n) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await run;
    expect(lied).to.equal(1);
    // (If this prover also holds batch 1 from the slash test, the fresh database adopts that lock too.)
    expect(prover.started).to.include(2n);
    const after = await getBatch(2n);
    expect(after.locker).to.equal(b.assigned);
    const db = new KeeperDb(join(dir, `${name}-flaky`, 'keeper.sqlite'));
    expect(db.txsFor(2n, 'lock').map((t) => t.status)).to.deep.equal(['mined']);
    expect(db.getBatch(2n)?.phase).to.equal('proving');
    db.close();
    expect(lines.some((l) => l.includes('tx broadcast uncertain; will reconcile'))).to.equal(true);
  });
});
