/**
 * The relay's Prometheus metrics (prom-client), on a registry the relay owns (no global state).
 * Served at GET /metrics. Names and meanings are listed in docs/relay.md.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class RelayMetrics {
  readonly registry = new Registry();
  /** Submissions by result (accepted, duplicate, rejected) and reason (rejections only). */
  readonly submissions = new Counter({
    name: 'nex_relay_submissions_total',
    help: 'POST /v1/requests by result (accepted|duplicate|rejected) and rejection reason.',
    labelNames: ['result', 'reason'] as const,
    registers: [this.registry],
  });
  readonly statementsAccepted = new Counter({
    name: 'nex_relay_statements_accepted_total',
    help: 'Statements in accepted requests.',
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'nex_relay_rate_limited_total',
    help: 'Requests refused with 429, by scope (ip|payer).',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  readonly verifySeconds = new Histogram({
    name: 'nex_relay_verify_seconds',
    help: 'bb verification time of one proof.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly posts = new Counter({
    name: 'nex_relay_posts_total',
    help: 'postBatch transactions by outcome (sent|mined|reverted|dropped|bumped).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly settled = new Counter({
    name: 'nex_relay_requests_settled_total',
    help: 'Requests leaving the queue, by new status (posted|skipped|expired|void).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly queueRequests = new Gauge({
    name: 'nex_relay_queue_requests',
    help: 'Accepted requests waiting to be posted.',
    registers: [this.registry],
  });
  readonly queueStatements = new Gauge({
    name: 'nex_relay_queue_statements',
    help: 'Statements in accepted requests waiting to be posted.',
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'nex_relay_errors_total',
    help: 'Errors by component (chain|store|post|verify).',
    labelNames: ['component'] as const,
    registers: [this.registry],
  });
  readonly lastTick = new Gauge({
    name: 'nex_relay_last_tick_timestamp_seconds',
    help: 'Unix time of the last completed posting-loop pass.',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'nex_relay_' });
  }
}
