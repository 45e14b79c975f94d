// Prometheus metrics (prom-client) of distributed proving. Each object registers on the Registry it is
// given (no global registry): the keeper passes the one its /metrics serves; a worker serves its own.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Proof times range from 0.1 s (pad) to minutes (a 2^21 node on one thread). */
const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600];

/** Queue states reported by `nex_queue_jobs`. */
export const QUEUE_STATES = ['waiting', 'waiting-children', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** Engine/keeper side: the queue as the orchestrator sees it. */
export class QueueMetrics {
  readonly registry: Registry;
  readonly jobDuration: Histogram<'circuit'>;
  readonly failures: Counter<'circuit'>;
  readonly retries: Counter<'circuit' | 'reason'>;
  readonly checkpointed: Counter<'circuit'>;
  private readonly depth: Gauge<'state'>;
  private readonly workers: Gauge<'compatible'>;
  private source:
    (() => Promise<{ counts: Record<string, number>; workers: { alive: boolean; compatible?: boolean | undefined }[] }>) | undefined;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.jobDuration = new Histogram({
      name: 'nex_queue_job_duration_seconds',
      help: 'Worker time per proving job (witness + bb), by circuit.',
      labelNames: ['circuit'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.failures = new Counter({
      name: 'nex_queue_job_failures_total',
      help: 'Proving jobs that failed for good (after their retries).',
      labelNames: ['circuit'],
      registers,
    });
    this.retries = new Counter({
      name: 'nex_queue_job_retries_total',
      help: 'Proving jobs retried, by reason: stalled (worker lost) or error.',
      labelNames: ['circuit', 'reason'],
      registers,
    });
    this.checkpointed = new Counter({
      name: 'nex_queue_proofs_checkpointed_total',
      help: 'Proofs from workers checked and written to the checkpoint store.',
      labelNames: ['circuit'],
      registers,
    });
    // The two gauges below are read from the queue server when scraped (see `attach`).
    const snapshot = (): ReturnType<QueueMetrics['snapshot']> => this.snapshot();
    this.depth = new Gauge({
      name: 'nex_queue_jobs',
      help: 'Jobs in the proving queue by state.',
      labelNames: ['state'],
      registers,
      async collect() {
        const s = await snapshot();
        if (!s) return;
        for (const st of QUEUE_STATES) this.set({ state: st }, s.counts[st] ?? 0);
      },
    });
    this.workers = new Gauge({
      name: 'nex_queue_workers',
      help: 'Proving workers seen alive (heartbeat), by circuits compatibility with this keeper.',
      labelNames: ['compatible'],
      registers,
      async collect() {
        const s = await snapshot();
        if (!s) return;
        const alive = s.workers.filter((w) => w.alive);
        this.set({ compatible: 'yes' }, alive.filter((w) => w.compatible !== false).length);
        this.set({ compatible: 'no' }, alive.filter((w) => w.compatible === false).length);
      },
    });
  }

  /** Where the queue-depth and worker gauges read from (the keeper attaches its queue status reader). */
  attach(source: QueueMetrics['source']): void {
    this.source = source;
  }

  private async snapshot(): Promise<Awaited<ReturnType<NonNullable<QueueMetrics['source']>>> | undefined> {
    if (!this.source) return undefined;
    try {
      return await this.source();
    } catch {
      return undefined; // the queue server is down: the gauges keep their last value
    }
  }
}

/** Worker side: what this worker did (served on its own /metrics). */
export class WorkerMetrics {
  readonly registry: Registry;
  readonly jobs: Counter<'circuit' | 'outcome'>;
  readonly jobDuration: Histogram<'circuit'>;
  readonly bbDuration: Histogram<'circuit'>;
  readonly peakRss: Gauge<'circuit'>;
  readonly busy: Gauge;
  readonly info: Gauge<'worker' | 'key_set' | 'threads'>;
  private readonly maxRss = new Map<string, number>();

  constructor(registry: Registry = new Registry(), opts: { defaultMetrics?: boolean } = {}) {
    this.registry = registry;
    const registers = [registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    this.jobs = new Counter({
      name: 'nex_worker_jobs_total',
      help: 'Jobs this worker finished, by circuit and outcome (completed, failed, refused).',
      labelNames: ['circuit', 'outcome'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'nex_worker_job_duration_seconds',
      help: 'Time per job: input checks + witness + bb proving.',
      labelNames: ['circuit'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.bbDuration = new Histogram({
      name: 'nex_worker_bb_prove_seconds',
      help: 'Time bb itself spent proving, per job.',
      labelNames: ['circuit'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.peakRss = new Gauge({
      name: 'nex_worker_bb_peak_rss_bytes',
      help: 'Largest bb peak RSS seen for a job of this circuit.',
      labelNames: ['circuit'],
      registers,
    });
    this.busy = new Gauge({ name: 'nex_worker_busy', help: 'Jobs this worker is proving now.', registers });
    this.info = new Gauge({
      name: 'nex_worker_info',
      help: 'This worker (value 1): name, key set, bb threads.',
      labelNames: ['worker', 'key_set', 'threads'],
      registers,
    });
  }

  /** Records the largest peak RSS per circuit. */
  observeRss(circuit: string, rssMiB: number): void {
    const bytes = rssMiB * 1024 * 1024;
    const cur = this.maxRss.get(circuit);
    if (cur !== undefined && cur >= bytes) return;
    this.maxRss.set(circuit, bytes);
    this.peakRss.set({ circuit }, bytes);
  }
}
