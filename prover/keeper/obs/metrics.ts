/**
 * The keeper's Prometheus metrics on prom-client, in a registry of its own (no global state: the daemon
 * owns one instance) with prom-client's default process metrics (CPU, memory, event-loop lag, GC, open
 * handles) beside the keeper's. The names and labels below are what dashboards and docs/operator.md use.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

const COUNTERS = {
  nex_keeper_batches_locked_total: { help: 'Batches this keeper locked.', labels: [] },
  nex_keeper_batches_fulfilled_total: { help: 'Batches this keeper fulfilled (label role=primary|secondary|direct).', labels: ['role'] },
  nex_keeper_batches_lost_total: { help: 'Batches this keeper started but did not fulfil (label reason).', labels: ['reason'] },
  nex_keeper_slashes_total: { help: 'slash() calls this keeper made that succeeded.', labels: [] },
  nex_keeper_seals_total: { help: 'seal() calls this keeper made that succeeded.', labels: [] },
  nex_keeper_proving_seconds_total: { help: 'Seconds spent proving (label circuit).', labels: ['circuit'] },
  nex_keeper_proofs_total: { help: 'Aggregation proofs produced (label circuit).', labels: ['circuit'] },
  nex_keeper_txs_total: { help: 'Transactions sent (label purpose).', labels: ['purpose'] },
  nex_keeper_errors_total: { help: 'Errors by kind (rpc, tx, proving, fetch, decide).', labels: ['kind'] },
  nex_keeper_fetch_failures_total: {
    help: 'Proof fetches that gave nothing usable (label source=relay|blob, kind=timeout|too-large|http|network|invalid|mismatch|missing).',
    labels: ['source', 'kind'],
  },
  nex_keeper_slots_excluded_total: {
    help: 'Slots this keeper excluded from its proofs (label source of the last failure).',
    labels: ['source'],
  },
  nex_keeper_closes_total: { help: 'close() calls this keeper made that succeeded (nothing provable).', labels: [] },
  nex_keeper_releases_total: { help: 'release() calls this keeper made that succeeded.', labels: [] },
  nex_keeper_engine_failures_total: {
    help: 'Engine failures that were not verdicts (bb crash, timeout): the batch job retried later.',
    labels: [],
  },
} as const satisfies Record<string, { help: string; labels: readonly string[] }>;

const GAUGES = {
  nex_keeper_earnings_wei: { help: 'Fees earned by this prover (after protocol fee), from fulfilments seen.', labels: [] },
  nex_keeper_claimable_wei: { help: 'ETH claimable from the market (earnings(prover)).', labels: [] },
  nex_keeper_stake_wei: { help: 'NEX stake of the prover (label kind=staked|locked|pending_unstake|available).', labels: ['kind'] },
  nex_keeper_balance_wei: { help: 'ETH balance of the signing account.', labels: [] },
  nex_keeper_batches_in_flight: { help: 'Batches locked, proving or being fulfilled.', labels: [] },
  nex_keeper_head_block: { help: 'Latest block the keeper has scanned.', labels: [] },
  nex_keeper_rpc_up: { help: '1 when the last RPC poll succeeded.', labels: [] },
  nex_keeper_last_poll_timestamp_seconds: { help: 'Unix time of the last successful poll.', labels: [] },
  nex_keeper_batch_proofs_done: {
    help: "Aggregation proofs finished so far for a batch, job by job (labels batch, circuit); the last batches' series only.",
    labels: ['batch', 'circuit'],
  },
} as const satisfies Record<string, { help: string; labels: readonly string[] }>;

export type CounterName = keyof typeof COUNTERS;
export type GaugeName = keyof typeof GAUGES;
export type MetricName = CounterName | GaugeName;
type Labels = Record<string, string>;

/** How many proven batches keep their nex_keeper_batch_proofs_done series after their proving ended. */
export const BATCH_PROGRESS_KEPT = 8;

export class Metrics {
  readonly #registry = new Registry();
  readonly #counters = new Map<string, Counter>();
  readonly #gauges = new Map<string, Gauge>();
  /** Batches whose proving ended, oldest first, with the circuits of their progress series. */
  readonly #endedBatches: { batch: string; circuits: string[] }[] = [];

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.#registry];
    for (const [name, d] of Object.entries(COUNTERS))
      this.#counters.set(name, new Counter({ name, help: d.help, labelNames: d.labels, registers }));
    for (const [name, d] of Object.entries(GAUGES)) {
      const gauge = new Gauge({ name, help: d.help, labelNames: d.labels, registers });
      // prom-client starts a label-less series at 0; a gauge is absent until the keeper has read its value
      // (a head block or an rpc_up of 0 before the first poll would be false). Counters do start at 0.
      if (d.labels.length === 0) gauge.remove({});
      this.#gauges.set(name, gauge);
    }
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.#registry });
  }

  inc(name: CounterName, labels: Labels = {}, by = 1): void {
    this.#counters.get(name)!.inc(labels, by);
  }

  set(name: GaugeName, value: number | bigint, labels: Labels = {}): void {
    this.#gauges.get(name)!.set(labels, Number(value));
  }

  /**
   * Proving progress of a batch: `done` proofs of `circuit` finished (nex_keeper_batch_proofs_done). The
   * series stay after the batch's proving ends, for the BATCH_PROGRESS_KEPT last batches (endBatchProgress).
   */
  setBatchProgress(batchId: bigint, circuit: string, done: number): void {
    this.#gauges.get('nex_keeper_batch_proofs_done')!.set({ batch: batchId.toString(), circuit }, done);
  }

  /** The batch's proving ended: its series are dropped once BATCH_PROGRESS_KEPT later batches have ended. */
  endBatchProgress(batchId: bigint, circuits: readonly string[]): void {
    const batch = batchId.toString();
    const i = this.#endedBatches.findIndex((e) => e.batch === batch);
    if (i >= 0) this.#endedBatches.splice(i, 1);
    this.#endedBatches.push({ batch, circuits: [...circuits] });
    const gauge = this.#gauges.get('nex_keeper_batch_proofs_done')!;
    while (this.#endedBatches.length > BATCH_PROGRESS_KEPT) {
      const old = this.#endedBatches.shift()!;
      for (const circuit of old.circuits) gauge.remove({ batch: old.batch, circuit });
    }
  }

  /** The current value of one series (label-less series start at 0; labelled ones are undefined until used). */
  async get(name: MetricName, labels: Labels = {}): Promise<number | undefined> {
    const metric = this.#counters.get(name) ?? this.#gauges.get(name)!;
    const { values } = await metric.get();
    const want = Object.entries(labels);
    return values.find((v) => {
      const have = Object.entries(v.labels);
      return have.length === want.length && want.every(([k, x]) => v.labels[k] === x);
    })?.value;
  }

  /** The text exposition format served on /metrics. */
  render(): Promise<string> {
    return this.#registry.metrics();
  }

  /** Content type of render()'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.#registry.contentType;
  }
}
