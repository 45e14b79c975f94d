/**
 * `nex devnet`: a local NEX network (Hardhat node + deployed protocol + funded test accounts), and
 * `nex deploy`: the same deployment against any chain from a parameters file.
 */
import { InvalidArgumentError, Option } from 'commander';
import { formatEther, type Hex } from 'viem';
import { deployNex, type DeployLog } from '../../../deploy/deploy.js';
import { startDevnet, type Devnet } from '../../../deploy/devnet/devnet.js';
import { loadParameters, parseVerifierVariant, ParametersError } from '../../../deploy/parameters.js';
import type { VerifierVariant } from '../../../deploy/verifierBuild.js';
import { rpcProvider } from '../../../deploy/provider.js';
import { progressReporter } from '../../toolchain/index.js';
import { action, type DefineCommand, UsageError } from '../command.js';

/** Structured log lines on stderr, one JSON object each (stdout stays for the summary). */
function stderrLog(verbose: boolean): DeployLog {
  return (event, fields) => {
    if (!verbose && event === 'deploy.tx') return;
    const line = { t: new Date().toISOString(), event, ...fields };
    process.stderr.write(`${JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  };
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new InvalidArgumentError(`--port: not a port number: ${v}`);
  return n;
}

/** --verifier-variant, shared by both commands. */
const variantOption = (): Option =>
  new Option(
    '--verifier-variant <variant>',
    "optimized (default, ~1.0M gas per verify) or standard (~4.36M gas, two linked libraries); overrides the parameters file's verifierVariant",
  );

/** --verifier-variant, validated before anything starts (undefined = the parameters file's choice). */
function verifierVariant(v: string | undefined): VerifierVariant | undefined {
  if (v === undefined) return undefined;
  try {
    return parseVerifierVariant(v, '--verifier-variant');
  } catch (err) {
    if (err instanceof ParametersError) throw new UsageError(err.message);
    throw err;
  }
}

/** The summary printed once the devnet is up. */
export function formatDevnet(d: Devnet): string {
  const c = d.deployments.contracts;
  const lines = [
    `NEX devnet ready on ${d.rpcUrl} (chain ${d.chainId})${d.spawned ? ', Hardhat node started by this command' : ''}`,
    d.transactionsSent === 0 ? 'Deployment: already up to date (no transaction sent)' : `Deployment: ${d.transactionsSent} transactions`,
    `Deployments file: ${d.deploymentsFile}`,
    `SRS: ${d.deployments.srs.mode === 'dev' ? `${d.deployments.srs.id} (INSECURE dev SRS, local devnets only)` : 'Aztec Ignition'}`,
    `Verifier: ${d.deployments.verifier.variant ?? 'standard'} (router version ${d.deployments.verifier.version})`,
    '',
    'Contracts:',
    ...Object.entries(c).map(([name, { address }]) => `  ${name.padEnd(20)} ${address}`),
    '',
    'Test accounts (well-known keys, never use them elsewhere):',
    ...d.accounts.map(
      (a) =>
        `  #${String(a.index).padEnd(2)} ${a.address}  ${a.privateKey}  ` +
        `${a.eth === undefined ? '' : `${formatEther(a.eth)} ETH`}  ${a.nex === undefined ? '' : `${formatEther(a.nex)} NEX`}`,
    ),
    '',
    'Next steps:',
    `  export NEX_RPC_URL=${d.rpcUrl}`,
    '  nex rollup fee                                   # fee and latency estimate',
    '  nex rollup register --account 1 --vk <file> --vk-hash <hex> --public-inputs <n>',
    '  nex rollup submit --account 1 --program <id> --inputs <hex,...> --proof <file> --wait',
    '  nex keeper init / nex keeper run                 # run a prover (see docs/operator.md)',
  ];
  return lines.join('\n');
}

