// The SDK's off-chain channel against two real relays (`nex relay`, each its own process, real bb
// verification and SQLite) and the real version-2 market on anvil (MockVerifier: nothing is fulfilled here).
// One relay withholds (its posting loop is off), the other posts. Checked: rerouting around the withholder
// posts the statement once; replays to the same relay and to the other relay are never charged twice; the
// calldata fallback runs only after every signed request died, and the dead request cannot be charged after.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { bytesToHex, parseEther, zeroAddress, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  createNexClient,
  getAccount,
  getBatchContents,
  postToRelay,
  relayRequestStatus,
  RelayError,
  signRequest,
  submitOffchain,
  type NexClient,
  type OffchainEvent,
  type Statement,
  postedGroup,
  programIdOf,
  statementDigest,
} from '../../prover/sdk/index.js';
import { Anvil, DEV_KEYS } from '../keeper/helpers/anvil.js';
import { KEYS, tempDir } from '../relay/helpers/relay.js';
import { exampleSet, type ExampleSet } from '../relay/helpers/requests.js';
import { deployV2Market, type V2Market } from '../relay/helpers/v2Market.js';

const BIN = join(import.meta.dirname, '..', '..', 'prover', 'cli', 'bin.mjs');
const FEE = 10n ** 15n;

interface RelayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
}

/** Starts `nex relay` in its own process and resolves with its URL once it listens. */
async function startRelayProcess(anvil: Anvil, market: Hex, key: Hex, posting: boolean): Promise<RelayProcess> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEX_RELAY_')));
  const db = join(tempDir('sdk-relay'), 'relay.sqlite');
  const args = ['relay', '--rpc-url', anvil.url, '--market', market, '--chain-id', '31337', '--port', '0', '--db', db];
  args.push('--capacity', '4', '--max-statements', '4', '--confirmations', '0', '--poll-ms', '100');
  args.push('--post-timeout', '1', '--post-margin', '1', '--min-deadline', '4', posting ? '--posting' : '--no-posting');
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...clean, NEX_DEBUG: '', NEX_RELAY_PRIVATE_KEY: key, NEX_RELAY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const j = JSON.parse(line) as { msg?: string; url?: string };
          if (j.msg === 'relay listening' && j.url) resolve(j.url);
        } catch {
          /* not a log line */
        }
      }
    });
    void exited.then((code) => reject(new Error(`nex relay exited ${code}: ${err}`)));
  });
  return { url, child, exited };
}

