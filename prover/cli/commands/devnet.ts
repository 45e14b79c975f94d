/**
 * `nex devnet`: a local NEX network (Hardhat node + deployed protocol + funded test accounts), and
 * `nex deploy`: the same deployment against any chain from a parameters file.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { formatEther, type Hex } from 'viem';
import { deployNex, type DeployLog } from '../../../deploy/deploy.js';
import { startDevnet, type Devnet } from '../../../deploy/devnet/devnet.js';
import { loadParameters, parseVerifierVariant, ParametersError } from '../../../deploy/parameters.js';
import type { VerifierVariant } from '../../../deploy/verifierBuild.js';
import { rpcProvider } from '../../../deploy/provider.js';
import { progressReporter } from '../../toolchain/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

/** Structured log lines on stderr, one JSON object each (stdout stays for the summary). */
function stderrLog(verbose: boolean): DeployLog {
  return (event, fields) => {
    if (!verbose && event === 'deploy.tx') return;
    const line = { t: new Date().toISOString(), event, ...fields };
    process.stderr.write(`${JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  };
}

function parse(args: readonly string[], options: ParseArgsOptionsConfig) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function port(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new UsageError(`--port: not a port number: ${String(v)}`);
  return n;
}

/** --verifier-variant, validated before anything starts (undefined = the parameters file's choice). */
function verifierVariant(v: unknown): VerifierVariant | undefined {
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

const devnet: Command = {
  path: ['devnet'],
  summary: 'Start a local devnet (Hardhat node), deploy NEX and fund the test accounts',
  usage: [
    'Usage: nex devnet [--port 8545] [--rpc-url <url>] [--network devnet] [--verifier-variant optimized|standard]',
    '                  [--no-build] [--verbose]',
    '',
    'Starts Hardhat\'s node on 127.0.0.1:<port>, builds the contracts, deploys the protocol with',
    'deploy/parameters/<network>.json, funds the well-known test accounts with ETH and NEX, prints the',
    'addresses, and keeps the node running until Ctrl-C. With --rpc-url it deploys to that devnet',
    '(e.g. anvil; chain id 31337 or 1337) instead and exits. Re-running is idempotent.',
    'The verifier comes from the circuits build (.nex/build; `npm run circuits`). --verifier-variant',
    'overrides the parameters file\'s verifierVariant: optimized (default, ~1.0M gas per verify) or',
    'standard (~4.36M gas, two linked libraries).',
  ].join('\n'),
  async run(args) {
    const { values } = parse(args, {
      port: { type: 'string' },
      'rpc-url': { type: 'string' },
      network: { type: 'string' },
      'verifier-variant': { type: 'string' },
      'no-build': { type: 'boolean' },
      verbose: { type: 'boolean' },
    });
    const variant = verifierVariant(values['verifier-variant']);
    const srsProgress = progressReporter();
    const d = await startDevnet({
      onSrsProgress: srsProgress.onProgress,
      rpcUrl: values['rpc-url'] as string | undefined,
      port: port(values.port),
      network: (values.network as string | undefined) ?? 'devnet',
      verifierVariant: variant,
      skipContractBuild: values['no-build'] === true,
      log: stderrLog(values.verbose === true),
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
  },
};

const deployCommand: Command = {
  path: ['deploy'],
  summary: 'Deploy (or confirm) the NEX protocol on a chain from a parameters file',
  usage: [
    'Usage: nex deploy --network <name> --rpc-url <url> [--parameters <file>]',
    '                  [--verifier-variant optimized|standard] [--verbose]',
    '',
    'Deploys with Hardhat Ignition using deploy/parameters/<name>.json; idempotent (the journal is under',
    '.nex/ignition/chain-<id>). Signs with the key in $NEX_DEPLOYER_KEY, or with the node\'s first',
    'unlocked account when it is not set. Writes .nex/deployments/<chainId>.json. A verifier built for',
    'the dev SRS is refused on any chain that is not a local devnet. --verifier-variant overrides the',
    'parameters file\'s verifierVariant (default optimized); the variant is recorded in the deployments file.',
  ].join('\n'),
  async run(args) {
    const { values } = parse(args, {
      network: { type: 'string' },
      'rpc-url': { type: 'string' },
      parameters: { type: 'string' },
      'verifier-variant': { type: 'string' },
      verbose: { type: 'boolean' },
    });
    const variant = verifierVariant(values['verifier-variant']);
    const network = values.network as string | undefined;
    const rpcUrl = (values['rpc-url'] as string | undefined) ?? process.env.NEX_RPC_URL;
    if (!network) throw new UsageError('--network is required');
    if (!rpcUrl) throw new UsageError('--rpc-url (or NEX_RPC_URL) is required');
    const key = process.env.NEX_DEPLOYER_KEY as Hex | undefined;
    const parameters = loadParameters(network, values.parameters as string | undefined);
    const result = await deployNex({
      provider: rpcProvider(rpcUrl, key),
      network,
      parameters: variant ? { ...parameters, verifierVariant: variant } : parameters,
      log: stderrLog(values.verbose === true),
    });
    console.log(
      `${result.transactionsSent === 0 ? 'Already deployed, nothing sent' : `Deployed with ${result.transactionsSent} transactions`} ` +
        `on chain ${result.deployments.chainId} (${result.deployments.verifier.variant ?? 'standard'} verifier); wrote ${result.file}`,
    );
    for (const [name, { address }] of Object.entries(result.deployments.contracts)) console.log(`  ${name.padEnd(20)} ${address}`);
    return 0;
  },
};

export const devnetCommands: Command[] = [devnet, deployCommand];
