/**
 * A keeper, read from its Prometheus /metrics (prover/keeper/obs/metrics.ts; parsed with
 * parse-prometheus-text-format): whether it is up and reading the chain, its stake, the batches it has in
 * flight, the aggregation proofs it has made by circuit, and the proofs finished per batch
 * (nex_keeper_batch_proofs_done, job by job); progress.ts turns them into the proving tree of a batch.
 */
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { getText } from './http.js';

export interface KeeperSnapshot {
  readonly url: string;
  readonly ok: boolean;
  readonly error?: string;
  /** Unix ms of the scrape. */
  readonly at: number;
  readonly rpcUp?: boolean;
  readonly headBlock?: number;
  readonly inFlight?: number;
  readonly lastPollAt?: number;
  /** NEX wei by kind (staked, locked, pending_unstake, available). */
  readonly stake: Readonly<Record<string, string>>;
  /** Aggregation proofs made since the keeper started, by circuit (leaf_*, pad, node). */
  readonly proofs: Readonly<Record<string, number>>;
  /** Proofs finished per batch (decimal id), by circuit, as the keeper proves it (its last batches only). */
  readonly batchProofs: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly locked: number;
  readonly fulfilled: number;
  readonly lost: number;
  readonly errors: Readonly<Record<string, number>>;
}

export interface KeeperSource {
  scrape(): Promise<KeeperSnapshot>;
}

const TIMEOUT_MS = 3000;

/** The keeper's metrics as a snapshot (exported for tests: a keeper's real registry renders the text). */
export function snapshotOf(url: string, text: string, at: number): KeeperSnapshot {
  const families = new Map<string, PrometheusFamily>(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const samples = (name: string) => families.get(name)?.metrics ?? [];
  const one = (name: string): number | undefined => {
    const v = samples(name)[0]?.value;
    return v === undefined ? undefined : Number(v);
  };
  const byLabel = (name: string, label: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const s of samples(name)) {
      const k = s.labels?.[label];
      if (k !== undefined) out[k] = (out[k] ?? 0) + Number(s.value ?? 0);
    }
    return out;
  };
  const sum = (name: string): number => samples(name).reduce((n, s) => n + Number(s.value ?? 0), 0);
  const stake: Record<string, string> = {};
  for (const s of samples('nex_keeper_stake_wei'))
    if (s.labels?.kind) stake[s.labels.kind] = BigInt(Math.round(Number(s.value ?? 0))).toString();
  const rpcUp = one('nex_keeper_rpc_up');
  const head = one('nex_keeper_head_block');
  const inFlight = one('nex_keeper_batches_in_flight');
  const lastPoll = one('nex_keeper_last_poll_timestamp_seconds');
  const batchProofs: Record<string, Record<string, number>> = {};
  for (const s of samples('nex_keeper_batch_proofs_done')) {
    const batch = s.labels?.batch;
    const circuit = s.labels?.circuit;
    if (batch === undefined || circuit === undefined) continue;
    const b = (batchProofs[batch] ??= {});
    b[circuit] = (b[circuit] ?? 0) + Number(s.value ?? 0);
  }
  return {
    url,
    ok: true,
    at,
    ...(rpcUp !== undefined ? { rpcUp: rpcUp === 1 } : {}),
    ...(head !== undefined ? { headBlock: head } : {}),
    ...(inFlight !== undefined ? { inFlight } : {}),
    ...(lastPoll !== undefined ? { lastPollAt: lastPoll * 1000 } : {}),
    stake,
    proofs: byLabel('nex_keeper_proofs_total', 'circuit'),
    batchProofs,
    locked: sum('nex_keeper_batches_locked_total'),
    fulfilled: sum('nex_keeper_batches_fulfilled_total'),
    lost: sum('nex_keeper_batches_lost_total'),
    errors: byLabel('nex_keeper_errors_total', 'kind'),
  };
}

export function httpKeeperSource(url: string): KeeperSource {
  return {
    async scrape() {
      const at = Date.now();
      const failed = (error: string) => ({
        url,
        ok: false,
        error,
        at,
        stake: {},
        proofs: {},
        batchProofs: {},
        locked: 0,
        fulfilled: 0,
        lost: 0,
        errors: {},
      });
      try {
        const { status, text } = await getText(url, TIMEOUT_MS);
        if (status !== 200) return failed(`answered HTTP ${status}`);
        return snapshotOf(url, text, at);
      } catch (err) {
        return failed((err as Error).message);
      }
    },
  };
}
