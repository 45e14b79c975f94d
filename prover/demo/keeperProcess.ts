/**
 * A keeper daemon as a child process: `nex keeper run` (prover/cli/bin.mjs) with its own data directory,
 * configured through NEX_KEEPER_* variables, JSON logs parsed line by line into typed lines: a line with
 * an `event` code is one of the keeper's typed events (prover/keeper/obs/events.ts), which is what the
 * demo follows. It runs in its own process group, so stopping it also stops its proving workers and
 * their bb processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Hex } from 'viem';
import type { KeeperLogLine } from '../keeper/index.js';
import { groupAlive, killGroup } from './cleanup.js';

/** One line of the keeper's output: a JSON log line, or raw text (`level: 'raw'`). */
export type KeeperLine = KeeperLogLine;

export interface KeeperProcessOptions {
  name: string;
  root: string;
  privateKey: Hex;
  rpcUrl: string;
  deploymentsFile: string;
  dataDir: string;
  pollMs?: number;
}

export class KeeperProcess {
  readonly lines: KeeperLine[] = [];
  readonly #listeners = new Set<(l: KeeperLine) => void>();
  #child?: ChildProcess;
  #exit?: Promise<number | null>;
  #log?: WriteStream;

  constructor(readonly opts: KeeperProcessOptions) {}

  get name(): string {
    return this.opts.name;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Where the raw log goes (for a failed run's post-mortem). */
  get logFile(): string {
    return path.join(this.opts.dataDir, 'keeper.log');
  }

  start(): void {
    mkdirSync(this.opts.dataDir, { recursive: true });
    this.#log = createWriteStream(this.logFile, { flags: 'a' });
    const bin = path.join(this.opts.root, 'prover', 'cli', 'bin.mjs');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NEX_KEEPER_PRIVATE_KEY: this.opts.privateKey,
      NEX_KEEPER_RPC_URLS: this.opts.rpcUrl,
      NEX_KEEPER_DEPLOYMENTS_FILE: this.opts.deploymentsFile,
      NEX_KEEPER_DATA_DIR: this.opts.dataDir,
      NEX_KEEPER_POLL_MS: String(this.opts.pollMs ?? 1_000),
      NEX_KEEPER_METRICS_PORT: '0',
      NEX_KEEPER_LOG_FORMAT: 'json',
      NEX_KEEPER_LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, [bin, 'keeper', 'run'], {
      cwd: this.opts.root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const onLine = (raw: string): void => {
      this.#log?.write(`${raw}\n`);
      let parsed: KeeperLine | undefined;
      try {
        const j = JSON.parse(raw) as KeeperLine;
        if (typeof j.msg === 'string') parsed = j;
      } catch {
        parsed = { msg: raw, level: 'raw' };
      }
      if (!parsed) return;
      this.lines.push(parsed);
      for (const l of this.#listeners) l(parsed);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  }

  /** Calls `f` for every future log line; returns an unsubscribe function. */
  onLine(f: (l: KeeperLine) => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  find(pred: (l: KeeperLine) => boolean): KeeperLine | undefined {
    return this.lines.find(pred);
  }

  /** The last error-level lines (for a clear failure message). */
  lastErrors(n = 3): string[] {
    const noise = /ExperimentalWarning|--trace-warnings/;
    return this.lines
      .filter((l) => l.level === 'error' || (l.level === 'raw' && !noise.test(l.msg)))
      .slice(-n)
      .map((l) => `${l.msg}${'error' in l && l.error ? `: ${JSON.stringify(l.error)}` : ''}`);
  }

  /** SIGTERM to the keeper (it pauses its jobs and stops its workers), then SIGKILL to the whole group after `graceMs`. */
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
    // Workers and bb share the group: nothing of it may outlive the keeper.
    if (groupAlive(pid)) {
      killGroup(pid, 'SIGKILL');
      const end = Date.now() + 5_000;
      while (groupAlive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise<void>((resolve) => (this.#log ? this.#log.end(resolve) : resolve()));
    this.#log = undefined;
  }
}
