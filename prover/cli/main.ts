import type { Command } from './command.js';
import { UsageError } from './command.js';
import { commands } from './registry.js';

function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  let best: { command: Command; rest: readonly string[] } | undefined;
  for (const command of commands) {
    const n = command.path.length;
    if (argv.length >= n && command.path.every((word, i) => argv[i] === word)) {
      if (!best || n > best.command.path.length) best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  nex ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return ['Usage: nex <command> [options]', '', 'Commands:', ...lines, '', 'nex help <command> shows its options.'].join('\n');
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    console.log(help());
    return 0;
  }
  if (argv[0] === 'help') {
    const found = findCommand(argv.slice(1));
    console.log(found ? found.command.usage : help());
    return found || argv.length === 1 ? 0 : 2;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(`nex: unknown command '${argv.join(' ')}'\n\n${help()}`);
    return 2;
  }
  try {
    return await found.command.run(found.rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`nex ${found.command.path.join(' ')}: ${err.message}\n\n${found.command.usage}`);
      return 2;
    }
    console.error(`nex ${found.command.path.join(' ')}: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.NEX_DEBUG) console.error(err);
    return 1;
  }
}
