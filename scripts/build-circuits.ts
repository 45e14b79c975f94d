/**
 * `npm run circuits`: the same as `nex circuits build` (prover/cli/commands/circuits.ts).
 * Options: --force (rebuild), --srs dev|ignition (default dev), --json (machine-readable progress).
 */
import { buildCircuits } from '../prover/cli/commands/circuits.js';

process.exitCode = await buildCircuits(process.argv.slice(2));
