// Distributed proving on BullMQ (Redis): what prover/engine/index.ts exports of prover/engine/queue.
//   keeper side: aggregateBatch({ ..., queue }) runs each plan of proveBatch through runPlanOnQueue;
//   worker side: runWorker / `nex worker --queue <url>` (cli.ts);
//   status and metrics: queueStatus, formatQueueStatus, QueueMetrics, WorkerMetrics.
import { ConfigError } from '../config.js';
import { type QueueConfig, type QueueConfigInput, resolveQueueConfig } from './connection.js';
import type { FlowJobPolicy } from './flow.js';
import { QueueMetrics } from './metrics.js';

export {
  checkQueueServer,
  DEFAULT_QUEUE_NAME,
  DEFAULT_QUEUE_PREFIX,
  QueueServerError,
  redactUrl,
  resolveQueueConfig,
} from './connection.js';
export type { QueueConfig, QueueConfigInput } from './connection.js';
export { FlowBusyError, QueueJobFailedError, type QueueJobFailure } from './errors.js';
export { buildFlows, DEFAULT_FLOW_POLICY, flowJobs, type FlowJobPolicy } from './flow.js';
export { includedSlotsUnder, planJobIdOf, queueJobId, slotsCoveredBy } from './ids.js';
export { type JobProof, type JobProver, openBbJobProver } from './jobProver.js';
export { type LocalRedis, type LocalRedisOptions, RedisMissingError, startLocalRedis } from './localServer.js';
export { QueueMetrics, WorkerMetrics, QUEUE_STATES, type QueueState } from './metrics.js';
export { runPlanOnQueue, type QueueRunOptions } from './orchestrator.js';
export { type WorkerPresence, type WorkerSeen } from './presence.js';
export {
  type CircuitsRef,
  INPUT_FAILURE_PREFIX,
  parseJobData,
  parseJobResult,
  PROTOCOL_VERSION,
  type ProveJobData,
  type ProveJobResult,
  QueueProtocolError,
} from './protocol.js';
export { formatQueueStatus, queueStatus, type QueueStatus } from './status.js';
export { EXIT_ERROR, EXIT_OK, EXIT_REFUSED, resolveWorkerOptions, runWorker, type RunningWorker, type WorkerOptions } from './worker.js';

/** `aggregateBatch`'s `queue` option: a URL, or the queue settings with what the orchestrator uses. */
export interface QueueOption extends QueueConfigInput {
  /** Metrics to record into (the keeper's registry); default: a private registry. */
  metrics?: QueueMetrics | undefined;
  /** Poll of the flow between queue events, ms (default 5000). */
  pollMs?: number | undefined;
  /** Workers stop starting this batch's jobs once the orchestrator has been gone this long, ms (default 600000). */
  abandonAfterMs?: number | undefined;
  /** Attempts, backoff and retention of the flow's jobs. */
  policy?: FlowJobPolicy | undefined;
}

export interface ResolvedQueueOption {
  config: QueueConfig;
  metrics?: QueueMetrics | undefined;
  pollMs?: number | undefined;
  abandonAfterMs?: number | undefined;
  policy?: FlowJobPolicy | undefined;
}

/** Validates `aggregateBatch`'s `queue` option (ConfigError). */
export function resolveQueueOption(q: string | QueueOption): ResolvedQueueOption {
  const config = resolveQueueConfig(q);
  if (typeof q === 'string') return { config };
  if (q.pollMs !== undefined && (!Number.isInteger(q.pollMs) || q.pollMs < 50))
    throw new ConfigError('queue.pollMs must be an integer >= 50');
  const poll = q.pollMs ?? 5_000;
  if (q.abandonAfterMs !== undefined && (!Number.isInteger(q.abandonAfterMs) || q.abandonAfterMs < 3 * poll)) {
    throw new ConfigError(`queue.abandonAfterMs must be an integer >= 3 polls (${3 * poll} ms)`);
  }
  if (q.metrics !== undefined && !(q.metrics instanceof QueueMetrics)) throw new ConfigError('queue.metrics must be a QueueMetrics');
  const p = q.policy;
  if (p !== undefined && (!Number.isInteger(p.attempts) || p.attempts < 1 || !(p.backoffMs >= 0) || !(p.keepSeconds > 0))) {
    throw new ConfigError('queue.policy needs attempts >= 1, backoffMs >= 0 and keepSeconds > 0');
  }
  return { config, metrics: q.metrics, pollMs: q.pollMs, abandonAfterMs: q.abandonAfterMs, policy: p };
}
