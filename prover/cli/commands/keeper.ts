import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseUnits } from 'viem';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import {
  claimEarnings,
  ConfigError,
  configTemplate,
  createLogger,
  DEFAULT_CONFIG_FILE,
  deployedVerifierVariant,
  Keeper,
  loadConfig,
  loadSigner,
  OPTIONS,
  parseKeeperFlags,
  promptHidden,
  requestUnstake,
  scrub,
  stake,
  statusReport,
  verifyGasWarning,
  withdraw,
  type KeeperConfig,
  type KeeperSigner,
  type Logger,
  type TxOutcome,
} from '../../keeper/index.js';
import { deploymentsPath } from '../../sdk/index.js';

const COMMON = [
  'Options (every config option also has a flag; see docs/operator.md):',
  '  --config FILE        config file (default ./nex-keeper.jsonc when present)',
  ...OPTIONS.map((o) => `  ${`${o.flag}${o.kind === 'bool' ? '' : ' VALUE'}`.padEnd(20)} ${o.doc.split('. ')[0]}`),
  '',
  'Secrets come from the environment only: NEX_KEEPER_PRIVATE_KEY, or keystoreFile with',
  'NEX_KEEPER_KEYSTORE_PASSWORD (or an interactive prompt).',
].join('\n');

interface Session {
  config: KeeperConfig;
  signer: KeeperSigner;
  log: Logger;
  positionals: string[];
}

async function session(args: readonly string[], extraPositionals: number): Promise<Session> {
  const p = parseKeeperFlags(args);
  if (p.unknown.length > 0) throw new UsageError(`unknown option(s): ${p.unknown.join(', ')}`);
  if (p.positionals.length > extraPositionals) throw new UsageError(`unexpected argument(s): ${p.positionals.slice(extraPositionals).join(' ')}`);
  const config = loadConfig({ file: p.configFile, env: process.env, flags: p.flags });
  const signer = await loadSigner(config, process.env, process.stdin.isTTY ? promptHidden : undefined);
  const log = createLogger({ level: config.log.level, format: config.log.format, secrets: [signer.key.reveal()] });
  return { config, signer, log, positionals: p.positionals };
}

/** Runs a command body; errors are printed scrubbed of the key (never the key itself). */
async function guarded(args: readonly string[], positionals: number, body: (s: Session) => Promise<number>): Promise<number> {
  let secrets: string[] = [];
  try {
    const s = await session(args, positionals);
    secrets = [s.signer.key.reveal()];
    return await body(s);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const msg = err instanceof ConfigError ? err.message : `${(err as { shortMessage?: string }).shortMessage ?? (err as Error).message}`;
    throw new Error(scrub(msg, secrets));
  }
}

function amountArg(raw: string | undefined, what: string): bigint {
  if (!raw) throw new UsageError(`missing ${what}`);
  const m = /^(\d+(?:\.\d+)?)(wei)?$/i.exec(raw.replace(/_/g, ''));
  if (!m) throw new UsageError(`${what} must be a number of NEX (e.g. 1000 or 2.5) or of wei (e.g. 5wei), got ${raw}`);
  return m[2] ? BigInt(m[1]!) : parseUnits(m[1]!, 18);
}

const init: Command = {
  path: ['keeper', 'init'],
  summary: 'Write a commented keeper config file',
  usage: ['Usage: nex keeper init [FILE] [--force] [option flags...]', '', 'Writes FILE (default ./nex-keeper.jsonc) with every option documented; flags set values.', '', COMMON].join('\n'),
  async run(args) {
    const force = args.includes('--force');
    const p = parseKeeperFlags(args.filter((a) => a !== '--force'));
    if (p.unknown.length > 0) throw new UsageError(`unknown option(s): ${p.unknown.join(', ')}`);
    const file = resolve(p.positionals[0] ?? DEFAULT_CONFIG_FILE);
    if (existsSync(file) && !force) throw new Error(`${file} exists (use --force to overwrite)`);
    const overrides: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p.flags)) {
      const spec = OPTIONS.find((o) => o.key === k)!;
      overrides[k] = spec.kind === 'urls' && typeof v === 'string' ? v.split(',') : spec.kind === 'int' || spec.kind === 'number' ? Number(v) : v;
    }
    writeFileSync(file, configTemplate(overrides), { mode: 0o600 });
    console.log(`wrote ${file}\nnext: set NEX_KEEPER_PRIVATE_KEY (or keystoreFile), then run 'nex keeper stake <amount>' and 'nex keeper run'.`);
    return 0;
  },
};

