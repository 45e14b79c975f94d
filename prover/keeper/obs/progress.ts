import type { ProgressEvent } from '../../engine/index.js';
import type { KeeperEvents } from './events.js';
import type { Logger } from './logger.js';

/**
 * Shows proving progress: a live status line on an interactive terminal (stderr), and the proof job
 * events (`proof.job.*`: info lines, debug on a terminal where the status line shows them).
 */
export function progressReporter(batchId: bigint, log: Logger, events: KeeperEvents, tty = process.stderr.isTTY === true): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  const level = tty ? 'debug' : 'info';
  const start = Date.now();
  let line = '';
  const draw = (text: string): void => {
    if (!tty) return;
    line = text;
    process.stderr.write(`\r\x1b[2K${text}`);
  };
  return {
    onProgress(e) {
      const elapsed = Math.round((Date.now() - start) / 1000);
      if (e.type === 'job-started') {
        draw(`batch ${batchId}: proving ${e.jobId} (${e.circuit}) level ${e.level + 1}/${e.levels}  ${elapsed}s`);
        events.emit(log, 'proof.job.started', { batchId, job: e.jobId, circuit: e.circuit, height: e.level, levels: e.levels }, { level });
      }
      if (e.type === 'job-finished') {
        const width = 20;
        const filled = Math.round((e.done / e.total) * width);
        draw(`batch ${batchId}: [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.done}/${e.total} proofs  ${elapsed}s`);
        const fields = { batchId, job: e.jobId, circuit: e.circuit, ms: e.ms, seconds: Math.round(e.ms / 100) / 10, done: e.done, total: e.total, fromCheckpoint: e.fromCheckpoint };
        events.emit(log, 'proof.job.finished', fields, { level });
      }
      if (e.type === 'job-retry') events.emit(log, 'proof.job.retried', { batchId, job: e.jobId, reason: e.reason });
    },
    done() {
      if (tty && line) process.stderr.write('\r\x1b[2K');
    },
  };
}
