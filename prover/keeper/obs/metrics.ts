/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text exposition
 * format (version 0.0.4). No global state: the daemon owns one instance.
 */
type Labels = Record<string, string>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly values: Map<string, { labels: Labels; value: number }>;
}

export class Metrics {
  readonly #families = new Map<string, Family>();

  constructor() {
    this.#define('nex_keeper_batches_locked_total', 'counter', 'Batches this keeper locked.');
    this.#define('nex_keeper_batches_fulfilled_total', 'counter', 'Batches this keeper fulfilled (label role=primary|secondary).');
    this.#define('nex_keeper_batches_lost_total', 'counter', 'Batches this keeper started but did not fulfil (label reason).');
    this.#define('nex_keeper_slashes_total', 'counter', 'slash() calls this keeper made that succeeded.');
    this.#define('nex_keeper_seals_total', 'counter', 'seal() calls this keeper made that succeeded.');
    this.#define('nex_keeper_proving_seconds_total', 'counter', 'Seconds spent proving (label circuit).');
    this.#define('nex_keeper_proofs_total', 'counter', 'Aggregation proofs produced (label circuit).');
    this.#define('nex_keeper_txs_total', 'counter', 'Transactions sent (label purpose).');
    this.#define('nex_keeper_errors_total', 'counter', 'Errors by kind (rpc, tx, proving, fetch, decide).');
    this.#define('nex_keeper_earnings_wei', 'gauge', 'Fees earned by this prover (after protocol fee), from fulfilments seen.');
    this.#define('nex_keeper_claimable_wei', 'gauge', 'ETH claimable from the market (earnings(prover)).');
    this.#define('nex_keeper_stake_wei', 'gauge', 'NEX stake of the prover (label kind=staked|locked|pending_unstake|available).');
    this.#define('nex_keeper_balance_wei', 'gauge', 'ETH balance of the signing account.');
    this.#define('nex_keeper_batches_in_flight', 'gauge', 'Batches locked, proving or being fulfilled.');
    this.#define('nex_keeper_head_block', 'gauge', 'Latest block the keeper has scanned.');
    this.#define('nex_keeper_rpc_up', 'gauge', '1 when the last RPC poll succeeded.');
    this.#define('nex_keeper_last_poll_timestamp_seconds', 'gauge', 'Unix time of the last successful poll.');
  }

  #define(name: string, type: Family['type'], help: string): void {
    this.#families.set(name, { name, type, help, values: new Map() });
  }

  #family(name: string): Family {
    const f = this.#families.get(name);
    if (!f) throw new Error(`unknown metric ${name}`);
    return f;
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const f = this.#family(name);
    const key = JSON.stringify(labels);
    const cur = f.values.get(key);
    f.values.set(key, { labels, value: (cur?.value ?? 0) + by });
  }

  set(name: string, value: number | bigint, labels: Labels = {}): void {
    this.#family(name).values.set(JSON.stringify(labels), { labels, value: Number(value) });
  }

  get(name: string, labels: Labels = {}): number | undefined {
    return this.#family(name).values.get(JSON.stringify(labels))?.value;
  }

  render(): string {
    const out: string[] = [];
    for (const f of this.#families.values()) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      for (const { labels, value } of f.values.values()) {
        const l = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',');
        out.push(`${f.name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 0}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}
