// A proving worker process: forked by the worker pool, owns one bb instance, proves one job at a time.
import { openBackend, type ProvingBackend } from './backend.js';
import { rollupFromJson } from './batch.js';
import { isInputFailure } from './circuits/prove.js';
import { isRightSingle } from './planner.js';
import { peakRssMiB, resetPeakRss } from './rss.js';
import { aggProofFromJson, aggProofToJson } from './serialize.js';
import type { FailureKind, ParentMessage, WorkerMessage } from './workerProtocol.js';

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
  const rollups = m.rollups.map((r) => rollupFromJson(r));
  let proof;
  if (job.kind === 'leaf') {
    proof =
      rollups.length === 2
        ? await b.provePairLeaf({ left: rollups[0]!, right: rollups[1]!, prover })
        : await b.proveSingleLeaf({ rollup: rollups[0]!, right: isRightSingle(job), prover });
  } else if (job.kind === 'pad') {
    proof = await b.provePad({ height: job.height, prover });
  } else {
    proof = await b.proveNode({ left: aggProofFromJson(m.inputs[0]), right: aggProofFromJson(m.inputs[1]), prover, target: job.target });
  }
  const ms = Math.round(performance.now() - start);
  const rssMiB = pid !== undefined ? await peakRssMiB(pid) : undefined;
  return { type: 'done', taskId: m.taskId, proof: aggProofToJson(proof), ms, bbMs: b.takeBbProveMs(), rssMiB };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** bb.js's errors when its native bb does not answer (process gone, socket closed, connection timed out). */
const TRANSPORT_MESSAGE = /^(Native backend process|Socket |Socket connection|Backend connection closed|Timeout)/;

/** Classifies a failed job (see FailureKind): the input, bb's transport, or something else. */
async function failureKind(err: unknown): Promise<FailureKind> {
  if (isInputFailure(err)) return 'input';
  const pid = await backend?.then((b) => b.bbPid()).catch(() => undefined);
  if (pid !== undefined && !isAlive(pid)) return 'transport';
  return err instanceof Error && TRANSPORT_MESSAGE.test(err.message) ? 'transport' : 'error';
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
    prove(m).then(send, async (err: unknown) =>
      send({ type: 'failed', taskId: m.taskId, message: err instanceof Error ? err.message : String(err), kind: await failureKind(err) }),
    );
  } else if (m.type === 'shutdown') {
    const close = backend ? backend.then((b) => b.close()).catch(() => undefined) : Promise.resolve();
    void close.finally(() => process.exit(0));
  }
});
