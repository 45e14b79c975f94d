/**
 * The relay's chain over JSON-RPC with viem, on the market's generated ABI (prover/abi/generated.ts): the
 * version-2 market's views (`params`, `getAccount`, `getProgram`, `router`), the router's `current()` (the
 * rollup proof length), `postBatch`, and the events `MarketProgramRegistered` (the key bytes),
 * `MarketRequestAccepted` (with the request's EIP-712 hash) and `MarketRequestSkipped`.
 */
import {
  createPublicClient,
  encodeFunctionData,
  hexToBytes,
  http,
  keccak256,
  parseEventLogs,
  zeroAddress,
  type Address,
  type Hex,
  type Log,
  type PublicClient,
} from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { aggregationMarketAbi, SkipReason, verifierRouterAbi } from '../../abi/generated.js';
import { postedGroup } from '../../protocol/index.js';
import {
  BroadcastRejectedError,
  PostRevertedError,
  type Fees,
  type MarketParams,
  type PayerAccount,
  type PostCall,
  type PostEvent,
  type ProgramInfo,
  type RelayChain,
  type SignedTx,
  type TxReceiptInfo,
} from './types.js';

export interface ViemRelayChainOptions {
  readonly rpcUrl: string;
  readonly market: Address;
  readonly account: PrivateKeyAccount;
  /** Refuse to start when the RPC serves another chain. */
  readonly chainId?: number;
  /** First block to search for `MarketProgramRegistered` events (the market's deployment block). */
  readonly startBlock: bigint;
  /** Largest block range of one eth_getLogs call. */
  readonly maxLogRange: number;
  /** Fee cap (wei per gas) the relay never exceeds, and the bump of a replacement (percent, >= 10). */
  readonly gas: { readonly maxFeePerGas: bigint; readonly bumpPercent: number };
}

