// `npm run demo` end to end: the real script (scripts/demo.ts) as a child process, real proofs on a real
// chain (version 2). The main case runs the demo against a Hardhat node this test owns, so that after the
// demo has exited (and stopped everything it started) the outcome can be checked on chain independently,
// through the generated ABI: the two valid statements verified with their inclusion paths, the tampered
// one excluded and its fee returned, exactly one lock, the gas figures those of the receipts; then the
// off-chain batch the demo's relay posted (the tampered proof refused by the relay, a post without proofs,
// both statements verified, each deposit debited once). Every process
// the demo starts inherits a marker variable; none may be left once it exits, also when it is
// interrupted with SIGINT or fails at start-up. The demo's explorer answers while it runs and is gone
// once it exits; the proven batch is then checked in the explorer's page in a real Chromium, on the same
// chain (no extra proving).
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPublicClient, http, parseEventLogs, type Address, type Hash, type Hex } from 'viem';
import { probeChainId, spawnNode, type LocalNode } from '../../deploy/devnet/node.js';
import { aggregationMarketAbi } from '../../prover/abi/generated.js';
import type { DemoInclusion, DemoResult } from '../../prover/demo/run.js';
import { loadExplorerConfig, startExplorer, type MarketView } from '../../prover/explorer/index.js';
import { batchOf, slotOf } from '../../prover/protocol/index.js';
import { silentLogger } from '../../prover/relay/log.js';
import { Browser, chromiumAvailable } from '../explorer/helpers/browser.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'demo.ts');
const MARKER = 'NEX_DEMO_TEST_MARKER';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Processes whose environment carries this run's marker (the demo and everything it started). */
function markedProcesses(marker: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`, 'latin1').includes(`${MARKER}=${marker}`)) out.push(Number(e));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return out;
}

async function noneLeft(marker: string, ms = 15_000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = markedProcesses(marker);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** True when something accepts HTTP requests on `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

class DemoRun {
  readonly marker = randomUUID();
  output = '';
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
      cwd: ROOT,
      env: { ...process.env, [MARKER]: this.marker },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (c: Buffer): void => {
      this.output += c.toString();
      if (process.env.NEX_TEST_ECHO === '1') process.stdout.write(c);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async waitOutput(re: RegExp, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!re.test(this.output)) {
      if (this.child.exitCode !== null) throw new Error(`demo exited while waiting for ${re}:\n${this.output.slice(-3_000)}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}:\n${this.output.slice(-3_000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Last resort for a failed test: SIGKILL whatever carries the marker. */
  killAll(): void {
    for (const pid of markedProcesses(this.marker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

describe('[proofs] npm run demo (end to end)', function () {
  this.timeout(45 * 60_000);
  const runs: DemoRun[] = [];
  let dir: string;
  let node: LocalNode | undefined;
  /** The main run's outcome, for the explorer check that follows it. */
  let proven: DemoResult | undefined;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nex-demo-e2e-'));
  });

  after(async () => {
    for (const r of runs) r.killAll();
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with a clear message and leaves nothing behind when its port is taken', async () => {
    node = await spawnNode({ kind: 'hardhat', port: await freePort() });
    const run = new DemoRun(['--port', new URL(node.rpcUrl).port, '--work-dir', path.join(dir, 'busy')]);
    runs.push(run);
    const { code } = await run.exited;
    expect(code, run.output).to.equal(1);
    expect(run.output).to.match(/demo failed: .*already answers/);
    expect(await noneLeft(run.marker)).to.deep.equal([]);
    // The node it refused to reuse is untouched.
    expect(await probeChainId(node.rpcUrl)).to.equal(31337);
  });

  it('both channels: a calldata batch of 2 valid + 1 tampered proofs (one of two keepers locks, verified on L1, the tampered one excluded and refunded), then an off-chain batch through the relay', async () => {
    const rpcUrl = node!.rpcUrl;
    const summaryFile = path.join(dir, 'summary.json');
    const explorerPort = await freePort();
    const run = new DemoRun([
      '--rpc-url',
      rpcUrl,
      '--work-dir',
      path.join(dir, 'main'),
      '--summary-json',
      summaryFile,
      '--timeout-min',
      '30',
      '--explorer-port',
      String(explorerPort),
    ]);
    runs.push(run);
    // The demo's explorer serves the market while the demo runs (it starts right after the deployment).
    const explorerUrl = `http://127.0.0.1:${explorerPort}`;
    await run.waitOutput(new RegExp(`✔ Explorer.*${explorerUrl}`), 15 * 60_000);
    const marketPage = await fetch(`${explorerUrl}/api/market`);
    expect(marketPage.status).to.equal(200);
    expect(((await marketPage.json()) as MarketView).params.batchCapacity).to.equal(4);

    const { code } = await run.exited;
    expect(code, run.output.slice(-5_000)).to.equal(0);
    expect(await noneLeft(run.marker), 'processes left by the demo').to.deep.equal([]);
    expect(await answers(explorerUrl), 'the explorer is stopped with the demo').to.equal(false);
    for (const stage of [
      'Setup',
      'Devnet',
      'Explorer',
      'Relay',
      'Keepers',
      'Registration',
      'Submission',
      'Lock',
      'Proving',
      'Fulfil',
      'Refund',
      'Deposit',
      'Relay check',
      'Off-chain submission',
      'Off-chain lock',
      'Off-chain proving',
      'Off-chain fulfil',
    ]) {
      expect(run.output).to.match(new RegExp(`✔ ${stage}`));
    }
    expect(run.output).to.include('Time per stage');

    const r = JSON.parse(readFileSync(summaryFile, 'utf8')) as DemoResult;
    expect(r.explorerUrl).to.equal(explorerUrl);
    expect(run.output).to.include(`Explorer: ${explorerUrl} (batch ${r.batchId}: ${explorerUrl}/#/batch/${r.batchId};`);
    expect(r.stages.map((s) => s.stage)).to.include.members(['setup', 'devnet', 'registration', 'submission', 'lock', 'proving', 'fulfil']);
    expect(r.capacity).to.equal(4);
    expect(r.keepers.filter((k) => k.locked)).to.have.length(1);
    // The demo followed the locker by its event codes (proof.job.finished), not by the chain alone.
    expect(r.provingJobs.length, "proof jobs seen in the locker's events").to.be.at.least(3);
    expect(r.keepers.find((k) => k.locked)!.provedJobs).to.equal(r.provingJobs.length);
    expect(r.keepers.find((k) => !k.locked)!.provedJobs).to.equal(0);

    // Independently, on the chain the demo used (still running: this test owns the node).
    const client = createPublicClient({ transport: http(rpcUrl) });
    const market = r.market as Address;
    const batchId = BigInt(r.batchId);
    const isVerified = (programId: Hex, publicInputs: Hex[], inclusion?: DemoInclusion): Promise<boolean> =>
      inclusion
        ? client.readContract({
            address: market,
            abi: aggregationMarketAbi,
            functionName: 'isVerified',
            args: [
              programId,
              publicInputs,
              { batchId: BigInt(inclusion.batchId), index: BigInt(inclusion.index), siblings: inclusion.siblings },
            ],
          })
        : client.readContract({ address: market, abi: aggregationMarketAbi, functionName: 'isVerified', args: [programId, publicInputs] });
    const logs = await client.getContractEvents({ address: market, abi: aggregationMarketAbi, fromBlock: 0n });
    const ofBatch = <E extends { args: { batchId?: bigint } }>(events: E[]): E[] => events.filter((e) => e.args.batchId === batchId);

    // Exactly one lock, by one of the demo's keepers, who also fulfilled (getBatch's locker is zero once the lock has ended).
    const locks = ofBatch(parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchLocked', logs }));
    expect(locks, 'exactly one keeper locked').to.have.length(1);
    const locker = locks[0]!.args.prover!;
    expect(r.keepers.map((k) => k.address.toLowerCase())).to.include(locker.toLowerCase());
    expect(r.locker.address.toLowerCase()).to.equal(locker.toLowerCase());
    expect(r.keepers.find((k) => k.locked)!.address.toLowerCase()).to.equal(locker.toLowerCase());
    const fulfils = ofBatch(parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchFulfilled', logs }));
    expect(fulfils).to.have.length(1);
    const fulfilled = fulfils[0]!.args;
    expect(fulfilled.prover!.toLowerCase()).to.equal(locker.toLowerCase());
    expect(BigInt(r.fees.proverEarned)).to.equal(fulfilled.proverFees);
    expect(BigInt(r.fees.protocolFee)).to.equal(fulfilled.protocolFee);

    const valid = r.statements.filter((s) => s.valid);
    const invalid = r.statements.filter((s) => !s.valid);
    expect(valid).to.have.length(2);
    expect(invalid).to.have.length(1);
    expect(new Set(valid.map((s) => s.programId)).size, 'two programs (different circuits)').to.equal(2);
    expect(new Set(valid.map((s) => s.publicInputs.length))).to.deep.equal(new Set([1, 2]));
    for (const s of [...valid, ...invalid])
      expect(batchOf(BigInt(s.submissionId)), `submission ${s.submissionId}'s batch`).to.equal(batchId);

    // Every valid statement verified through its inclusion path in the proven root; a wrong path is refused.
    for (const s of valid) {
      expect(s.state).to.equal('verified');
      expect(s.verifiedOnChain).to.equal(true);
      const inclusion = s.inclusion!;
      expect(inclusion, `statement ${s.submissionId} has an inclusion path`).to.not.equal(undefined);
      expect(BigInt(inclusion.batchId)).to.equal(batchId);
      expect(inclusion.index).to.equal(slotOf(BigInt(s.submissionId)));
      expect(await isVerified(s.programId, s.publicInputs, inclusion), `statement ${s.submissionId} verified`).to.equal(true);
      const otherSlot = { ...inclusion, index: inclusion.index ^ 1 };
      expect(await isVerified(s.programId, s.publicInputs, otherSlot), 'the path at another slot').to.equal(false);
      const otherInputs = s.publicInputs.map((x, i) => (i === 0 ? (`0x${(BigInt(x) + 1n).toString(16).padStart(64, '0')}` as Hex) : x));
      expect(await isVerified(s.programId, otherInputs, inclusion), 'other public inputs on the same path').to.equal(false);
      // The demo records nothing: the path-free read is for recorded statements only.
      expect(await isVerified(s.programId, s.publicInputs)).to.equal(false);
    }

    // The tampered statement: excluded from the proven root (its slot in the mask), verified by no path.
    const bad = invalid[0]!;
    const badSlot = slotOf(BigInt(bad.submissionId));
    expect(bad.state).to.equal('excluded');
    expect(bad.verifiedOnChain).to.equal(false);
    expect(bad.inclusion).to.equal(undefined);
    expect(fulfilled.excludedMask, 'exactly the tampered slot excluded').to.equal(1n << BigInt(badSlot));
    expect(await isVerified(bad.programId, bad.publicInputs)).to.equal(false);
    for (const s of valid) {
      expect(
        await isVerified(bad.programId, bad.publicInputs, { ...s.inclusion!, index: badSlot }),
        'the tampered slot under the proven root',
      ).to.equal(false);
    }

    // Its fee went back to its payer at fulfilment (to earnings, calldata channel), and the payer claimed it.
    const submitted = ofBatch(parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketSubmitted', logs }));
    const badSubmit = submitted.find((e) => BigInt(badSlot) >= e.args.firstSlot! && BigInt(badSlot) < e.args.firstSlot! + e.args.count!);
    expect(badSubmit, 'the MarketSubmitted event of the tampered slot').to.not.equal(undefined);
    const payer = badSubmit!.args.payer!;
    expect(badSubmit!.args.feePerProof).to.equal(BigInt(bad.fee));
    const returned = ofBatch(parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketFeesReturned', logs }));
    expect(returned, 'one fee return, for the excluded slot').to.have.length(1);
    expect(returned[0]!.args.payer!.toLowerCase()).to.equal(payer.toLowerCase());
    expect(returned[0]!.args.amount).to.equal(BigInt(bad.fee));
    expect(returned[0]!.args.toDeposit).to.equal(false);
    const claims = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketEarningsClaimed', logs }).filter(
      (e) => e.args.account!.toLowerCase() === payer.toLowerCase(),
    );
    expect(claims).to.have.length(1);
    expect(claims[0]!.args.amount).to.equal(BigInt(bad.fee));
    expect(claims[0]!.transactionHash).to.equal(r.refund.txHash);
    expect(r.refund.submissionId).to.equal(bad.submissionId);
    expect(BigInt(r.fees.refunded)).to.equal(BigInt(bad.fee));
    expect(await client.readContract({ address: market, abi: aggregationMarketAbi, functionName: 'earnings', args: [payer] })).to.equal(0n);

    // Gas: the summary's figures are those of the receipts; the per-proof figure is all in (intake + lock + fulfil) / verified.
    const gasOf = async (hash: Hash): Promise<bigint> => (await client.getTransactionReceipt({ hash })).gasUsed;
    const intakeHashes = [...new Set(submitted.map((e) => e.transactionHash))];
    expect(intakeHashes, 'one submit transaction per statement').to.have.length(3);
    const intake = (await Promise.all(intakeHashes.map(gasOf))).reduce((a, b) => a + b, 0n);
    expect(BigInt(r.gas.intake)).to.equal(intake);
    expect(BigInt(r.gas.lock)).to.equal(await gasOf(locks[0]!.transactionHash));
    expect(BigInt(r.gas.fulfil)).to.equal(await gasOf(fulfils[0]!.transactionHash));
    expect(r.gas.verifiedCount).to.equal(2);
    expect(BigInt(r.gas.singleVerify) > 0n).to.equal(true);
    const all = BigInt(r.gas.intake) + BigInt(r.gas.lock) + BigInt(r.gas.fulfil);
    expect(BigInt(r.gas.allInPerProof)).to.equal((all + 1n) / 2n);
    const perProof = BigInt(r.gas.allInPerProof).toLocaleString('en-US');
    const off = r.offchain;
    expect(run.output).to.match(
      new RegExp(`ALL IN per verified proof\\s+${perProof} gas\\s+${BigInt(off.gas.allInPerProof).toLocaleString('en-US')} gas`),
    );

    // The off-chain channel: the relay refused the tampered proof with its bb check, then posted A's and B's
    // statements as one batch; the post carries commitments, not proofs.
    expect(off.refused.reason).to.equal('invalid-proof');
    const offBatch = BigInt(off.batchId);
    expect(offBatch).to.not.equal(batchId);
    const posts = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchPosted', logs });
    expect(posts, 'one off-chain batch posted, by the relay').to.have.length(1);
    const postEvent = posts[0]!;
    expect(postEvent.args.batchId).to.equal(offBatch);
    expect(postEvent.args.requestHashes, "A's and B's requests; the refused one never posted").to.have.length(2);
    expect(postEvent.args.count).to.equal(2n);
    const postTx = await client.getTransaction({ hash: postEvent.transactionHash });
    expect((postTx.input.length - 2) / 2, 'post calldata bytes (one proof alone is 14,656)').to.be.lessThan(14_656);
    expect(BigInt(off.gas.post)).to.equal(await gasOf(postEvent.transactionHash));
    expect(BigInt(off.fees.posterFee) > 0n, 'the relay earns its share').to.equal(true);
    const offLocks = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchLocked', logs }).filter(
      (e) => e.args.batchId === offBatch,
    );
    const offFulfils = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchFulfilled', logs }).filter(
      (e) => e.args.batchId === offBatch,
    );
    expect(offLocks).to.have.length(1);
    expect(offFulfils).to.have.length(1);
    expect(off.locker.address.toLowerCase()).to.equal(offLocks[0]!.args.prover!.toLowerCase());
    expect(offFulfils[0]!.args.excludedMask).to.equal(0n);
    expect(BigInt(off.fees.proverEarned)).to.equal(offFulfils[0]!.args.proverFees);
    expect(BigInt(off.fees.posterFee)).to.equal(offFulfils[0]!.args.posterFee);
    expect(BigInt(off.fees.protocolFee)).to.equal(offFulfils[0]!.args.protocolFee);
    expect(BigInt(off.gas.lock)).to.equal(await gasOf(offLocks[0]!.transactionHash));
    expect(BigInt(off.gas.fulfil)).to.equal(await gasOf(offFulfils[0]!.transactionHash));
    const offAll = BigInt(off.gas.post) + BigInt(off.gas.lock) + BigInt(off.gas.fulfil);
    expect(BigInt(off.gas.allInPerProof)).to.equal((offAll + 1n) / 2n);
    expect(off.statements).to.have.length(2);
    expect(new Set(off.statements.map((s) => s.programId))).to.deep.equal(new Set(valid.map((s) => s.programId)));
    for (const s of off.statements) {
      expect(batchOf(BigInt(s.submissionId))).to.equal(offBatch);
      expect(s.state).to.equal('verified');
      expect(await isVerified(s.programId, s.publicInputs, s.inclusion), `off-chain statement ${s.submissionId}`).to.equal(true);
      expect(await isVerified(s.programId, s.publicInputs, { ...s.inclusion!, index: s.inclusion!.index ^ 1 })).to.equal(false);
    }
    // Each rollup's deposit paid exactly its one verified statement; the refused request charged nothing.
    const deposits = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketDeposited', logs });
    expect(deposits).to.have.length(2);
    for (const d of deposits) {
      const acc = await client.readContract({
        address: market,
        abi: aggregationMarketAbi,
        functionName: 'getAccount',
        args: [d.args.account!],
      });
      expect(acc.balance, `${d.args.account}'s deposit after its one verified statement`).to.equal(
        BigInt(off.deposit) - BigInt(off.statements[0]!.fee),
      );
      expect(acc.nonce, 'one request accepted per rollup').to.equal(1n);
    }
    proven = r;
  });

  it("shows the demo's proven batch in the explorer in Chromium: fulfilled with its transaction and gas, a submission by id, the tampered one excluded", async function () {
    if (!proven) this.skip(); // the demo did not prove its batch (the test above says why)
    if (!chromiumAvailable()) {
      console.log('    (skipped: /usr/bin/chromium is not installed; `apt-get install chromium`, or run .ci/run)');
      this.skip();
    }
    const r = proven!;
    // The demo stopped its own explorer on exit; the chain it proved on is this test's node, still up.
    const config = loadExplorerConfig({
      env: {},
      flags: { deployments: r.deploymentsFile, rpcUrl: node!.rpcUrl, 'listen.port': '0', pollIntervalMs: '300', 'log.level': 'silent' },
    });
    const explorer = await startExplorer(config, { log: silentLogger() });
    const browser = await Browser.launch();
    try {
      const page = browser.page;
      const client = createPublicClient({ transport: http(node!.rpcUrl) });
      const logs = await client.getContractEvents({ address: r.market, abi: aggregationMarketAbi, fromBlock: 0n });
      const fulfil = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchFulfilled', logs }).find(
        (e) => e.args.batchId === BigInt(r.batchId),
      )!;

      await page.goto(explorer.url);
      await page.locator('#market').waitFor();
      await page.locator(`#batches tr[data-batch="${r.batchId}"] [data-state=Fulfilled]`).waitFor();
      await browser.screenshot('demo-market');

      await page.click(`#batches a[href="#/batch/${r.batchId}"]`);
      await page.locator('#batch [data-state=Fulfilled]').waitFor();
      const fulfilText = (await page.locator('#fulfil').textContent()) ?? '';
      expect(fulfilText).to.include(fulfil.transactionHash);
      expect(fulfilText).to.include(`gas${r.gas.fulfil}`);
      expect(fulfilText.toLowerCase()).to.include(r.locker.address.toLowerCase());
      const bad = r.statements.find((s) => !s.valid)!;
      const badSlot = slotOf(BigInt(bad.submissionId));
      expect(await page.locator('#slots [data-status=verified]').count()).to.equal(2);
      expect(await page.locator('#slots [data-status=excluded-refundable]').count()).to.equal(1);
      expect(await page.locator('#slots .slot').nth(badSlot).getAttribute('data-status')).to.equal('excluded-refundable');
      expect(await page.locator('#tree .unit.done').count()).to.be.greaterThan(0);
      await browser.screenshot('demo-batch-fulfilled');

      const search = async (id: string): Promise<string | null> => {
        await page.goto(explorer.url);
        await page.fill('#search input', id);
        await page.click('#search button');
        await page.locator('#submission').waitFor();
        expect(await page.locator('#submission').textContent()).to.include(`#${r.batchId} (Fulfilled)`);
        return page.locator('#submission-status').getAttribute('data-status');
      };
      for (const s of r.statements.filter((x) => x.valid))
        expect(await search(s.submissionId), `submission ${s.submissionId}`).to.equal('verified');
      expect(await search(bad.submissionId)).to.equal('excluded-refundable');
      expect(await page.locator('#submission-status').textContent()).to.match(/excluded: fee refundable/);
      await browser.screenshot('demo-submission-excluded');
    } finally {
      await browser.close();
      await explorer.close();
    }
  });

  it('stops everything it started (its own node, keepers, bb) on Ctrl-C', async () => {
    const port = await freePort();
    const explorerPort = await freePort();
    const run = new DemoRun(['--port', String(port), '--work-dir', path.join(dir, 'interrupted'), '--explorer-port', String(explorerPort)]);
    runs.push(run);
    // Interrupt once the keepers run (the node, the explorer and both keeper process groups exist).
    await run.waitOutput(/✔ Keepers/, 10 * 60_000);
    expect(await answers(`http://127.0.0.1:${explorerPort}/api/market`), 'the explorer runs').to.equal(true);
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code, run.output.slice(-3_000)).to.equal(130);
    expect(run.output).to.include('SIGINT received');
    expect(await noneLeft(run.marker), 'processes left after SIGINT').to.deep.equal([]);
    expect(await probeChainId(`http://127.0.0.1:${port}`, 1_000)).to.equal(undefined);
    expect(await answers(`http://127.0.0.1:${explorerPort}`), 'the explorer is stopped').to.equal(false);
  });
});
