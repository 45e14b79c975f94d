/**
 * What the explorer reads from the chain, behind one interface (the views and the follower know only
 * ChainReader), and its implementation on viem with the generated ABIs. Every method is one or a few RPC
 * calls; failures surface as viem's errors, which the callers turn into the "chain unavailable" state.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  http,
  type Address,
  type Hex,
  type Log,
  type PublicClient,
} from 'viem';
import { aggregationMarketAbi, proverStakingAbi, verifierRouterAbi } from '../../abi/generated.js';
import type { MarketParams } from '../../protocol/index.js';

export interface LiveBatch {
  readonly state: number;
  readonly posted: boolean;
  readonly assignmentOpen: boolean;
  readonly capacity: number;
  readonly count: number;
  readonly version: number;
  readonly openedAt: number;
  readonly sealedAt: number;
  readonly sealBlock: number;
  readonly lockDeadline: bigint;
  readonly finalDeadline: bigint;
  readonly expiry: bigint;
  readonly escrow: bigint;
  readonly commitment: Hex;
  readonly locker: Address;
  readonly collateral: bigint;
}

/** The market's live parameters: prover/protocol's one definition. */
export type LiveParams = MarketParams;

export interface LiveVersion {
  readonly version: number;
  readonly verifier: Address;
  readonly keySet: Hex;
  readonly rollupProofBytes: number;
  /** VerifierRouter.VersionState: 0 unknown, 1 active, 2 frozen, 3 removed. */
  readonly state: number;
  readonly frozenSince: number;
  readonly frozenTotal: number;
}

export interface LiveStake {
  readonly staked: bigint;
  readonly locked: bigint;
  readonly pendingUnstake: bigint;
  readonly eligible: boolean;
}

export interface TxInfo {
  readonly from: Address;
  readonly to: Address | null;
  readonly input: Hex;
}

export interface ReceiptInfo {
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
  readonly success: boolean;
}

export interface ChainReader {
  readonly market: Address;
  readonly staking: Address;
  readonly router: Address;
  chainId(): Promise<number>;
  head(): Promise<bigint>;
  /** Timestamp of the latest block (the chain's "now", which a devnet may move ahead of the wall clock). */
  chainTime(): Promise<bigint>;
  marketLogs(from: bigint, to: bigint): Promise<Log[]>;
  stakingLogs(from: bigint, to: bigint): Promise<Log[]>;
  transaction(hash: Hex): Promise<TxInfo>;
  receipt(hash: Hex): Promise<ReceiptInfo>;
  getBatch(id: bigint): Promise<LiveBatch>;
  /** The drawn prover of a sealed batch; undefined while the draw is not ready (the sealing block). */
  assignedProver(id: bigint): Promise<Address | undefined>;
  params(): Promise<LiveParams>;
  paused(): Promise<boolean>;
  openBatchId(): Promise<bigint>;
  /** The router's version in force; undefined when none is usable (all frozen or removed). */
  currentVersion(): Promise<number | undefined>;
  /** Versions ever added to the router (the latest is this number). */
  versionCount(): Promise<number>;
  version(v: number): Promise<LiveVersion>;
  stake(prover: Address): Promise<LiveStake>;
  minStake(): Promise<bigint>;
  earnings(account: Address): Promise<bigint>;
}

/** Connects to `rpcUrl` and finds the staking and router contracts the market uses. */
export async function openViemReader(rpcUrl: string, market: Address): Promise<ChainReader> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 10_000 }), cacheTime: 0 });
  const [staking, router] = await Promise.all([
    client.readContract({ address: market, abi: aggregationMarketAbi, functionName: 'staking' }),
    client.readContract({ address: market, abi: aggregationMarketAbi, functionName: 'router' }),
  ]);
  return new ViemReader(client, market, staking, router);
}

class ViemReader implements ChainReader {
  constructor(
    private readonly client: PublicClient,
    readonly market: Address,
    readonly staking: Address,
    readonly router: Address,
  ) {}

  chainId(): Promise<number> {
    return this.client.getChainId();
  }

  head(): Promise<bigint> {
    return this.client.getBlockNumber({ cacheTime: 0 });
  }

