// Test fixture (engine.e2e.test.ts): runs aggregateBatch in a separate process so the test can SIGKILL
// it mid-tree. Usage: tsx engineChild.ts <batch.json> <prover> <checkpointDir>. Prints progress events
// as JSON lines on stdout.
import { readFile } from 'node:fs/promises';
import { aggregateBatch, batchFromJson, type Hex } from '../../prover/engine/index.js';

// `hardhat test` imports every .ts file under test/, so this only runs when the test spawns it.
if (process.env.NEX_ENGINE_CHILD === '1') {
  const [batchFile, prover, checkpointDir] = process.argv.slice(2);
  const batch = batchFromJson(JSON.parse(await readFile(batchFile!, 'utf8')));
  await aggregateBatch({
    batch,
    prover: prover as Hex,
    checkpointDir,
    onProgress: (e) => process.stdout.write(`${JSON.stringify({ ...e, pid: process.pid })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ type: 'done' })}\n`);
}
