// `npm run demo` end to end: the real script (scripts/demo.ts) as a child process, real proofs on a real
// chain. The main case runs the demo against a Hardhat node this test owns, so that after the demo has
// exited (and stopped everything it started) the outcome can be checked on chain independently: the
// two valid statements verified, the tampered one excluded and refunded, exactly one lock. Every process
// the demo starts inherits a marker variable; none may be left once it exits, also when it is
// interrupted with SIGINT or fails at start-up.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPublicClient, http, parseEventLogs, type Address, type Hex } from 'viem';
import { probeChainId, spawnNode, type LocalNode } from '../../deploy/devnet/node.js';
import { aggregationMarketAbi } from '../../prover/abi/v1.js';
import type { DemoResult } from '../../prover/demo/run.js';

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

  it('posts a batch of 2 valid + 1 tampered proofs; one of two keepers locks; verified on L1; the tampered one refunded', async () => {
    const rpcUrl = node!.rpcUrl;
    const summaryFile = path.join(dir, 'summary.json');
    const run = new DemoRun([
      '--rpc-url',
      rpcUrl,
      '--work-dir',
      path.join(dir, 'main'),
      '--summary-json',
      summaryFile,
      '--timeout-min',
      '30',
    ]);
    runs.push(run);
    const { code } = await run.exited;
    expect(code, run.output.slice(-5_000)).to.equal(0);
    expect(await noneLeft(run.marker), 'processes left by the demo').to.deep.equal([]);
    for (const stage of ['Setup', 'Devnet', 'Keepers', 'Registration', 'Submission', 'Lock', 'Proving', 'Fulfil', 'Refund']) {
      expect(run.output).to.match(new RegExp(`✔ ${stage}`));
    }
    expect(run.output).to.include('Time per stage');

    const r = JSON.parse(readFileSync(summaryFile, 'utf8')) as DemoResult;
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
    const read = <T>(functionName: string, args: unknown[]): Promise<T> =>
      client.readContract({
        address: market,
        abi: aggregationMarketAbi,
        functionName: functionName as never,
        args: args as never,
      }) as Promise<T>;
    const logs = await client.getContractEvents({ address: market, abi: aggregationMarketAbi, fromBlock: 0n });
    const locks = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchLocked', logs }).filter((e) => e.args.batchId === batchId);
    expect(locks, 'exactly one keeper locked').to.have.length(1);
    const locker = locks[0]!.args.prover!;
    expect(r.keepers.map((k) => k.address.toLowerCase())).to.include(locker.toLowerCase());
    expect(r.locker.address.toLowerCase()).to.equal(locker.toLowerCase());
    const fulfils = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchFulfilled', logs }).filter(
      (e) => e.args.batchId === batchId,
    );
    expect(fulfils).to.have.length(1);
    expect(fulfils[0]!.args.prover!.toLowerCase()).to.equal(locker.toLowerCase());

    const valid = r.statements.filter((s) => s.valid);
    const invalid = r.statements.filter((s) => !s.valid);
    expect(valid).to.have.length(2);
    expect(invalid).to.have.length(1);
    expect(new Set(valid.map((s) => s.programId)).size, 'two programs (different circuits)').to.equal(2);
    expect(new Set(valid.map((s) => s.publicInputs.length))).to.deep.equal(new Set([1, 2]));
    for (const s of valid) {
      expect(await read<boolean>('isVerified', [s.programId, s.publicInputs]), `statement ${s.submissionId} verified`).to.equal(true);
      expect(await read<boolean>('isSubmissionVerified', [BigInt(s.submissionId)])).to.equal(true);
    }
    const bad = invalid[0]!;
    expect(await read<boolean>('isVerified', [bad.programId, bad.publicInputs as Hex[]])).to.equal(false);
    expect(await read<boolean>('isRefundable', [BigInt(bad.submissionId)]), 'already refunded').to.equal(false);
    const excluded = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'SubmissionExcluded', logs }).map((e) => e.args.submissionId);
    expect(excluded).to.deep.equal([BigInt(bad.submissionId)]);
    const refunds = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'Refunded', logs });
    expect(refunds).to.have.length(1);
    expect(refunds[0]!.args.submissionId).to.equal(BigInt(bad.submissionId));
    expect(refunds[0]!.args.amount).to.equal(BigInt(bad.fee));
    expect(BigInt(r.fees.refunded)).to.equal(BigInt(bad.fee));
    expect(r.gas.verifiedCount).to.equal(2);
    expect(BigInt(r.gas.singleVerify) > 0n).to.equal(true);
  });

  it('stops everything it started (its own node, keepers, bb) on Ctrl-C', async () => {
    const port = await freePort();
    const run = new DemoRun(['--port', String(port), '--work-dir', path.join(dir, 'interrupted')]);
    runs.push(run);
    // Interrupt once the keepers run (the node and both keeper process groups exist).
    await run.waitOutput(/✔ Keepers/, 10 * 60_000);
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code, run.output.slice(-3_000)).to.equal(130);
    expect(run.output).to.include('SIGINT received');
    expect(await noneLeft(run.marker), 'processes left after SIGINT').to.deep.equal([]);
    expect(await probeChainId(`http://127.0.0.1:${port}`, 1_000)).to.equal(undefined);
  });
});
