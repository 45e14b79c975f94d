import { createPublicClient, fallback, http, type Chain, type PublicClient, type Transport } from 'viem';

/**
 * One transport over the configured RPC URLs: the primary first, fallbacks after it. viem's
 * fallback transport tries them in order on every request, so the keeper returns to the primary
 * as soon as it answers again. Retries inside one request are few; the keeper's loops back off.
 */
export function rpcTransport(urls: readonly string[], timeoutMs = 15_000): Transport {
  const transports = urls.map((url) => http(url, { timeout: timeoutMs, retryCount: 1, retryDelay: 250 }));
  return transports.length === 1 ? transports[0]! : fallback(transports, { rank: false, retryCount: 1 });
}

/** A chain object for viem when only the id is known (the keeper does not need chain metadata). */
export function chainFor(id: number): Chain {
  return {
    id,
    name: `chain-${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [] } },
  };
}

export function publicClientFor(transport: Transport, chain?: Chain): PublicClient {
  return createPublicClient({ transport, chain, pollingInterval: 1_000, cacheTime: 0 });
}
