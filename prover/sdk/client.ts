/**
 * The SDK client: a viem public client for reads, an optional wallet client for writes, and the
 * protocol's addresses. Every action takes it as its first argument.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { addressesOf, readDeployments, type NexAddresses } from './deployments.js';

export interface NexClient {
  readonly public: PublicClient<Transport, Chain | undefined>;
  /** Needed by actions that send transactions. */
  readonly wallet?: WalletClient<Transport, Chain | undefined, Account> | undefined;
  readonly addresses: NexAddresses;
  /** Polling interval for receipts and waits, in ms. */
  readonly pollingIntervalMs: number;
}

export interface CreateNexClientParameters {
  rpcUrl: string;
  /** Hex private key of the account that signs (omit for a read-only client). */
  privateKey?: `0x${string}` | undefined;
  /** An account object instead of a private key (e.g. a JSON-RPC account of a dev node). */
  account?: Account | undefined;
  /** Addresses; default: read from the deployments file of the RPC's chain id. */
  addresses?: NexAddresses | undefined;
  /** Directory of deployments files (default .nex/deployments). */
  deploymentsDir?: string | undefined;
  pollingIntervalMs?: number | undefined;
}

/** A viem chain object for any chain id (the SDK needs no chain metadata beyond the id). */
export function chainFor(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * Creates a client for `rpcUrl`. Without explicit `addresses` it reads the deployments file of the
 * chain the RPC serves.
 *
 * @example
 * const client = await createNexClient({ rpcUrl: 'http://127.0.0.1:8545', privateKey: '0x…' });
 * const { submissionId } = await submit(client, { programId, publicInputs, proof, fee });
 */
export async function createNexClient(params: CreateNexClientParameters): Promise<NexClient> {
  const pollingIntervalMs = params.pollingIntervalMs ?? 1_000;
  const probe = createPublicClient({ transport: http(params.rpcUrl) });
  const chainId = await probe.getChainId();
  const chain = chainFor(chainId, params.rpcUrl);
  const publicClient = createPublicClient({ chain, transport: http(params.rpcUrl), pollingInterval: pollingIntervalMs });
  const account = params.account ?? (params.privateKey ? privateKeyToAccount(params.privateKey) : undefined);
  const wallet = account
    ? createWalletClient({ chain, account, transport: http(params.rpcUrl), pollingInterval: pollingIntervalMs })
    : undefined;
  const addresses = params.addresses ?? addressesOf(readDeployments(chainId, params.deploymentsDir));
  return { public: publicClient, wallet, addresses, pollingIntervalMs };
}
