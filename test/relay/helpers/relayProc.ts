// A relay in a child process (so a test can kill -9 it), with its parsed JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type LogLine = { msg: string; level: string; component?: string; [k: string]: unknown };

export class RelayProc {
  #proc?: ChildProcess;
  #exit?: Promise<number | null>;
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly echo = process.env.NEX_TEST_ECHO === '1',
  ) {}

  start(): void {
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'relayChild.ts');
    const p = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, ...this.env, NEX_RELAY_TEST_FIXTURE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#proc = p;
    this.#exit = new Promise((resolve) => p.once('exit', (code) => resolve(code)));
    createInterface({ input: p.stdout! }).on('line', (line) => {
      if (this.echo) console.log(`[relay] ${line.slice(0, 300)}`);
      try {
        const j = JSON.parse(line) as LogLine;
        if (typeof j.msg === 'string') this.lines.push(j);
      } catch {
        /* not a log line */
      }
    });
    createInterface({ input: p.stderr! }).on('line', (line) => {
      if (this.echo) console.log(`[relay:err] ${line.slice(0, 300)}`);
      this.stderr.push(line);
    });
  }

  get running(): boolean {
    return this.#proc !== undefined && this.#proc.exitCode === null && this.#proc.signalCode === null;
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    this.#proc!.kill('SIGKILL');
    await this.#exit;
  }

  /** SIGTERM and wait; returns the exit code. */
  async stop(): Promise<number | null> {
    if (!this.running) return this.#proc?.exitCode ?? null;
    this.#proc!.kill('SIGTERM');
    const t = setTimeout(() => this.#proc?.kill('SIGKILL'), 30_000);
    const code = await this.#exit!;
    clearTimeout(t);
    return code;
  }

  async waitLog(pred: (l: LogLine) => boolean, ms: number, what: string): Promise<LogLine> {
    const end = Date.now() + ms;
    const from = this.lines.length;
    for (;;) {
      const hit = this.lines.slice(from).find(pred);
      if (hit) return hit;
      if (!this.running) throw new Error(`relay exited while waiting for ${what}: ${this.stderr.slice(-5).join(' | ')}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
