import { zeroAddress, type Address, type Hex, type PublicClient } from 'viem';
import { aggregationMarketAbi, proverStakingAbi, verifierRouterAbi } from '../../abi/generated.js';
import { decodeRevert, type MarketParams } from '../../protocol/index.js';

/** A batch as the keeper reads it (`getBatch`: deadlines are the effective ones, freeze shifts included). */
export interface BatchInfo {
  readonly batchId: bigint;
  readonly state: number;
  /** Posted form (off-chain channel) rather than chain form (calldata and blob channels). */
  readonly posted: boolean;
  readonly hasCallback: boolean;
  /** Every eligible prover may lock (after a slash). */
  readonly assignmentOpen: boolean;
  readonly capacity: number;
  readonly count: number;
  readonly version: number;
  readonly openedAt: number;
  readonly sealedAt: number;
  readonly sealBlock: bigint;
  /** Effective (freeze shifts included); 0 when not locked. */
  readonly lockDeadline: number;
  readonly finalDeadline: number;
  readonly expiry: number;
  /** Wei of fees the batch holds. */
  readonly escrow: bigint;
  /** The batch commitment, or its proven root once fulfilled. */
  readonly commitment: Hex;
  /** The locker, or (Sealed again after a slash) the prover slashed on this batch. */
  readonly locker: Address;
  readonly collateral: bigint;
}

/** The version-2 market's parameters (`params()`): prover/protocol's one definition. */
export type { MarketParams };

/** What the router pins for a verifier version. */
export interface VersionInfo {
  readonly version: number;
  readonly verifier: Address;
  readonly keySet: Hex;
  readonly rollupProofBytes: number;
  /** 0 unknown, 1 active, 2 frozen, 3 removed. */
  readonly state: number;
}

/** The draw of a sealed batch now: the assigned prover, open to all, or not evaluable yet (seal block). */
export type Assignment =
  { readonly kind: 'assigned'; readonly prover: Address } | { readonly kind: 'open' } | { readonly kind: 'not-ready' };

/** Typed reads of the market, staking and router contracts (one place that knows the call shapes). */
export class MarketReader {
  #params?: { at: number; value: MarketParams };
  #router?: Address;
  readonly #versions = new Map<number, { at: number; value: VersionInfo }>();

  constructor(
    readonly client: PublicClient,
    readonly market: Address,
    readonly staking: Address,
    private readonly paramsTtlMs = 60_000,
  ) {}

  async batch(batchId: bigint): Promise<BatchInfo> {
    const b = await this.client.readContract({
      address: this.market,
      abi: aggregationMarketAbi,
      functionName: 'getBatch',
      args: [batchId],
    });
    return {
      batchId,
      state: b.state,
      posted: b.posted,
      hasCallback: b.hasCallback,
      assignmentOpen: b.assignmentOpen,
      capacity: b.capacity,
      count: b.count,
      version: b.version,
      openedAt: Number(b.openedAt),
      sealedAt: Number(b.sealedAt),
      sealBlock: BigInt(b.sealBlock),
      lockDeadline: Number(b.lockDeadline),
      finalDeadline: Number(b.finalDeadline),
      expiry: Number(b.expiry),
      escrow: b.escrow,
      commitment: b.commitment,
      locker: b.locker,
      collateral: b.collateral,
    };
  }

  /**
   * The lazy draw of a sealed batch (`assignedProver`): the assigned prover during its exclusive window,
   * `open` once anyone eligible may lock, `not-ready` in the sealing block (the draw's seed is that
   * block's hash, readable from the next block on).
   */
  async assignment(batchId: bigint): Promise<Assignment> {
    try {
      const a = await this.client.readContract({
        address: this.market,
        abi: aggregationMarketAbi,
        functionName: 'assignedProver',
        args: [batchId],
      });
      return a === zeroAddress ? { kind: 'open' } : { kind: 'assigned', prover: a };
    } catch (err) {
      if (decodeRevert(err)?.errorName === 'MarketDrawNotReady') return { kind: 'not-ready' };
      throw err;
    }
  }

  /** Market parameters, cached for a minute (they change only by governance). */
  async params(): Promise<MarketParams> {
    if (this.#params && Date.now() - this.#params.at < this.paramsTtlMs) return this.#params.value;
    const p = await this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'params' });
    const value: MarketParams = { ...p };
    this.#params = { at: Date.now(), value };
    return value;
  }

  async router(): Promise<Address> {
    this.#router ??= await this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'router' });
    return this.#router;
  }

  /** The router's current version (the one new batches are sealed with). */
  async currentVersion(): Promise<number> {
    return this.client.readContract({ address: await this.router(), abi: verifierRouterAbi, functionName: 'currentVersion' });
  }

  /** What the router pins for `version` (cached for a minute: a freeze or removal changes `state`). */
  async version(version: number): Promise<VersionInfo> {
    const hit = this.#versions.get(version);
    if (hit && Date.now() - hit.at < this.paramsTtlMs) return hit.value;
    const v = await this.client.readContract({
      address: await this.router(),
      abi: verifierRouterAbi,
      functionName: 'getVersion',
      args: [version],
    });
    const value: VersionInfo = {
      version,
      verifier: v.verifier,
      keySet: v.keySet,
      rollupProofBytes: Number(v.rollupProofBytes),
      state: v.state,
    };
    this.#versions.set(version, { at: Date.now(), value });
    return value;
  }

  async openBatchId(): Promise<bigint> {
    return this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'openBatchId' });
  }

  async earnings(account: Address): Promise<bigint> {
    return this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'earnings', args: [account] });
  }

  async proverOf(account: Address): Promise<Address> {
    return this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'proverOf', args: [account] });
  }

  async isEligible(prover: Address): Promise<boolean> {
    return this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'isEligible', args: [prover] });
  }

  /** True when `prover` is eligible and its available stake covers `amount` of collateral. */
  async canLock(prover: Address, amount: bigint): Promise<boolean> {
    return this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'canLock', args: [prover, amount] });
  }

  async availableStake(prover: Address): Promise<bigint> {
    return this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'availableStake', args: [prover] });
  }

  async stakeOf(prover: Address): Promise<{ staked: bigint; locked: bigint; pendingUnstake: bigint }> {
    const [staked, locked, pendingUnstake] = await this.client.readContract({
      address: this.staking,
      abi: proverStakingAbi,
      functionName: 'stakeOf',
      args: [prover],
    });
    return { staked, locked, pendingUnstake };
  }

  async unstakeQueue(prover: Address): Promise<{ amount: bigint; unlockAt: number }[]> {
    const [entries, head] = await Promise.all([
      this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'unstakeQueue', args: [prover] }),
      this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'unstakeQueueHead', args: [prover] }),
    ]);
    return entries.slice(Number(head)).map((e) => ({ amount: e.amount, unlockAt: Number(e.unlockAt) }));
  }

  /** Chain time: the latest block's timestamp (deadlines are judged by it, not the wall clock). */
  async chainTime(): Promise<number> {
    const b = await this.client.getBlock({ blockTag: 'latest' });
    return Number(b.timestamp);
  }
}