  async chainTime(): Promise<bigint> {
    return (await this.client.getBlock({ blockTag: 'latest' })).timestamp;
  }

  marketLogs(from: bigint, to: bigint): Promise<Log[]> {
    return this.client.getLogs({ address: this.market, fromBlock: from, toBlock: to });
  }

  stakingLogs(from: bigint, to: bigint): Promise<Log[]> {
    return this.client.getLogs({ address: this.staking, fromBlock: from, toBlock: to });
  }

  async transaction(hash: Hex): Promise<TxInfo> {
    const tx = await this.client.getTransaction({ hash });
    return { from: tx.from, to: tx.to ?? null, input: tx.input };
  }

  async receipt(hash: Hex): Promise<ReceiptInfo> {
    const r = await this.client.getTransactionReceipt({ hash });
    return { gasUsed: r.gasUsed, effectiveGasPrice: r.effectiveGasPrice, success: r.status === 'success' };
  }

  async getBatch(id: bigint): Promise<LiveBatch> {
    const b = await this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'getBatch', args: [id] });
    return {
      state: Number(b.state),
      posted: b.posted,
      assignmentOpen: b.assignmentOpen,
      capacity: Number(b.capacity),
      count: Number(b.count),
      version: Number(b.version),
      openedAt: Number(b.openedAt),
      sealedAt: Number(b.sealedAt),
      sealBlock: Number(b.sealBlock),
      lockDeadline: b.lockDeadline,
      finalDeadline: b.finalDeadline,
      expiry: b.expiry,
      escrow: b.escrow,
      commitment: b.commitment,
      locker: b.locker,
      collateral: b.collateral,
    };
  }

  async assignedProver(id: bigint): Promise<Address | undefined> {
    try {
      return await this.client.readContract({
        address: this.market,
        abi: aggregationMarketAbi,
        functionName: 'assignedProver',
        args: [id],
      });
    } catch (err) {
      // MarketDrawNotReady in the sealing block; anything else (the RPC) is the caller's to report.
      if (revertName(err) === 'MarketDrawNotReady') return undefined;
      throw err;
    }
  }

  async params(): Promise<LiveParams> {
    const p = await this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'params' });
    return { ...p };
  }

  paused(): Promise<boolean> {
    return this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'paused' });
  }

  openBatchId(): Promise<bigint> {
    return this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'openBatchId' });
  }

  async currentVersion(): Promise<number | undefined> {
    try {
      return await this.client.readContract({ address: this.router, abi: verifierRouterAbi, functionName: 'currentVersion' });
    } catch (err) {
      if (revertName(err) === 'RouterNoUsableVersion') return undefined;
      throw err;
    }
  }

  versionCount(): Promise<number> {
    return this.client.readContract({ address: this.router, abi: verifierRouterAbi, functionName: 'versionCount' });
  }

  async version(v: number): Promise<LiveVersion> {
    const r = await this.client.readContract({ address: this.router, abi: verifierRouterAbi, functionName: 'getVersion', args: [v] });
    return {
      version: v,
      verifier: r.verifier,
      keySet: r.keySet,
      rollupProofBytes: Number(r.rollupProofBytes),
      state: Number(r.state),
      frozenSince: Number(r.frozenSince),
      frozenTotal: Number(r.frozenTotal),
    };
  }

  async stake(prover: Address): Promise<LiveStake> {
    const [s, eligible] = await Promise.all([
      this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'stakeOf', args: [prover] }),
      this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'isEligible', args: [prover] }),
    ]);
    return { staked: s[0], locked: s[1], pendingUnstake: s[2], eligible };
  }

  minStake(): Promise<bigint> {
    return this.client.readContract({ address: this.staking, abi: proverStakingAbi, functionName: 'minStake' });
  }

  earnings(account: Address): Promise<bigint> {
    return this.client.readContract({ address: this.market, abi: aggregationMarketAbi, functionName: 'earnings', args: [account] });
  }
}

/** The custom error a contract call reverted with (decoded by viem from the ABI), or undefined. */
export function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? (revert.data?.errorName ?? revert.reason ?? 'revert') : undefined;
}
