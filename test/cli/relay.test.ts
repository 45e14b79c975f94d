// `nex relay` as a user runs it (node prover/cli/bin.mjs, its own process) against the real version-2
// market on anvil: flags reach the relay, it serves and acknowledges a real request with a receipt anyone
// can verify, stops on SIGTERM with exit code 0; without a key it exits 2.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { getAddress, parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type Receipt, marketDomain, programIdOf, verifyReceipt } from '../../prover/protocol/index.js';
import { Anvil, DEV_KEYS } from '../keeper/helpers/anvil.js';
import { KEYS, tempDir } from '../relay/helpers/relay.js';
import { exampleSet, signSubmission } from '../relay/helpers/requests.js';
import { deployV2Market, type V2Market } from '../relay/helpers/v2Market.js';

const BIN = join(import.meta.dirname, '..', '..', 'prover', 'cli', 'bin.mjs');

interface Proc {
  readonly child: ChildProcess;
  /** Resolves with the first JSON log line whose `msg` is `msg`. */
  line(msg: string): Promise<Record<string, unknown>>;
  readonly exited: Promise<number>;
  stderr(): string;
}

function nexRelay(args: string[], env: Record<string, string>): Proc {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEX_RELAY_')));
  const child = spawn(process.execPath, [BIN, 'relay', ...args], {
    env: { ...clean, NEX_DEBUG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        for (const w of waiters.filter((x) => x.msg === line.msg)) w.resolve(line);
      } catch {
        /* not a log line */
      }
    }
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  return {
    child,
    exited,
    stderr: () => err,
    line: (msg) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => l.msg === msg);
        if (seen) return resolve(seen);
        waiters.push({ msg, resolve });
        void exited.then((code) => reject(new Error(`nex relay exited ${code} before logging "${msg}": ${err}`)));
      }),
  };
}

describe('[proofs] nex relay (a process, against the version-2 market on anvil)', function () {
  this.timeout(300_000);

  // The example proofs (and, on a checkout without a circuit build, the build itself) under their own timeout.
  before(async function () {
    this.timeout(60 * 60_000);
    await exampleSet();
  });
  let anvil: Anvil;
  let v: V2Market;
  let market: Hex;

  before(async () => {
    anvil = await Anvil.launch(tempDir('cli-anvil'));
    v = await deployV2Market(anvil, 10n ** 12n);
    market = v.market;
  });
  after(async () => {
    await anvil?.stop();
  });

  it('serves with the flags it was given, acknowledges a real request, and stops on SIGTERM (exit 0)', async () => {
    const ex = await exampleSet();
    await v.write(DEV_KEYS[1], 'registerProgram', [ex.counter.vkHash, `0x${Buffer.from(ex.counter.vk).toString('hex')}`, 1]);
    const alice = privateKeyToAccount(KEYS.alice);
    await v.write(KEYS.alice, 'deposit', [], parseEther('1'));
    const db = join(tempDir('cli-relay'), 'relay.sqlite');
    const relay = nexRelay(
      [
        '--rpc-url',
        anvil.url,
        '--market',
        v.market,
        '--chain-id',
        '31337',
        '--port',
        '0',
        '--db',
        db,
        '--capacity',
        '4',
        '--max-statements',
        '4',
        '--confirmations',
        '0',
        '--poll-ms',
        '200',
      ],
      { NEX_RELAY_PRIVATE_KEY: KEYS.relay, NEX_RELAY_LOG_LEVEL: 'info', NEX_RELAY_POST_TIMEOUT: '45' },
    );
    try {
      const listening = await relay.line('relay listening');
      const url = listening.url as string;
      expect(listening).to.deep.include({
        chainId: 31337,
        market: getAddress(v.market),
        store: 'sqlite',
        posting: true,
        relay: privateKeyToAccount(KEYS.relay).address,
      });
      const status = (await (await fetch(`${url}/v1/status`)).json()) as Record<string, unknown>;
      // --capacity from a flag, postTimeoutSeconds from the environment.
      expect(status).to.deep.include({
        chainId: 31337,
        market: getAddress(v.market),
        capacity: 4,
        postTimeoutSeconds: 45,
        maxStatementsPerRequest: 4,
      });
      expect((await fetch(`${url}/healthz`)).status).to.equal(200);
      const programId = programIdOf(privateKeyToAccount(DEV_KEYS[1]).address, ex.counter.vkHash);
      const s = await signSubmission({
        account: alice,
        domain: marketDomain(31337, v.market),
        programId,
        statements: ex.counterStatements.slice(0, 1),
        feePerProof: 10n ** 15n,
        nonce: 0n,
        deadline: Math.floor(Date.now() / 1000) + 600,
      });
      const res = await fetch(`${url}/v1/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(s.body),
      });
      expect(res.status).to.equal(201);
      const receipt = (await res.json()) as Receipt;
      expect(receipt).to.deep.include({ requestHash: s.hash, payer: alice.address });
      expect(await verifyReceipt(receipt)).to.equal(true);
    } finally {
      relay.child.kill('SIGTERM');
    }
    expect(await relay.exited).to.equal(0);
    await relay.line('relay stopped');
  });

  it('exits 2 without NEX_RELAY_PRIVATE_KEY, and 1 when the RPC serves another chain', async () => {
    const db = join(tempDir('cli-relay'), 'relay.sqlite');
    const noKey = nexRelay(['--rpc-url', anvil.url, '--market', market, '--db', db], {});
    expect(await noKey.exited).to.equal(2);
    expect((await noKey.line('NEX_RELAY_PRIVATE_KEY must be set to the relay key (32 bytes, 0x-prefixed hex)')).level).to.equal('error');
    const wrong = nexRelay(['--rpc-url', anvil.url, '--market', market, '--db', db, '--chain-id', '1', '--port', '0'], {
      NEX_RELAY_PRIVATE_KEY: KEYS.relay,
    });
    expect(await wrong.exited).to.equal(1);
    expect((await wrong.line('relay failed to start')).error).to.match(/serves chain 31337, not the configured 1/);
  });
});
