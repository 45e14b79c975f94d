// `nex worker --queue <url>`: the command (commander), for the `nex` CLI to mount, and `workerMain`
// for a standalone entry (bin.ts). Each option has one definition: flag, environment variable, help.
import { Command, CommanderError, Option } from 'commander';
import { jsonLogger, type LogLevel } from '../logger.js';
import { EXIT_ERROR, EXIT_OK, runWorker, type WorkerOptions } from './worker.js';

const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) throw new CommanderError(2, 'nex.invalidArgument', `${name} must be a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
};

interface WorkerFlags {
  queue: string;
  queueName?: string;
  queuePrefix?: string;
  threads?: number;
  concurrency?: number;
  buildDir?: string;
  srs?: 'dev' | 'ignition';
  srsDir?: string;
  metricsPort?: number;
  metricsHost?: string;
  name?: string;
  lockDuration?: number;
  stalledInterval?: number;
  logLevel: LogLevel;
}

/** Options of `nex worker` turned into runWorker options. */
export function workerOptionsFromFlags(f: WorkerFlags): WorkerOptions {
  return {
    queue: { url: f.queue, name: f.queueName, prefix: f.queuePrefix },
    backend: { buildDir: f.buildDir, srs: f.srs, srsDir: f.srsDir, threads: f.threads },
    concurrency: f.concurrency,
    metricsPort: f.metricsPort,
    metricsHost: f.metricsHost,
    name: f.name,
    lockDurationMs: f.lockDuration === undefined ? undefined : f.lockDuration * 1000,
    stalledIntervalMs: f.stalledInterval === undefined ? undefined : f.stalledInterval * 1000,
    logger: jsonLogger({ level: f.logLevel, component: 'prover-worker' }),
  };
}

/**
 * The `worker` command. Its action runs until SIGINT/SIGTERM (the job in progress is finished first;
 * a second signal exits the process at once and the job is retried by another worker), then calls
 * `exit` with the worker's exit code (0; 3 = refused a job made for other circuits; 1 = error).
 */
export function workerCommand(exit: (code: number) => void): Command {
  return new Command('worker')
    .description('prove jobs of a keeper\'s proving queue (distributed proving, docs/operator.md)')
    .addOption(new Option('--queue <url>', 'queue server: redis://[:password@]host:port[/db] or rediss:// for TLS').env('NEX_QUEUE_URL').makeOptionMandatory())
    .addOption(new Option('--queue-name <name>', 'queue name (same as the keeper\'s)').env('NEX_QUEUE_NAME'))
    .addOption(new Option('--queue-prefix <prefix>', 'Redis key prefix (same as the keeper\'s)').env('NEX_QUEUE_PREFIX'))
    .addOption(new Option('--threads <n>', 'bb threads per job (default: all cores)').env('NEX_WORKER_THREADS').argParser(int('--threads')))
    .addOption(new Option('--concurrency <n>', 'jobs proven at once, each with its own bb and memory').env('NEX_WORKER_CONCURRENCY').argParser(int('--concurrency')))
    .addOption(new Option('--build-dir <dir>', 'compiled circuits (default: built or found under NEX_BUILD_DIR)'))
    .addOption(new Option('--srs <kind>', 'SRS: dev (INSECURE, local) or ignition (production)').choices(['dev', 'ignition']).env('NEX_SRS'))
    .addOption(new Option('--srs-dir <dir>', 'dev SRS cache root'))
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics on this port (/metrics)').env('NEX_WORKER_METRICS_PORT').argParser(int('--metrics-port')))
    .addOption(new Option('--metrics-host <host>', 'address the metrics server binds').default('127.0.0.1'))
    .addOption(new Option('--name <name>', 'worker name shown by `nex keeper status` (default: hostname-pid)').env('NEX_WORKER_NAME'))
    .addOption(new Option('--lock-duration <s>', 'job lock, renewed while the worker lives; a dead worker\'s job is retried after it').argParser(int('--lock-duration')))
    .addOption(new Option('--stalled-interval <s>', 'how often to look for jobs of dead workers').argParser(int('--stalled-interval')))
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .action(async (flags: WorkerFlags) => {
      const controller = new AbortController();
      let signals = 0;
      const onSignal = (): void => {
        signals++;
        if (signals === 1) controller.abort();
        else process.exit(EXIT_ERROR); // second signal: stop now; bb dies with us and the job is retried elsewhere
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const w = await runWorker({ ...workerOptionsFromFlags(flags), signal: controller.signal });
        exit(await w.done);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

/** Runs `worker` with `argv` (without the command name) and resolves with the exit code. */
export async function workerMain(argv: readonly string[]): Promise<number> {
  let code = EXIT_OK;
  const cmd = workerCommand((c) => (code = c)).exitOverride();
  try {
    await cmd.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : 2;
    console.error(`nex worker: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_ERROR;
  }
  return code;
}
