import type { ProgressEvent } from '../../engine/index.js';
import type { KeeperEvents } from './events.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/**
 * Reports proving progress as the `proof.job.*` keeper events (structured log lines): one per started
 * job (debug), one per finished job (with done/total) and one per retry. The keeper is a daemon whose
 * output is read by log collectors (journald, docker, `nex keeper run > keeper.log`), so it draws no
 * progress bar, on a terminal neither: a bar redrawn in place would interleave with its log lines;
 * `proof.job.finished` lines carry the same information. With `metrics`, every finished job (also one
 * restored from a checkpoint) also counts in nex_keeper_batch_proofs_done{batch, circuit}, which the
 * explorer reads to advance the batch's proving tree while it is proven.
 */
export function progressReporter(
  batchId: bigint,
  log: Logger,
  events: KeeperEvents,
  metrics?: Metrics,
): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  const finished = new Map<string, number>();
  return {
    onProgress(e) {
      if (e.type === 'job-started') {
        // The engine's progress level is the job's subtree height - 1 (level 0 = the leaves, at height 1).
        events.emit(log, 'proof.job.started', { batchId, job: e.jobId, circuit: e.circuit, height: e.level + 1, levels: e.levels });
      }
      if (e.type === 'job-finished') {
        const fields = {
          batchId,
          job: e.jobId,
          circuit: e.circuit,
          ms: e.ms,
          seconds: Math.round(e.ms / 100) / 10,
          done: e.done,
          total: e.total,
          fromCheckpoint: e.fromCheckpoint,
        };
        events.emit(log, 'proof.job.finished', fields);
        const n = (finished.get(e.circuit) ?? 0) + 1;
        finished.set(e.circuit, n);
        metrics?.setBatchProgress(batchId, e.circuit, n);
      }
      if (e.type === 'job-retry') events.emit(log, 'proof.job.retried', { batchId, job: e.jobId, reason: e.reason });
    },
    done() {
      metrics?.endBatchProgress(batchId, [...finished.keys()]);
    },
  };
}