const run: Command = {
  path: ['keeper', 'run'],
  summary: 'Run the prover keeper daemon (--listen-only: decide and log, send nothing)',
  usage: ['Usage: nex keeper run [--listen-only] [option flags...]', '', 'Stops cleanly on SIGINT/SIGTERM (proving checkpoints are kept and resumed).', '', COMMON].join('\n'),
  run: (args) => guarded(args, 0, async ({ config, signer, log }) => {
    const keeper = await Keeper.create({ config, signer, log });
    // The deployments file records the deployed verifier variant: warn if verifyGas is below its need.
    const variant = deployedVerifierVariant(config.deploymentsFile ?? deploymentsPath(keeper.ctx.chainId), keeper.ctx.addresses.market);
    const warning = variant === null ? undefined : verifyGasWarning(variant, config.gas.verifyGas);
    if (warning) log.warn(warning.message, warning.fields);
    const ac = new AbortController();
    const stop = (sig: string): void => {
      log.info(`received ${sig}; shutting down`);
      ac.abort();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    await keeper.run(ac.signal);
    return 0;
  }),
};

const status: Command = {
  path: ['keeper', 'status'],
  summary: 'Show stake, locked collateral, pending unstakes, earnings and batches in flight',
  usage: ['Usage: nex keeper status [option flags...]', '', COMMON].join('\n'),
  run: (args) => guarded(args, 0, async ({ config, signer, log }) => {
    const keeper = await Keeper.create({ config, signer, log: quiet(log) });
    console.log(await statusReport(keeper.ctx));
    keeper.ctx.db.close();
    return 0;
  }),
};

function quiet(log: Logger): Logger {
  return { ...log, info: () => {}, debug: () => {}, child: () => quiet(log) };
}

function txCommand(name: string, summary: string, argName: string | undefined, act: (k: Keeper, arg: string | undefined) => Promise<TxOutcome>): Command {
  return {
    path: ['keeper', name],
    summary,
    usage: [`Usage: nex keeper ${name}${argName ? ` ${argName}` : ''} [option flags...]`, '', COMMON].join('\n'),
    run: (args) => guarded(args, argName ? 1 : 0, async ({ config, signer, log, positionals }) => {
      if (config.listenOnly) throw new UsageError('listenOnly is set: nothing is sent');
      const keeper = await Keeper.create({ config, signer, log });
      try {
        const out = await act(keeper, positionals[0]);
        console.log(`${name}: done${out.status !== 'dropped' ? ` (tx ${out.receipt.transactionHash})` : ''}`);
        console.log(await statusReport(keeper.ctx));
      } finally {
        keeper.ctx.db.close();
      }
      return 0;
    }),
  };
}

export const keeperCommands: Command[] = [
  init,
  txCommand('stake', 'Stake NEX (approves the staking contract first if needed); AMOUNT in NEX', 'AMOUNT', (k, a) => stake(k.ctx, amountArg(a, 'AMOUNT'))),
  txCommand('unstake', 'Queue NEX for unstaking (withdrawable after the unbonding period)', 'AMOUNT', (k, a) => requestUnstake(k.ctx, amountArg(a, 'AMOUNT'))),
  txCommand('withdraw', 'Withdraw unstaked NEX whose unbonding period has passed', undefined, (k) => withdraw(k.ctx, 32n)),
  txCommand('claim', 'Claim the ETH fees earned by this prover', undefined, (k) => claimEarnings(k.ctx)),
  status,
  run,
];
