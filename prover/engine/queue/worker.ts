// A proving worker for any machine (`nex worker --queue <url>`): takes leaf, pad and node jobs of the
// proving queue, checks every input proof with bb before using it, proves, and returns the proof as the
// job's return value. It refuses (and exits with EXIT_REFUSED) a job made for another key set than its
// circuits', handing the job back to the queue untouched. A job whose inputs a circuit rejects fails at
// once (no retry: it is a verdict) with a reason the orchestrator reads as "exclude this slot".

import { createServer, type Server } from 'node:http';
import os from 'node:os';
import { type Job as BullJob, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { AggProof, BackendOptions } from '../backend.js';
import { rollupFromJson } from '../batch.js';
import { ConfigError } from '../config.js';
import { type Logger, silentLogger } from '../logger.js';
import { JobInputError } from '../scheduler.js';
import { aggProofFromJson, aggProofToJson } from '../serialize.js';
import {
  bullConnection,
  checkQueueServer,
  plainClient,
  type QueueConfig,
  type QueueConfigInput,
  redactUrl,
  resolveQueueConfig,
} from './connection.js';
import { queueJobId } from './ids.js';
import { type JobProver, openBbJobProver } from './jobProver.js';
import { WorkerMetrics } from './metrics.js';
import { flowAliveKey, publishPresence, removePresence, type WorkerPresence } from './presence.js';
import {
  INPUT_FAILURE_PREFIX,
  parseJobData,
  parseJobResult,
  PROTOCOL_VERSION,
  type ProveJobData,
  type ProveJobResult,
} from './protocol.js';

/** Exit codes of a worker process. */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** The worker met a job made for another key set and stopped (the job went back to the queue). */
export const EXIT_REFUSED = 3;

export interface WorkerOptions {
  queue: QueueConfigInput | string;
  /** Circuits and SRS and bb threads (`threads`, default all cores). */
  backend?: BackendOptions | undefined;
  /** Runs before the provers open (`nex worker` builds the circuits there when this machine has none). */
  prepare?: ((backend: BackendOptions) => Promise<void>) | undefined;
  /** Jobs proven at once, each with its own bb (default 1). */
  concurrency?: number | undefined;
  /** Lock on a job, renewed every half of it while the worker lives (default 120 s). */
  lockDurationMs?: number | undefined;
  /** How often this worker looks for jobs of dead workers (default 30 s). */
  stalledIntervalMs?: number | undefined;
  /** Times a job may lose its worker before it fails (default 2). */
  maxStalledCount?: number | undefined;
  /** Port of this worker's /metrics (0 = any free port; undefined = no server). */
  metricsPort?: number | undefined;
  metricsHost?: string | undefined;
  /** Default `<hostname>-<pid>`. */
  name?: string | undefined;
  /** Presence heartbeat period (default 5 s). */
  heartbeatMs?: number | undefined;
  logger?: Logger | undefined;
  /** Aborting closes the worker (the job in progress is finished first). */
  signal?: AbortSignal | undefined;
  /** The prover seam (default: bb with the circuits of `backend`); one per concurrent job. */
  openProver?: (() => Promise<JobProver>) | undefined;
}

export interface ResolvedWorkerOptions {
  queue: QueueConfig;
  backend: BackendOptions;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  metricsPort?: number | undefined;
  metricsHost: string;
  name: string;
  heartbeatMs: number;
}

const posInt = (v: unknown, name: string, min = 1): number => {
  if (!Number.isInteger(v) || (v as number) < min) throw new ConfigError(`${name} must be an integer >= ${min}, got ${String(v)}`);
  return v as number;
};

export function resolveWorkerOptions(o: WorkerOptions): ResolvedWorkerOptions {
  if (typeof o !== 'object' || o === null) throw new ConfigError('worker options must be an object');
  const queue = resolveQueueConfig(o.queue);
  const lockDurationMs = posInt(o.lockDurationMs ?? 120_000, 'lockDurationMs', 1_000);
  const stalledIntervalMs = posInt(o.stalledIntervalMs ?? 30_000, 'stalledIntervalMs', 100);
  const b = o.backend ?? {};
  if (b.threads !== undefined) posInt(b.threads, 'backend.threads');
  if (o.metricsPort !== undefined && (!Number.isInteger(o.metricsPort) || o.metricsPort < 0 || o.metricsPort > 65535)) {
    throw new ConfigError(`metricsPort must be a port number, got ${String(o.metricsPort)}`);
  }
  const name = o.name ?? `${os.hostname()}-${process.pid}`;
  if (!/^[A-Za-z0-9_.@-]{1,100}$/.test(name)) throw new ConfigError(`worker name ${JSON.stringify(name)} must be 1-100 of [A-Za-z0-9_.@-]`);
  return {
    queue,
    backend: { buildDir: b.buildDir, srs: b.srs, srsDir: b.srsDir, threads: b.threads },
    concurrency: posInt(o.concurrency ?? 1, 'concurrency'),
    lockDurationMs,
    stalledIntervalMs,
    maxStalledCount: posInt(o.maxStalledCount ?? 2, 'maxStalledCount'),
    metricsPort: o.metricsPort,
    metricsHost: o.metricsHost ?? '127.0.0.1',
    name,
    heartbeatMs: posInt(o.heartbeatMs ?? 5_000, 'heartbeatMs', 100),
  };
}

export interface RunningWorker {
  readonly name: string;
  readonly keySet: string;
  /** http://host:port/metrics when a metrics port was given. */
  readonly metricsUrl?: string | undefined;
  readonly metrics: WorkerMetrics;
  /** Resolves with the exit code once the worker has stopped. */
  readonly done: Promise<number>;
  /** Stops taking jobs; waits for the jobs in progress unless `force` (they are then retried elsewhere). */
  close(force?: boolean): Promise<void>;
}

/** A job's input proofs, in `job.deps` order: checkpointed ones from the data, the others from the child jobs. */
async function collectInputs(job: BullJob, data: ProveJobData): Promise<AggProof[]> {
  if (data.job.deps.length === 0) return [];
  const children = await job.getChildrenValues<unknown>();
  return data.job.deps.map((dep) => {
    const fromData = data.inputs[dep];
    if (fromData) return aggProofFromJson(fromData);
    const key = `${job.queueQualifiedName}:${queueJobId(data.flowKey, dep)}`;
    if (!(key in children)) throw new Error(`input ${dep} of job ${data.job.id} is neither in its data nor among its finished children`);
    return parseJobResult(children[key]).proof;
  });
}

/** A small pool: one prover per concurrent job. */
class ProverPool {
  private readonly free: JobProver[];
  constructor(readonly all: JobProver[]) {
    this.free = [...all];
  }
  take(): JobProver {
    const p = this.free.pop();
    if (!p) throw new Error('no free prover (more jobs in flight than the worker concurrency)');
    return p;
  }
  give(p: JobProver): void {
    this.free.push(p);
  }
}

/** Starts a worker: checks the queue server, loads (or builds) its circuits, then takes jobs until closed. */
export async function runWorker(options: WorkerOptions): Promise<RunningWorker> {
  const o = resolveWorkerOptions(options);
  const logger = options.logger ?? silentLogger;
  const where = redactUrl(o.queue.url);
  await checkQueueServer(o.queue, logger);
  await options.prepare?.(o.backend);
  const open = options.openProver ?? (() => openBbJobProver(o.backend, logger));
  const provers: JobProver[] = [];
  try {
    for (let i = 0; i < o.concurrency; i++) provers.push(await open());
    if (provers.some((p) => p.keySet !== provers[0]!.keySet)) throw new Error('the provers of one worker loaded different circuits');
  } catch (err) {
    await Promise.all(provers.map((p) => p.close().catch(() => undefined)));
    throw err;
  }
  const first = provers[0]!;
  const pool = new ProverPool(provers);
  const metrics = new WorkerMetrics();
  metrics.info.set({ worker: o.name, key_set: first.keySet, threads: String(o.backend.threads ?? 'all') }, 1);

  const presence: WorkerPresence = {
    name: o.name,
    host: os.hostname(),
    pid: process.pid,
    keySet: first.keySet,
    buildId: first.buildId,
    threads: o.backend.threads,
    concurrency: o.concurrency,
    startedAt: Date.now(),
    seenAt: Date.now(),
    beatMs: o.heartbeatMs,
    jobs: [],
    jobsDone: 0,
    jobsFailed: 0,
  };
  let exitCode = EXIT_OK;
  let stopping: Promise<void> | undefined;
  const client = plainClient(o.queue);
  client.on('error', () => undefined); // the BullMQ connection reports the same outage

  const processJob = async (job: BullJob, token?: string): Promise<ProveJobResult> => {
    const started = performance.now();
    let data: ProveJobData;
    try {
      data = parseJobData(job.data);
    } catch (err) {
      throw new UnrecoverableError(`job ${String(job.id)}: ${(err as Error).message}`);
    }
    if (data.circuits.keySet.toLowerCase() !== first.keySet.toLowerCase()) {
      presence.refused =
        `job ${String(job.id)} needs key set ${data.circuits.keySet} (build ${data.circuits.buildId}, key hashes ${JSON.stringify(data.circuits.keyHashes)}); ` +
        `this worker has key set ${first.keySet} (build ${first.buildId} in ${first.source}, key hashes ${JSON.stringify(first.keyHashes)})`;
      logger.log('error', 'refusing a job made for other circuits; the job goes back to the queue and this worker stops', {
        jobId: job.id,
        wanted: data.circuits.keySet,
        wantedBuild: data.circuits.buildId,
        have: first.keySet,
        haveBuild: first.buildId,
        circuits: first.source,
      });
      metrics.jobs.inc({ circuit: data.job.circuit, outcome: 'refused' });
      exitCode = EXIT_REFUSED;
      await job.moveToWait(token);
      void stop(false);
      throw new WaitingError();
    }
    if ((await client.exists(flowAliveKey(o.queue, data.flowKey))) === 0) {
      metrics.jobs.inc({ circuit: data.job.circuit, outcome: 'abandoned' });
      throw new UnrecoverableError(
        `abandoned: the keeper of flow ${data.flowKey} has not been seen for too long (its liveness key expired)`,
      );
    }
    const prover = pool.take();
    presence.jobs.push(String(job.id));
    metrics.busy.inc();
    try {
      const inputs = await collectInputs(job, data);
      for (const [i, p] of inputs.entries()) {
        const e = data.expect[i]!;
        if (p.circuit !== e.circuit || p.root.toLowerCase() !== e.root.toLowerCase() || p.target !== e.target) {
          throw new UnrecoverableError(
            `input ${e.id} is a ${p.circuit}/${p.target} proof of root ${p.root}, expected ${e.circuit}/${e.target} of ${e.root}`,
          );
        }
        if (!(await prover.verify(p))) throw new UnrecoverableError(`input ${e.id} does not verify with the stored ${p.circuit} key`);
      }
      const rollups = data.rollups.map((r, i) => rollupFromJson(r, `slot ${data.slots[i]}`));
      for (const [i, r] of rollups.entries()) {
        const why = await prover.checkRollup(r);
        if (why !== undefined) throw new UnrecoverableError(`${INPUT_FAILURE_PREFIX}slot ${data.slots[i]}: ${why}`);
      }
      logger.log('info', 'job started', { jobId: job.id, circuit: data.job.circuit, attempt: job.attemptsStarted, inputs: inputs.length });
      let res;
      try {
        res = await prover.prove(data.job, { prover: data.prover, rollups, inputs });
      } catch (err) {
        if (err instanceof JobInputError) throw new UnrecoverableError(`${INPUT_FAILURE_PREFIX}${err.message}`);
        throw err;
      }
      const ms = Math.round(performance.now() - started);
      metrics.jobs.inc({ circuit: data.job.circuit, outcome: 'completed' });
      metrics.jobDuration.observe({ circuit: data.job.circuit }, ms / 1000);
      if (res.bbMs !== undefined) metrics.bbDuration.observe({ circuit: data.job.circuit }, res.bbMs / 1000);
      if (res.rssMiB !== undefined) metrics.observeRss(data.job.circuit, res.rssMiB);
      presence.jobsDone++;
      logger.log('info', 'job finished', { jobId: job.id, circuit: data.job.circuit, ms, bbMs: res.bbMs, rssMiB: res.rssMiB });
      return { v: PROTOCOL_VERSION, proof: aggProofToJson(res.proof), ms, bbMs: res.bbMs, rssMiB: res.rssMiB, worker: o.name };
    } catch (err) {
      metrics.jobs.inc({ circuit: data.job.circuit, outcome: 'failed' });
      presence.jobsFailed++;
      logger.log('warn', 'job failed', {
        jobId: job.id,
        circuit: data.job.circuit,
        error: (err as Error).message,
        attempt: job.attemptsStarted,
      });
      throw err;
    } finally {
      metrics.busy.dec();
      presence.jobs = presence.jobs.filter((j) => j !== String(job.id));
      pool.give(prover);
    }
  };

  const worker = new Worker(o.queue.name, processJob, {
    connection: bullConnection(o.queue),
    prefix: o.queue.prefix,
    name: o.name,
    concurrency: o.concurrency,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: o.maxStalledCount,
    autorun: false,
  });
  worker.on('error', (err) => logger.log('warn', 'queue connection error', { queue: where, error: err.message }));

  const beat = async (): Promise<void> => {
    presence.seenAt = Date.now();
    try {
      await publishPresence(client, o.queue, presence);
    } catch (err) {
      logger.log('debug', 'presence heartbeat failed', { error: (err as Error).message });
    }
  };

  let server: Server | undefined;
  let metricsUrl: string | undefined;
  if (o.metricsPort !== undefined) {
    server = createServer((req, res) => {
      if (req.url === '/metrics') {
        metrics.registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(stopping ? 'stopping\n' : 'ok\n');
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(o.metricsPort, o.metricsHost, () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') metricsUrl = `http://${o.metricsHost}:${addr.port}/metrics`;
    presence.metricsUrl = metricsUrl;
  }

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let timer: NodeJS.Timeout | undefined;

  // Closing twice returns the first close (BullMQ does the same): `force` counts on the first call only.
  const stop = (force: boolean): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (timer) clearInterval(timer);
      await worker
        .close(force)
        .catch((err: unknown) => logger.log('warn', 'closing the queue worker failed', { error: (err as Error).message }));
      // A refusing worker leaves its entry (with the reason) for `nex keeper status`; it ages out.
      const bye = presence.refused ? publishPresence(client, o.queue, { ...presence, jobs: [] }) : removePresence(client, o.queue, o.name);
      await bye.catch(() => undefined);
      client.disconnect();
      await Promise.all(provers.map((p) => p.close().catch(() => undefined)));
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      logger.log(exitCode === EXIT_REFUSED ? 'error' : 'info', 'worker stopped', { worker: o.name, exitCode, refused: presence.refused });
      resolveDone(exitCode);
    })();
    return stopping;
  };
  options.signal?.addEventListener('abort', () => void stop(false), { once: true });

  await client.connect();
  await beat();
  timer = setInterval(() => void beat(), o.heartbeatMs);
  timer.unref();
  worker.run().catch((err: unknown) => {
    logger.log('error', 'queue worker stopped on an error', { error: (err as Error).message });
    exitCode = EXIT_ERROR;
    void stop(true);
  });
  logger.log('info', 'worker ready', {
    worker: o.name,
    queue: where,
    queueName: o.queue.name,
    keySet: first.keySet,
    buildId: first.buildId,
    circuits: first.source,
    threads: o.backend.threads ?? 'all',
    concurrency: o.concurrency,
    lockDurationMs: o.lockDurationMs,
    metricsUrl,
  });
  return { name: o.name, keySet: first.keySet, metricsUrl, metrics, done, close: (force = false) => stop(force) };
}
