// kill -9 of a relay process in the middle of a stream of requests, then a restart on the same store:
// every acknowledged request is still there with the receipt it was acknowledged with, nothing is
// acknowledged twice (a resubmission gets the stored receipt, 200), nothing is stored twice. The relay is
// the real process entry (main.ts) with real bb, SQLite and HTTP; the chain is the FakeMarket double.
import { expect } from 'chai';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { marketDomain } from '../../prover/protocol/index.js';
import { requestIdOf } from '../../prover/relay/store/types.js';
import { freePort } from '../keeper/helpers/anvil.js';
import { programToJson } from './helpers/fakeMarket.js';
import { KEYS, relayAccount, tempDir } from './helpers/relay.js';
import { RelayProc } from './helpers/relayProc.js';
import { exampleSet, signSubmission, type SubmissionBody } from './helpers/requests.js';

const MARKET = '0x00000000000000000000000000000000000A11cE';
const CHAIN_ID = 31337;

interface Sent {
  readonly id: string;
  readonly hash: Hex;
  readonly payer: string;
  readonly body: SubmissionBody;
}

describe('[proofs] relay process: kill -9 and restart', function () {
  this.timeout(300_000);

  // The example proofs (and, on a checkout without a circuit build, the build itself) under their own timeout.
  before(async function () {
    this.timeout(60 * 60_000);
    await exampleSet();
  });

  it('loses nothing it acknowledged and acknowledges nothing twice', async () => {
    const ex = await exampleSet();
    const payers = [KEYS.alice, KEYS.bob, KEYS.carol].map((k) => privateKeyToAccount(k));
    const domain = marketDomain(CHAIN_ID, MARKET);
    const deadline = Math.floor(Date.now() / 1000) + 1800;
    const sent: Sent[] = [];
    for (let i = 0; i < 36; i++) {
      const account = payers[i % 3]!;
      const count = 1 + (i % 2);
      const statements = Array.from({ length: count }, (_, j) => ex.counterStatements[(i + j) % ex.counterStatements.length]!);
      const s = await signSubmission({
        account,
        domain,
        programId: ex.counter.programId,
        statements,
        feePerProof: 10n ** 12n,
        nonce: BigInt(Math.floor(i / 3)),
        deadline,
      });
      sent.push({ id: requestIdOf(s.hash, account.address), hash: s.hash, payer: account.address, body: s.body });
    }

    const dir = tempDir('crash');
    const db = join(dir, 'relay.sqlite');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      NEX_RELAY_PRIVATE_KEY: KEYS.relay,
      NEX_RELAY_RPC_URL: 'http://127.0.0.1:9',
      NEX_RELAY_MARKET_ADDRESS: MARKET,
      NEX_RELAY_CHAIN_ID: String(CHAIN_ID),
      NEX_RELAY_PORT: String(port),
      NEX_RELAY_DB: db,
      NEX_RELAY_CAPACITY: '64',
      NEX_RELAY_POST_TIMEOUT: '3000',
      NEX_RELAY_DEADLINE_HORIZON: '7200',
      NEX_RELAY_POLL_MS: '200',
      NEX_RELAY_LOG_LEVEL: 'info',
      NEX_RELAY_TEST_CHAIN: JSON.stringify({
        programs: [programToJson(ex.counter)],
        deposits: payers.map((p) => ({ payer: p.address, amount: parseEther('10').toString() })),
      }),
    };
    const submit = async (s: Sent) => {
      const res = await fetch(`${url}/v1/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(s.body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    const relay = new RelayProc(env);
    relay.start();
    await relay.waitLog((l) => l.msg === 'relay listening', 60_000, 'the relay to listen');

    // Four submitters in parallel; kill -9 as soon as 12 requests are acknowledged, requests in flight.
    const acked = new Map<string, Record<string, unknown>>();
    let next = 0;
    let inFlightAtKill = 0;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      while (next < sent.length && !killed) {
        const s = sent[next++]!;
        try {
          const res = await submit(s);
          if (res.status === 201) acked.set(s.id, res.body);
          else throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
        } catch (err) {
          if (!killed) throw err;
          inFlightAtKill++;
          return;
        }
        if (acked.size >= 12 && !killed) killed = relay.kill9();
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await killed;
    expect(relay.running).to.equal(false);
    const ackedBeforeKill = acked.size;
    expect(ackedBeforeKill).to.be.within(12, 16);
    // The kill cut requests off mid-flight (their fetch failed): unacknowledged, maybe persisted.
    expect(inFlightAtKill).to.be.at.least(1);

    const restarted = new RelayProc(env);
    restarted.start();
    await restarted.waitLog((l) => l.msg === 'relay listening', 60_000, 'the restarted relay to listen');
    try {
      // Every acknowledged request is there, with its receipt.
      for (const [id, receipt] of acked) {
        const s = sent.find((x) => x.id === id)!;
        const res = await fetch(`${url}/v1/requests/${s.hash}?payer=${s.payer}`);
        expect(res.status).to.equal(200);
        const view = (await res.json()) as { status: string; receipt: unknown };
        expect(view.status).to.equal('accepted');
        expect(view.receipt).to.deep.equal(receipt);
      }
      // Everything is submitted again: acknowledged ones get the same receipt (200), the rest are accepted once.
      let created = 0;
      let replayed = 0;
      for (const s of sent) {
        const res = await submit(s);
        expect([200, 201], JSON.stringify(res.body)).to.include(res.status);
        if (acked.has(s.id)) {
          expect(res.status).to.equal(200);
          expect(res.body).to.deep.equal(acked.get(s.id));
        }
        if (res.status === 201) created++;
        else replayed++;
      }
      expect(created + replayed).to.equal(sent.length);
      expect(replayed).to.be.at.least(ackedBeforeKill);
      // Persisted but unacknowledged ones (killed between the commit and the answer) also answer 200.
      expect(replayed - ackedBeforeKill).to.be.at.most(inFlightAtKill);
      // A third round changes nothing.
      for (const s of sent.slice(0, 6)) expect((await submit(s)).status).to.equal(200);
    } finally {
      expect(await restarted.stop()).to.equal(0);
    }
    expect(restarted.lines.some((l) => l.msg === 'relay stopped')).to.equal(true);

    const raw = new DatabaseSync(db, { readOnly: true });
    try {
      expect(raw.prepare('PRAGMA integrity_check').get()).to.deep.equal({ integrity_check: 'ok' });
      const rows = raw.prepare('SELECT id, status FROM relay_requests').all() as { id: string; status: string }[];
      expect(rows.length).to.equal(sent.length);
      expect(new Set(rows.map((r) => r.id))).to.deep.equal(new Set(sent.map((s) => s.id)));
      expect(rows.every((r) => r.status === 'accepted')).to.equal(true);
      const statements = raw.prepare('SELECT COUNT(*) AS n FROM relay_statements').get() as { n: number };
      expect(statements.n).to.equal(sent.reduce((n, s) => n + s.body.statements.length, 0));
      const meta = raw.prepare("SELECT value FROM relay_meta WHERE key = 'relay'").get() as { value: string };
      expect(meta.value).to.equal(relayAccount.address.toLowerCase());
    } finally {
      raw.close();
    }
  });

  it('exits 2 on an invalid configuration and on a missing key', async () => {
    const bad = new RelayProc({ NEX_RELAY_MARKET_ADDRESS: 'nope', NEX_RELAY_RPC_URL: 'http://127.0.0.1:9' });
    bad.start();
    while (bad.running) await new Promise((r) => setTimeout(r, 50));
    expect(await bad.stop()).to.equal(2);
    expect(bad.stderr.join('\n')).to.match(/marketAddress \(NEX_RELAY_MARKET_ADDRESS\): expected a 0x-prefixed 20-byte address/);
    const keyless = new RelayProc({
      NEX_RELAY_MARKET_ADDRESS: MARKET,
      NEX_RELAY_RPC_URL: 'http://127.0.0.1:9',
      NEX_RELAY_PRIVATE_KEY: '',
      NEX_RELAY_DB: join(tempDir('crash'), 'x.sqlite'),
    });
    keyless.start();
    while (keyless.running) await new Promise((r) => setTimeout(r, 50));
    expect(await keyless.stop()).to.equal(2);
    expect(keyless.lines.some((l) => /NEX_RELAY_PRIVATE_KEY must be set/.test(l.msg))).to.equal(true);
  });
});
