/**
 * deployNex: deploys (or resumes, or confirms) the whole protocol on a chain with Hardhat Ignition,
 * checks the result (router version 1: verifier, key set, rollup proof length; the market's extension;
 * role wiring), and writes the deployments file the keeper, the
 * SDK and the CLI read. Idempotent: Ignition's journal under .nex/ignition/chain-<id> records what was
 * done, so a second run on the same chain sends no transaction.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deploy, DeploymentResultType, type EIP1193Provider, type ExecutionEventListener } from '@nomicfoundation/ignition-core';
import { errorDeploymentResultToExceptionMessage } from '@nomicfoundation/hardhat-ignition/helpers';
import { createPublicClient, custom, getAddress, type Abi, type Address, type Hex } from 'viem';
import { assertSrsAllowedOnChain, isLocalDevnet } from '../prover/protocol/index.js';
import { accessControlAbi, aggregationMarketAbi, verifierRouterAbi } from '../prover/abi/generated.js';
import {
  DEPLOYMENTS_FORMAT,
  deploymentsPath,
  projectRoot,
  readDeployments,
  writeDeployments,
  type DeployedContract,
  type Deployments,
} from '../prover/sdk/index.js';
import { assertVerifierAllowedOnChain } from '../prover/toolchain/index.js';
import { ProjectArtifactResolver } from './artifacts.js';
import { nexModule } from './modules/nex.js';
import { loadParameters, ParametersError, publicChainProblems, type NexParameters } from './parameters.js';
import { ROLES } from './roles.js';
import { loadVerifierBuild, verifierVariantOf, type VerifierBuild } from './verifierBuild.js';
import { NexError } from '../prover/protocol/index.js';

export type DeployLog = (event: string, fields?: Record<string, unknown>) => void;

export interface DeployNexOptions {
  /** EIP-1193 provider of the target chain; eth_accounts[0] deploys. */
  provider: EIP1193Provider;
  /** Parameters file name under deploy/parameters (e.g. 'devnet'). */
  network: string;
  /** Parameters (incl. the verifier variant); default: loaded from deploy/parameters/<network>.json. */
  parameters?: NexParameters | undefined;
  /**
   * Verifier build; default: the build of the current circuit sources for the SRS the chain allows
   * (the dev SRS on a local devnet, Aztec Ignition elsewhere), from $NEX_BUILD_DIR or .nex/build.
   */
  verifierBuild?: VerifierBuild | undefined;
  /** SRS of the default verifier build: 'ignition' (default off local devnets) or 'dev' (local devnets only). */
  srs?: 'dev' | 'ignition' | undefined;
  /** Project root holding artifacts/ (default: this repository). */
  root?: string | undefined;
  deploymentsDir?: string | undefined;
  /** Parent of Ignition's per-chain journals (default $NEX_IGNITION_DIR or .nex/ignition). */
  ignitionDir?: string | undefined;
  /**
   * What to do with a journal written for another chain with the same id (a restarted local node):
   * 'reset' discards it (allowed on local devnets only), 'fail' stops. Default: reset on local devnets.
   */
  onStaleJournal?: 'reset' | 'fail' | undefined;
  log?: DeployLog | undefined;
}

export interface DeployNexResult {
  readonly deployments: Deployments;
  readonly file: string;
  /** Transactions sent by this run: 0 when everything was already deployed. */
  readonly transactionsSent: number;
}

export class DeployError extends NexError {
  override readonly name = 'DeployError';
}

const ZERO_HASH = `0x${'0'.repeat(64)}` as Hex;

/** Counts Ignition's transaction sends; ignores every other event. */
function countingListener(onSend: (futureId: string, hash: string) => void): ExecutionEventListener {
  return new Proxy({} as ExecutionEventListener, {
    get: (_t, prop) =>
      prop === 'transactionSend' ? async (e: { futureId: string; hash: string }) => onSend(e.futureId, e.hash) : async () => undefined,
  });
}

interface JournalMarker {
  chainId: number;
  genesisHash: Hex;
}

