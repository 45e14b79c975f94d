import { existsSync, readFileSync } from 'node:fs';
import { getAddress, isAddress, type Address, type PublicClient } from 'viem';
import { aggregationMarketAbi, proverStakingAbi } from '../../abi/v1.js';
import { ConfigError, type KeeperConfig } from '../config/config.js';
import { deploymentsPath } from '../../sdk/index.js';

export interface Addresses {
  readonly market: Address;
  readonly staking: Address;
  readonly token: Address;
  /** Lower bound for log scans: config.startBlock, else the deployments file's. */
  readonly startBlock: bigint;
}

/**
 * Finds a contract's address in a deployments file. Accepts the shapes deploy tools write:
 * `{ "AggregationMarket": "0x.." }`, `{ "contracts": { "AggregationMarket": { "address": "0x.." } } }`
 * and Ignition's `{ "Module#AggregationMarket": "0x.." }` (any nesting; first match wins).
 */
export function addressFromDeployments(json: unknown, contract: string): Address | undefined {
  const want = contract.toLowerCase();
  const visit = (node: unknown, depth: number): Address | undefined => {
    if (depth > 5 || typeof node !== 'object' || node === null) return undefined;
    for (const [key, value] of Object.entries(node)) {
      const name = key.split('#').at(-1)!.toLowerCase();
      if (name === want) {
        if (typeof value === 'string' && isAddress(value, { strict: false })) return getAddress(value);
        const a = (value as { address?: unknown } | null)?.address;
        if (typeof a === 'string' && isAddress(a, { strict: false })) return getAddress(a);
      }
    }
    for (const value of Object.values(node)) {
      const found = visit(value, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return visit(json, 0);
}

/**
 * Market, staking and token addresses: explicit config first, then the deployments file (the
 * configured one, or `.nex/deployments/<chainId>.json` written by the deploy code when neither
 * marketAddress nor deploymentsFile is set), then on-chain getters.
 */
export async function resolveAddresses(config: KeeperConfig, client: PublicClient, chainId: number): Promise<Addresses> {
  let deployments: unknown;
  let file = config.deploymentsFile;
  if (!file && !config.marketAddress) {
    const fallback = deploymentsPath(chainId);
    if (!existsSync(fallback)) {
      throw new ConfigError([`marketAddress: not set, no deploymentsFile, and no deployments file for chain ${chainId} at ${fallback}`]);
    }
    file = fallback;
  }
  if (file) {
    try {
      deployments = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError([`deploymentsFile: cannot read ${file}: ${(err as Error).message}`]);
    }
    const fileChain = (deployments as { chainId?: unknown }).chainId;
    if (typeof fileChain === 'number' && fileChain !== chainId) {
      throw new ConfigError([`deploymentsFile: ${file} is for chain ${fileChain}, the RPC serves chain ${chainId}`]);
    }
  }
  const market = config.marketAddress ?? addressFromDeployments(deployments, 'AggregationMarket');
  if (!market) throw new ConfigError([`marketAddress: not set and no AggregationMarket in ${file}`]);
  const code = await client.getCode({ address: market });
  if (!code || code === '0x') throw new ConfigError([`marketAddress: no contract at ${market} on this chain`]);
  const staking =
    config.stakingAddress ??
    addressFromDeployments(deployments, 'ProverStaking') ??
    (await client.readContract({ address: market, abi: aggregationMarketAbi, functionName: 'staking' }));
  const token =
    config.tokenAddress ??
    addressFromDeployments(deployments, 'NexToken') ??
    (await client.readContract({ address: staking, abi: proverStakingAbi, functionName: 'token' }));
  const fromFile = (deployments as { startBlock?: unknown } | undefined)?.startBlock;
  const startBlock =
    config.startBlock > 0 || (typeof fromFile !== 'string' && typeof fromFile !== 'number') ? BigInt(config.startBlock) : BigInt(fromFile);
  return { market, staking, token, startBlock };
}
