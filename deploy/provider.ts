/**
 * EIP-1193 providers for deployment: a plain JSON-RPC provider (the node signs with its unlocked
 * accounts, e.g. a Hardhat node or anvil) or one that signs locally with a private key, so the same
 * deployment runs against any RPC endpoint.
 */
import type { EIP1193Provider, RequestArguments } from '@nomicfoundation/ignition-core';
import { createPublicClient, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

interface RpcTx {
  to?: Hex;
  from?: Hex;
  data?: Hex;
  value?: Hex;
  nonce?: Hex;
  gas?: Hex;
  gasPrice?: Hex;
  maxFeePerGas?: Hex;
  maxPriorityFeePerGas?: Hex;
}

const big = (v: Hex | undefined): bigint | undefined => (v === undefined ? undefined : BigInt(v));

/** A provider for `rpcUrl`; with `privateKey`, eth_accounts is that key's address and it signs locally. */
export function rpcProvider(rpcUrl: string, privateKey?: Hex | undefined): EIP1193Provider {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 3, timeout: 60_000 }) });
  const forward = (args: RequestArguments): Promise<unknown> => client.request(args as never);
  if (!privateKey) return { request: forward };
  const account = privateKeyToAccount(privateKey);
  let chainId: number | undefined;
  return {
    async request(args: RequestArguments): Promise<unknown> {
      if (args.method === 'eth_accounts' || args.method === 'eth_requestAccounts') return [account.address];
      if (args.method !== 'eth_sendTransaction') return forward(args);
      const [tx] = (args.params ?? []) as [RpcTx];
      if (tx.from && tx.from.toLowerCase() !== account.address.toLowerCase()) {
        throw new Error(`cannot sign for ${tx.from}: only ${account.address} is available`);
      }
      chainId ??= Number(await forward({ method: 'eth_chainId' }));
      const nonce = tx.nonce
        ? Number(BigInt(tx.nonce))
        : Number(BigInt((await forward({ method: 'eth_getTransactionCount', params: [account.address, 'pending'] })) as Hex));
      const gas = big(tx.gas) ?? BigInt((await forward({ method: 'eth_estimateGas', params: [{ ...tx, from: account.address }] })) as Hex);
      const common = { chainId, nonce, gas, to: tx.to ?? null, data: tx.data, value: big(tx.value) ?? 0n };
      const signed =
        tx.gasPrice !== undefined
          ? await account.signTransaction({ ...common, type: 'legacy', gasPrice: BigInt(tx.gasPrice) })
          : await account.signTransaction({
              ...common,
              type: 'eip1559',
              maxFeePerGas: big(tx.maxFeePerGas) ?? BigInt((await forward({ method: 'eth_gasPrice' })) as Hex) * 2n,
              maxPriorityFeePerGas: big(tx.maxPriorityFeePerGas) ?? 0n,
            });
      return forward({ method: 'eth_sendRawTransaction', params: [signed] });
    },
  };
}
