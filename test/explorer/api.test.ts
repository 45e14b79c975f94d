// The explorer's JSON API on a devnet (anvil, the real version-2 market with the test-only MockVerifier):
// a calldata batch from open to fulfilled with one slot excluded, lookups by every kind of id, the typed
// errors of bad input, and an RPC outage (answered as chain-unavailable, then recovered).
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metrics } from '../../prover/keeper/obs/metrics.js';
import { loadExplorerConfig, startExplorer, type RunningExplorer } from '../../prover/explorer/index.js';
import type {
  ApiErrorBody,
  BatchView,
  MarketView,
  ProgramView,
  ProversView,
  SearchView,
  StatementSearchView,
  StatementView,
  StatusView,
} from '../../prover/explorer/index.js';
import { silentLogger } from '../../prover/relay/log.js';
import { ADMIN, FEE, MockDevnet, PARAMS, proverAddress, USER } from './helpers/mockDevnet.js';

describe('explorer API on a devnet (MockVerifier)', function () {
  this.timeout(120_000);
  let devnet: MockDevnet;
  let explorer: RunningExplorer;
  // A keeper's real metrics registry, served as a keeper serves it (GET /metrics).
  const keeper = new Metrics({ processMetrics: false });
  let metricsServer: Server;

  const get = async <T>(path: string, status = 200): Promise<T> => {
    const res = await fetch(`${explorer.url}/api/${path}`);
    const body = (await res.json()) as T;
    expect(res.status, `${path}: ${JSON.stringify(body)}`).to.equal(status);
    return body;
  };
  /** Waits until the explorer's index has caught up with the chain head. */
  const synced = async (): Promise<void> => {
    const head = await devnet.anvil.client.getBlockNumber();
    for (let i = 0; i < 100; i++) {
      const s = await get<StatusView>('status');
      if (s.rpc.ok && BigInt(s.syncedTo) >= head) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the explorer did not catch up');
  };

  before(async () => {
    devnet = await MockDevnet.launch();
    metricsServer = createServer((_req, res) => void keeper.render().then((text) => res.end(text)));
    await new Promise<void>((r) => metricsServer.listen(0, '127.0.0.1', r));
    const keeperMetricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;
    const config = loadExplorerConfig({
      env: {},
      flags: {
        deployments: devnet.deploymentsFile,
        'listen.port': '0',
        rpcUrl: devnet.anvil.url,
        pollIntervalMs: '200',
        'log.level': 'silent',
        keeperMetricsUrl,
      },
    });
    explorer = await startExplorer(config, { log: silentLogger() });
  });

  after(async () => {
    await explorer?.close();
    await devnet?.stop();
    metricsServer?.close();
  });

  it('serves the page, its bundle and the market with the verifier version in force', async () => {
    const html = await (await fetch(explorer.url)).text();
    expect(html).to.include('/assets/app.js');
    const js = await fetch(`${explorer.url}/assets/app.js`);
    expect(js.status).to.equal(200);
    expect((await js.text()).length).to.be.greaterThan(50_000); // Preact + Chart.js bundled, nothing from a CDN
    const m = await get<MarketView>('market');
    expect(m.paused).to.equal(false);
    expect(m.version).to.deep.include({ version: 1, state: 'active' });
    expect(m.params.batchCapacity).to.equal(8);
    expect(m.programs).to.equal(1);
    expect(m.batches).to.deep.equal([]);
  });

  it('follows a batch from open to fulfilled, with the excluded slot refundable and the cost per proof', async () => {
    const subs = await devnet.submit(3);
    const batchId = subs[0]!.batchId;
    await synced();
    let b = await get<BatchView>(`batches/${batchId}`);
    expect(b.state).to.equal('Open');
    expect(b.count).to.equal(3);
    expect(b.sealableAt).to.be.a('number');
    expect(b.slots.map((s) => s.status)).to.deep.equal(['pending', 'pending', 'pending', 'empty', 'empty', 'empty', 'empty', 'empty']);
    expect(b.slots[1]!.digest).to.equal(subs[1]!.digest);
    expect(b.slots[1]!.publicInputs).to.have.length(2);

    await devnet.seal(batchId);
    await synced();
    b = await get<BatchView>(`batches/${batchId}`);
    expect(b.state).to.equal('Sealed');
    expect(b.assigned).to.equal(proverAddress);

    await devnet.lock(batchId);
    await synced();
    b = await get<BatchView>(`batches/${batchId}`);
    expect(b.state).to.equal('Locked');
    expect(b.locker).to.equal(proverAddress);
    expect(b.lockDeadline! > b.chainTime).to.equal(true);
    expect(b.tree.progress.source).to.equal('none');
    expect(b.tree.progress.note).to.match(/not proving this batch alone/);
    // The keeper reports a batch in flight, then proofs: they are attributed to the one locked batch.
    keeper.set('nex_keeper_rpc_up', 1);
    keeper.set('nex_keeper_batches_in_flight', 1);
    await new Promise((r) => setTimeout(r, 600));
    keeper.inc('nex_keeper_proofs_total', { circuit: 'leaf_pair' });
    keeper.inc('nex_keeper_proofs_total', { circuit: 'leaf_single' });
    await new Promise((r) => setTimeout(r, 600));
    b = await get<BatchView>(`batches/${batchId}`);
    expect(b.tree.progress).to.deep.include({ source: 'keeper', done: 2 });
    expect(b.tree.levels[0]!.filter((u) => u.done).length).to.equal(2);
    expect((await get<StatusView>('status')).keeper).to.deep.include({ configured: true, ok: true, rpcUp: true, inFlight: 1 });

    await devnet.fulfil(batchId, 0b10n);
    await synced();
    b = await get<BatchView>(`batches/${batchId}`);
    expect(b.state).to.equal('Fulfilled');
    // getBatch reads no locker once the lock ended: the explorer names it from the lock event.
    expect(b.locker).to.equal(proverAddress);
    expect(b.slots.slice(0, 3).map((s) => s.status)).to.deep.equal(['verified', 'excluded-refundable', 'verified']);
    expect(b.fulfil).to.deep.include({ prover: proverAddress, late: false, excludedMask: '2' });
    expect(Number(b.fulfil!.gasUsed)).to.be.greaterThan(21_000);
    expect(b.cost!.included).to.equal(2);
    expect(b.cost!.perProofGas).to.be.greaterThan(0);
    expect(b.tree.progress).to.deep.include({ source: 'outcome' });
    expect(b.tree.jobs).to.deep.equal({ leaf: 2, pad: 1, node: 2 });
    expect(b.returns).to.have.length(1);
    expect(b.timeline.map((e) => e.what.split(' ')[0])).to.include.members(['opened', 'sealed', 'locked', 'fulfilled']);

    const s = await get<StatementView>(`submissions/${subs[1]!.submissionId}`);
    expect(s).to.deep.include({
      batchId: batchId.toString(),
      slot: 1,
      status: 'excluded-refundable',
      batchState: 'Fulfilled',
      digest: subs[1]!.digest,
    });
    const st = await get<StatementSearchView>(`statements/${subs[0]!.digest}`);
    expect(st.submissions.map((x) => x.status)).to.deep.equal(['verified']);
    const p = await get<ProgramView>(`programs/${devnet.programId}`);
    expect(p.counts).to.deep.equal({ verified: 2, 'excluded-refundable': 1 });
    const provers = await get<ProversView>('provers');
    expect(provers.provers).to.have.length(1);
    expect(provers.provers[0]).to.deep.include({ address: proverAddress, won: 1, slashes: 0, onTimeRate: 1, locked: '0', eligible: true });
  });

  it('shows an off-chain batch: digests from postBatch, a skipped request, the excluded fee returned to the deposit', async () => {
    const { batchId, digests } = await devnet.post(3);
    await synced();
    let b = await get<BatchView>(`batches/${batchId}`);
    expect(b.state).to.equal('Sealed');
    expect(b.channels).to.deep.equal(['offchain']);
    // The accepted request comes from the post's MarketBatchPosted (the stale one is skipped).
    expect(b.groups).to.have.length(1);
    expect(b.groups[0]).to.deep.include({
      channel: 'offchain',
      programId: devnet.programId,
      firstSlot: 0,
      count: 3,
      nonce: '0',
      feePerProof: FEE.toString(),
    });
    expect(b.groups[0]!.requestHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(b.groups[0]!.tx).to.equal(b.posted!.tx.hash);
    expect(b.posted!.poster).to.be.a('string');
    expect(b.slots.slice(0, 3).map((s) => s.digest)).to.deep.equal(digests);
    expect(b.slots[0]!.publicInputs).to.equal(undefined); // only digests are on chain
    expect((await get<MarketView>('market')).skipped).to.have.length(1);
    await devnet.lock(batchId);
    await devnet.fulfil(batchId, 0b100n);
    await synced();
    b = await get<BatchView>(`batches/${batchId}`);
    expect(b.slots.slice(0, 4).map((s) => s.status)).to.deep.equal(['verified', 'verified', 'excluded-returned', 'empty']);
    expect(b.returns).to.have.length(1);
    expect(b.returns[0]!.toDeposit).to.equal(true);
    const st = await get<StatementSearchView>(`statements/${digests[2]}`);
    expect(st.submissions[0]).to.deep.include({ batchId: batchId.toString(), slot: 2, status: 'excluded-returned' });
    expect((await get<SearchView>(`search?q=${digests[1]}`)).route).to.equal(`#/statement/${digests[1]}`);
  });

  it('finds batches, submissions, programs, statements and provers by search', async () => {
    const m = await get<MarketView>('market');
    const batchId = m.batches.at(-1)!.id;
    expect((await get<SearchView>(`search?q=${batchId}`)).route).to.equal(`#/batch/${batchId}`);
    const sub = (BigInt(batchId) * 64n + 2n).toString();
    expect((await get<SearchView>(`search?q=${sub}`)).route).to.equal(`#/submission/${sub}`);
    expect((await get<SearchView>(`search?q=${devnet.programId}`)).kind).to.equal('program');
    expect((await get<SearchView>(`search?q=${proverAddress.toLowerCase()}`)).route).to.equal(`#/prover/${proverAddress}`);
  });

  it('shows the paused state and a frozen verifier version', async () => {
    await devnet.write(ADMIN, 'pause', []);
    await devnet.routerWrite('freeze', [1]);
    try {
      const m = await get<MarketView>('market');
      expect(m.paused).to.equal(true);
      expect(m.version).to.deep.include({ version: 1, state: 'frozen' });
      expect(m.noUsableVersion).to.equal(true);
      expect(m.version!.frozenSince).to.be.greaterThan(0);
    } finally {
      await devnet.routerWrite('unfreeze', [1]);
      await devnet.write(ADMIN, 'unpause', []);
    }
    const m = await get<MarketView>('market');
    expect([m.paused, m.version!.state]).to.deep.equal([false, 'active']);
  });

  it("reads a relay's state and the public inputs of off-chain statements from it", async () => {
    // A relay double (test only) answering the relay API's shapes (docs/relay.md, prover/relay/http/server.ts).
    const offchain = (await get<MarketView>('market')).batches.find((b) => b.channels.includes('offchain'))!.id;
    const batch = await get<BatchView>(`batches/${offchain}`);
    const d = batch.slots[0]!.digest!;
    const inputs = [`0x${'01'.padStart(64, '0')}`, `0x${'02'.padStart(64, '0')}`];
    const relay = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/healthz') return res.end(JSON.stringify({ ok: true }));
      if (req.url === '/v1/status')
        return res.end(JSON.stringify({ relay: proverAddress, requests: { posted: 1 }, queuedStatements: 0, lastTickAt: 1 }));
      if (req.url === `/v1/proofs/${d}`)
        return res.end(
          JSON.stringify({ programId: devnet.programId, publicInputs: inputs, requestHash: `0x${'00'.repeat(32)}`, status: 'posted' }),
        );
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const config = loadExplorerConfig({
      env: {},
      flags: {
        deployments: devnet.deploymentsFile,
        rpcUrl: devnet.anvil.url,
        'listen.port': '0',
        'log.level': 'silent',
        relayUrl: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
      },
    });
    const second = await startExplorer(config, { log: silentLogger() });
    try {
      const status = (await (await fetch(`${second.url}/api/status`)).json()) as StatusView;
      expect(status.relay).to.deep.include({ configured: true, ok: true, relay: proverAddress, queuedStatements: 0 });
      const st = (await (await fetch(`${second.url}/api/statements/${d}`)).json()) as StatementSearchView;
      expect(st.submissions[0]!.publicInputs).to.deep.equal(inputs);
    } finally {
      await second.close();
      relay.close();
    }
  });

  it('answers bad input with typed errors and a clear message', async () => {
    const cases: [string, number, string, RegExp][] = [
      ['batches/abc', 400, 'invalid-id', /not a batch id/],
      ['batches/999', 404, 'not-found', /No batch 999/],
      ['submissions/99999', 404, 'not-found', /No submission 99999/],
      ['programs/0x1234', 400, 'invalid-id', /0x followed by 64 hex digits/],
      [`programs/0x${'42'.repeat(32)}`, 404, 'not-found', /No program/],
      ['provers/0xnothex', 400, 'invalid-address', /not an address/],
      [`provers/0x${'11'.repeat(20)}`, 404, 'not-found', /never staked/],
      ['search?q=', 400, 'invalid-query', /Type a batch id/],
      ['search?q=hello', 400, 'invalid-query', /neither a number/],
      ['search?q=123456789', 404, 'not-found', /Nothing on this market/],
      ['nothing/here', 404, 'not-found', /No such page or API route/],
    ];
    for (const [path, status, code, message] of cases) {
      const body = await get<ApiErrorBody>(path, status);
      expect(body.error, path).to.equal(code);
      expect(body.message, path).to.match(message);
      expect(JSON.stringify(body), path).not.to.match(/at .*\.ts:\d+/); // no stack
    }
  });

  it('shows a missed deadline (the locker slashed, the batch reopened) and an expired batch released, fees refundable', async () => {
    const subs = await devnet.submit(2);
    const batchId = subs[0]!.batchId;
    await devnet.seal(batchId);
    await devnet.lock(batchId);
    await devnet.advance(PARAMS.provingWindowBase + 2 * PARAMS.provingWindowPerProof + PARAMS.secondaryWindow + 10);
    await devnet.write(USER, 'slash', [batchId]);
    await synced();
    let b = await get<BatchView>(`batches/${batchId}`);
    expect(b.state).to.equal('Sealed');
    expect(b.timeline.some((e) => /slashed/.test(e.what))).to.equal(true);
    const p = (await get<ProversView>('provers')).provers[0]!;
    expect(p).to.deep.include({ slashes: 1, won: 2, ended: 3, onTime: 2 });
    // not closeTo: hardhat's chai matchers (loaded by other suites in one run) redefine it for integers only
    expect(p.onTimeRate).to.not.equal(null);
    expect(Math.abs(p.onTimeRate! - 2 / 3)).to.be.lessThan(1e-9);
    expect(p.batches.map((x) => x.outcome)).to.include('slashed');

    await devnet.advance(PARAMS.submissionTtl);
    b = await get<BatchView>(`batches/${batchId}`);
    expect(b.state).to.equal('Expired');
    await devnet.release(batchId);
    await synced();
    b = await get<BatchView>(`batches/${batchId}`);
    expect(b.state).to.equal('Released');
    expect(b.slots.slice(0, 2).map((s) => s.status)).to.deep.equal(['refundable', 'refundable']);
    expect(b.returns).to.have.length(2);
    expect((await get<StatementView>(`submissions/${subs[1]!.submissionId}`)).status).to.equal('refundable');
  });

  it('answers chain-unavailable while the RPC is down and recovers when it is back', async () => {
    await devnet.anvil.stop();
    try {
      let status: StatusView | undefined;
      for (let i = 0; i < 50 && (status?.rpc.ok ?? true); i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await get<StatusView>('status');
      }
      expect(status!.rpc.ok).to.equal(false);
      expect(status!.rpc.error).to.be.a('string');
      const body = await get<ApiErrorBody>('market', 503);
      expect(body.error).to.equal('chain-unavailable');
      expect(body.message).to.match(/RPC is not answering.*retries every/);
      // What does not need the chain still answers from the index.
      expect((await get<StatementView>(`submissions/${64n + 0n}`)).status).to.equal('verified');
    } finally {
      await devnet.anvil.start();
    }
    await synced();
    expect((await get<MarketView>('market')).batches).to.have.length(3);
  });
});
