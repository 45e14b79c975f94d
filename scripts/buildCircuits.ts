/**
 * `npm run circuits`: the same as `nex circuits build` (prover/cli/commands/circuits.ts).
 * Options: --force (rebuild), --srs dev|ignition (default dev), --json (machine-readable progress).
 */
import { main } from '../prover/cli/main.js';

process.exitCode = await main(['circuits', 'build', ...process.argv.slice(2)]);
