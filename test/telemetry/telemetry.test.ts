// The shared observability primitives (prover/telemetry: pino logs with redaction, the cli-progress line) and
// what is built on them: the keeper's and the engine's loggers, its metrics (prom-client), the SRS, demo
// and keeper progress printers.
import { expect } from 'chai';
import { createProgress } from '../../prover/demo/progress.js';
import { jsonLogger } from '../../prover/engine/logger.js';
import { progressReporter as srsProgress } from '../../prover/toolchain/srs/progress.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { Metrics } from '../../prover/keeper/obs/metrics.js';
import { KeeperEvents } from '../../prover/keeper/obs/events.js';
import { progressReporter as keeperProgress } from '../../prover/keeper/obs/progress.js';
import { createLogCore, progressLine, redactUrl, redactUrlCredentials } from '../../prover/telemetry/index.js';

const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stream double: what was written, and whether it claims to be a terminal. */
function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join(''), isTTY, columns: 120, write: (t: string) => chunks.push(t) > 0 };
}

describe('obs: logs (pino)', () => {
  it('writes one JSON object per line with level, ISO time, component and msg, filtered by level', () => {
    const lines: string[] = [];
    const log = createLogCore({ level: 'info', component: 'c', write: (l) => lines.push(l) });
    log.log('debug', 'hidden');
    log.log('info', 'plain');
    log.child('sub').log('warn', 'with fields', {
      n: 10n ** 30n,
      nested: { big: 1n, list: [2n] },
      err: new Error('boom\nsecond line'),
      level: 7,
      msg: 'x',
    });
    expect(lines).to.have.length(2);
    const [a, b] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).to.deep.equal({ level: 'info', time: a!.time, component: 'c', msg: 'plain' });
    expect(new Date(a!.time as string).toISOString()).to.equal(a!.time);
    expect(b).to.deep.include({ level: 'warn', component: 'c:sub', msg: 'with fields', n: (10n ** 30n).toString(), level_: 7, msg_: 'x' });
    expect(b!.nested).to.deep.equal({ big: '1', list: ['2'] });
    expect(b!.err).to.deep.equal({ name: 'Error', message: 'boom' });
    expect(Object.keys(b!).filter((k) => k === 'component')).to.have.length(1);
  });

  it('redacts secret fields at any of three levels and credentials in URLs anywhere in the line', () => {
    const lines: string[] = [];
    const log = createLogCore({ level: 'debug', component: 'c', write: (l) => lines.push(l) });
    log.log('info', 'rpc https://user:pw@node.example/ down; see http://127.0.0.1:9464/metrics', {
      privateKey: KEY,
      cfg: { password: 'hunter2', keystore: { crypto: {} }, url: 'https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef' },
      deep: { a: { mnemonic: 'test test test' } },
      rpc: 'wss://eth.example/ws?apikey=SECRETKEY',
    });
    const out = lines.join('\n');
    for (const leak of [KEY.slice(2, 20), 'hunter2', 'user:pw', '0123456789abcdef0123456789abcdef', 'SECRETKEY', 'test test test'])
      expect(out).not.to.include(leak);
    const o = JSON.parse(lines[0]!) as { msg: string; privateKey: string; cfg: Record<string, unknown>; rpc: string };
    expect(o.privateKey).to.equal('[redacted]');
    expect(o.cfg).to.deep.equal({ password: '[redacted]', keystore: '[redacted]', url: 'https://mainnet.infura.io/v3/[redacted]' });
    expect(o.rpc).to.equal('wss://eth.example/ws?[redacted]');
    expect(o.msg).to.equal('rpc https://[redacted]@node.example/ down; see http://127.0.0.1:9464/metrics'); // plain URLs stay
  });

  it('redactUrl keeps URLs without credentials and strips user, query and key-like path segments', () => {
    expect(redactUrl('http://127.0.0.1:8545')).to.equal('http://127.0.0.1:8545');
    expect(redactUrl('https://rpc.example/v1/eth')).to.equal('https://rpc.example/v1/eth');
    expect(redactUrl('https://eth-mainnet.g.alchemy.com/v2/abcdefghijklmnopqrstuvwx')).to.equal(
      'https://eth-mainnet.g.alchemy.com/v2/[redacted]',
    );
    expect(redactUrl('http://a:b@host:1/x?token=1')).to.equal('http://[redacted]@host:1/x?[redacted]');
    expect(redactUrl('not a url')).to.equal('not a url');
    expect(redactUrlCredentials('a "https://x:y@h/" b')).to.equal('a "https://[redacted]@h/" b');
  });

  it('the keeper logger scrubs its secrets by value and prints readable lines in pretty mode', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', format: 'pretty', secrets: [KEY], write: (l) => lines.push(l) });
    log.child('tx').info(`sent with ${KEY}`, { batchId: 3n, nested: { raw: KEY.slice(2) } });
    log.debug('hidden');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^\d\d:\d\d:\d\d \S*INFO \S* keeper:tx sent with \[redacted\] \S*batchId=3 nested=\{"raw":"\[redacted\]"\}/);
  });

  it('the engine logger keeps its log(level, msg, fields) API on the same core', () => {
    const lines: string[] = [];
    jsonLogger({ write: (l) => lines.push(l), level: 'warn' }).log('info', 'hidden');
    jsonLogger({ write: (l) => lines.push(l), level: 'warn' }).log('error', 'shown', { password: 'x', job: 'L0' });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).to.deep.equal([
      {
        level: 'error',
        time: (JSON.parse(lines[0]!) as { time: string }).time,
        component: 'prover-engine',
        password: '[redacted]',
        job: 'L0',
        msg: 'shown',
      },
    ]);
  });
});

