import type { Address, Hex, PublicClient } from 'viem';
import { aggregationMarketAbi, proverStakingAbi } from '../../abi/v1.js';

export interface BatchInfo {
  readonly batchId: bigint;
  readonly state: number;
  readonly capacity: number;
  readonly count: number;
  readonly version: number;
  readonly openedAt: number;
  readonly sealedAt: number;
  readonly lockDeadline: number;
  readonly finalDeadline: number;
  readonly includedMask: number;
  readonly assigned: Address;
  readonly locker: Address;
  readonly collateral: bigint;
}

/** The market's parameters, as the SDK reads them (one definition for SDK, keeper and deploy code). */
import type { MarketParams } from '../../sdk/index.js';
export type { MarketParams };

/** Typed reads of the market and staking contracts (one place that knows the call shapes). */
export class MarketReader {
  #params?: { at: number; value: MarketParams };

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
      capacity: b.capacity,
      count: b.count,
      version: b.version,
      openedAt: Number(b.openedAt),
      sealedAt: Number(b.sealedAt),
      lockDeadline: Number(b.lockDeadline),
      finalDeadline: Number(b.finalDeadline),
      includedMask: b.includedMask,
      assigned: b.assigned,
      locker: b.locker,
      collateral: b.collateral,
    };
  }

  /** Market parameters, cached for a minute (they change only by governance). */
  async params(): Promise<MarketParams> {
    if (this.#params && Date.now() - this.#params.at < this.paramsTtlMs) return this.#params.value;
    const p = await this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'params' });
    const value: MarketParams = {
      minFeePerProof: p.minFeePerProof,
      batchCapacity: p.batchCapacity,
      batchTimeout: p.batchTimeout,
      assignmentWindow: p.assignmentWindow,
      provingWindowBase: p.provingWindowBase,
      provingWindowPerProof: p.provingWindowPerProof,
      secondaryWindow: p.secondaryWindow,
      submissionTtl: p.submissionTtl,
      collateralPerProof: p.collateralPerProof,
      protocolFeeBps: p.protocolFeeBps,
      callbackGasLimit: p.callbackGasLimit,
    };
    this.#params = { at: Date.now(), value };
    return value;
  }

  async openBatchId(): Promise<bigint> {
    return this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'openBatchId' });
  }

  async batchExpiry(batchId: bigint): Promise<number> {
    return Number(
      await this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'batchExpiry', args: [batchId] }),
    );
  }

  async batchRoot(batchId: bigint, excludedMask: number): Promise<Hex> {
    return this.client.readContract({
      address: this.market,
      abi: aggregationMarketAbi,
      functionName: 'batchRoot',
      args: [batchId, excludedMask],
    });
  }

  async digestOf(submissionId: bigint): Promise<Hex> {
    return this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'digestOf', args: [submissionId] });
  }

  async statementFee(digest: Hex): Promise<bigint> {
    const s = await this.client.readContract({
      address: this.market,
      abi: aggregationMarketAbi,
      functionName: 'statementOf',
      args: [digest],
    });
    return s.fee;
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
