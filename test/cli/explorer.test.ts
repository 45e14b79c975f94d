// `nex explorer` as a user runs it (node prover/cli/bin.mjs, its own process) against a devnet (anvil, the
// version-2 contracts with the test-only MockVerifier): options from the explorer's table, exit 2 on a
// configuration it cannot run, exit 1 when the RPC is unreachable, and a served page and API until SIGTERM
// (exit 0).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { getAddress } from 'viem';
import { EXPLORER_OPTIONS, type StatusView } from '../../prover/explorer/index.js';
import { freePort } from '../keeper/helpers/anvil.js';
import { MockDevnet } from '../explorer/helpers/mockDevnet.js';

const BIN = join(import.meta.dirname, '..', '..', 'prover', 'cli', 'bin.mjs');

interface Proc {
  readonly exited: Promise<number>;
  out(): string;
  err(): string;
  /** Resolves with the first JSON log line whose msg is `msg`. */
  line(msg: string): Promise<Record<string, unknown>>;
  kill(): void;
}

function nexExplorer(args: string[], env: Record<string, string> = {}): Proc {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEX_EXPLORER_')));
  const child = spawn(process.execPath, [BIN, 'explorer', ...args], {
    env: { ...clean, NEX_DEBUG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  const find = (msg: string) =>
    out
      .split('\n')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      })
      .find((l) => l?.msg === msg);
  return {
    exited,
    out: () => out,
    err: () => err,
    kill: () => child.kill('SIGTERM'),
    line: async (msg) => {
      let done = false;
      void exited.then(() => (done = true));
      for (;;) {
        const l = find(msg);
        if (l) return l;
        if (done) throw new Error(`nex explorer exited before logging "${msg}": ${out} ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

describe('nex explorer (process)', function () {
  this.timeout(120_000);
  let devnet: MockDevnet;

  before(async () => {
    devnet = await MockDevnet.launch();
  });

  after(async () => {
    await devnet?.stop();
  });

  it('lists every option of the explorer table with its environment variable', async () => {
    const p = nexExplorer(['--help']);
    expect(await p.exited).to.equal(0);
    const help = p.out().replace(/\s+/g, ' ');
    expect(help).to.include('Usage: nex explorer [options]');
    for (const o of EXPLORER_OPTIONS) {
      expect(help, o.key).to.include(` ${o.flag} `);
      expect(help, o.key).to.include(`env: ${o.env}`);
    }
  });

  it('exits 2 with the problems on a configuration it cannot run, 1 when the RPC is unreachable', async () => {
    const bad = nexExplorer(['--port', 'x']);
    expect(await bad.exited).to.equal(2);
    expect(bad.err()).to.include("listen.port (--port): must be a non-negative integer, got 'x'");
    expect(bad.err()).to.include('market: required');
    const port = await freePort();
    const down = nexExplorer(['--market', devnet.market, '--rpc-url', `http://127.0.0.1:${port}`, '--log-level', 'error']);
    expect(await down.exited).to.equal(1);
    const line = JSON.parse(down.out().trim().split('\n').at(-1)!) as { msg: string; error: string };
    expect(line.msg).to.equal('explorer failed to start');
    expect(line.error).to.match(new RegExp(`cannot read the market ${getAddress(devnet.market)} through http://127.0.0.1:${port}`));
  });

  it('serves the page and the API from a deployments file until SIGTERM (exit 0)', async () => {
    await devnet.submit(2);
    const port = await freePort();
    const p = nexExplorer(['--deployments', devnet.deploymentsFile, '--port', String(port)], { NEX_EXPLORER_RPC_URL: devnet.anvil.url });
    try {
      const listening = await p.line('explorer listening');
      expect(listening.url).to.equal(`http://127.0.0.1:${port}`);
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as StatusView;
      expect(status).to.deep.include({ chainId: 31337, market: getAddress(devnet.market) });
      expect(status.rpc.ok).to.equal(true);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).to.include('NEX explorer');
    } finally {
      p.kill();
    }
    expect(await p.exited).to.equal(0);
    await p.line('explorer stopped');
  });
});
