// Standalone entry of the proving worker, the same as `nex worker` (tests spawn it; so can machines
// that run workers only):  node --import tsx prover/engine/queue/bin.ts --queue redis://... [options]
import { workerMain } from './cli.js';

process.exit(await workerMain(process.argv.slice(2)));
