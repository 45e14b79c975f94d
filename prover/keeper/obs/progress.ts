import type { ProgressEvent } from '../../engine/index.js';
import type { Logger } from './logger.js';

/**
 * Reports proving progress as structured log lines: one per finished proof job (with done/total) and
 * one per retry. The keeper is a daemon whose output is read by log collectors (journald, docker,
 * `nex keeper run > keeper.log`), so it draws no progress bar, on a terminal neither: a bar redrawn in
 * place would interleave with its log lines; `proof job finished` lines carry the same information.
 */
export function progressReporter(batchId: bigint, log: Logger): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  return {
    onProgress(e) {
      if (e.type === 'job-started') log.debug('proof job started', { batchId, job: e.jobId, circuit: e.circuit });
      if (e.type === 'job-finished') {
        log.info('proof job finished', {
          batchId, job: e.jobId, circuit: e.circuit, seconds: Math.round(e.ms / 100) / 10, done: e.done, total: e.total, fromCheckpoint: e.fromCheckpoint,
        });
      }
      if (e.type === 'job-retry') log.warn('proof job retried', { batchId, job: e.jobId, reason: e.reason });
    },
    done() {},
  };
}
