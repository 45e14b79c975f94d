import type { Command } from './command.js';

/**
 * Every `nex` sub-command. Each area (srs, circuits, engine, keeper, rollup, devnet) defines its
 * commands in prover/cli/commands/<area>.ts and they are listed here.
 */
export const commands: readonly Command[] = [];