describe('obs: progress line (cli-progress)', () => {
  it('not on a terminal: forced lines, at most one line per interval from updates, a final line', async () => {
    const s = stream(false);
    let n = 0;
    const line = progressLine({ stream: s, intervalMs: 80, render: (v) => `step ${n} [${v.bar(n / 4)}]` });
    line.update({ force: true, plain: 'start' });
    n = 1;
    line.update(); // within the interval: nothing
    await sleep(100);
    n = 2;
    line.update();
    line.update({ force: true });
    line.print('a permanent line');
    line.stop('done');
    line.update({ force: true }); // after stop: nothing
    expect(s.text()).to.equal(
      `start\nstep 2 [${'#'.repeat(10)}${'.'.repeat(10)}]\nstep 2 [${'#'.repeat(10)}${'.'.repeat(10)}]\na permanent line\ndone\n`,
    );
    expect(s.text()).not.to.include('\x1b');
  });

  it('not on a terminal with heartbeat: a line per interval while nothing else is printed', async () => {
    const s = stream(false);
    const line = progressLine({ stream: s, intervalMs: 50, heartbeat: true, render: () => 'alive' });
    await sleep(180);
    line.stop();
    const beats = s.chunks.filter((c) => c === 'alive\n').length;
    expect(beats).to.be.within(2, 4);
    await sleep(120);
    expect(s.chunks.filter((c) => c === 'alive\n').length).to.equal(beats); // stopped
  });

  it('on a terminal: a cli-progress bar redrawn in place, permanent lines above it, a final line', async () => {
    const s = stream(true);
    let f = 0.25;
    const line = progressLine({ stream: s, barWidth: 8, render: (v) => `gen [${v.bar(f)}]` });
    await sleep(30);
    f = 1;
    line.update();
    await sleep(250);
    line.print('log line');
    line.stop();
    const text = s.text();
    expect(line.tty).to.equal(true);
    expect(text).to.include('gen [##......]');
    expect(text).to.include('\x1b['); // cursor movement: drawn in place
    expect(text).to.match(/log line\n/);
    expect(text.endsWith('gen [########]\n')).to.equal(true); // stop() leaves the last state as a line
    const ended = s.chunks.length;
    await sleep(250);
    expect(s.chunks.length).to.equal(ended); // no redraw after stop
  });

  it('tty: false forces plain lines on a terminal', () => {
    const s = stream(true);
    const line = progressLine({ stream: s, tty: false, render: () => 'x' });
    line.update({ force: true });
    line.stop();
    expect(line.tty).to.equal(false);
    expect(s.text()).to.equal('x\n');
  });

  it('the SRS printer: a throttled plain line per phase, one at its end', async () => {
    const s = stream(false);
    const r = srsProgress({ stream: s, lineIntervalMs: 60_000 });
    for (let i = 0; i <= 4; i++) r.onProgress({ phase: 'generate', done: i * 25, total: 100, elapsedMs: i * 1000 });
    r.onProgress({ phase: 'check', done: 1, total: 2, elapsedMs: 10 });
    r.finish();
    expect(s.text()).to.equal(
      'INSECURE dev SRS:   0.0% 0/100 points, 0.0 s elapsed\n' +
        'INSECURE dev SRS: 100.0% 100/100 points, 4.0 s elapsed\n' +
        'checking points:  50.0%, 0.0 s elapsed\n',
    );
  });

  it('the SRS printer on a terminal leaves each finished phase as a full bar', async () => {
    const s = stream(true);
    const r = srsProgress({ stream: s });
    r.onProgress({ phase: 'patch', done: 0, total: 1, elapsedMs: 0 });
    await sleep(20);
    r.onProgress({ phase: 'patch', done: 1, total: 1, elapsedMs: 1500 });
    r.finish();
    expect(s.text()).to.match(/patching bb copy \[#+\] 100\.0% 1\.5 s\n$/);
  });

  it('the demo printer: stage lines, details, heartbeat and the ✔/✖ lines', async () => {
    const s = stream(false);
    const p = createProgress(s, { heartbeatMs: 60_000 });
    const a = p.stage('Devnet');
    a.update('deploying', 0.5);
    a.update('deploying', 0.6); // same detail: no line
    p.info('an info line');
    expect(a.done('ok')).to.be.a('number');
    const b = p.stage('Keepers');
    b.fail('timeout');
    p.stage('Cleanup');
    p.close();
    expect(s.text()).to.match(
      /^… Devnet\n {2}· deploying\nan info line\n✔ Devnet \(\d+ ms\) · ok\n… Keepers\n✖ Keepers \(\d+ ms\) · timeout\n… Cleanup\n$/,
    );
  });
});

describe('keeper metrics (prom-client) and progress', () => {
  it('serves the keeper metrics with their help, type and labels, beside the default process metrics', async () => {
    const m = new Metrics();
    m.inc('nex_keeper_txs_total', { purpose: 'lock' });
    m.inc('nex_keeper_txs_total', { purpose: 'lock' }, 2);
    m.inc('nex_keeper_proving_seconds_total', { circuit: 'leaf' }, 1.5);
    m.set('nex_keeper_stake_wei', 5n, { kind: 'staked' });
    m.set('nex_keeper_head_block', 42);
    const text = await m.render();
    expect(text).to.include(
      '# HELP nex_keeper_txs_total Transactions sent (label purpose).\n# TYPE nex_keeper_txs_total counter\nnex_keeper_txs_total{purpose="lock"} 3\n',
    );
    expect(text).to.include('nex_keeper_proving_seconds_total{circuit="leaf"} 1.5');
    expect(text).to.include('# TYPE nex_keeper_stake_wei gauge\nnex_keeper_stake_wei{kind="staked"} 5\n');
    expect(text).to.include('nex_keeper_head_block 42\n');
    expect(text).to.include('nex_keeper_batches_locked_total 0\n'); // counters start at 0
    expect(text).to.match(/# TYPE nex_keeper_rpc_up gauge\n(?!nex_keeper_rpc_up)/); // gauges are absent until read
    for (const std of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text, std).to.include(`# TYPE ${std} `);
    }
    expect(m.contentType).to.match(/^text\/plain; version=0\.0\.4/);
    expect(await m.get('nex_keeper_txs_total', { purpose: 'lock' })).to.equal(3);
    expect(await m.get('nex_keeper_txs_total', { purpose: 'seal' })).to.equal(undefined);
    expect(await m.get('nex_keeper_rpc_up')).to.equal(undefined);
    expect(() => m.inc('nex_keeper_txs_total', { kind: 'x' })).to.throw(/not included in initial labelset/);
    // Each instance has its own registry: no global state between keepers in one process.
    expect(await new Metrics({ processMetrics: false }).get('nex_keeper_txs_total', { purpose: 'lock' })).to.equal(undefined);
  });

  it('the keeper reports proving progress as log lines only (no bar, also on a terminal)', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l), isTTY: true });
    const r = keeperProgress(7n, log, new KeeperEvents());
    r.onProgress({ type: 'job-started', jobId: 'L0', circuit: 'leaf', level: 0, levels: 2, attempt: 1 } as never);
    r.onProgress({
      type: 'job-finished',
      jobId: 'L0',
      circuit: 'leaf',
      level: 0,
      levels: 2,
      ms: 1234,
      done: 1,
      total: 3,
      fromCheckpoint: false,
    } as never);
    r.onProgress({ type: 'job-retry', jobId: 'L1', reason: 'bb crashed' } as never);
    r.done();
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => [p.level, p.msg])).to.deep.equal([
      ['info', 'proof job finished'],
      ['warn', 'proof job retried'],
    ]);
    expect(parsed[0]).to.deep.include({ batchId: '7', job: 'L0', circuit: 'leaf', seconds: 1.2, done: 1, total: 3 });
  });
});
