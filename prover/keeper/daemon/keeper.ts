import { encodeFunctionData, zeroAddress, type Address, type Transport } from 'viem';
import { BatchState, aggregationMarketAbi } from '../../abi/generated.js';
import { resolveAddresses } from '../chain/addresses.js';
import { Backoff, sleep } from '../chain/backoff.js';
import { CallTracer } from '../chain/callTrace.js';
import { chainFor, publicClientFor, rpcTransport } from '../chain/clients.js';
import { ingestMarketLogs } from '../chain/ingest.js';
import { LogScanner } from '../chain/logScanner.js';
import { MarketReader, type BatchInfo } from '../chain/market.js';
import { ConfigError, type KeeperConfig } from '../config/config.js';
import { redactUrl } from '../config/values.js';
import type { KeeperSigner } from '../config/signer.js';
import { ACTIVE_PHASES, KeeperDb } from '../db/keeperDb.js';
import type { SideTxPurpose } from '../db/txPurposes.js';
import { decide, decideByState, type Decision } from '../decide/policy.js';
import { estimateProvingSeconds, expectedProfit, gasUnits, provingSpeed, treeShape } from '../decide/estimate.js';
import { KeeperEvents } from '../obs/events.js';
import type { Logger } from '../obs/logger.js';
import { Metrics } from '../obs/metrics.js';
import { startObservabilityServer } from '../obs/server.js';
import { currentFees } from '../tx/fees.js';
import { TxManager } from '../tx/txManager.js';
import { checkBatchInputs } from '../work/batchInputs.js';
import { ContentError } from '../work/content.js';
import { EngineFailure, engineBatchProver, type BatchProver } from '../work/batchProver.js';
import { readBatchContent } from '../work/content.js';
import { settlementArg, settlementFor } from '../work/settlement.js';
import { anvilBlobSource, beaconBlobSource, type BlobSource } from '../work/sources/blobs.js';
import { QueueMetrics, queueStatus } from '../../engine/index.js';
import { runBatchJob } from './batchJob.js';
import { inputSource, type KeeperContext } from './context.js';
import { assertStartup } from './startupChecks.js';
import { join } from 'node:path';

export interface KeeperOptions {
  readonly config: KeeperConfig;
  readonly signer: KeeperSigner;
  readonly log: Logger;
  /** Overrides the RPC transport built from config.rpcUrls (tests: an in-process EIP-1193 provider). */
  readonly transport?: Transport;
  /** Overrides the engine (tests and alternative provers). */
  readonly prover?: BatchProver;
  /** Where the keeper's typed events go besides the log (embedding: subscribe before `run`). */
  readonly events?: KeeperEvents;
}

const same = (a: Address, b: Address): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * The prover keeper daemon: watches the market, decides, locks, proves, fulfils, slashes and seals.
 * State lives in SQLite; every loop iteration re-reads the chain, so a restart resumes where it stopped.
 */
export class Keeper {
  readonly #jobs = new Map<bigint, Promise<void>>();
  readonly #notes = new Map<bigint, string>();
  #lastPoll = 0;
  #ticks = 0;

  private constructor(
    readonly ctx: KeeperContext,
    private readonly scanner: LogScanner,
  ) {}

