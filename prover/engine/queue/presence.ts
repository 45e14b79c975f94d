// Worker presence: each worker refreshes one field of a Redis hash every few seconds; the keeper reads
// the hash to show the workers it sees. A worker that stops refreshing (killed, network cut) is shown
// as gone after three missed beats and forgotten after ten minutes.
import type { Redis } from 'ioredis';
import type { QueueConfig } from './connection.js';

export interface WorkerPresence {
  name: string;
  host: string;
  pid: number;
  /** circuitsIdOf(keyHashes) of the worker's circuits. */
  circuitsId: string;
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
  /** Whether its circuits match the reader's (undefined when the reader did not say which it has). */
  compatible?: boolean | undefined;
}

const FORGET_MS = 10 * 60_000;

export const presenceKey = (cfg: QueueConfig): string => `${cfg.prefix}:${cfg.name}:nex-workers`;

/**
 * A batch's liveness key: its orchestrator refreshes it on every poll with a TTL; a worker does not
 * start a job of a batch whose key has expired (its keeper is gone for good, or gave the batch up), so
 * an abandoned flow fails instead of keeping workers busy.
 */
export const batchAliveKey = (cfg: QueueConfig, batchKey: string): string => `${cfg.prefix}:${cfg.name}:nex-batch:${batchKey}`;

export async function publishPresence(client: Redis, cfg: QueueConfig, p: WorkerPresence): Promise<void> {
  await client.hset(presenceKey(cfg), p.name, JSON.stringify(p));
}

export async function removePresence(client: Redis, cfg: QueueConfig, name: string): Promise<void> {
  await client.hdel(presenceKey(cfg), name);
}

/** The workers seen recently, sorted by name; entries older than ten minutes are deleted. */
export async function readPresence(client: Redis, cfg: QueueConfig, opts: { circuitsId?: string | undefined; now?: number } = {}): Promise<WorkerSeen[]> {
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
    seen.push({ ...p, alive, compatible: opts.circuitsId === undefined ? undefined : p.circuitsId === opts.circuitsId });
  }
  if (forget.length > 0) await client.hdel(presenceKey(cfg), ...forget);
  return seen.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