describe('[proofs] SDK off-chain channel with two relay processes (version-2 market on anvil)', function () {
  this.timeout(600_000);

  // The example proofs (and, on a checkout without a circuit build, the build itself) under their own timeout.
  before(async function () {
    this.timeout(60 * 60_000);
    await exampleSet();
  });
  let anvil: Anvil;
  let v: V2Market;
  let ex: ExampleSet;
  let programId: Hex;
  let poster: RelayProcess;
  let withholder: RelayProcess;
  let client: NexClient;
  const payer = privateKeyToAccount(KEYS.carol).address;
  const statement = (i: number): Statement => ({
    programId,
    publicInputs: ex.counterStatements[i]!.publicInputs,
    proof: bytesToHex(ex.counterStatements[i]!.proof),
  });

  before(async () => {
    ex = await exampleSet();
    // One block a second: chain time follows the clock, so request deadlines pass on their own.
    anvil = await Anvil.launch(tempDir('sdk-anvil'), ['--block-time', '1']);
    v = await deployV2Market(anvil, 10n ** 12n);
    await v.write(DEV_KEYS[1], 'registerProgram', [ex.counter.vkHash, bytesToHex(ex.counter.vk), 1]);
    programId = programIdOf(privateKeyToAccount(DEV_KEYS[1]).address, ex.counter.vkHash);
    poster = await startRelayProcess(anvil, v.market, KEYS.relay, true);
    withholder = await startRelayProcess(anvil, v.market, KEYS.otherRelay, false);
    client = await createNexClient({
      rpcUrl: anvil.url,
      privateKey: KEYS.carol,
      addresses: { market: v.market, router: v.router, staking: zeroAddress, token: zeroAddress },
      pollingIntervalMs: 200,
    });
    await v.write(KEYS.carol, 'deposit', [], parseEther('1'));
  });

  after(async () => {
    for (const r of [poster, withholder]) {
      if (!r) continue;
      r.child.kill('SIGTERM');
      await r.exited;
    }
    await anvil?.stop();
  });

  it('routes around a relay that withholds: the other relay posts the statement once', async () => {
    const before = await getAccount(client);
    const events: OffchainEvent[] = [];
    const r = await submitOffchain(client, {
      relays: ['http://127.0.0.1:9', withholder.url, poster.url],
      statements: [statement(0)],
      feePerProof: FEE,
      relayTimeoutMs: 3_000,
      onEvent: (e) => events.push(e),
    });
    expect(events.map((e) => e.kind)).to.deep.equal(['relay-unhealthy', 'relay-accepted', 'relay-timeout', 'relay-accepted', 'posted']);
    expect(r.channel).to.equal('offchain');
    expect(r.receipts.map((x) => x.relay)).to.deep.equal([
      privateKeyToAccount(KEYS.otherRelay).address,
      privateKeyToAccount(KEYS.relay).address,
    ]);
    // Both signed requests carry the same nonce: only one can ever be accepted.
    expect(r.requests.map((x) => x.request.nonce)).to.deep.equal([before.nonce, before.nonce]);
    expect(r.requestHash).to.equal(r.requests[1]!.requestHash);
    const after = await getAccount(client);
    expect(after.nonce).to.equal(before.nonce + 1n);
    expect(before.balance - after.balance).to.equal(FEE);
    const contents = await getBatchContents(client, r.statements[0]!.batchId);
    expect(contents.digests).to.deep.equal([statementDigest(programId, statement(0).publicInputs)]);
    // The withheld request is dead: the withholder's copy can no longer be posted by anyone.
    const posted = await v.write(DEV_KEYS[2], 'postBatch', [
      [postedGroup(r.requests[0]!.request, r.requests[0]!.signature)],
      [...r.requests[0]!.digests],
    ]);
    expect(posted).to.match(/^0x/);
    expect(await getAccount(client)).to.deep.equal(after);
  });

  it('a replay to the same relay or to another relay is never charged twice', async () => {
    const before = await getAccount(client);
    const deadline = Math.floor(Date.now() / 1000) + 600;
    const st = statement(1);
    const signed = await signRequest(client, {
      programId,
      publicInputs: [st.publicInputs],
      feePerProof: FEE,
      nonce: before.nonce,
      deadline,
    });
    const first = await postToRelay(poster.url, signed, [st.proof], [st.publicInputs]);
    const again = await postToRelay(poster.url, signed, [st.proof], [st.publicInputs]);
    expect(again).to.deep.equal(first); // idempotent: the same receipt
    for (let i = 0; i < 200 && (await relayRequestStatus(poster.url, signed.requestHash, payer))?.status !== 'posted'; i++) {
      await new Promise((res) => setTimeout(res, 100));
    }
    expect((await relayRequestStatus(poster.url, signed.requestHash, payer))?.status).to.equal('posted');
    // To the other relay after it was posted: refused (its nonce is used).
    const err = await postToRelay(withholder.url, signed, [st.proof], [st.publicInputs]).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RelayError);
    expect((err as RelayError).reason).to.equal('nonce-used');
    // Posting it on chain again: the market skips it (stale nonce).
    await v.write(DEV_KEYS[2], 'postBatch', [[postedGroup(signed.request, signed.signature)], [...signed.digests]]);
    const after = await getAccount(client);
    expect(before.balance - after.balance).to.equal(FEE);
    expect(after.nonce).to.equal(before.nonce + 1n);
  });

  it('falls back to calldata only after the withheld request died, which then cannot be charged', async () => {
    const before = await getAccount(client);
    const events: OffchainEvent[] = [];
    const r = await submitOffchain(client, {
      relays: [withholder.url],
      statements: [statement(2)],
      feePerProof: FEE,
      deadlineSec: 6,
      relayTimeoutMs: 1_000,
      onEvent: (e) => events.push(e),
    });
    expect(events.map((e) => e.kind)).to.deep.equal(['relay-accepted', 'relay-timeout', 'fallback']);
    expect(r.channel).to.equal('calldata');
    expect(r.statements[0]!.digest).to.equal(statementDigest(programId, statement(2).publicInputs));
    const dead = r.requests[0]!;
    expect(Number((await client.public.getBlock()).timestamp)).to.be.greaterThan(dead.request.deadline);
    await v.write(DEV_KEYS[2], 'postBatch', [[postedGroup(dead.request, dead.signature)], [...dead.digests]]);
    // Paid once, on calldata (the deposit is untouched and the nonce unused).
    expect(await getAccount(client)).to.deep.equal(before);
    expect((await relayRequestStatus(withholder.url, dead.requestHash, payer))?.status).to.be.oneOf(['accepted', 'expired']);
  });
});