  /** Connects, resolves addresses, opens (and binds) the database. Throws clear errors on misconfiguration. */
  static async create(o: KeeperOptions): Promise<Keeper> {
    const { config, signer, log } = o;
    const transport = o.transport ?? rpcTransport(config.rpcUrls);
    const probe = publicClientFor(transport);
    let chainId: number;
    try {
      chainId = await probe.getChainId();
    } catch (err) {
      throw new Error(`cannot reach the RPC (${config.rpcUrls.map(redactUrl).join(', ')}): ${(err as Error).message.split('\n')[0]}`);
    }
    if (config.chainId !== undefined && config.chainId !== chainId)
      throw new Error(`RPC chain id ${chainId} differs from the configured chainId ${config.chainId}`);
    const client = publicClientFor(transport, chainFor(chainId));
    const addresses = await resolveAddresses(config, client, chainId);
    const reader = new MarketReader(client, addresses.market, addresses.staking);
    const account = signer.account.address;
    const actsFor = await reader.proverOf(account);
    const me = actsFor === zeroAddress ? account : actsFor;
    if (config.proverAddress && !same(config.proverAddress, me)) {
      throw new ConfigError([
        `proverAddress: ${config.proverAddress} is configured but ${account} acts for ${me} (staking.proverOf); set the operator with setOperator first`,
      ]);
    }
    const db = new KeeperDb(join(config.dataDir, 'keeper.sqlite'));
    db.bindIdentity({ chainId: String(chainId), market: addresses.market, account });
    const metrics = new Metrics();
    const tm = new TxManager({
      client,
      account: signer.account,
      chainId,
      db,
      gas: config.gas,
      log: log.child('tx'),
      onSent: (purpose) => metrics.inc('nex_keeper_txs_total', { purpose }),
    });
    const { queueUrl, queueName } = config.engine;
    const queueMetrics = queueUrl ? new QueueMetrics() : undefined;
    queueMetrics?.attach(() => queueStatus({ url: queueUrl!, name: queueName }));
    const queue = queueUrl ? { url: queueUrl, name: queueName, metrics: queueMetrics } : undefined;
    const prover = o.prover ?? engineBatchProver({ workers: config.engine.workers, log: log.child('engine'), srs: config.srs, queue });
    if (!config.listenOnly) {
      // Refuse to prove with circuits the router does not pin, or with the dev SRS on a public chain.
      const version = await reader.currentVersion();
      const [pinned, local] = await Promise.all([reader.version(version), prover.identity()]);
      assertStartup({ chainId, srs: config.srs, local, pinned: { version, keySet: pinned.keySet } });
    }
    const tracer = new CallTracer(client, log.child('trace'));
    const events = o.events ?? new KeeperEvents();
    const blobs = blobSourceFor(config, client);
    const ctx: KeeperContext = {
      config,
      client,
      addresses,
      reader,
      tracer,
      db,
      tm,
      prover,
      metrics,
      queueMetrics,
      log,
      events,
      account,
      me,
      chainId,
      blobs,
    };
    const scanner = new LogScanner({
      client,
      db,
      address: addresses.market,
      name: 'market',
      maxRange: config.maxLogRange,
      reorgDepth: config.reorgDepth,
      lookbackBlocks: config.lookbackBlocks,
      startBlock: addresses.startBlock,
      log: log.child('scan'),
      onLogs: (logs) => ingestMarketLogs(db, logs, { prover: me, account }, log.child('ingest')),
    });
    events.emit(log, 'keeper.ready', {
      chainId,
      market: addresses.market,
      staking: addresses.staking,
      account,
      prover: me,
      listenOnly: config.listenOnly,
      dataDir: config.dataDir,
      capacity: config.capacity,
    });
    return new Keeper(ctx, scanner);
  }

  /** The keeper's typed events (subscribe with `keeper.events.on(...)`). */
  get events(): KeeperEvents {
    return this.ctx.events;
  }

