// The keeper's typed events: one structured log line each, with the stable `event` code beside the
// human `msg`, and the same event delivered to in-process listeners.
import { expect } from 'chai';
import { KEEPER_EVENT_NAMES, KEEPER_EVENTS, KeeperEvents, type KeeperEvent, type KeeperLogLine } from '../../prover/keeper/index.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { progressReporter } from '../../prover/keeper/obs/progress.js';

function jsonLog() {
  const lines: KeeperLogLine[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(JSON.parse(l) as KeeperLogLine) });
  return { lines, log };
}

describe('keeper events', () => {
  it('writes one log line per event: stable code, message, fields in their JSON form', () => {
    const { lines, log } = jsonLog();
    const events = new KeeperEvents();
    events.emit(log.child('batch'), 'batch.locked', { batchId: 7n, lockDeadline: 1_000, collateral: 20n * 10n ** 18n, tx: '0xabc' });
    events.emit(log, 'batch.failed', { batchId: 8n, error: new TypeError('boom\nstack') });
    expect(lines).to.have.length(2);
    expect(lines[0]).to.deep.include({
      event: 'batch.locked',
      msg: 'batch locked',
      level: 'info',
      component: 'keeper:batch',
      batchId: '7',
      collateral: '20000000000000000000',
      tx: '0xabc',
    });
    expect(lines[1]).to.deep.include({
      event: 'batch.failed',
      msg: 'batch job failed; will resume on the next poll',
      level: 'error',
      batchId: '8',
      error: { name: 'TypeError', message: 'boom' },
    });
  });

  it('derives the message from the fields where the vocabulary says so, and takes a level override', () => {
    const { lines, log } = jsonLog();
    const events = new KeeperEvents();
    events.emit(log, 'batch.decided', { batchId: 1n, decision: 'lock', reason: 'open for lock', listenOnly: true });
    events.emit(log, 'batch.decided', { batchId: 1n, decision: 'wait', reason: 'at capacity (1/1)', listenOnly: true });
    events.emit(log, 'batch.decided', { batchId: 1n, decision: 'lock', reason: 'assigned to us', listenOnly: false });
    events.emit(log, 'tx.not-sent', { purpose: 'seal', batchId: 2n, reason: 'reverted: BatchNotOpen(2)' });
    events.emit(
      log,
      'proof.job.finished',
      { batchId: 1n, job: 'leaf-0', circuit: 'leaf_1', ms: 1234, seconds: 1.2, done: 1, total: 3, fromCheckpoint: false },
      { level: 'debug' },
    );
    expect(lines.map((l) => [l.event, l.msg, l.level])).to.deep.equal([
      ['batch.decided', 'would lock (listen-only)', 'info'],
      ['batch.decided', 'decision: wait', 'info'],
      ['batch.decided', 'decision: lock', 'info'],
      ['tx.not-sent', 'seal not sent', 'info'],
      ['proof.job.finished', 'proof job finished', 'debug'],
    ]);
  });

  it('delivers events to listeners by name and to "*"; unsubscribes; a throwing listener is logged, not fatal', () => {
    const { lines, log } = jsonLog();
    const events = new KeeperEvents();
    const proven: KeeperEvent<'batch.proven'>[] = [];
    const all: string[] = [];
    const off = events.on('batch.proven', (e) => proven.push(e));
    events.on('*', (e) => all.push(e.event));
    events.on('batch.done', () => {
      throw new Error('listener bug');
    });
    events.emit(log, 'batch.proven', { batchId: 3n, seconds: 12, excludedSlots: [1], excludedMask: 2 });
    events.emit(log, 'batch.done', { batchId: 3n, outcome: 'fulfilled', note: undefined });
    off();
    events.emit(log, 'batch.proven', { batchId: 4n, seconds: 1, excludedSlots: [], excludedMask: 0 });
    expect(proven).to.deep.equal([{ event: 'batch.proven', batchId: 3n, seconds: 12, excludedSlots: [1], excludedMask: 2 }]);
    expect(all).to.deep.equal(['batch.proven', 'batch.done', 'batch.proven']);
    expect(lines.find((l) => l.msg === 'keeper event listener threw')).to.deep.include({
      level: 'warn',
      event: 'batch.done',
      error: { name: 'Error', message: 'listener bug' },
    });
  });

  it("no event field collides with the log line's own keys (the logger would rename it)", () => {
    for (const name of KEEPER_EVENT_NAMES) {
      const fields: readonly string[] = KEEPER_EVENTS[name].fields;
      for (const reserved of ['time', 'level', 'component', 'msg', 'event']) expect(fields, name).to.not.include(reserved);
      expect(name).to.match(/^[a-z]+(\.[a-z-]+)+$/);
    }
  });

  it('proof job progress is reported as proof.job.* events (started at debug, finished at info, retried at warn)', () => {
    const { lines, log } = jsonLog();
    const events = new KeeperEvents();
    const got: string[] = [];
    events.on('*', (e) => got.push(e.event));
    const p = progressReporter(5n, log, events);
    p.onProgress({ type: 'job-started', jobId: 'leaf-0', circuit: 'leaf_1', level: 0, levels: 2, attempt: 1 });
    p.onProgress({
      type: 'job-finished',
      jobId: 'leaf-0',
      circuit: 'leaf_1',
      level: 0,
      levels: 2,
      ms: 2_345,
      elapsedMs: 2_400,
      fromCheckpoint: false,
      done: 1,
      total: 3,
    });
    p.onProgress({ type: 'job-retry', jobId: 'leaf-1', circuit: 'leaf_1', reason: 'worker crashed' });
    p.done();
    expect(got).to.deep.equal(['proof.job.started', 'proof.job.finished', 'proof.job.retried']);
    // The keeper is a daemon: log lines only, the same levels on a terminal or not (no status line).
    expect(lines.map((l) => l.level)).to.deep.equal(['debug', 'info', 'warn']);
    expect(lines[1]).to.deep.include({
      batchId: '5',
      job: 'leaf-0',
      circuit: 'leaf_1',
      ms: 2_345,
      seconds: 2.3,
      done: 1,
      total: 3,
      fromCheckpoint: false,
    });
    expect(lines[0]).to.deep.include({ height: 1, levels: 2 }); // level 0 = the leaves, at height 1 (version 2's tree)
  });
});
