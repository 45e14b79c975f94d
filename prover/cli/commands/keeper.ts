/**
 * `nex keeper …`: the prover keeper's commands. Their options come from the keeper's options table
 * (prover/keeper/config/options.ts: key, env variable, flag, default, help), turned into commander
 * options when a keeper command is about to run. The keeper itself (and its SQLite state) is imported
 * only then, so `nex keeper --help` and every other command load none of it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { parseUnits } from 'viem';
import { action, type CliContext, type DefineCommand, UsageError } from '../command.js';

type KeeperFace = typeof import('../../keeper/index.js');
type KeeperConfig = import('../../keeper/index.js').KeeperConfig;
type KeeperSigner = import('../../keeper/index.js').KeeperSigner;
type Logger = import('../../keeper/index.js').Logger;
type TxOutcome = import('../../keeper/index.js').TxOutcome;
type OptionSpec = import('../../keeper/index.js').OptionSpec;
type Keeper = import('../../keeper/index.js').Keeper;

const loadKeeper = (): Promise<KeeperFace> => import('../../keeper/index.js');

const PLACEHOLDER: Readonly<Record<OptionSpec['kind'], string>> = {
  string: '<value>',
  int: '<n>',
  number: '<n>',
  bool: '',
  wei: '<amount>',
  address: '<address>',
  urls: '<url,...>',
  path: '<path>',
};

/** The commander options of one row of the keeper's options table. */
function toOptions(spec: OptionSpec): Option[] {
  const o = new Option(`${spec.flag}${spec.kind === 'bool' ? '' : ` ${PLACEHOLDER[spec.kind]}`}`, spec.doc).env(spec.env);
  if (spec.default !== undefined) o.default(spec.default);
  if (spec.kind !== 'bool') return [o];
  // Bool options also take --no-<flag>; it is listed when it is the one that changes the default.
  const no = new Option(`--no-${spec.flag.slice(2)}`, `set ${spec.key} to false`);
  return [o, spec.default === true ? no : no.hideHelp()];
}

const FOOTER = [
  '',
  'Precedence: defaults < config file < NEX_KEEPER_* environment < flags (docs/operator.md).',
  'Secrets come from the environment only: NEX_KEEPER_PRIVATE_KEY, or keystoreFile with',
  'NEX_KEEPER_KEYSTORE_PASSWORD (or an interactive prompt).',
].join('\n');

const attached = new WeakSet<Command>();

/** Gives a keeper subcommand --config and every option of the table (once, before it parses). */
async function attachOptions(cmd: Command): Promise<void> {
  if (attached.has(cmd)) return;
  attached.add(cmd);
  const { OPTIONS } = await loadKeeper();
  cmd.addOption(new Option('--config <file>', 'config file (default ./nex-keeper.jsonc when present)'));
  for (const spec of OPTIONS) for (const o of toOptions(spec)) cmd.addOption(o);
}

/** The option values given as flags on this command line, by option key (env and file are loadConfig's). */
function flagsOf(cmd: Command, k: KeeperFace): Record<string, string | boolean> {
  const flags: Record<string, string | boolean> = {};
  for (const spec of k.OPTIONS) {
    const attr = new Option(spec.flag).attributeName();
    if (cmd.getOptionValueSource(attr) === 'cli') flags[spec.key] = cmd.getOptionValue(attr) as string | boolean;
  }
  return flags;
}

interface Session {
  k: KeeperFace;
  config: KeeperConfig;
  signer: KeeperSigner;
  log: Logger;
}

/** Runs a command body with the loaded config, key and logger; errors are printed scrubbed of the key. */
async function guarded(cmd: Command, body: (s: Session) => Promise<number>): Promise<number> {
  const k = await loadKeeper();
  let secrets: string[] = [];
  try {
    const config = k.loadConfig({ file: cmd.opts<{ config?: string }>().config, env: process.env, flags: flagsOf(cmd, k) });
    const signer = await k.loadSigner(config, process.env, process.stdin.isTTY ? k.promptHidden : undefined);
    secrets = [signer.key.reveal()];
    const log = k.createLogger({ level: config.log.level, format: config.log.format, secrets });
    return await body({ k, config, signer, log });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const msg = err instanceof k.ConfigError ? err.message : `${(err as { shortMessage?: string }).shortMessage ?? (err as Error).message}`;
    throw new Error(k.scrub(msg, secrets));
  }
}

function amountArg(raw: string | undefined, what: string): bigint {
  if (!raw) throw new UsageError(`missing ${what}`);
  const m = /^(\d+(?:\.\d+)?)(wei)?$/i.exec(raw.replace(/_/g, ''));
  if (!m) throw new UsageError(`${what} must be a number of NEX (e.g. 1000 or 2.5) or of wei (e.g. 5wei), got ${raw}`);
  return m[2] ? BigInt(m[1]!) : parseUnits(m[1]!, 18);
}

function quiet(log: Logger): Logger {
  return { ...log, info: () => {}, debug: () => {}, child: () => quiet(log) };
}

