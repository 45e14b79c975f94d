import { readFileSync } from 'node:fs';
import { getAddress, isAddress, type Address, type PublicClient } from 'viem';
import { marketAbi, stakingAbi } from '../abi.js';
import { ConfigError, type KeeperConfig } from '../config/config.js';

export interface Addresses {
  readonly market: Address;
  readonly staking: Address;
  readonly token: Address;
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

/** Market, staking and token addresses: explicit config first, then the deployments file, then on-chain getters. */
export async function resolveAddresses(config: KeeperConfig, client: PublicClient): Promise<Addresses> {
  let deployments: unknown;
  if (config.deploymentsFile) {
    try {
      deployments = JSON.parse(readFileSync(config.deploymentsFile, 'utf8'));
    } catch (err) {
      throw new ConfigError([`deploymentsFile: cannot read ${config.deploymentsFile}: ${(err as Error).message}`]);
    }
  }
  const market = config.marketAddress ?? addressFromDeployments(deployments, 'AggregationMarket');
  if (!market) throw new ConfigError([`marketAddress: not set and no AggregationMarket in ${config.deploymentsFile}`]);
  const code = await client.getCode({ address: market });
  if (!code || code === '0x') throw new ConfigError([`marketAddress: no contract at ${market} on this chain`]);
  const staking = config.stakingAddress ?? addressFromDeployments(deployments, 'ProverStaking')
    ?? (await client.readContract({ address: market, abi: marketAbi, functionName: 'staking' }));
  const token = config.tokenAddress ?? addressFromDeployments(deployments, 'NexToken')
    ?? (await client.readContract({ address: staking, abi: stakingAbi, functionName: 'token' }));
  return { market, staking, token };
}