/** The `RelayChain` over a JSON-RPC endpoint with viem (the relay's production chain). */
export async function createViemRelayChain(o: ViemRelayChainOptions): Promise<RelayChain> {
  const client = createPublicClient({ transport: http(o.rpcUrl, { retryCount: 2 }) }) as PublicClient;
  const chainId = await client.getChainId();
  if (o.chainId !== undefined && o.chainId !== chainId) throw new Error(`the RPC serves chain ${chainId}, not the configured ${o.chainId}`);
  const programs = new Map<Hex, ProgramInfo>();

  type WatchedEvent = 'MarketProgramRegistered' | 'MarketRequestAccepted' | 'MarketRequestSkipped';
  const logsInRange = async (events: WatchedEvent[], from: bigint, to: bigint, args?: object): Promise<Log[]> => {
    const out: Log[] = [];
    for (let a = from; a <= to; a += BigInt(o.maxLogRange)) {
      const b = a + BigInt(o.maxLogRange) - 1n < to ? a + BigInt(o.maxLogRange) - 1n : to;
      const logs = await client.getLogs({
        address: o.market,
        events: aggregationMarketAbi.filter((i) => i.type === 'event' && events.includes(i.name as never)) as never,
        args: args as never,
        fromBlock: a,
        toBlock: b,
      });
      out.push(...(logs as Log[]));
    }
    return out;
  };

  const fees = async (bumpFrom?: Fees): Promise<Fees> => {
    const cur = await client.estimateFeesPerGas();
    let maxFeePerGas = cur.maxFeePerGas;
    let maxPriorityFeePerGas = cur.maxPriorityFeePerGas;
    if (bumpFrom) {
      const bump = (v: bigint): bigint => (v * BigInt(100 + o.gas.bumpPercent) + 99n) / 100n;
      maxFeePerGas = max(maxFeePerGas, bump(bumpFrom.maxFeePerGas));
      maxPriorityFeePerGas = max(maxPriorityFeePerGas, bump(bumpFrom.maxPriorityFeePerGas));
    }
    maxFeePerGas = min(maxFeePerGas, o.gas.maxFeePerGas);
    return { maxFeePerGas, maxPriorityFeePerGas: min(maxPriorityFeePerGas, maxFeePerGas) };
  };

  return {
    chainId,
    market: o.market,
    sender: o.account.address,

    async params(): Promise<MarketParams> {
      const [params, router] = await Promise.all([
        client.readContract({ address: o.market, abi: aggregationMarketAbi, functionName: 'params' }),
        client.readContract({ address: o.market, abi: aggregationMarketAbi, functionName: 'router' }),
      ]);
      const [, proofBytes] = await client.readContract({ address: router, abi: verifierRouterAbi, functionName: 'current' });
      return { minFeePerProof: params.minFeePerProof, rollupProofBytes: Number(proofBytes) };
    },

    async account(payer: Address): Promise<PayerAccount> {
      const a = await client.readContract({ address: o.market, abi: aggregationMarketAbi, functionName: 'getAccount', args: [payer] });
      // A requested withdrawal may leave once its notice is over: the relay does not count on it.
      return { nonce: a.nonce, free: a.balance > a.pendingWithdrawal ? a.balance - a.pendingWithdrawal : 0n };
    },

    async program(programId: Hex): Promise<ProgramInfo | undefined> {
      const cached = programs.get(programId);
      if (cached) return cached;
      const p = await client.readContract({ address: o.market, abi: aggregationMarketAbi, functionName: 'getProgram', args: [programId] });
      if (p.owner === zeroAddress) return undefined;
      // The key hash and the key bytes are only in the registration event.
      const logs = parseEventLogs({
        abi: aggregationMarketAbi,
        eventName: 'MarketProgramRegistered',
        logs: await logsInRange(['MarketProgramRegistered'], o.startBlock, await client.getBlockNumber(), { programId }),
      });
      const reg = logs.find((l) => l.args.programId.toLowerCase() === programId.toLowerCase());
      if (!reg)
        throw new Error(`program ${programId} is registered but its MarketProgramRegistered event is not found from block ${o.startBlock}`);
      const info: ProgramInfo = {
        programId,
        owner: p.owner,
        vkHash: reg.args.vkHash,
        vk: hexToBytes(reg.args.vk),
        publicInputCount: p.publicInputCount,
      };
      programs.set(programId, info);
      return info;
    },

    pendingNonce: () => client.getTransactionCount({ address: o.account.address, blockTag: 'pending' }),
    minedNonce: () => client.getTransactionCount({ address: o.account.address, blockTag: 'latest' }),

    async signPost(call: PostCall, opts: { nonce: number; bumpFrom?: Fees }): Promise<SignedTx> {
      const data = encodeFunctionData({
        abi: aggregationMarketAbi,
        functionName: 'postBatch',
        args: [call.groups.map((g) => postedGroup(g.request, g.signature)), [...call.digests]],
      });
      let gas: bigint;
      try {
        gas = await client.estimateGas({ account: o.account.address, to: o.market, data });
      } catch (err) {
        throw new PostRevertedError(`postBatch would revert: ${shortText(err)}`, { cause: err });
      }
      const f = await fees(opts.bumpFrom);
      const raw = await o.account.signTransaction({
        type: 'eip1559',
        chainId,
        nonce: opts.nonce,
        to: o.market,
        data,
        gas: (gas * 120n) / 100n + 20_000n,
        maxFeePerGas: f.maxFeePerGas,
        maxPriorityFeePerGas: f.maxPriorityFeePerGas,
      });
      return { hash: keccak256(raw), raw, nonce: opts.nonce, ...f };
    },

    async broadcast(raw: Hex): Promise<void> {
      try {
        await client.sendRawTransaction({ serializedTransaction: raw });
      } catch (err) {
        const text = errorText(err);
        if (/already known|known transaction|already imported|same hash/i.test(text)) return;
        if (
          /nonce too low|insufficient funds|intrinsic gas too low|exceeds block gas limit|invalid sender|fee cap less than block base fee|max fee per gas less than block base fee|replacement transaction underpriced/i.test(
            text,
          )
        ) {
          throw new BroadcastRejectedError(shortText(err), { cause: err });
        }
        throw err;
      }
    },

    async receipt(hash: Hex): Promise<TxReceiptInfo | undefined> {
      let r;
      try {
        r = await client.getTransactionReceipt({ hash });
      } catch (err) {
        if (/could not be found|not found/i.test(errorText(err))) return undefined;
        throw err;
      }
      const events = toPostEvents(r.logs.filter((l) => l.address.toLowerCase() === o.market.toLowerCase()));
      return { status: r.status === 'success' ? 'success' : 'reverted', hash, block: r.blockNumber, events };
    },

    head: () => client.getBlockNumber(),

    async postEvents(fromBlock: bigint, toBlock: bigint): Promise<PostEvent[]> {
      if (toBlock < fromBlock) return [];
      return toPostEvents(await logsInRange(['MarketRequestAccepted', 'MarketRequestSkipped'], fromBlock, toBlock));
    },
  };
}

/** The names of the market's skip reasons, by value (SkipReason of the generated ABI). */
const SKIP_REASON_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(SkipReason).map(([name, value]) => [value, name]),
);

function toPostEvents(logs: Log[]): PostEvent[] {
  const parsed = parseEventLogs({ abi: aggregationMarketAbi, logs, eventName: ['MarketRequestAccepted', 'MarketRequestSkipped'] });
  return parsed.map((l): PostEvent => {
    const base = { txHash: l.transactionHash!, block: l.blockNumber! };
    if (l.eventName === 'MarketRequestAccepted') {
      const a = l.args;
      return {
        kind: 'posted',
        batchId: a.batchId,
        payer: a.payer,
        nonce: a.nonce,
        requestHash: a.requestHash,
        firstSlot: Number(a.firstSlot),
        count: Number(a.count),
        ...base,
      };
    }
    return {
      kind: 'skipped',
      payer: l.args.payer,
      nonce: l.args.nonce,
      reason: `market:${SKIP_REASON_NAMES[l.args.reason] ?? l.args.reason}`,
      ...base,
    };
  });
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e && parts.length < 6; e = (e as { cause?: unknown }).cause) {
    const x = e as { message?: string; details?: string };
    parts.push(String(x.message ?? ''), String(x.details ?? ''));
  }
  return parts.join(' ');
}

function shortText(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string };
  return String(e.shortMessage ?? e.message ?? err)
    .split('\n')[0]!
    .slice(0, 300);
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
