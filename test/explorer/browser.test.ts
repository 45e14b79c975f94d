// The explorer's page in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core) on a
// devnet: the page loads, a batch goes from open to fulfilled live, a submission is found by its id, an
// excluded one is shown as refundable, bad input and an RPC outage show clear messages. Screenshots of those
// states go to .nex/screenshots/.
//
// By default it launches its own devnet (anvil, the version-2 contracts with the test-only MockVerifier) and
// drives the batch itself. With NEX_EXPLORER_E2E_RPC_URL and NEX_EXPLORER_E2E_DEPLOYMENTS it uses an existing
// devnet instead (e.g. one where the real-proof tests fulfilled a batch): it then checks the page on the
// latest fulfilled batch it finds and skips the steps that drive the chain.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { loadExplorerConfig, startExplorer, type MarketView, type RunningExplorer } from '../../prover/explorer/index.js';
import { silentLogger } from '../../prover/relay/log.js';
import { Browser, chromiumAvailable } from './helpers/browser.js';
import { MockDevnet } from './helpers/mockDevnet.js';

const EXISTING_RPC = process.env.NEX_EXPLORER_E2E_RPC_URL;
const EXISTING_DEPLOYMENTS = process.env.NEX_EXPLORER_E2E_DEPLOYMENTS;
const existing = EXISTING_RPC !== undefined && EXISTING_DEPLOYMENTS !== undefined;

