import type { Command } from './command.js';
import { circuitsCommands } from './commands/circuits.js';
import { devnetCommands } from './commands/devnet.js';
import { keeperCommands } from './commands/keeper.js';
import { proveCommands } from './commands/prove.js';
import { rollupCommands } from './commands/rollup.js';
import { srsCommands } from './commands/srs.js';
import { workerCommands } from './commands/worker.js';

/**
 * Every `nex` sub-command. Each area (srs, circuits, engine, keeper, rollup, devnet) defines its
 * commands in prover/cli/commands/<area>.ts and they are listed here.
 */
export const commands: readonly Command[] = [
  ...devnetCommands,
  ...rollupCommands,
  ...keeperCommands,
  ...proveCommands,
  ...srsCommands,
  ...circuitsCommands,
  ...workerCommands,
];
