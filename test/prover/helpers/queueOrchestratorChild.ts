// Test fixture (queue.proofs.test.ts): aggregateBatch through the queue in its own process, so the
// test can SIGKILL the orchestrator mid-flow. Usage: NEX_QUEUE_ORCHESTRATOR_CHILD=1 tsx
// queueOrchestratorChild.ts <batch.json> <prover> <checkpointDir> <queueUrl> <queueName>. Prints
// progress events as JSON lines on stdout, then {"type":"done","root":...}.
import { readFile } from 'node:fs/promises';
import { aggregateBatch, batchFromJson, type Hex } from '../../../prover/engine/index.js';

// `hardhat test` imports every .ts file under test/, so this only runs when a test spawns it.
if (process.env.NEX_QUEUE_ORCHESTRATOR_CHILD === '1') {
  const [batchFile, prover, checkpointDir, url, name] = process.argv.slice(2);
  const batch = batchFromJson(JSON.parse(await readFile(batchFile!, 'utf8')));
  const res = await aggregateBatch({
    batch,
    prover: prover as Hex,
    checkpointDir,
    queue: { url: url!, name, pollMs: 1_000 },
    onProgress: (e) => process.stdout.write(`${JSON.stringify({ ...e, pid: process.pid })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ type: 'done', root: res.root, jobs: res.stats.jobs })}\n`);
  process.exit(0);
}
