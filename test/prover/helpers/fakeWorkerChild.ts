// Test fixture: a queue worker with the fake prover in its own process, so a test can SIGKILL it
// mid-job. Usage: NEX_FAKE_WORKER_CHILD=1 tsx fakeWorkerChild.ts '<json options>'. Prints one JSON
// line per event on stdout: {"type":"ready"} and {"type":"proving","jobId":...}.
import { runWorker } from '../../../prover/engine/queue/worker.js';
import { fakeJobProver } from './fakeJobProver.js';

// `hardhat test` imports every .ts file under test/, so this only runs when a test spawns it.
if (process.env.NEX_FAKE_WORKER_CHILD === '1') {
  const o = JSON.parse(process.argv[2]!) as {
    url: string;
    queueName: string;
    name: string;
    keySet: `0x${string}`;
    delayMs: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
  };
  const say = (m: object): boolean => process.stdout.write(`${JSON.stringify(m)}\n`);
  const w = await runWorker({
    queue: { url: o.url, name: o.queueName },
    name: o.name,
    lockDurationMs: o.lockDurationMs,
    stalledIntervalMs: o.stalledIntervalMs,
    heartbeatMs: 200,
    openProver: async () =>
      fakeJobProver({ keySet: o.keySet, delayMs: o.delayMs, onProve: (job) => say({ type: 'proving', jobId: job.id }) }),
  });
  say({ type: 'ready' });
  process.exit(await w.done);
}