describe('explorer page in Chromium on a devnet', function () {
  this.timeout(180_000);
  let devnet: MockDevnet | undefined;
  let explorer: RunningExplorer;
  let browser: Browser;
  let page: Page;
  let batchId = '';
  let excludedSubmission = '';

  const visit = async (route: string): Promise<void> => {
    await page.goto(`${explorer.url}/${route}`);
  };
  const alertText = async (): Promise<string> => (await page.locator('main [role=alert]').first().textContent({ timeout: 10_000 })) ?? '';

  before(async function () {
    if (!chromiumAvailable()) {
      // CI installs Debian's chromium (.ci/run); a workstation without it is told so.
      console.log('    (skipped: /usr/bin/chromium is not installed; `apt-get install chromium`, or run .ci/run)');
      this.skip();
    }
    let rpcUrl: string;
    let deployments: string;
    if (existing) {
      rpcUrl = EXISTING_RPC;
      deployments = EXISTING_DEPLOYMENTS;
    } else {
      devnet = await MockDevnet.launch();
      rpcUrl = devnet.anvil.url;
      deployments = devnet.deploymentsFile;
    }
    const config = loadExplorerConfig({
      env: {},
      flags: { deployments, rpcUrl, 'listen.port': '0', pollIntervalMs: '300', 'log.level': 'silent' },
    });
    explorer = await startExplorer(config, { log: silentLogger() });
    browser = await Browser.launch();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await explorer?.close();
    await devnet?.stop();
  });

  it('loads the market page: verifier version, state, status bar', async () => {
    await visit('');
    await page.locator('#market').waitFor();
    expect(await page.locator('#version').textContent()).to.match(/v\d+ active/);
    expect(await page.locator('#statusbar').textContent()).to.match(/chain \d+.*RPC up/);
    await browser.screenshot('market-empty');
  });

  it('shows a batch going from open to fulfilled, live, with an excluded slot refundable', async function () {
    if (!devnet) {
      // An existing devnet: the latest fulfilled batch.
      const m = (await (await fetch(`${explorer.url}/api/market`)).json()) as MarketView;
      const done = m.batches.find((b) => b.state === 'Fulfilled');
      if (!done) this.skip();
      batchId = done!.id;
      await visit(`#/batch/${batchId}`);
      await page.locator('#batch [data-state=Fulfilled]').waitFor();
      await page.locator('#fulfil').waitFor();
      await browser.screenshot('batch-fulfilled');
      return;
    }
    const subs = await devnet.submit(5);
    batchId = subs[0]!.batchId.toString();
    excludedSubmission = subs[3]!.submissionId.toString();
    await visit('');
    await page.locator(`#batches tr[data-batch="${batchId}"] [data-state=Open]`).waitFor();
    expect(await page.locator(`#batches tr[data-batch="${batchId}"] .countdown`).textContent()).to.match(/sealable in \d/);
    await page.locator('#batches-chart canvas').waitFor();
    await browser.screenshot('market-open-batch');

    await page.click(`#batches a[href="#/batch/${batchId}"]`);
    await page.locator('#batch [data-state=Open]').waitFor();
    expect(await page.locator('#slots [data-status=pending]').count()).to.equal(5);
    expect(await page.locator('#slots [data-status=empty]').count()).to.equal(3);
    await browser.screenshot('batch-open');

    // The page follows the chain without a reload.
    await devnet.seal(subs[0]!.batchId);
    await page.locator('#batch [data-state=Sealed]').waitFor();
    await devnet.lock(subs[0]!.batchId);
    await page.locator('#batch [data-state=Locked]').waitFor();
    expect(await page.locator('#batch').textContent()).to.match(/lock deadline in \d/);
    await browser.screenshot('batch-locked');
    await devnet.fulfil(subs[0]!.batchId, 1n << 3n);
    await page.locator('#batch [data-state=Fulfilled]').waitFor();
    await page.locator('#cost-chart canvas').waitFor();
    expect(await page.locator('#slots [data-status=verified]').count()).to.equal(4);
    expect(await page.locator('#slots [data-status=excluded-refundable]').count()).to.equal(1);
    expect(await page.locator('#slots .slot').nth(3).textContent()).to.match(/excluded: fee refundable/);
    expect(await page.locator('#fulfil').textContent()).to.match(/gas\d+/);
    expect(await page.locator('#cost').textContent()).to.match(/gas per included statement .* saved/);
    expect(await page.locator('#tree .unit.done').count()).to.be.greaterThan(0);
    await browser.screenshot('batch-fulfilled');
  });

  it('finds a submission by its id and shows the excluded one as refundable', async function () {
    if (!devnet) {
      // An existing devnet: the first statement of its latest fulfilled batch.
      if (!batchId) this.skip();
      await visit('');
      await page.fill('#search input', (BigInt(batchId) * 64n).toString());
      await page.click('#search button');
      await page.locator('#submission').waitFor();
      expect(await page.locator('#submission-status').getAttribute('data-status')).to.match(
        /^(verified|excluded-refundable|excluded-returned)$/,
      );
      expect(await page.locator('#submission').textContent()).to.include(`#${batchId} (Fulfilled)`);
      return;
    }
    await visit('');
    await page.fill('#search input', excludedSubmission);
    await page.click('#search button');
    await page.locator('#submission').waitFor();
    expect(await page.locator('#submission-status').getAttribute('data-status')).to.equal('excluded-refundable');
    expect(await page.locator('#submission-status').textContent()).to.match(/excluded: fee refundable/);
    expect(await page.locator('#submission').textContent()).to.include(`#${batchId} (Fulfilled)`);
    await browser.screenshot('submission-excluded');
  });

  it('lists the provers with their stake chart and opens one', async () => {
    await visit('#/provers');
    await page.locator('#provers-table').waitFor();
    await page.locator('#stake-chart canvas').waitFor();
    const rows = page.locator('#provers-table tbody tr');
    expect(await rows.count()).to.be.greaterThan(0);
    await rows.first().locator('a').click();
    await page.locator('#prover').waitFor();
    expect(await page.locator('#prover').textContent()).to.match(/on-time rate/);
    await browser.screenshot('provers');
  });

  it("opens a program from a batch's groups, with its statements", async function () {
    if (!batchId) this.skip();
    await visit(`#/batch/${batchId}`);
    await page.locator('#batch').waitFor();
    await page.locator('#batch a[href^="#/program/"]').first().click();
    await page.locator('#program').waitFor();
    expect(await page.locator('#statements tbody tr').count()).to.be.greaterThan(0);
    expect(await page.locator('#program').textContent()).to.match(/verification key hash/);
  });

  it('shows clear messages for bad input, never a blank page', async () => {
    await visit('#/batch/abc');
    expect(await alertText()).to.match(/Not a valid id.*'abc' is not a batch id/);
    await visit('#/batch/987654');
    expect(await alertText()).to.match(/Not found.*No batch 987654/);
    await visit('#/prover/0xnothex');
    expect(await alertText()).to.match(/Not a valid address.*not an address/);
    await visit(`#/program/0x${'42'.repeat(32)}`);
    expect(await alertText()).to.match(/Not found.*No program/);
    await visit('#/nowhere');
    expect(await alertText()).to.match(/There is no page/);
    await visit('');
    await page.fill('#search input', 'hello');
    await page.click('#search button');
    expect(await page.locator('#search [role=alert]').textContent()).to.match(/Cannot search for that.*'hello' is neither a number/);
    await browser.screenshot('bad-input');
  });

  it('says the chain is down while the RPC is unreachable, and recovers', async function () {
    if (!devnet) this.skip();
    await visit('');
    await page.locator('#market').waitFor();
    await devnet.anvil.stop();
    try {
      await page.locator('#rpc-banner').waitFor({ timeout: 20_000 });
      expect(await page.locator('#rpc-banner').textContent()).to.match(/The chain is not answering.*The RPC failed.*retries/);
      expect(await page.locator('#statusbar').textContent()).to.include('RPC down');
      await visit(`#/batch/${batchId}`);
      expect(await alertText()).to.match(/The chain is not answering.*RPC is not answering/);
      await browser.screenshot('rpc-down');
    } finally {
      await devnet.anvil.start();
    }
    await page.locator('#rpc-banner').waitFor({ state: 'detached', timeout: 20_000 });
    await visit(`#/batch/${batchId}`);
    await page.locator('#batch [data-state=Fulfilled]').waitFor();
  });
});
