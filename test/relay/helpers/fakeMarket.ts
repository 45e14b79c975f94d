// A test double of RelayChain: an in-memory market with the off-chain channel's rules of spec V2.6
// (deposits, EIP-712 request signatures recovered for real, nonces, deadlines, skipped groups, batches
// created from postBatch) and a sender account with nonces, a mempool and receipts. Tests drive it
// (mine, fail, post as another poster) to exercise the relay's posting loop without a devnet.
import { bytesToHex, hexToBytes, keccak256, recoverTypedDataAddress, stringToHex, type Address, type Hex } from 'viem';
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
} from '../../../prover/relay/chain/types.js';
import type { SkipReason } from '../../../prover/abi/generated.js';
import {
  type OffchainRequest,
  REQUEST_TYPES,
  marketDomain,
  requestHash,
  requestMessage,
  statementsHash,
} from '../../../prover/protocol/index.js';

/** The market's skip reasons (SkipReason of the generated ABI) the double reports, by cause. */
export const SKIP = {
  deadline: 'Expired',
  nonce: 'StaleNonce',
  program: 'UnknownProgram',
  fee: 'FeeBelowFloor',
  balance: 'InsufficientBalance',
  statements: 'BadSignature', // altered statements recover another signer on chain
} as const satisfies Record<string, keyof typeof SkipReason>;

interface Tx {
  readonly hash: Hex;
  readonly nonce: number;
  readonly call: PostCall;
  readonly fees: Fees;
  receipt?: TxReceiptInfo;
}

interface Account {
  balance: bigint;
  nonce: bigint;
  withdrawal: bigint;
}

/** A mutable clock in unix seconds shared by the relay and the fake market. */
export class Clock {
  constructor(public t = 1_800_000_000) {}
  readonly now = (): number => this.t;
  advance(seconds: number): void {
    this.t += seconds;
  }
}

export interface FakeMarketOptions {
  chainId?: number;
  market?: Address;
  sender: Address;
  clock: Pick<Clock, 'now'>;
  minFeePerProof?: bigint;
  rollupProofBytes?: number;
}

export class FakeMarket implements RelayChain {
  readonly chainId: number;
  readonly market: Address;
  readonly sender: Address;
  minFeePerProof: bigint;
  rollupProofBytes: number;
  readonly programs = new Map<string, ProgramInfo>();
  readonly accounts = new Map<string, Account>();
  block = 100n;
  minedSenderNonce = 0;
  readonly txs = new Map<Hex, Tx>();
  readonly mempool = new Map<number, Tx>();
  readonly events: PostEvent[] = [];
  readonly batches: { batchId: bigint; digests: Hex[]; poster: Address }[] = [];
  nextBatchId = 1n;
  /** Knobs: mine every broadcast at once; fail reads; refuse or lose broadcasts; revert the next posts. */
  autoMine = true;
  failReads = false;
  broadcastMode: 'ok' | 'reject' | 'lose' = 'ok';
  revertAll = false;
  /** Mined transactions revert (their events are dropped, nothing changes). */
  revertMined = false;
  /** Requests (by hash) whose post makes postBatch revert (a market bug the relay must isolate). */
  readonly poison = new Set<string>();
  readonly calls = { params: 0, account: 0, program: 0, broadcast: 0, signPost: 0 };

  constructor(private readonly o: FakeMarketOptions) {
    this.chainId = o.chainId ?? 31337;
    this.market = o.market ?? '0x00000000000000000000000000000000000a11ce';
    this.sender = o.sender;
    this.minFeePerProof = o.minFeePerProof ?? 10n ** 12n;
    this.rollupProofBytes = o.rollupProofBytes ?? 14_656;
  }

  get domain() {
    return marketDomain(this.chainId, this.market);
  }

  // ---- set-up ------------------------------------------------------------------------------------

  register(p: ProgramInfo): void {
    this.programs.set(p.programId.toLowerCase(), p);
  }

