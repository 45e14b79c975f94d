/**
 * A `nex` daemon (`nex keeper run`, `nex relay`) as a child process of the demo: prover/cli/bin.mjs with
 * its own data directory and environment, JSON log lines parsed one by one (raw text kept as
 * `level: 'raw'`) and copied to a log file for a failed run's post-mortem. It runs in its own process
 * group, so stopping it also stops whatever it started (proving workers, bb).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { groupAlive, killGroup } from './cleanup.js';

/** One line of a daemon's output: a JSON log line (with `msg`), or raw text (`level: 'raw'`). */
export interface NexLogLine {
  readonly msg: string;
  readonly level: string | number;
  readonly [field: string]: unknown;
}

export interface NexProcessOptions {
  readonly name: string;
  /** Project root (where prover/cli/bin.mjs is). */
  readonly root: string;
  /** The `nex` arguments, e.g. ['keeper', 'run']. */
  readonly args: readonly string[];
  /** Variables added to the demo's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The daemon's own directory; its log file goes there. */
  readonly dataDir: string;
  readonly logName: string;
}

export class NexProcess<L extends NexLogLine = NexLogLine> {
  readonly lines: L[] = [];
  readonly #listeners = new Set<(l: L) => void>();
  #child?: ChildProcess;
  #exit?: Promise<number | null>;
  #log?: WriteStream;

  constructor(readonly spec: NexProcessOptions) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Where the raw log goes. */
  get logFile(): string {
    return path.join(this.spec.dataDir, this.spec.logName);
  }

  start(): void {
    const { root, args, env, dataDir } = this.spec;
    mkdirSync(dataDir, { recursive: true });
    this.#log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [path.join(root, 'prover', 'cli', 'bin.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const onLine = (raw: string): void => {
      this.#log?.write(`${raw}\n`);
      let parsed: L | undefined;
      try {
        const j = JSON.parse(raw) as L;
        if (typeof j.msg === 'string') parsed = j;
      } catch {
        parsed = { msg: raw, level: 'raw' } as unknown as L;
      }
      if (!parsed) return;
      this.lines.push(parsed);
      for (const l of this.#listeners) l(parsed);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  }

  /** Calls `f` for every future log line; returns an unsubscribe function. */
  onLine(f: (l: L) => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  find(pred: (l: L) => boolean): L | undefined {
    return this.lines.find(pred);
  }

  /** The last error-level lines (for a clear failure message). */
  lastErrors(n = 3): string[] {
    const noise = /ExperimentalWarning|--trace-warnings/;
    const isError = (l: L): boolean => l.level === 'error' || l.level === 50 || l.level === 60;
    return this.lines
      .filter((l) => isError(l) || (l.level === 'raw' && !noise.test(l.msg)))
      .slice(-n)
      .map((l) => `${l.msg}${'error' in l && l.error ? `: ${JSON.stringify(l.error)}` : ''}`);
  }

  /** SIGTERM to the daemon, then SIGKILL to its whole group after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.#child;
    const pid = child?.pid;
    if (!child || pid === undefined) return;
    if (this.running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await this.#exit;
      clearTimeout(timer);
    }
    // Workers and bb share the group: nothing of it may outlive the daemon.
    if (groupAlive(pid)) {
      killGroup(pid, 'SIGKILL');
      const end = Date.now() + 5_000;
      while (groupAlive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise<void>((resolve) => (this.#log ? this.#log.end(resolve) : resolve()));
    this.#log = undefined;
  }
}
