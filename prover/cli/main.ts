import { inspect } from 'node:util';
import { CommanderError } from 'commander';
import type { CliContext, CliIo } from './command.js';
import { createProgram } from './program.js';

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/**
 * Runs the `nex` CLI on `argv` (the words after `nex`) and returns the exit code: 0 on success and for
 * help/version, 1 when the command failed, 2 for wrong arguments (with the usage).
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  let code = 0;
  const ctx: CliContext = {
    io,
    debug: env.NEX_DEBUG !== undefined && env.NEX_DEBUG !== '' && env.NEX_DEBUG !== '0',
    setExitCode: (c) => {
      code = c;
    },
    run: (args) => main(args, io, env),
  };
  try {
    await createProgram(ctx).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error, already printed.
      return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code) ? err.exitCode : 2;
    }
    // A failure outside any command's action (e.g. a command module that does not load).
    io.err(`nex: ${err instanceof Error ? err.message : String(err)}\n`);
    if (ctx.debug) io.err(`${inspect(err)}\n`);
    return 1;
  }
}