function txCommand(
  group: Command,
  ctx: CliContext,
  name: string,
  summary: string,
  argName: string | undefined,
  act: (k: KeeperFace, keeper: Keeper, arg: string | undefined) => Promise<TxOutcome>,
): void {
  const cmd = group.command(name).summary(summary).addHelpText('after', FOOTER);
  if (argName) cmd.argument(`<${argName}>`, 'amount of NEX (e.g. 1000 or 2.5), or of wei (e.g. 5wei)');
  cmd.action(
    action(ctx, (c) =>
      guarded(c, async ({ k, config, signer, log }) => {
        if (config.listenOnly) throw new UsageError('listenOnly is set: nothing is sent');
        const keeper = await k.Keeper.create({ config, signer, log });
        try {
          const out = await act(k, keeper, c.args[0]);
          console.log(`${name}: done${out.status !== 'dropped' ? ` (tx ${out.receipt.transactionHash})` : ''}`);
          console.log(await k.statusReport(keeper.ctx));
        } finally {
          keeper.ctx.db.close();
        }
        return 0;
      }),
    ),
  );
}

/** `nex keeper …` */
export const keeper: DefineCommand = (group, ctx) => {
  group
    .description('The prover keeper: stake, run the daemon that locks, proves and fulfils batches, claim the fees (docs/operator.md).')
    .addHelpText('after', FOOTER)
    .hook('preSubcommand', async (_group, sub) => {
      if (sub.name() !== 'help') await attachOptions(sub);
    });

  group
    .command('init')
    .summary('Write a commented keeper config file')
    .description('Writes FILE (default ./nex-keeper.jsonc) with every option documented; option flags set values.')
    .argument('[file]', 'config file to write')
    .option('--force', 'overwrite an existing file')
    .addHelpText('after', FOOTER)
    .action(
      action(ctx, async (cmd) => {
        const k = await loadKeeper();
        const file = resolve(cmd.args[0] ?? k.DEFAULT_CONFIG_FILE);
        if (existsSync(file) && cmd.opts<{ force?: boolean }>().force !== true)
          throw new Error(`${file} exists (use --force to overwrite)`);
        const overrides: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(flagsOf(cmd, k))) {
          const spec = k.OPTIONS.find((o) => o.key === key)!;
          overrides[key] =
            spec.kind === 'urls' && typeof v === 'string' ? v.split(',') : spec.kind === 'int' || spec.kind === 'number' ? Number(v) : v;
        }
        writeFileSync(file, k.configTemplate(overrides), { mode: 0o600 });
        console.log(
          `wrote ${file}\nnext: set NEX_KEEPER_PRIVATE_KEY (or keystoreFile), then run 'nex keeper stake <amount>' and 'nex keeper run'.`,
        );
        return 0;
      }),
    );

  txCommand(group, ctx, 'stake', 'Stake NEX (approves the staking contract first if needed); AMOUNT in NEX', 'amount', (k, kp, a) =>
    k.stake(kp.ctx, amountArg(a, 'AMOUNT')),
  );
  txCommand(group, ctx, 'unstake', 'Queue NEX for unstaking (withdrawable after the unbonding period)', 'amount', (k, kp, a) =>
    k.requestUnstake(kp.ctx, amountArg(a, 'AMOUNT')),
  );
  txCommand(group, ctx, 'withdraw', 'Withdraw unstaked NEX whose unbonding period has passed', undefined, (k, kp) =>
    k.withdraw(kp.ctx, 32n),
  );
  txCommand(group, ctx, 'claim', 'Claim the ETH fees earned by this prover', undefined, (k, kp) => k.claimEarnings(kp.ctx));

  group
    .command('status')
    .summary('Show stake, locked collateral, pending unstakes, earnings and batches in flight')
    .addHelpText('after', FOOTER)
    .action(
      action(ctx, (cmd) =>
        guarded(cmd, async ({ k, config, signer, log }) => {
          const kp = await k.Keeper.create({ config, signer, log: quiet(log) });
          console.log(await k.statusReport(kp.ctx));
          kp.ctx.db.close();
          return 0;
        }),
      ),
    );

  group
    .command('run')
    .summary('Run the prover keeper daemon (--listen-only: decide and log, send nothing)')
    .description('Stops cleanly on SIGINT/SIGTERM (proving checkpoints are kept and resumed).')
    .addHelpText('after', FOOTER)
    .action(
      action(ctx, (cmd) =>
        guarded(cmd, async ({ k, config, signer, log }) => {
          const kp = await k.Keeper.create({ config, signer, log });
          // The deployments file records the deployed verifier variant: warn if verifyGas is below its need.
          const { deploymentsPath } = await import('../../sdk/index.js');
          const variant = k.deployedVerifierVariant(config.deploymentsFile ?? deploymentsPath(kp.ctx.chainId), kp.ctx.addresses.market);
          const warning = variant === null ? undefined : k.verifyGasWarning(variant, config.gas.verifyGas);
          if (warning) log.warn(warning.message, warning.fields);
          const ac = new AbortController();
          const stop = (sig: string): void => {
            log.info(`received ${sig}; shutting down`);
            ac.abort();
          };
          process.once('SIGINT', () => stop('SIGINT'));
          process.once('SIGTERM', () => stop('SIGTERM'));
          await kp.run(ac.signal);
          return 0;
        }),
      ),
    );
};
