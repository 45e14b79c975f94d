// `nex worker --queue <url>`: a proving worker of distributed proving (prover/engine/queue). It builds
// the circuits first when this machine has none (the toolchain, cached under NEX_BUILD_DIR), then takes
// jobs until SIGINT/SIGTERM (the job in progress is finished first; a second signal exits at once and the
// job is retried by another worker). Exit code 0; 3 = refused a job made for other circuits; 1 = error.
import { Option } from 'commander';
import { EXIT_ERROR, jsonLogger, type LogLevel, runWorker } from '../../engine/index.js';
import { circuitBuild } from '../../toolchain/index.js';
import { action, type DefineCommand, positiveInt } from '../command.js';

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
  metricsHost: string;
  name?: string;
  lockDuration?: number;
  stalledInterval?: number;
  build: boolean;
  logLevel: LogLevel;
}

const port = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`--metrics-port must be a TCP port (0-65535), got ${JSON.stringify(v)}`);
  return Number(v);
};

export const worker: DefineCommand = (cmd, ctx) => {
  cmd
    .description(
      "Takes leaf, pad and node jobs from a keeper's proving queue (or `nex aggregate --queue`), checks every input proof " +
        'with bb, proves and returns the proofs. Refuses (exit 3) jobs made for another key set. See docs/operator.md.',
    )
    .addOption(
      new Option('--queue <url>', 'queue server: redis://[:password@]host:port[/db], or rediss:// for TLS')
        .env('NEX_QUEUE_URL')
        .makeOptionMandatory(),
    )
    .addOption(new Option('--queue-name <name>', "queue name (same as the keeper's; default prove)").env('NEX_QUEUE_NAME'))
    .addOption(new Option('--queue-prefix <prefix>', "Redis key prefix (same as the keeper's; default nex)").env('NEX_QUEUE_PREFIX'))
    .addOption(
      new Option('--threads <n>', 'bb threads per job (default: all cores)').env('NEX_WORKER_THREADS').argParser(positiveInt('threads')),
    )
    .addOption(
      new Option('--concurrency <n>', 'jobs proven at once, each with its own bb and memory (default 1)')
        .env('NEX_WORKER_CONCURRENCY')
        .argParser(positiveInt('concurrency')),
    )
    .addOption(new Option('--build-dir <dir>', 'compiled circuits (default: built or found under $NEX_BUILD_DIR)'))
    .addOption(
      new Option('--srs <kind>', 'SRS: dev (INSECURE, local) or ignition (production)').choices(['dev', 'ignition']).env('NEX_SRS'),
    )
    .addOption(new Option('--srs-dir <dir>', 'dev SRS cache root'))
    .option('--no-build', 'fail instead of building the circuits when this machine has no build')
    .addOption(
      new Option('--metrics-port <port>', 'serve Prometheus metrics on this port (/metrics)')
        .env('NEX_WORKER_METRICS_PORT')
        .argParser(port),
    )
    .addOption(new Option('--metrics-host <host>', 'address the metrics server binds').default('127.0.0.1'))
    .addOption(new Option('--name <name>', 'worker name shown by `nex keeper status` (default: hostname-pid)').env('NEX_WORKER_NAME'))
    .addOption(
      new Option(
        '--lock-duration <s>',
        "job lock, renewed while the worker lives; a dead worker's job is retried after it (default 120)",
      ).argParser(positiveInt('lock-duration')),
    )
    .addOption(
      new Option('--stalled-interval <s>', 'how often to look for jobs of dead workers (default 30)').argParser(
        positiveInt('stalled-interval'),
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'level of the JSON logs on stderr').choices(['debug', 'info', 'warn', 'error']).default('info'),
    )
    .action(
      action(ctx, async (c) => {
        const f = c.opts<WorkerFlags>();
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
          const w = await runWorker({
            queue: { url: f.queue, name: f.queueName, prefix: f.queuePrefix },
            backend: { buildDir: f.buildDir, srs: f.srs, srsDir: f.srsDir, threads: f.threads },
            prepare: f.build ? async (backend) => void (await circuitBuild(backend)) : undefined,
            concurrency: f.concurrency,
            metricsPort: f.metricsPort,
            metricsHost: f.metricsHost,
            name: f.name,
            lockDurationMs: f.lockDuration === undefined ? undefined : f.lockDuration * 1000,
            stalledIntervalMs: f.stalledInterval === undefined ? undefined : f.stalledInterval * 1000,
            logger: jsonLogger({ level: f.logLevel, component: 'prover-worker' }),
            signal: controller.signal,
          });
          return await w.done;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
};
