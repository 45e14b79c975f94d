// The demo follows its keepers by their typed event codes, never by message text. Here two stand-in
// keeper processes (a tiny script in place of `nex keeper run`) print log lines made by the keeper's
// own logger and event vocabulary, with every `msg` reworded: the demo must still see the keepers
// ready, follow the locker's proof jobs to `batch.proven`, and tell why the other did not lock.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Hex } from 'viem';
import { KeeperEvents, type KeeperEventFields, type KeeperEventName } from '../../prover/keeper/index.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import type { DemoChain } from '../../prover/demo/chain.js';
import { followProving, lockRefusal } from '../../prover/demo/follow.js';
import { KeeperProcess } from '../../prover/demo/keeperProcess.js';
import { DemoKeepers } from '../../prover/demo/keepers.js';

const FAKE_BIN = `
import { readFileSync } from 'node:fs';
const script = JSON.parse(readFileSync(process.env.NEX_KEEPER_DATA_DIR + '/script.json', 'utf8'));
process.on('SIGTERM', () => process.exit(0));
for (const { afterMs, line } of script) {
  await new Promise((r) => setTimeout(r, afterMs));
  process.stdout.write(line + '\\n');
}
setInterval(() => {}, 1000);
`;

/** Log lines as the keeper writes them (its logger, its events), each msg replaced by other text. */
function script(steps: { afterMs: number; event: KeeperEventName; fields: object }[]): { afterMs: number; line: string }[] {
  const out: { afterMs: number; line: string }[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (l) => out.push({ afterMs: 0, line: l }) });
  const events = new KeeperEvents();
  for (const s of steps) {
    events.emit(log, s.event, s.fields as KeeperEventFields[typeof s.event]);
    const last = out.at(-1)!;
    last.afterMs = s.afterMs;
    last.line = JSON.stringify({ ...JSON.parse(last.line), msg: `reworded ${Math.random()}` });
  }
  return out;
}

describe('demo: following keepers by event code', function () {
  this.timeout(60_000);
  const root = mkdtempSync(path.join(tmpdir(), 'nex-demo-follow-'));
  mkdirSync(path.join(root, 'prover', 'cli'), { recursive: true });
  writeFileSync(path.join(root, 'prover', 'cli', 'bin.mjs'), FAKE_BIN);
  const keepers: KeeperProcess[] = [];
  after(async () => {
    for (const k of keepers) await k.stop(2_000);
  });

  const start = (name: string, steps: Parameters<typeof script>[0]): KeeperProcess => {
    const dataDir = path.join(root, name);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'script.json'), JSON.stringify(script(steps)));
    const k = new KeeperProcess({
      name,
      root,
      privateKey: `0x${'11'.repeat(32)}`,
      rpcUrl: 'http://127.0.0.1:1',
      deploymentsFile: '/nonexistent',
      dataDir,
    });
    k.start();
    keepers.push(k);
    return k;
  };

  it("sees both keepers ready, follows the locker to batch.proven, and reads the other one's refusal", async () => {
    const ready = {
      chainId: 31337,
      market: '0x1',
      staking: '0x2',
      account: '0x3',
      prover: '0x3',
      listenOnly: false,
      dataDir: '/d',
      capacity: 1,
    };
    const locker = start('keeper-1', [
      { afterMs: 0, event: 'keeper.ready', fields: ready },
      { afterMs: 1_500, event: 'proof.job.started', fields: { batchId: 1n, job: 'leaf-0', circuit: 'leaf1', height: 0, levels: 2 } },
      {
        afterMs: 50,
        event: 'proof.job.finished',
        fields: { batchId: 1n, job: 'leaf-0', circuit: 'leaf1', ms: 1_500, seconds: 1.5, done: 1, total: 2, fromCheckpoint: false },
      },
      {
        afterMs: 50,
        event: 'proof.job.finished',
        fields: { batchId: 9n, job: 'leaf-0', circuit: 'leaf2', ms: 7, seconds: 0, done: 1, total: 1, fromCheckpoint: false },
      },
      {
        afterMs: 50,
        event: 'proof.job.finished',
        fields: { batchId: 1n, job: 'node-1', circuit: 'node', ms: 2_500, seconds: 2.5, done: 2, total: 2, fromCheckpoint: false },
      },
      { afterMs: 50, event: 'batch.proven', fields: { batchId: 1n, seconds: 4, excludedSlots: [2], excludedMask: 4 } },
    ]);
    const other = start('keeper-2', [
      { afterMs: 0, event: 'keeper.ready', fields: ready },
      {
        afterMs: 0,
        event: 'batch.decided',
        fields: { batchId: 1n, decision: 'wait', reason: 'assigned to 0xA until 100', listenOnly: false },
      },
      { afterMs: 0, event: 'tx.not-sent', fields: { purpose: 'lock', batchId: 1n, reason: 'reverted: MarketBatchNotSealed(1)' } },
      { afterMs: 0, event: 'tx.not-sent', fields: { purpose: 'seal', batchId: 2n, reason: 'not this one' } },
    ]);
    const actor = (address: Hex) => ({ address, privateKey: '0x' as Hex, client: {} as never });
    const demoKeepers = new DemoKeepers([
      { keeper: locker, operator: actor('0x00000000000000000000000000000000000000aa') },
      { keeper: other, operator: actor('0x00000000000000000000000000000000000000bb') },
    ]);
    await demoKeepers.ready(20_000);
    expect(demoKeepers.keeperOf('0x00000000000000000000000000000000000000AA')).to.equal(locker);

    // The chain says "locked" until the keeper's event arrives (the demo stops on batch.proven).
    const reads: string[] = [];
    const chain = {
      reader: {
        addresses: { market: '0x00000000000000000000000000000000000000cc' },
        public: {
          readContract: async ({ functionName }: { functionName: string }) => {
            reads.push(functionName);
            return functionName === 'getBatch'
              ? { state: 3, capacity: 4, count: 3, locker: '0x00000000000000000000000000000000000000aa' }
              : 0n;
          },
        },
      },
    } as unknown as DemoChain;
    const updates: [string, number | undefined][] = [];
    const jobs = await followProving(chain, demoKeepers, locker, 1n, 20_000, (d, f) => updates.push([d, f]));
    expect(jobs).to.deep.equal([
      { circuit: 'leaf1', ms: 1_500 },
      { circuit: 'node', ms: 2_500 },
    ]);
    expect(updates).to.deep.equal([
      ['proving leaf1 (job leaf-0)…', undefined],
      ['leaf1 done (1/2)', 0.5],
      ['node done (2/2)', 1],
    ]);
    expect(reads).to.include('getBatch'); // it polled the chain while waiting

    expect(lockRefusal(other, 1n)).to.equal('reverted: MarketBatchNotSealed(1)');
    expect(lockRefusal(other, 2n)).to.equal(undefined);
    expect(lockRefusal(locker, 1n)).to.equal(undefined);
    expect(other.lines.every((l) => l.msg.startsWith('reworded'))).to.equal(true);
  });
});
