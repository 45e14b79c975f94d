/**
 * The pieces every `nex` command is built from, on commander (prover/cli/program.ts assembles them).
 * This module stays light: `nex --help` and `nex rollup fee` load it, never the keeper or the prover.
 */
import { inspect } from 'node:util';
import { Command, CommanderError, InvalidArgumentError, type HelpContext } from 'commander';
import { NexError } from '../protocol/index.js';

/** An error whose message is meant for the user as is: exit code 2 and the command's usage. */
export class UsageError extends NexError {
  override readonly name = 'UsageError';
}

/** Where the CLI writes its help, usage and error lines. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliContext {
  readonly io: CliIo;
  /** NEX_DEBUG=1: failures print the whole error with its stack. */
  readonly debug: boolean;
  /** Sets the exit code main() returns. */
  setExitCode(code: number): void;
  /** Runs the CLI again on other arguments (`nex help keeper run` runs `keeper run --help`). */
  run(argv: readonly string[]): Promise<number>;
}

/** Gives a top-level command (a group or a single command) its options, subcommands and action. */
export type DefineCommand = (cmd: Command, ctx: CliContext) => void;

/** commander's Command with one difference: a group run alone lists its subcommands and succeeds. */
export class NexCommand extends Command {
  override createCommand(name?: string): NexCommand {
    return new NexCommand(name);
  }

  override help(context?: HelpContext): never;
  override help(cb: (str: string) => string): never;
  override help(context?: HelpContext | ((str: string) => string)): never {
    // commander treats `nex keeper` (a command with subcommands, none given) as an error: help on
    // stderr, exit 1. Like `nex` alone, it lists the subcommands on stdout with exit code 0.
    const alone = typeof context === 'object' && context.error === true && this.commands.length > 0 && this.args.length === 0;
    if (alone) return super.help();
    return typeof context === 'function' ? super.help(context) : super.help(context);
  }
}

/** The words that select a command, e.g. ['rollup', 'fee']. */
export function commandWords(cmd: Command): string[] {
  const words: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) words.unshift(c.name());
  return words;
}

/**
 * A commander action around `body`, which gets the command (for `opts()` and its arguments) and returns
 * the exit code. A UsageError exits 2 with the usage; any other error exits 1 with one line
 * `nex <command>: <message>` (NEX_DEBUG=1 adds the error with its stack).
 */
export function action(ctx: CliContext, body: (cmd: Command) => Promise<number>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const cmd = args.at(-1) as Command;
    try {
      ctx.setExitCode(await body(cmd));
    } catch (err) {
      if (err instanceof CommanderError) throw err;
      if (err instanceof UsageError) cmd.error(`error: ${err.message}`, { exitCode: 2, code: 'nex.usage' });
      const { redactUrlCredentials } = await import('../telemetry/index.js');
      ctx.io.err(redactUrlCredentials(`nex ${commandWords(cmd).join(' ')}: ${await describe(err)}\n`));
      if (ctx.debug) ctx.io.err(redactUrlCredentials(`${inspect(err)}\n`));
      ctx.setExitCode(1);
    }
  };
}

/**
 * The message of a failure. viem's errors carry the request (URL, body) and a version line in their
 * message: they are shown as their short message and details. Others keep their message: the SDK's say
 * what to do, the keeper's ConfigError lists every problem on its own line.
 */
async function describe(err: unknown): Promise<string> {
  if (!(err instanceof Error)) return String(err);
  const { BaseError } = await import('viem');
  if (err instanceof BaseError) return err.details ? `${err.shortMessage} (${err.details})` : err.shortMessage;
  return err.message;
}

/** Option value parsers: commander reports their InvalidArgumentError with the usage (exit 2). */
export function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`--${name} must be a positive integer`);
    return n;
  };
}

/** A non-negative integer (0 allowed). */
export function nonNegativeInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`--${name} must be a non-negative integer, got ${v}`);
    return n;
  };
}
