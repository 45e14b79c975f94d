// Worker presence: each worker refreshes one field of a Redis hash every few seconds; the keeper reads
// the hash to show the workers it sees. A worker that stops refreshing (killed, network cut) is shown
// as gone after three missed beats and forgotten after ten minutes.
import type { Redis } from 'ioredis';
import type { QueueConfig } from './connection.js';

export interface WorkerPresence {
  name: string;
  host: string;
  pid: number;
  /** The key-set root of the worker's circuits (what a job's circuits must match). */
  keySet: string;
  /** The worker's circuits build id. */
  buildId: string;
  /** bb threads (undefined = all cores). */
  threads?: number | undefined;
  concurrency: number;
  startedAt: number;
  /** Last heartbeat (ms since the epoch). */
  seenAt: number;
  /** Heartbeat period (ms): the reader declares the worker gone after three of them. */
  beatMs: number;
  /** Queue job ids being proven now. */
  jobs: string[];
  jobsDone: number;
  jobsFailed: number;
  metricsUrl?: string | undefined;
  /** Set when the worker refused a job made for other circuits (it then exits). */
  refused?: string | undefined;
}

export interface WorkerSeen extends WorkerPresence {
  alive: boolean;
  /** Whether its key set matches the reader's (undefined when the reader did not say which it has). */
  compatible?: boolean | undefined;
}

const FORGET_MS = 10 * 60_000;

export const presenceKey = (cfg: QueueConfig): string => `${cfg.prefix}:${cfg.name}:nex-workers`;

/**
 * A flow's liveness key (by the content key of the flow's root): its orchestrator refreshes it on every
 * poll with a TTL; a worker does not start a job of a flow whose key has expired (its keeper is gone for
 * good, or gave the batch up), so an abandoned flow fails instead of keeping workers busy.
 */
export const flowAliveKey = (cfg: QueueConfig, flowKey: string): string => `${cfg.prefix}:${cfg.name}:nex-flow:${flowKey}`;

export async function publishPresence(client: Redis, cfg: QueueConfig, p: WorkerPresence): Promise<void> {
  await client.hset(presenceKey(cfg), p.name, JSON.stringify(p));
}

export async function removePresence(client: Redis, cfg: QueueConfig, name: string): Promise<void> {
  await client.hdel(presenceKey(cfg), name);
}

/** The workers seen recently, sorted by name; entries older than ten minutes are deleted. */
export async function readPresence(
  client: Redis,
  cfg: QueueConfig,
  opts: { keySet?: string | undefined; now?: number } = {},
): Promise<WorkerSeen[]> {
  const now = opts.now ?? Date.now();
  const all = await client.hgetall(presenceKey(cfg));
  const seen: WorkerSeen[] = [];
  const forget: string[] = [];
  for (const [field, text] of Object.entries(all)) {
    let p: WorkerPresence;
    try {
      p = JSON.parse(text) as WorkerPresence;
    } catch {
      forget.push(field);
      continue;
    }
    if (typeof p.seenAt !== 'number' || now - p.seenAt > FORGET_MS) {
      forget.push(field);
      continue;
    }
    const alive = now - p.seenAt <= 3 * (p.beatMs > 0 ? p.beatMs : 10_000);
    seen.push({ ...p, alive, compatible: opts.keySet === undefined ? undefined : p.keySet?.toLowerCase() === opts.keySet.toLowerCase() });
  }
  if (forget.length > 0) await client.hdel(presenceKey(cfg), ...forget);
  return seen.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