  deposit(payer: Address, amount: bigint): void {
    const a = this.#account(payer);
    a.balance += amount;
  }

  requestWithdrawal(payer: Address, amount: bigint): void {
    this.#account(payer).withdrawal = amount;
  }

  #account(payer: Address): Account {
    const k = payer.toLowerCase();
    let a = this.accounts.get(k);
    if (!a) {
      a = { balance: 0n, nonce: 0n, withdrawal: 0n };
      this.accounts.set(k, a);
    }
    return a;
  }

  #read(): void {
    if (this.failReads) throw new Error('fake RPC unavailable');
  }

  // ---- RelayChain ----------------------------------------------------------------------------------

  async params(): Promise<MarketParams> {
    this.#read();
    this.calls.params++;
    return { minFeePerProof: this.minFeePerProof, rollupProofBytes: this.rollupProofBytes };
  }

  async account(payer: Address): Promise<PayerAccount> {
    this.#read();
    this.calls.account++;
    const a = this.#account(payer);
    return { nonce: a.nonce, free: a.balance > a.withdrawal ? a.balance - a.withdrawal : 0n };
  }

  async program(programId: Hex): Promise<ProgramInfo | undefined> {
    this.#read();
    this.calls.program++;
    return this.programs.get(programId.toLowerCase());
  }

  async pendingNonce(): Promise<number> {
    this.#read();
    let n = this.minedSenderNonce;
    while (this.mempool.has(n)) n++;
    return n;
  }

  async minedNonce(): Promise<number> {
    this.#read();
    return this.minedSenderNonce;
  }

  async signPost(call: PostCall, opts: { nonce: number; bumpFrom?: Fees }): Promise<SignedTx> {
    this.#read();
    this.calls.signPost++;
    if (this.revertAll || call.groups.some((g) => this.poison.has(requestHash(g.request, this.domain)))) {
      throw new PostRevertedError('postBatch would revert: FakeMarketPoisoned()');
    }
    const base = 10n ** 9n;
    const fees = opts.bumpFrom
      ? {
          maxFeePerGas: (opts.bumpFrom.maxFeePerGas * 120n) / 100n,
          maxPriorityFeePerGas: (opts.bumpFrom.maxPriorityFeePerGas * 120n) / 100n,
        }
      : { maxFeePerGas: 2n * base, maxPriorityFeePerGas: base };
    const raw = stringToHex(JSON.stringify({ nonce: opts.nonce, fees, call }, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
    const hash = keccak256(raw);
    this.txs.set(hash, { hash, nonce: opts.nonce, call, fees });
    return { hash, raw, nonce: opts.nonce, ...fees };
  }

  async broadcast(raw: Hex): Promise<void> {
    this.calls.broadcast++;
    const hash = keccak256(raw);
    const tx = this.txs.get(hash);
    if (!tx) throw new Error(`fake market: unknown raw transaction ${hash}`);
    if (this.broadcastMode === 'reject') throw new BroadcastRejectedError('max fee per gas less than block base fee');
    if (this.broadcastMode === 'lose') return;
    if (tx.receipt) return;
    if (tx.nonce < this.minedSenderNonce) throw new BroadcastRejectedError('nonce too low');
    const cur = this.mempool.get(tx.nonce);
    if (!cur || tx.fees.maxFeePerGas > cur.fees.maxFeePerGas) this.mempool.set(tx.nonce, tx);
    if (this.autoMine) await this.mine();
  }

  async receipt(hash: Hex): Promise<TxReceiptInfo | undefined> {
    this.#read();
    return this.txs.get(hash)?.receipt;
  }

  async head(): Promise<bigint> {
    this.#read();
    return this.block;
  }

  async postEvents(fromBlock: bigint, toBlock: bigint): Promise<PostEvent[]> {
    this.#read();
    return this.events.filter((e) => e.block >= fromBlock && e.block <= toBlock);
  }

  // ---- the market's rules ------------------------------------------------------------------------

  /** Mines every executable mempool transaction of the sender, in nonce order, one block each. */
  async mine(): Promise<void> {
    for (let tx = this.mempool.get(this.minedSenderNonce); tx; tx = this.mempool.get(this.minedSenderNonce)) {
      this.mempool.delete(tx.nonce);
      this.block++;
      if (this.revertMined) {
        tx.receipt = { status: 'reverted', hash: tx.hash, block: this.block, events: [] };
      } else {
        const events = await this.#postBatch(tx.call, tx.hash, this.sender);
        tx.receipt = { status: 'success', hash: tx.hash, block: this.block, events };
      }
      this.minedSenderNonce++;
    }
  }

  /** Another account uses the sender's next nonce (the relay's transaction is then dropped). */
  consumeSenderNonce(): void {
    this.mempool.delete(this.minedSenderNonce);
    this.minedSenderNonce++;
    this.block++;
  }

  /** Another poster posts these groups (e.g. the submitter sent the request to two relays). */
  async postAsOther(call: PostCall, poster: Address = '0x0000000000000000000000000000000000000bad'): Promise<PostEvent[]> {
    this.block++;
    return this.#postBatch(call, keccak256(stringToHex(`other-${this.block}`)), poster);
  }

  async #postBatch(call: PostCall, txHash: Hex, poster: Address): Promise<PostEvent[]> {
    const now = this.o.clock.now();
    const out: PostEvent[] = [];
    const accepted: Hex[] = [];
    const batchId = this.nextBatchId;
    let offset = 0;
    for (const g of call.groups) {
      const digests = call.digests.slice(offset, offset + g.request.count);
      offset += g.request.count;
      const payer = await recoverTypedDataAddress({
        domain: this.domain,
        types: REQUEST_TYPES,
        primaryType: 'Request',
        message: requestMessage(g.request),
        signature: g.signature,
      });
      const a = this.#account(payer);
      const cost = BigInt(g.request.count) * g.request.feePerProof;
      const reason = this.#skipReason(g.request, a, cost, digests, now);
      if (reason !== undefined) {
        out.push({ kind: 'skipped', payer, nonce: g.request.nonce, reason: `market:${reason}`, txHash, block: this.block });
        continue;
      }
      a.nonce = g.request.nonce + 1n;
      a.balance -= cost;
      out.push({
        kind: 'posted',
        batchId,
        payer,
        nonce: g.request.nonce,
        requestHash: requestHash(g.request, this.domain),
        firstSlot: accepted.length,
        count: g.request.count,
        txHash,
        block: this.block,
      });
      accepted.push(...digests);
    }
    if (accepted.length > 0) {
      this.batches.push({ batchId, digests: accepted, poster });
      this.nextBatchId++;
    }
    this.events.push(...out);
    return out;
  }

  #skipReason(r: OffchainRequest, a: Account, cost: bigint, digests: Hex[], now: number): string | undefined {
    if (r.deadline < now) return SKIP.deadline;
    if (r.nonce < a.nonce) return SKIP.nonce;
    if (!this.programs.has(r.programId.toLowerCase())) return SKIP.program;
    if (r.feePerProof < this.minFeePerProof) return SKIP.fee;
    if (statementsHash(digests) !== r.statementsHash) return SKIP.statements;
    if (a.balance - a.withdrawal < cost) return SKIP.balance;
    return undefined;
  }
}

/** The JSON form of a program, for passing a fake market's set-up to a child process. */
export function programToJson(p: ProgramInfo): Record<string, unknown> {
  return { ...p, vk: bytesToHex(p.vk) };
}

export function programFromJson(j: Record<string, unknown>): ProgramInfo {
  return {
    programId: j.programId as Hex,
    owner: j.owner as Address,
    vkHash: j.vkHash as Hex,
    vk: hexToBytes(j.vk as Hex),
    publicInputCount: Number(j.publicInputCount),
  };
}