/** True when every address the journal says was deployed has code on the chain. */
async function journalMatchesChain(dir: string, provider: EIP1193Provider): Promise<boolean> {
  const file = path.join(dir, 'deployed_addresses.json');
  if (!existsSync(file)) return true;
  const addresses = Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
  for (const address of addresses) {
    const code = (await provider.request({ method: 'eth_getCode', params: [address, 'latest'] })) as string;
    if (code === '0x' || code === '') return false;
  }
  return true;
}

/**
 * Ignition's journal directory for the chain, discarding a stale one when allowed: a journal is stale
 * when it was written for another chain with the same id (other genesis block, or a local node whose
 * genesis is deterministic but which was restarted: the contracts the journal lists have no code).
 */
async function prepareJournal(
  dir: string,
  provider: EIP1193Provider,
  chainId: number,
  genesisHash: Hex,
  policy: 'reset' | 'fail',
  log: DeployLog,
): Promise<void> {
  const markerFile = path.join(dir, 'nex-chain.json');
  if (existsSync(markerFile)) {
    const marker = JSON.parse(readFileSync(markerFile, 'utf8')) as JournalMarker;
    const sameChain = marker.genesisHash === genesisHash && (await journalMatchesChain(dir, provider));
    if (sameChain) return;
    if (policy === 'fail') {
      throw new DeployError(
        `${dir} records a deployment on another chain with id ${chainId} (genesis ${marker.genesisHash}, now ${genesisHash}, ` +
          'or contracts it lists have no code). ' +
          'Move it away if that chain is gone for good.',
      );
    }
    log('journal.reset', { dir, reason: 'chain restarted (new genesis)' });
    rmSync(dir, { recursive: true, force: true });
  } else if (existsSync(dir)) {
    if (policy === 'fail') throw new DeployError(`${dir} exists without a chain marker; refusing to guess`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(markerFile, `${JSON.stringify({ chainId, genesisHash } satisfies JournalMarker)}\n`);
}

/** Read-only checks of the deployed wiring; throws DeployError listing every violation. */
async function checkWiring(
  provider: EIP1193Provider,
  deployer: Address,
  c: { staking: Address; router: Address; market: Address; extension: Address; timelock: Address; verifier: Address },
  p: NexParameters,
  build: Pick<VerifierBuild, 'keySet' | 'rollupProofBytes'>,
): Promise<void> {
  const client = createPublicClient({ transport: custom(provider) });
  const has = (address: Address, role: Hex, account: Address) =>
    client.readContract({ address, abi: accessControlAbi, functionName: 'hasRole', args: [role, account] });
  const problems: string[] = [];
  const expect = async (ok: Promise<boolean>, want: boolean, what: string) => {
    if ((await ok) !== want) problems.push(what);
  };
  await expect(has(c.staking, ROLES.MARKET_ROLE, c.market), true, 'market lacks MARKET_ROLE on staking');
  for (const [name, address] of [
    ['staking', c.staking],
    ['router', c.router],
    ['market', c.market],
  ] as const) {
    await expect(has(address, ROLES.DEFAULT_ADMIN_ROLE, c.timelock), true, `timelock is not admin of ${name}`);
    await expect(has(address, ROLES.DEFAULT_ADMIN_ROLE, deployer), false, `deployer is still admin of ${name}`);
  }
  if (p.governance.guardian !== 'deployer') {
    await expect(has(c.market, ROLES.PAUSER_ROLE, deployer), false, 'deployer still holds PAUSER_ROLE on market');
    await expect(has(c.router, ROLES.GUARDIAN_ROLE, deployer), false, 'deployer still holds GUARDIAN_ROLE on router');
  }
  const version = await client.readContract({ address: c.router, abi: verifierRouterAbi, functionName: 'currentVersion' });
  const pinned = await client.readContract({ address: c.router, abi: verifierRouterAbi, functionName: 'getVersion', args: [version] });
  if (getAddress(pinned.verifier) !== getAddress(c.verifier)) problems.push(`router version ${version} points at ${pinned.verifier}`);
  if (pinned.keySet.toLowerCase() !== build.keySet.toLowerCase()) problems.push(`router version ${version} pins key set ${pinned.keySet}`);
  if (pinned.rollupProofBytes !== build.rollupProofBytes) {
    problems.push(`router version ${version} takes ${pinned.rollupProofBytes}-byte rollup proofs, the build ${build.rollupProofBytes}`);
  }
  const extension = await client.readContract({ address: c.market, abi: aggregationMarketAbi, functionName: 'extension' });
  if (getAddress(extension) !== getAddress(c.extension)) problems.push(`market's extension is ${extension}`);
  if (problems.length > 0) throw new DeployError(`deployment wiring check failed:\n  - ${problems.join('\n  - ')}`);
}

/** Deploys the protocol (idempotently) and writes the deployments file. */
export async function deployNex(opts: DeployNexOptions): Promise<DeployNexResult> {
  const log: DeployLog = opts.log ?? (() => undefined);
  const root = opts.root ?? projectRoot();
  const chainId = Number(await opts.provider.request({ method: 'eth_chainId' }));
  const build = opts.verifierBuild ?? loadVerifierBuild({ srs: { mode: opts.srs ?? (isLocalDevnet(chainId) ? 'dev' : 'ignition') } });
  // Before anything touches the chain: the dev SRS only ever goes to a local devnet.
  assertSrsAllowedOnChain(build.srs, chainId);
  const parameters = opts.parameters ?? loadParameters(opts.network);
  const variant = parameters.verifierVariant;
  const verifierContracts = verifierVariantOf(build, variant);
  if (!isLocalDevnet(chainId)) {
    const problems = publicChainProblems(parameters);
    if (problems.length > 0) {
      throw new ParametersError(`refusing to deploy to chain ${chainId} with these parameters:\n  - ${problems.join('\n  - ')}`);
    }
  }
  // The verifier's own code, not only the build's label, must carry the Ignition [x]_2 off a local devnet.
  assertVerifierAllowedOnChain(verifierContracts.verifier.bytecode, chainId);
  const genesis = (await opts.provider.request({ method: 'eth_getBlockByNumber', params: ['0x0', false] })) as {
    hash: Hex;
  };
  const accounts = (await opts.provider.request({ method: 'eth_accounts' })) as string[];
  const deployer = accounts[0];
  if (!deployer) throw new DeployError('the provider has no account to deploy from (give a private key)');
  const journal = path.join(opts.ignitionDir ?? process.env.NEX_IGNITION_DIR ?? path.join(root, '.nex', 'ignition'), `chain-${chainId}`);
  const local = isLocalDevnet(chainId);
  await prepareJournal(journal, opts.provider, chainId, genesis.hash, opts.onStaleJournal ?? (local ? 'reset' : 'fail'), log);

  let previous: Deployments | undefined;
  if (existsSync(path.join(journal, 'journal.jsonl')) && existsSync(deploymentsPath(chainId, opts.deploymentsDir))) {
    try {
      previous = readDeployments(chainId, opts.deploymentsDir);
    } catch {
      previous = undefined;
    }
  }
  // The router's version 1 is immutable once deployed: another variant on this chain is a new router
  // version through governance (addVersion), not a re-run of the deployment.
  const previousVariant = previous?.genesisHash === genesis.hash ? previous.verifier.variant : undefined;
  if (previousVariant !== undefined && previousVariant !== variant) {
    throw new DeployError(
      `chain ${chainId} already has the '${previousVariant}' verifier deployed as router version 1 ` +
        `(${deploymentsPath(chainId, opts.deploymentsDir)}); the parameters ask for '${variant}'. ` +
        `Deploy with verifierVariant '${previousVariant}', or register the other verifier as a new router version through governance.`,
    );
  }
  const startBlock =
    previous && previous.genesisHash === genesis.hash
      ? previous.startBlock
      : BigInt((await opts.provider.request({ method: 'eth_blockNumber' })) as string).toString();

  log('deploy.start', { chainId, network: opts.network, deployer, srs: build.srs.id, verifierVariant: variant, journal });
  let transactionsSent = 0;
  const module = nexModule(parameters, build);
  const result = await deploy({
    provider: opts.provider,
    artifactResolver: new ProjectArtifactResolver(root),
    deploymentDir: journal,
    ignitionModule: module,
    deploymentParameters: {},
    accounts,
    defaultSender: deployer,
    // Local devnets automine: one confirmation, fast polling. Elsewhere Ignition's defaults apply.
    config: local ? { requiredConfirmations: 1, blockPollingInterval: 100 } : {},
    executionEventListener: countingListener((futureId, hash) => {
      transactionsSent += 1;
      log('deploy.tx', { futureId, hash });
    }),
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    throw new DeployError(errorDeploymentResultToExceptionMessage(result));
  }
  const addr = (futureId: string): Address => {
    const c = result.contracts[futureId];
    if (!c) throw new DeployError(`Ignition returned no address for ${futureId}`);
    return getAddress(c.address);
  };
  const resolver = new ProjectArtifactResolver(root);
  const abiOf = async (name: string): Promise<Abi> => (await resolver.loadArtifact(name)).abi as Abi;
  const market = addr('AggregationMarket#AggregationMarket');
  // Deployed by the market's constructor (not a future of its own): its address is the market's to tell.
  const extension = getAddress(
    await createPublicClient({ transport: custom(opts.provider) }).readContract({
      address: market,
      abi: aggregationMarketAbi,
      functionName: 'extension',
    }),
  );
  const contracts: Record<string, DeployedContract> = {
    NexToken: { address: addr('NexToken#NexToken'), abi: await abiOf('NexToken') },
    ProverStaking: { address: addr('ProverStaking#ProverStaking'), abi: await abiOf('ProverStaking') },
    VerifierRouter: { address: addr('VerifierRouter#VerifierRouter'), abi: await abiOf('VerifierRouter') },
    AggregationMarket: { address: market, abi: await abiOf('AggregationMarket') },
    AggregationMarketExtension: { address: extension, abi: await abiOf('AggregationMarketExtension') },
    TimelockController: { address: addr('NexGovernance#TimelockController'), abi: await abiOf('TimelockController') },
    HonkVerifier: { address: addr('NexVerifier#HonkVerifier'), abi: verifierContracts.verifier.abi as Abi },
  };
  for (const [name, lib] of Object.entries(verifierContracts.libraries)) {
    contracts[name] = { address: addr(`NexVerifier#${name}`), abi: lib.abi as Abi };
  }
  // What `nex devnet` added after the protocol on this chain (the example rollup) stays recorded.
  const kept = previous?.genesisHash === genesis.hash ? previous : undefined;
  if (kept?.exampleRollup && kept.contracts.ExampleRollup) contracts.ExampleRollup = kept.contracts.ExampleRollup;
  await checkWiring(
    opts.provider,
    getAddress(deployer),
    {
      staking: contracts.ProverStaking!.address,
      router: contracts.VerifierRouter!.address,
      market,
      extension,
      timelock: contracts.TimelockController!.address,
      verifier: contracts.HonkVerifier!.address,
    },
    parameters,
    build,
  );
  const deployments: Deployments = {
    format: DEPLOYMENTS_FORMAT,
    chainId,
    network: opts.network,
    genesisHash: genesis.hash ?? ZERO_HASH,
    deployer: getAddress(deployer),
    writtenAt: transactionsSent === 0 && previous?.genesisHash === genesis.hash ? previous.writtenAt : new Date().toISOString(),
    srs: build.srs,
    startBlock,
    contracts: contracts as Deployments['contracts'],
    verifier: {
      version: 1,
      variant,
      keySet: build.keySet,
      keyHashes: build.keyHashes,
      rollupProofBytes: build.rollupProofBytes,
    },
    ...(kept?.exampleRollup ? { exampleRollup: kept.exampleRollup } : {}),
  };
  const file = writeDeployments(deployments, opts.deploymentsDir);
  log('deploy.done', { chainId, file, transactionsSent });
  return { deployments, file, transactionsSent };
}
