// A proving worker process: forked by the worker pool, owns one bb instance, proves one job at a time.
import { openBackend, type ProvingBackend } from './backend.js';
import { rollupFromJson } from './batch.js';
import { peakRssMiB, resetPeakRss } from './rss.js';
import { aggProofFromJson, aggProofToJson } from './serialize.js';
import type { ParentMessage, WorkerMessage } from './workerProtocol.js';

if (!process.send) throw new Error('prover worker must be started by the worker pool (child_process.fork)');

const send = (m: WorkerMessage): void => {
  process.send!(m);
};

let backend: Promise<ProvingBackend> | undefined;

async function prove(m: Extract<ParentMessage, { type: 'job' }>): Promise<WorkerMessage> {
  const b = await backend!;
  const pid = b.bbPid();
  if (pid !== undefined) await resetPeakRss(pid);
  b.takeBbProveMs();
  const start = performance.now();
  const { job, prover } = m;
  const proof =
    job.kind === 'leaf'
      ? await b.proveLeaf({ rollup: rollupFromJson(m.rollup!), prover })
      : job.kind === 'pad'
        ? await b.provePad({ height: job.height, prover })
        : await b.proveNode({
            left: aggProofFromJson(m.inputs[0]),
            right: aggProofFromJson(m.inputs[1]),
            prover,
            target: job.target,
          });
  const ms = Math.round(performance.now() - start);
  const rssMiB = pid !== undefined ? await peakRssMiB(pid) : undefined;
  return { type: 'done', taskId: m.taskId, proof: aggProofToJson(proof), ms, bbMs: b.takeBbProveMs(), rssMiB };
}

// The pool died (or was SIGKILLed): do not leave an orphaned bb proving for nobody.
process.on('disconnect', () => {
  const pending = backend ?? Promise.reject(new Error('no backend'));
  pending
    .then((b) => {
      const pid = b.bbPid();
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    })
    .catch(() => undefined)
    .finally(() => process.exit(1));
});

process.on('message', (m: ParentMessage) => {
  if (m.type === 'init') {
    backend = openBackend(m.backend);
    backend.then(
      (b) => send({ type: 'ready', bbPid: b.bbPid() }),
      (err: unknown) => send({ type: 'init-error', message: err instanceof Error ? err.message : String(err) }),
    );
  } else if (m.type === 'job') {
    prove(m).then(send, (err: unknown) =>
      send({ type: 'failed', taskId: m.taskId, message: err instanceof Error ? err.message : String(err) }),
    );
  } else if (m.type === 'shutdown') {
    const close = backend ? backend.then((b) => b.close()).catch(() => undefined) : Promise.resolve();
    void close.finally(() => process.exit(0));
  }
});
