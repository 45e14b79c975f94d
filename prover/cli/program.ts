/**
 * The `nex` command tree on commander. Each top-level command is listed here with its summary; its
 * options, subcommands and actions are defined in prover/cli/commands/<area>.ts, which is imported only
 * when that command runs (commander's preSubcommand hook), so `nex rollup fee` never loads the keeper,
 * the relay or the prover engine.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { type CliContext, commandWords, type DefineCommand, NexCommand } from './command.js';

interface TopLevel {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<DefineCommand>;
}

const TOP_LEVEL: readonly TopLevel[] = [
  {
    name: 'devnet',
    summary: 'Start a local devnet (Hardhat node), deploy NEX and fund the test accounts',
    load: async () => (await import('./commands/devnet.js')).devnet,
  },
  {
    name: 'deploy',
    summary: 'Deploy (or confirm) the NEX protocol on a chain from a parameters file',
    load: async () => (await import('./commands/devnet.js')).deploy,
  },
  {
    name: 'rollup',
    summary: 'Rollup team commands: register a program, submit proofs, status, wait, refund, fee',
    load: async () => (await import('./commands/rollup.js')).rollup,
  },
  {
    name: 'keeper',
    summary: 'Prover keeper: init, stake, unstake, withdraw, claim, status, run (the daemon)',
    load: async () => (await import('./commands/keeper.js')).keeper,
  },
  {
    name: 'relay',
    summary: 'Run a relay: the off-chain entry point of the version-2 market (HTTP API, checks, store, posting)',
    load: async () => (await import('./commands/relay.js')).relay,
  },
  {
    name: 'explorer',
    summary: 'Serve the explorer: a web page and JSON API over the market, its batches, programs and provers',
    load: async () => (await import('./commands/explorer.js')).explorer,
  },
  {
    name: 'prove',
    summary: 'Prove a statement of the example rollup circuit to a file',
    load: async () => (await import('./commands/prove.js')).prove,
  },
  {
    name: 'aggregate',
    summary: 'Aggregate a batch of rollup proofs into one EVM root proof',
    load: async () => (await import('./commands/prove.js')).aggregate,
  },
  {
    name: 'verify',
    summary: 'Verify a rollup or aggregated proof file with bb, or on an in-process EVM (--evm)',
    load: async () => (await import('./commands/prove.js')).verify,
  },
  {
    name: 'worker',
    summary: "Prove jobs of a keeper's proving queue on this machine (distributed proving)",
    load: async () => (await import('./commands/worker.js')).worker,
  },
  {
    name: 'srs',
    summary: 'The trusted setup: generate the INSECURE dev SRS (setup), show and check SRSs (info)',
    load: async () => (await import('./commands/srs.js')).srs,
  },
  {
    name: 'circuits',
    summary: 'Compile the circuits, verification keys and the root Solidity verifier (build, cached)',
    load: async () => (await import('./commands/circuits.js')).circuits,
  },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The root command with the settings every command inherits, and the top-level commands (not loaded yet). */
export function createProgram(ctx: CliContext): Command {
  const program = new NexCommand('nex')
    .description('NEX aggregation protocol suite: devnet, deployment, rollup SDK commands, the prover keeper and the prover.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .showHelpAfterError()
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText('after', "\nnex help <command...> (or nex <command...> --help) shows a command's options.");
  const loaded = new Set<Command>();
  /** Defines a top-level command (its module is imported now); groups get `help [command...]`. */
  const load = async (sub: Command): Promise<void> => {
    const t = TOP_LEVEL.find((x) => x.name === sub.name());
    if (!t || loaded.has(sub)) return;
    loaded.add(sub);
    (await t.load())(sub, ctx);
    for (const c of walk(sub)) if (c.commands.length > 0) addHelpCommand(c, ctx, load);
  };
  for (const t of TOP_LEVEL) program.command(t.name).summary(t.summary);
  addHelpCommand(program, ctx, load);
  program.hook('preSubcommand', (_root, sub) => load(sub));
  return program;
}

/**
 * `help [command...]`: the help of a command path, e.g. `nex help keeper run` = `nex keeper run --help`
 * (commander's own help command goes one level deep only). An unknown word is reported as
 * commander reports it, with a suggestion.
 */
function addHelpCommand(cmd: Command, ctx: CliContext, load: (c: Command) => Promise<void>): void {
  cmd.helpCommand(false);
  cmd
    .command('help')
    .summary('show help for a command')
    .argument('[command...]', 'command words, e.g. keeper run')
    .helpOption(false)
    .action(async (words: string[]) => {
      const prefix = commandWords(cmd);
      let at = cmd;
      for (const [i, word] of words.entries()) {
        await load(at);
        const next = at.commands.find((c) => c.name() === word || c.aliases().includes(word));
        // Without --help, commander answers an unknown command with its error and a suggestion.
        if (!next || next.name() === 'help') return ctx.setExitCode(await ctx.run([...prefix, ...words.slice(0, i + 1)]));
        at = next;
      }
      ctx.setExitCode(await ctx.run([...prefix, ...words, '--help']));
    });
}

function* walk(cmd: Command): Generator<Command> {
  yield cmd;
  for (const c of cmd.commands) yield* walk(c);
}