  /** Runs until `signal` aborts; then stops taking work, cancels proving (checkpoints kept) and closes. */
  async run(signal: AbortSignal): Promise<void> {
    const { config, metrics, log, tm, db, events } = this.ctx;
    const server =
      config.metricsPort > 0
        ? await startObservabilityServer({
            port: config.metricsPort,
            host: config.metricsHost,
            metrics,
            health: () => this.health(),
            log: log.child('http'),
            extra: this.ctx.queueMetrics ? [this.ctx.queueMetrics.registry] : [],
          })
        : undefined;
    const backoff = new Backoff(500, 30_000);
    try {
      while (!signal.aborted) {
        try {
          await tm.reconcile();
          break;
        } catch (err) {
          const wait = backoff.fail();
          events.emit(log, 'keeper.reconcile.failed', { error: err as Error, retryInMs: wait });
          await sleep(wait, signal);
        }
      }
      backoff.reset();
      while (!signal.aborted) {
        try {
          await this.tick(signal);
          metrics.set('nex_keeper_rpc_up', 1);
          this.#lastPoll = Date.now();
          metrics.set('nex_keeper_last_poll_timestamp_seconds', Math.floor(this.#lastPoll / 1000));
          if (backoff.failures > 0) events.emit(log, 'rpc.recovered', { after: backoff.failures });
          backoff.reset();
          await sleep(config.pollIntervalMs, signal);
        } catch (err) {
          metrics.set('nex_keeper_rpc_up', 0);
          metrics.inc('nex_keeper_errors_total', { kind: 'rpc' });
          const wait = backoff.fail();
          events.emit(log, 'rpc.failed', { error: err as Error, retryInMs: wait, failures: backoff.failures });
          await sleep(wait, signal);
        }
      }
    } finally {
      events.emit(log, 'keeper.stopping', {});
      await Promise.allSettled(this.#jobs.values());
      await server?.close();
      db.close();
      events.emit(log, 'keeper.stopped', {});
    }
  }

  health(): { ok: boolean; lastPollAgeSeconds: number | null; inFlight: number } {
    const age = this.#lastPoll ? (Date.now() - this.#lastPoll) / 1000 : null;
    const limit = Math.max(60, (3 * this.ctx.config.pollIntervalMs) / 1000);
    return { ok: age !== null && age < limit, lastPollAgeSeconds: age, inFlight: this.ctx.db.activeCount() };
  }

  /** One pass: scan logs, resume held batches, decide on the others, seal a stale open batch. */
  async tick(signal: AbortSignal): Promise<void> {
    const { db, metrics, config } = this.ctx;
    const scan = await this.scanner.poll();
    metrics.set('nex_keeper_head_block', scan.to);
    this.#ticks++;
    if (!config.listenOnly) this.#resumeJobs(signal);
    await this.#settleSideTxs();
    const now = await this.ctx.reader.chainTime();
    for (const row of db.batchesIn(['seen']).slice(-64)) {
      if (signal.aborted) return;
      await this.#consider(row.batchId, now, signal);
    }
    if (config.seal) await this.#maybeSeal(now);
    metrics.set('nex_keeper_batches_in_flight', db.activeCount());
    if (this.#ticks % 5 === 1) await this.#refreshGauges();
  }

  #resumeJobs(signal: AbortSignal): void {
    for (const row of this.ctx.db.batchesIn(ACTIVE_PHASES)) this.#startJob(row.batchId, signal);
  }

  #startJob(batchId: bigint, signal: AbortSignal): void {
    if (this.#jobs.has(batchId)) return;
    const job = runBatchJob(this.ctx, batchId, signal)
      .catch((err: unknown) => {
        if (signal.aborted) return;
        this.ctx.metrics.inc('nex_keeper_errors_total', { kind: 'batch' });
        this.ctx.events.emit(this.ctx.log, 'batch.failed', { batchId, error: err as Error });
      })
      .finally(() => this.#jobs.delete(batchId));
    this.#jobs.set(batchId, job);
  }

  /** Side transactions (slash, seal) are fire-and-check: settle the pending ones each pass. */
  async #settleSideTxs(): Promise<void> {
    for (const tx of this.ctx.db.pendingTxs()) {
      if (tx.purpose !== 'slash' && tx.purpose !== 'seal' && tx.purpose !== 'release') continue;
      const out = await this.ctx.tm.check(tx);
      if (out?.status !== 'mined') continue;
      this.ctx.metrics.inc(SIDE_TX_METRIC[tx.purpose]);
      if (tx.purpose === 'release' && tx.batchId !== null) {
        this.ctx.events.emit(this.ctx.log, 'batch.released', { batchId: tx.batchId, tx: out.receipt.transactionHash });
      }
    }
  }

  async #consider(batchId: bigint, now: number, signal: AbortSignal): Promise<void> {
    const { reader, db, config, log, me, events } = this.ctx;
    const b = await reader.batch(batchId);
    // A lock of ours the database does not know (restored backup, another instance): adopt it.
    if (b.state === BatchState.Locked && same(b.locker, me)) {
      if (
        !config.listenOnly &&
        db.transition(batchId, 'proving', { role: 'primary', count: b.count, lockDeadline: b.lockDeadline, finalDeadline: b.finalDeadline })
      ) {
        events.emit(log, 'batch.adopted', { batchId });
        this.#startJob(batchId, signal);
      }
      return;
    }
    const d = await this.#decide(b, now);
    if (d.kind === 'done') {
      db.transition(batchId, 'done', { outcome: d.reason });
      return;
    }
    if (this.#notes.get(batchId) !== d.reason) {
      this.#notes.set(batchId, d.reason);
      events.emit(log, 'batch.decided', { batchId, decision: d.kind, reason: d.reason, listenOnly: config.listenOnly });
    }
    if (config.listenOnly || d.kind === 'wait') return;
    if (d.kind === 'slash') return this.#sideTx(batchId, 'slash', [batchId]);
    if (d.kind === 'release') return this.#release(b);
    if (config.drain) return; // draining: finish held batches only
    if (!(await this.#precheckOk(b))) return;
    if (d.kind === 'secondary') {
      if (
        db.transition(batchId, 'proving', {
          role: 'secondary',
          count: b.count,
          lockDeadline: b.lockDeadline,
          finalDeadline: b.finalDeadline,
        })
      ) {
        events.emit(log, 'batch.secondary', { batchId, locker: b.locker, finalDeadline: b.finalDeadline });
        this.#startJob(batchId, signal);
      }
      return;
    }
    if (d.kind === 'direct') {
      if (db.activeCount() < config.capacity && db.transition(batchId, 'proving', { role: 'direct', count: b.count })) {
        events.emit(log, 'batch.direct', { batchId, windowEnd: d.windowEnd });
        this.#startJob(batchId, signal);
      }
      return;
    }
    await this.#lock(batchId, b.count, signal);
  }

  async #decide(b: BatchInfo, now: number): Promise<Decision> {
    const { reader, db, config, me } = this.ctx;
    const simple = decideByState(b.state);
    if (simple) return simple;
    const [params, assignment, eligible, available, fees_] = await Promise.all([
      reader.params(),
      b.state === BatchState.Sealed ? reader.assignment(b.batchId) : Promise.resolve(undefined),
      reader.isEligible(me),
      reader.availableStake(me),
      currentFees(this.ctx.client, config.gas),
    ]);
    const window = params.provingWindowBase + params.provingWindowPerProof * b.count;
    const est = estimateProvingSeconds(
      treeShape(b.capacity, [...Array(b.count).keys()]),
      provingSpeed(db, config.engine),
      config.engine.workers,
    );
    // The batch's escrow is its fees (version 2 stores them per batch, not per submission).
    const fees = b.escrow;
    // Expected price paid: base fee + tip (maxFeePerGas is twice the base fee: an upper bound, not the price).
    const gasPrice = fees_.baseFee + fees_.maxPriorityFeePerGas;
    const g = gasUnits(b.count, config.gas.verifyGas);
    // A posted batch's poster takes its share of the verified fees too.
    const shareBps = params.protocolFeeBps + (b.posted ? params.posterFeeBps : 0);
    const lockP = expectedProfit({ fees, shareBps, gasPrice, gas: g.lock + g.fulfil });
    const secP = expectedProfit({ fees, shareBps, gasPrice, gas: g.fulfil });
    return decide({
      batch: b,
      now,
      me,
      params,
      assignment,
      provingWindow: window,
      eligible,
      availableStake: available,
      active: db.activeCount(),
      capacity: config.capacity,
      estimatedSeconds: est,
      safetyBufferSeconds: config.safetyBufferSeconds,
      profitLock: lockP.profit,
      profitSecondary: secP.profit,
      minProfit: config.minProfit,
      secondary: config.secondary,
      direct: config.direct,
      slash: config.slash,
      release: config.release,
    });
  }

  /**
   * Before taking a batch: its proofs must be fetchable and at least one must verify. What was fetched
   * and checked is stored (work/batchInputs.ts): it is not fetched or verified again, neither on the next
   * poll nor after the lock or a restart.
   */
  async #precheckOk(b: BatchInfo): Promise<boolean> {
    const { db, log, events, reader } = this.ctx;
    const proofBytes = (await reader.version(b.version)).rollupProofBytes;
    let checked;
    try {
      checked = await checkBatchInputs(inputSource(this.ctx), this.ctx.prover, b, proofBytes);
    } catch (err) {
      if (err instanceof ContentError) {
        db.transition(b.batchId, 'done', { outcome: 'unreadable', note: err.message });
        events.emit(log, 'batch.unreadable', { batchId: b.batchId, reason: err.message });
        return false;
      }
      if (!(err instanceof EngineFailure)) throw err;
      // The engine failed without a verdict (bb crashed, timed out): nothing is excluded, look again next poll.
      this.ctx.metrics.inc('nex_keeper_engine_failures_total');
      events.emit(log, 'batch.engine.failed', { batchId: b.batchId, error: err, retryAt: Math.floor(Date.now() / 1000) });
      return false;
    }
    if (checked.fresh) events.emit(log, 'batch.prechecked', { batchId: b.batchId, count: b.count, validProofs: checked.validProofs });
    if (checked.validProofs === 0) {
      db.transition(b.batchId, 'done', { outcome: 'no-valid-proofs' });
      events.emit(log, 'batch.skipped', { batchId: b.batchId });
      return false;
    }
    return true;
  }

  async #lock(batchId: bigint, count: number, signal: AbortSignal): Promise<void> {
    const { tm, db, addresses, log, metrics, events } = this.ctx;
    try {
      await tm.send({
        purpose: 'lock',
        batchId,
        to: addresses.market,
        data: encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'lock', args: [batchId] }),
        within: () => {
          if (db.activeCount() >= this.ctx.config.capacity) throw new Error('at capacity');
          if (!db.transition(batchId, 'locking', { role: 'primary', count })) throw new Error('batch no longer in phase seen');
        },
      });
    } catch (err) {
      // Usually the simulation reverted: someone else locked first, or the assignment changed.
      metrics.inc('nex_keeper_errors_total', { kind: 'lock' });
      events.emit(log, 'tx.not-sent', { purpose: 'lock', batchId, reason: errorReason(err) });
      return;
    }
    this.#startJob(batchId, signal);
  }

  /** An expired, unheld batch: release() with its settlement (fees back to the payers). */
  async #release(b: BatchInfo): Promise<void> {
    const { reader, db, log, events } = this.ctx;
    if (db.txsFor(b.batchId, 'release').some((t) => t.status === 'pending')) return;
    let content;
    try {
      // An open batch has no version yet (0): its statements were checked against the current one.
      const version = b.version > 0 ? b.version : await reader.currentVersion();
      content = await readBatchContent(inputSource(this.ctx), b, (await reader.version(version)).rollupProofBytes);
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      db.transition(b.batchId, 'done', { outcome: 'unreadable', note: err.message });
      events.emit(log, 'batch.unreadable', { batchId: b.batchId, reason: err.message });
      return;
    }
    const settlement = settlementArg(settlementFor(content, { kind: 'release' }));
    await this.#sideTx(b.batchId, 'release', [b.batchId, settlement]);
  }

  async #sideTx(batchId: bigint, purpose: SideTxPurpose, args: SideTxArgs): Promise<void> {
    const { tm, db, addresses, log, metrics, events } = this.ctx;
    if (db.txsFor(batchId, purpose).some((t) => t.status === 'pending')) return;
    try {
      await tm.send({
        purpose,
        batchId,
        to: addresses.market,
        data: encodeFunctionData({ abi: aggregationMarketAbi, functionName: purpose, args } as Parameters<typeof encodeFunctionData>[0]),
      });
    } catch (err) {
      metrics.inc('nex_keeper_errors_total', { kind: purpose });
      events.emit(log, 'tx.not-sent', { purpose, batchId, reason: errorReason(err) });
    }
  }

  async #maybeSeal(now: number): Promise<void> {
    const { reader } = this.ctx;
    const open = await reader.openBatchId();
    if (open === 0n) return;
    const [b, params] = await Promise.all([reader.batch(open), reader.params()]);
    if (b.state === BatchState.Open && b.count > 0 && now >= b.openedAt + params.batchTimeout) await this.#sideTx(open, 'seal', [open]);
  }

  async #refreshGauges(): Promise<void> {
    const { reader, metrics, me, account, db, client } = this.ctx;
    try {
      const [stake, available, claimable, balance] = await Promise.all([
        reader.stakeOf(me),
        reader.availableStake(me),
        reader.earnings(me),
        client.getBalance({ address: account }),
      ]);
      metrics.set('nex_keeper_stake_wei', stake.staked, { kind: 'staked' });
      metrics.set('nex_keeper_stake_wei', stake.locked, { kind: 'locked' });
      metrics.set('nex_keeper_stake_wei', stake.pendingUnstake, { kind: 'pending_unstake' });
      metrics.set('nex_keeper_stake_wei', available, { kind: 'available' });
      metrics.set('nex_keeper_claimable_wei', claimable);
      metrics.set('nex_keeper_balance_wei', balance);
      metrics.set('nex_keeper_earnings_wei', db.totals().feesEarned);
    } catch (err) {
      this.ctx.log.debug('gauge refresh failed', { error: err as Error });
    }
  }
}

type SideTxArgs = readonly [bigint] | readonly [bigint, ReturnType<typeof settlementArg>];

const SIDE_TX_METRIC = {
  slash: 'nex_keeper_slashes_total',
  seal: 'nex_keeper_seals_total',
  release: 'nex_keeper_releases_total',
} as const satisfies Record<SideTxPurpose, string>;

/** The blob source of the configuration (`anvil` asks the first RPC URL). */
function blobSourceFor(config: KeeperConfig, client: KeeperContext['client']): BlobSource | undefined {
  const s = config.blobSource;
  if (s.kind === 'beacon') return beaconBlobSource({ url: s.url, client, timeoutMs: config.fetchTimeoutMs });
  if (s.kind === 'anvil') return anvilBlobSource({ rpcUrl: config.rpcUrls[0]!, timeoutMs: config.fetchTimeoutMs });
  return undefined;
}

function errorReason(err: unknown): string {
  return (err as { shortMessage?: string }).shortMessage ?? (err as Error).message.split('\n')[0]!;
}
