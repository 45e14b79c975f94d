// What the keeper shows about distributed proving: the queue's job counts and the workers it sees.
import { Queue } from 'bullmq';
import type { Hex } from '../backend.js';
import { bullConnection, plainClient, type QueueConfig, type QueueConfigInput, redactUrl, resolveQueueConfig } from './connection.js';
import { QUEUE_STATES, type QueueState } from './metrics.js';
import { readPresence, type WorkerSeen } from './presence.js';

export interface QueueStatus {
  /** The queue URL without its password. */
  url: string;
  name: string;
  counts: Record<QueueState, number>;
  /** Workers seen in the last ten minutes; `alive` = heartbeat within three periods. */
  workers: WorkerSeen[];
}

/**
 * Reads the queue's job counts and the workers' presence. With `keySet` (the keeper's key set),
 * each worker is marked compatible or not.
 */
export async function queueStatus(
  queue: QueueConfigInput | string | QueueConfig,
  opts: { keySet?: Hex | undefined } = {},
): Promise<QueueStatus> {
  const cfg = resolveQueueConfig(queue);
  const q = new Queue(cfg.name, { connection: bullConnection(cfg), prefix: cfg.prefix });
  q.on('error', () => undefined); // surfaced by the rejected calls below
  const client = plainClient(cfg);
  client.on('error', () => undefined);
  try {
    await client.connect();
    const [raw, workers] = await Promise.all([q.getJobCounts(...QUEUE_STATES), readPresence(client, cfg, { keySet: opts.keySet })]);
    const counts = Object.fromEntries(QUEUE_STATES.map((s) => [s, raw[s] ?? 0])) as Record<QueueState, number>;
    return { url: redactUrl(cfg.url), name: cfg.name, counts, workers };
  } finally {
    client.disconnect();
    await q.close().catch(() => undefined);
  }
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s ago` : `${Math.round(s / 60)}min ago`;
}

/** The `workers` section of `nex keeper status`, as lines. */
export function formatQueueStatus(s: QueueStatus, now = Date.now()): string[] {
  const c = s.counts;
  const lines = [
    `Proving queue ${s.name} at ${s.url}`,
    `  jobs: ${c.active} active, ${c.waiting + c.prioritized} waiting, ${c['waiting-children']} waiting for children, ${c.delayed} delayed (retry), ${c.failed} failed, ${c.completed} completed`,
  ];
  const alive = s.workers.filter((w) => w.alive);
  lines.push('', `Workers: ${alive.length} alive${s.workers.length > alive.length ? `, ${s.workers.length - alive.length} gone` : ''}`);
  if (s.workers.length === 0) return lines;
  const head = ['worker', 'state', 'key set', 'threads', 'jobs done/failed', 'now proving', 'last seen'];
  const rows = s.workers.map((w) => [
    w.name,
    w.refused ? 'refused (other circuits)' : !w.alive ? 'gone' : w.jobs.length > 0 ? 'busy' : 'idle',
    `${String(w.keySet).slice(0, 14)}${w.compatible === false ? " (NOT the keeper's)" : ''}`,
    w.threads === undefined ? 'all' : String(w.threads),
    `${w.jobsDone}/${w.jobsFailed}`,
    w.jobs.join(' ') || '-',
    ago(now - w.seenAt),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => `  ${r.map((x, i) => x.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  lines.push(fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt));
  return lines;
}
