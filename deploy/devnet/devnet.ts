/**
 * startDevnet: a local NEX network in one call. Starts Hardhat's node on loopback (or uses an external
 * devnet by RPC URL), builds what is missing, deploys the protocol, funds the well-known test accounts
 * with ETH and NEX, and returns what a demo or test needs, with stop().
 */
import type { Address } from 'viem';
import { createPublicClient, http } from 'viem';
import { isLocalDevnet } from '../../prover/protocol/index.js';
import type { Deployments } from '../../prover/sdk/index.js';
import { deployNex, DeployError, type DeployLog } from '../deploy.js';
import { loadParameters, type NexParameters } from '../parameters.js';
import { rpcProvider } from '../provider.js';
import type { VerifierBuild, VerifierVariant } from '../verifierBuild.js';
import { testAccounts, type TestAccount } from './accounts.js';
import { buildContracts, ensureVerifierBuild, type EnsureVerifierOptions } from './build.js';
import { fundAccounts, type FundedAccount } from './fund.js';
import { spawnNode, type LocalNode } from './node.js';

export interface StartDevnetOptions {
  /** Use this devnet instead of starting Hardhat's node (its chain id must be a local devnet's). */
  rpcUrl?: string | undefined;
  /** Port of the Hardhat node started on 127.0.0.1 (default 8545). */
  port?: number | undefined;
  /** Parameters file name (default 'devnet'). */
  network?: string | undefined;
  parameters?: NexParameters | undefined;
  /** Overrides the parameters' verifierVariant (default there: 'optimized'). */
  verifierVariant?: VerifierVariant | undefined;
  verifierBuild?: VerifierBuild | undefined;
  /** Skip `hardhat build` (artifacts known to be fresh). */
  skipContractBuild?: boolean | undefined;
  root?: string | undefined;
  deploymentsDir?: string | undefined;
  ignitionDir?: string | undefined;
  log?: DeployLog | undefined;
  /** Progress of a dev SRS generation (first run on a machine only). */
  onSrsProgress?: EnsureVerifierOptions['onSrsProgress'];
}

export interface Devnet {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** True when startDevnet started the node (and stop() stops it). */
  readonly spawned: boolean;
  readonly deployments: Deployments;
  readonly deploymentsFile: string;
  /** The well-known accounts; [0] deployed and holds the treasury. */
  readonly accounts: readonly (TestAccount & Partial<FundedAccount>)[];
  readonly transactionsSent: number;
  /** Stops the node when this call started it; a no-op for an external devnet. */
  stop(): Promise<void>;
}

export async function startDevnet(opts: StartDevnetOptions = {}): Promise<Devnet> {
  const log: DeployLog = opts.log ?? (() => undefined);
  const network = opts.network ?? 'devnet';
  const loaded = opts.parameters ?? loadParameters(network);
  const parameters = opts.verifierVariant ? { ...loaded, verifierVariant: opts.verifierVariant } : loaded;
  const funding = parameters.devnet ?? { fundAccounts: 10, ethPerAccount: 10n ** 21n, nexPerAccount: 10n ** 23n };
  const accounts = testAccounts(Math.max(1, funding.fundAccounts));
  const deployer = accounts[0]!;

  // Build first: a missing circuits build fails before a node is started.
  const verifierBuild = opts.verifierBuild ?? (await ensureVerifierBuild({ log, onSrsProgress: opts.onSrsProgress }));
  if (!opts.skipContractBuild) {
    log('devnet.build', { step: 'contracts' });
    await buildContracts(opts.root);
  }

  let node: LocalNode | undefined;
  let rpcUrl = opts.rpcUrl;
  if (!rpcUrl) {
    node = await spawnNode({ kind: 'hardhat', port: opts.port, root: opts.root });
    rpcUrl = node.rpcUrl;
    log('devnet.node', { rpcUrl, pid: node.pid });
  }
  try {
    const chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId();
    if (!isLocalDevnet(chainId)) {
      throw new DeployError(`${rpcUrl} serves chain ${chainId}, not a local devnet (31337 or 1337): use nex deploy for other chains`);
    }
    const deployed = await deployNex({
      provider: rpcProvider(rpcUrl, deployer.privateKey),
      network,
      parameters,
      verifierBuild,
      root: opts.root,
      deploymentsDir: opts.deploymentsDir,
      ignitionDir: opts.ignitionDir,
      log,
    });
    log('devnet.fund', { accounts: accounts.length });
    const funded = await fundAccounts({
      rpcUrl,
      chainId,
      funderKey: deployer.privateKey,
      token: deployed.deployments.contracts.NexToken.address,
      accounts: accounts.map((a) => a.address),
      ethPerAccount: funding.ethPerAccount,
      nexPerAccount: funding.nexPerAccount,
    });
    const byAddress = new Map<Address, FundedAccount>(funded.map((f) => [f.address, f]));
    return {
      rpcUrl,
      chainId,
      spawned: node !== undefined,
      deployments: deployed.deployments,
      deploymentsFile: deployed.file,
      accounts: accounts.map((a) => ({ ...a, ...byAddress.get(a.address) })),
      transactionsSent: deployed.transactionsSent,
      stop: async () => node?.stop(),
    };
  } catch (err) {
    await node?.stop();
    throw err;
  }
}

export type { TestAccount };