/** `nex devnet` */
export const devnet: DefineCommand = (cmd, ctx) => {
  cmd
    .description(
      [
        "Starts Hardhat's node on 127.0.0.1:<port>, builds the contracts, deploys the protocol with",
        'deploy/parameters/<network>.json, funds the well-known test accounts with ETH and NEX, prints the',
        'addresses, and keeps the node running until Ctrl-C. With --rpc-url it deploys to that devnet',
        '(e.g. anvil; chain id 31337 or 1337) instead and exits. Re-running is idempotent.',
        'The verifier comes from the circuits build (.nex/build; `npm run circuits`).',
      ].join('\n'),
    )
    .addOption(new Option('--port <port>', 'port of the Hardhat node this command starts (default 8545)').argParser(port))
    .option('--rpc-url <url>', 'deploy to this running local devnet instead of starting a node')
    .option('--network <name>', 'parameters file deploy/parameters/<name>.json', 'devnet')
    .addOption(variantOption())
    .option('--no-build', 'skip building the contracts')
    .option('--verbose', 'log every deployment transaction')
    .action(
      action(ctx, async (c) => {
        const o = c.opts<{
          port?: number;
          rpcUrl?: string;
          network: string;
          verifierVariant?: string;
          build: boolean;
          verbose?: boolean;
        }>();
        const variant = verifierVariant(o.verifierVariant);
        const srsProgress = progressReporter();
        const d = await startDevnet({
          onSrsProgress: srsProgress.onProgress,
          rpcUrl: o.rpcUrl,
          port: o.port,
          network: o.network,
          verifierVariant: variant,
          skipContractBuild: !o.build,
          log: stderrLog(o.verbose === true),
        }).finally(() => srsProgress.finish());
        console.log(formatDevnet(d));
        if (!d.spawned) return 0;
        // The market's timeouts and windows run on block time: mine a block every second so that an open
        // batch times out (and keepers seal it) even when no transaction arrives.
        await fetch(d.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_setIntervalMining', params: [1_000] }),
        });
        console.log('\nA block is mined every second. The node runs until you press Ctrl-C.');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await d.stop();
        console.log('devnet stopped');
        return 0;
      }),
    );
};

/** `nex deploy` */
export const deploy: DefineCommand = (cmd, ctx) => {
  cmd
    .description(
      [
        'Deploys with Hardhat Ignition using deploy/parameters/<name>.json; idempotent (the journal is under',
        ".nex/ignition/chain-<id>). Signs with the key in $NEX_DEPLOYER_KEY, or with the node's first",
        'unlocked account when it is not set. Writes .nex/deployments/<chainId>.json. A verifier built for',
        'the dev SRS is refused on any chain that is not a local devnet. The verifier variant is recorded in',
        'the deployments file.',
      ].join('\n'),
    )
    .option('--network <name>', 'network name: its parameters file deploy/parameters/<name>.json (required)')
    .addOption(new Option('--rpc-url <url>', 'JSON-RPC endpoint (required)').env('NEX_RPC_URL'))
    .option('--parameters <file>', 'parameters file instead of deploy/parameters/<name>.json')
    .addOption(variantOption())
    .option('--verbose', 'log every deployment transaction')
    .action(
      action(ctx, async (c) => {
        const o = c.opts<{ network?: string; rpcUrl?: string; parameters?: string; verifierVariant?: string; verbose?: boolean }>();
        const variant = verifierVariant(o.verifierVariant);
        const network = o.network;
        const rpcUrl = o.rpcUrl;
        if (!network) throw new UsageError('--network is required');
        if (!rpcUrl) throw new UsageError('--rpc-url (or NEX_RPC_URL) is required');
        const key = process.env.NEX_DEPLOYER_KEY as Hex | undefined;
        const parameters = loadParameters(network, o.parameters);
        const result = await deployNex({
          provider: rpcProvider(rpcUrl, key),
          network,
          parameters: variant ? { ...parameters, verifierVariant: variant } : parameters,
          log: stderrLog(o.verbose === true),
        });
        console.log(
          `${result.transactionsSent === 0 ? 'Already deployed, nothing sent' : `Deployed with ${result.transactionsSent} transactions`} ` +
            `on chain ${result.deployments.chainId} (${result.deployments.verifier.variant ?? 'standard'} verifier); wrote ${result.file}`,
        );
        for (const [name, { address }] of Object.entries(result.deployments.contracts)) console.log(`  ${name.padEnd(20)} ${address}`);
        return 0;
      }),
    );
};
