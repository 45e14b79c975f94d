import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Hex } from 'viem';

export type LogLine = { msg: string; level: string; component: string; [k: string]: unknown };

/** A keeper daemon in a child process (so the tests can kill -9 it), with its parsed JSON log. */
export class KeeperProc {
  #proc?: ChildProcess;
  #exit?: Promise<void>;
  readonly lines: LogLine[] = [];
  /** Log lines since the last start (index into `lines`). */
  startIndex = 0;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly echo = process.env.NEX_TEST_ECHO === '1',
  ) {}

  start(): void {
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'keeperChild.ts');
    this.startIndex = this.lines.length;
    const p = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, ...this.env, NEX_KEEPER_LOG_FORMAT: 'json', NEX_KEEPER_TEST_FIXTURE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#proc = p;
    this.#exit = new Promise((resolve) => p.once('exit', () => resolve()));
    const onLine = (line: string): void => {
      if (this.echo) console.log(`[${this.name}] ${line.slice(0, 300)}`);
      try {
        const j = JSON.parse(line) as LogLine;
        if (typeof j.msg === 'string') this.lines.push(j);
      } catch {
        /* not a log line */
      }
    };
    createInterface({ input: p.stdout! }).on('line', onLine);
    createInterface({ input: p.stderr! }).on('line', onLine);
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  get running(): boolean {
    return this.#proc !== undefined && this.#proc.exitCode === null && this.#proc.signalCode === null;
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    this.#proc!.kill('SIGKILL');
    await this.#exit;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.#proc!.kill('SIGTERM');
    const t = setTimeout(() => this.#proc?.kill('SIGKILL'), 30_000);
    await this.#exit;
    clearTimeout(t);
  }

  find(pred: (l: LogLine) => boolean, sinceStart = false): LogLine | undefined {
    return this.lines.slice(sinceStart ? this.startIndex : 0).find(pred);
  }

  async waitLog(pred: (l: LogLine) => boolean, ms: number, what: string, sinceStart = true): Promise<LogLine> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.find(pred, sinceStart);
      if (hit) return hit;
      if (!this.running) throw new Error(`${this.name} exited while waiting for ${what}`);
      if (Date.now() > end) throw new Error(`${this.name}: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function keeperEnv(o: {
  key: Hex;
  rpc: string;
  market: string;
  dataDir: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    NEX_KEEPER_PRIVATE_KEY: o.key,
    NEX_KEEPER_RPC_URLS: o.rpc,
    NEX_KEEPER_MARKET_ADDRESS: o.market,
    NEX_KEEPER_DATA_DIR: o.dataDir,
    NEX_KEEPER_POLL_MS: '500',
    NEX_KEEPER_METRICS_PORT: '0',
    NEX_KEEPER_CAPACITY: '1',
    NEX_KEEPER_SAFETY_BUFFER: '60',
    // These suites follow the lock path (a lock, kills while locked, slashes, secondary work): once a keeper
    // has measured its speed, a small batch could fit the 120 s window and be fulfilled without a lock.
    // Direct fulfilment has its own tests (test/keeper/keeperV2.test.ts, test/market/*.direct.test.ts).
    NEX_KEEPER_DIRECT: 'false',
    NEX_KEEPER_STUCK_AFTER: '30',
    NEX_KEEPER_LOG_LEVEL: 'info',
    ...o.extra,
  };
}
