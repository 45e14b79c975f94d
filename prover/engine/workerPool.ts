// The real job runner: a pool of forked worker processes (worker.ts under the same Node through tsx),
// each owning one bb instance. Jobs and proofs cross the IPC channel as JSON.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendOptions } from './backend.js';
import { rollupToJson } from './batch.js';
import type { Logger } from './logger.js';
import {
  abortError,
  BackendTransportError,
  JobInputError,
  type JobResult,
  type JobRunner,
  type JobTask,
  WorkerCrashError,
} from './scheduler.js';
import { aggProofFromJson, aggProofToJson } from './serialize.js';
import type { ParentMessage, WorkerMessage } from './workerProtocol.js';

const WORKER_MODULE = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface WorkerPoolOptions {
  /** Maximum number of worker processes (= jobs proven at once). */
  size: number;
  backend: BackendOptions;
  logger: Logger;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
  /** Killed or exited: never handed out again. */
  dead: boolean;
  bbPid?: number | undefined;
  /** Settles the job in progress when the worker exits. */
  onExit?: ((why: string) => void) | undefined;
}

function tsxLoader(): string {
  return import.meta.resolve('tsx');
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
}

export class WorkerPool implements JobRunner {
  private readonly workers = new Set<Worker>();
  private readonly waiters: ((w: Worker) => void)[] = [];
  private nextTaskId = 1;
  private closed = false;

  constructor(private readonly opts: WorkerPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new RangeError('worker pool size must be an integer >= 1');
  }

  private spawn(): Worker {
    const child = fork(WORKER_MODULE, [], {
      execArgv: ['--import', tsxLoader()],
      serialization: 'json',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const w: Worker = { child, busy: true, dead: false, ready: Promise.resolve() };
    w.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.type === 'ready') {
          w.bbPid = m.bbPid;
          child.off('message', onMessage);
          child.off('exit', onEarlyExit);
          resolve();
        } else if (m.type === 'init-error') {
          child.off('message', onMessage);
          child.off('exit', onEarlyExit);
          this.kill(w);
          reject(new Error(`prover worker could not start: ${m.message}`));
        }
      };
      const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        reject(new WorkerCrashError(`prover worker pid ${String(child.pid)} ${describeExit(code, signal)} while starting`));
      child.on('message', onMessage);
      child.once('exit', onEarlyExit);
    });
    w.ready.catch(() => undefined);
    child.on('exit', (code, signal) => {
      w.dead = true;
      this.workers.delete(w);
      this.killBb(w);
      w.onExit?.(describeExit(code, signal));
    });
    child.on('error', (err) => this.opts.logger.log('error', 'prover worker error', { pid: child.pid, error: err.message }));
    this.workers.add(w);
    const init: ParentMessage = { type: 'init', backend: this.opts.backend };
    child.send(init);
    this.opts.logger.log('info', 'prover worker started', { pid: child.pid, workers: this.workers.size });
    return w;
  }

  private acquire(): Promise<Worker> {
    for (const w of this.workers) {
      if (!w.busy && !w.dead) {
        w.busy = true;
        return Promise.resolve(w);
      }
    }
    if (this.workers.size < this.opts.size) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(w: Worker): void {
    if (w.dead || !this.workers.has(w)) {
      // The worker died: let a waiter spawn a fresh one.
      const waiter = this.waiters.shift();
      if (waiter) waiter(this.spawn());
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(w);
    else w.busy = false;
  }

  private killBb(w: Worker): void {
    if (w.bbPid === undefined) return;
    try {
      process.kill(w.bbPid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    w.bbPid = undefined;
  }

  private kill(w: Worker): void {
    w.dead = true;
    this.workers.delete(w);
    this.killBb(w);
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  }

  async run(task: JobTask, signal: AbortSignal): Promise<JobResult> {
    if (this.closed) throw new Error('worker pool is closed');
    if (signal.aborted) throw abortError(signal);
    const w = await this.acquire();
    try {
      await w.ready;
      if (signal.aborted) throw abortError(signal);
      return await this.runOn(w, task, signal);
    } finally {
      this.release(w);
    }
  }

  private runOn(w: Worker, task: JobTask, signal: AbortSignal): Promise<JobResult> {
    const taskId = this.nextTaskId++;
    return new Promise<JobResult>((resolve, reject) => {
      const cleanup = (): void => {
        w.child.off('message', onMessage);
        signal.removeEventListener('abort', onAbort);
        w.onExit = undefined;
      };
      const onMessage = (m: WorkerMessage): void => {
        if ((m.type !== 'done' && m.type !== 'failed') || m.taskId !== taskId) return;
        cleanup();
        if (m.type === 'failed') {
          if (m.kind === 'input') reject(new JobInputError(m.message));
          else if (m.kind === 'transport') {
            // Its bb is gone: replace the worker (the scheduler retries the job on a fresh one).
            this.kill(w);
            reject(
              new BackendTransportError(
                `prover worker pid ${String(w.child.pid)}: bb stopped answering while proving job ${task.job.id}: ${m.message}`,
              ),
            );
          } else reject(new Error(m.message));
          return;
        }
        try {
          resolve({ proof: aggProofFromJson(m.proof), ms: m.ms, bbMs: m.bbMs, rssMiB: m.rssMiB });
        } catch (err) {
          reject(new Error(`worker returned a malformed proof: ${(err as Error).message}`));
        }
      };
      const onAbort = (): void => {
        cleanup();
        this.kill(w);
        reject(abortError(signal));
      };
      w.onExit = (why) => {
        cleanup();
        reject(new WorkerCrashError(`prover worker pid ${String(w.child.pid)} ${why} while proving job ${task.job.id}`));
      };
      w.child.on('message', onMessage);
      signal.addEventListener('abort', onAbort, { once: true });
      const msg: ParentMessage = {
        type: 'job',
        taskId,
        job: task.job,
        prover: task.prover,
        rollups: task.rollups.map(rollupToJson),
        inputs: task.inputs.map(aggProofToJson),
      };
      w.child.send(msg);
    });
  }

  /** Asks idle workers to shut down (closing bb) and kills any that does not exit within `graceMs`. */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    const exits = [...this.workers].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
          const timer = setTimeout(() => this.kill(w), graceMs);
          w.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          if (w.busy) this.kill(w);
          else w.child.send({ type: 'shutdown' } satisfies ParentMessage);
        }),
    );
    await Promise.all(exits);
  }

  /** Process ids of the live workers (for tests and diagnostics). */
  pids(): number[] {
    return [...this.workers].flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]));
  }
}
