import { toFunctionSelector, type Address, type Hex, type PublicClient } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import type { Logger } from '../obs/logger.js';

/** One frame of geth's `callTracer` output (the fields the keeper reads). */
export interface CallFrame {
  readonly type: string;
  readonly from: Address;
  readonly to?: Address;
  readonly input: Hex;
  /** Set when the frame reverted (its effects, and its sub-calls', were undone). */
  readonly error?: string;
  readonly calls?: readonly CallFrame[];
}

/** The market calls a transaction made, or why the RPC could not say. */
export type MarketCalls = { readonly ok: true; readonly inputs: readonly Hex[] } | { readonly ok: false; readonly unsupported: string };

const SUBMIT_SELECTORS = new Set(
  aggregationMarketAbi
    .filter((f) => f.type === 'function' && (f.name === 'submit' || f.name === 'submitMany'))
    .map((f) => toFunctionSelector(f).toLowerCase()),
);

/**
 * Inputs of the `submit` / `submitMany` calls to `market` in a call tree, in execution order. A
 * reverted frame is skipped with its whole subtree: its sub-calls carry no `error` of their own but
 * were undone with it.
 */
export function marketSubmitCalls(root: CallFrame, market: Address): Hex[] {
  const out: Hex[] = [];
  const target = market.toLowerCase();
  const visit = (f: CallFrame): void => {
    if (f.error !== undefined) return;
    if (f.type === 'CALL' && f.to?.toLowerCase() === target && SUBMIT_SELECTORS.has(f.input.slice(0, 10).toLowerCase())) out.push(f.input);
    for (const c of f.calls ?? []) visit(c);
  };
  visit(root);
  return out;
}

// JSON-RPC codes meaning "this node does not serve that method": method not found (-32601), method
// not supported (EIP-1474, -32004), unsupported provider method (EIP-1193, 4200).
const UNSUPPORTED_CODES = new Set([-32601, -32004, 4200]);
// Nodes that know debug_traceTransaction but not the tracer, or gate the debug namespace, answer with
// a generic code (-32000, -32602, -32600) and say so in the message.
const UNSUPPORTED_MESSAGE =
  /tracer.*(not (found|supported|available)|unsupported|unknown)|(unknown|unsupported|invalid) tracer|only supports the default tracer|(method|namespace|debug).*(not (found|supported|available|enabled|allowed)|does not exist|disabled)/i;

/**
 * True when the error says the RPC does not serve `debug_traceTransaction` with `callTracer`. Anything
 * else (timeouts, HTTP 5xx, rate limits) is transient as far as the keeper knows: the caller retries.
 */
export function isTraceUnsupported(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && UNSUPPORTED_CODES.has(code)) return true;
    if (typeof code === 'number' && code <= -32000 && code >= -32602 && UNSUPPORTED_MESSAGE.test(messageOf(e))) return true;
  }
  return false;
}

function messageOf(e: Error): string {
  return (e as { details?: string }).details ?? (e as { shortMessage?: string }).shortMessage ?? e.message;
}

/**
 * Asks the RPC for a transaction's call tree (`debug_traceTransaction` with geth's `callTracer`; anvil,
 * geth, reth, Hardhat's EDR and Erigon serve it) to find market calls made by contracts. One per keeper
 * run: it warns once, not per slot, when the RPC does not serve the method.
 */
export class CallTracer {
  #warned = false;

  constructor(
    private readonly client: PublicClient,
    private readonly log: Logger,
  ) {}

  /** The market submit calls of `txHash`; throws on transient RPC errors. */
  async marketCalls(txHash: Hex, market: Address): Promise<MarketCalls> {
    let root: CallFrame;
    try {
      root = (await this.client.request({
        method: 'debug_traceTransaction' as never,
        params: [txHash, { tracer: 'callTracer' }] as never,
      })) as CallFrame;
    } catch (err) {
      if (!isTraceUnsupported(err)) throw err;
      const detail = messageOf(err as Error)
        .split('\n')[0]!
        .slice(0, 200);
      if (!this.#warned) {
        this.#warned = true;
        this.log.warn(
          'the RPC does not serve debug_traceTransaction with callTracer: submissions made through other contracts will be excluded',
          { txHash, error: detail },
        );
      }
      return { ok: false, unsupported: detail };
    }
    if (typeof root !== 'object' || root === null || typeof root.input !== 'string')
      throw new Error(`debug_traceTransaction ${txHash}: unexpected callTracer result`);
    return { ok: true, inputs: marketSubmitCalls(root, market) };
  }
}
