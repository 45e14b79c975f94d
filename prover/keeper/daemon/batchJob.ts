import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFunctionData, type Address, type ContractErrorName } from 'viem';
import { BatchState, aggregationMarketAbi } from '../../abi/generated.js';
import { decodeRevert } from '../../protocol/index.js';
import { sleep } from '../chain/backoff.js';
import type { BatchInfo } from '../chain/market.js';
import { decodeMarketEvents } from '../chain/marketEvents.js';
import type { BatchOutcome, BatchRow, TxPurpose } from '../db/keeperDb.js';
import { progressReporter } from '../obs/progress.js';
import type { TxOutcome } from '../tx/txManager.js';
import { inputsForProving, storedContent } from '../work/batchInputs.js';
import { validSlotsOf } from '../work/batchProver.js';
import { ContentError, readBatchContent, type BatchContent } from '../work/content.js';
import { settlementArg, settlementFor, isFastPath } from '../work/settlement.js';
import { inputSource, type KeeperContext } from './context.js';

const MAX_FULFIL_ATTEMPTS = 3;
const MAX_CLOSE_ATTEMPTS = 3;
/** Seconds before a job retries after an engine failure that was not a verdict: doubles, capped. */
const ENGINE_RETRY_BASE_SECONDS = 30;
const ENGINE_RETRY_MAX_SECONDS = 600;
/** Reverts of a fulfil simulation that retrying the same proof cannot fix. */
const FULFIL_REJECTIONS: ReadonlySet<string> = new Set<ContractErrorName<typeof aggregationMarketAbi>>([
  'MarketInvalidProof',
  'MarketInvalidExcludedMask',
  'MarketNothingIncluded',
  'MarketSettlementMismatch',
]);

/** The market error, decoded from a failed fulfil send, that rejects the proof for good; else undefined. */
export function fulfilRejection(err: unknown): string | undefined {
  const name = decodeRevert(err)?.errorName;
  return name !== undefined && FULFIL_REJECTIONS.has(name) ? name : undefined;
}

const same = (a: Address, b: Address): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Drives one batch this keeper holds (phases locking -> proving -> proved -> fulfilling -> done)
 * from whatever phase the database says, so the same code runs after a restart. Every step
 * re-reads the batch on chain before acting, and every transaction is recorded before broadcast.
 */
export async function runBatchJob(ctx: KeeperContext, batchId: bigint, signal: AbortSignal): Promise<void> {
  const log = ctx.log.child('batch');
  for (let guard = 0; guard < 50 && !signal.aborted; guard++) {
    const row = ctx.db.getBatch(batchId);
    if (!row || row.phase === 'done' || row.phase === 'seen') return;
    switch (row.phase) {
      case 'locking':
        await afterLock(ctx, row, signal);
        break;
      case 'proving':
        await prove(ctx, row, signal);
        break;
      case 'proved':
        await sendFulfil(ctx, row, signal);
        break;
      case 'fulfilling':
        await afterFulfil(ctx, row, signal);
        break;
      case 'closing':
        await afterClose(ctx, row, signal);
        break;
      default: {
        const never: never = row.phase;
        throw new Error(`unknown phase ${String(never)}`);
      }
    }
  }
  if (!signal.aborted) ctx.events.emit(log, 'batch.stuck', { batchId });
}

function finish(ctx: KeeperContext, row: BatchRow, outcome: BatchOutcome, note?: string): void {
  if (ctx.db.transition(row.batchId, 'done', { outcome, note: note ?? null })) {
    ctx.events.emit(ctx.log, 'batch.done', { batchId: row.batchId, outcome, note });
    if (outcome === 'fulfilled') ctx.metrics.inc('nex_keeper_batches_fulfilled_total', { role: row.role ?? 'primary' });
    else ctx.metrics.inc('nex_keeper_batches_lost_total', { reason: outcome });
    if (row.checkpointDir) rmSync(row.checkpointDir, { recursive: true, force: true });
  }
}

async function waitTx(ctx: KeeperContext, batchId: bigint, purpose: TxPurpose, signal: AbortSignal): Promise<TxOutcome | undefined> {
  const tx = ctx.db.txsFor(batchId, purpose).at(-1);
  if (!tx) return undefined;
  return ctx.tm.wait(tx.id, signal);
}

async function afterLock(ctx: KeeperContext, row: BatchRow, signal: AbortSignal): Promise<void> {
  const out = await waitTx(ctx, row.batchId, 'lock', signal);
  if (signal.aborted) return;
  // Whatever the client saw, the chain decides: a lock that landed despite an error is ours.
  const b = await ctx.reader.batch(row.batchId);
  if (b.state === BatchState.Locked && same(b.locker, ctx.me)) {
    if (ctx.db.transition(row.batchId, 'proving', { lockDeadline: b.lockDeadline, finalDeadline: b.finalDeadline, count: b.count })) {
      ctx.metrics.inc('nex_keeper_batches_locked_total');
      ctx.events.emit(ctx.log, 'batch.locked', {
        batchId: row.batchId,
        lockDeadline: b.lockDeadline,
        collateral: b.collateral,
        tx: out?.tx.minedHash,
      });
    }
    return;
  }
  if (b.state === BatchState.Sealed) {
    // Our lock did not land (dropped or reverted) and nobody else locked: the batch is a candidate again.
    ctx.db.transition(row.batchId, 'seen', { role: null, note: `lock tx ${out?.status ?? 'missing'}` });
    ctx.events.emit(ctx.log, 'batch.lock.missed', { batchId: row.batchId, status: out?.status });
    return;
  }
  finish(ctx, row, 'lock-lost', `lock tx ${out?.status ?? 'missing'}; batch state ${b.state}, locker ${b.locker}`);
}

/** Checks the batch is still ours to fulfil; finishes the job otherwise. */
async function stillOurs(ctx: KeeperContext, row: BatchRow): Promise<BatchInfo | undefined> {
  const b = await ctx.reader.batch(row.batchId);
  if (b.state === BatchState.Fulfilled) {
    finish(ctx, row, 'fulfilled-by-other');
    return undefined;
  }
  if (b.state === BatchState.Closed) {
    finish(ctx, row, row.role === 'secondary' ? 'closed-by-locker' : 'closed');
    return undefined;
  }
  const now = await ctx.reader.chainTime();
  if (row.role === 'direct') {
    // Proving without a lock: ours while nobody locks it and it has not expired (the market checks the draw).
    if (b.state !== BatchState.Sealed) {
      const outcome = b.state === BatchState.Released ? 'released' : b.state === BatchState.Expired ? 'expired' : 'lock-lost';
      finish(ctx, row, outcome, `proving directly: state ${b.state}, locker ${b.locker}`);
      return undefined;
    }
    return b;
  }
  if (row.role === 'secondary') {
    if (b.state !== BatchState.Locked || now > b.finalDeadline || same(b.locker, ctx.me)) {
      finish(ctx, row, 'secondary-window-closed', `state ${b.state}, final deadline ${b.finalDeadline}, now ${now}`);
      return undefined;
    }
    return b;
  }
  if (b.state !== BatchState.Locked || !same(b.locker, ctx.me)) {
    finish(ctx, row, 'lock-lost', `state ${b.state}, locker ${b.locker}`);
    return undefined;
  }
  if (now > b.finalDeadline) {
    finish(ctx, row, 'missed-final-deadline');
    return undefined;
  }
  return b;
}

/** The batch's proof length (the version's `rollupProofBytes`). */
async function proofBytesOf(ctx: KeeperContext, b: BatchInfo): Promise<number> {
  return (await ctx.reader.version(b.version)).rollupProofBytes;
}

async function prove(ctx: KeeperContext, row: BatchRow, signal: AbortSignal): Promise<void> {
  const b = await stillOurs(ctx, row);
  if (!b) return;
  const wait = row.retryAt === null ? 0 : row.retryAt * 1000 - Date.now();
  if (wait > 0) {
    await sleep(wait, signal);
    return;
  }
  const checkpointDir = row.checkpointDir ?? join(ctx.config.dataDir, 'checkpoints', `batch-${row.batchId}`);
  ctx.db.patchBatch(row.batchId, 'proving', { checkpointDir, provingStartedAt: row.provingStartedAt ?? Math.floor(Date.now() / 1000) });
  // What the pre-lock check read and verified (not fetched again while the commitment is the same).
  let inputs;
  try {
    inputs = await inputsForProving(inputSource(ctx), b, await proofBytesOf(ctx, b));
  } catch (err) {
    if (!(err instanceof ContentError)) throw err;
    return finish(ctx, row, 'unreadable', err.message);
  }
  ctx.events.emit(ctx.log, 'batch.inputs', { batchId: row.batchId, source: inputs.source });
  const { slots } = inputs;
  for (const s of slots) {
    if (s.ok) continue;
    ctx.metrics.inc('nex_keeper_slots_excluded_total', { source: s.source });
    ctx.events.emit(ctx.log, 'batch.slot.excluded', { batchId: row.batchId, slot: s.slot, reason: s.reason, source: s.source });
  }
  // Nothing provable (every proof withheld or invalid): the locker closes at once (not at the TTL).
  const verdictNone = inputs.prechecked !== undefined && validSlotsOf(inputs.prechecked).length === 0;
  if (slots.every((s) => !s.ok) || verdictNone)
    return nothingProvable(
      ctx,
      row,
      b,
      inputs.content,
      verdictNone ? 'every proof failed the pre-check' : 'no slot has usable data',
      signal,
    );
  const progress = progressReporter(row.batchId, ctx.log.child('prove'), ctx.events, ctx.metrics);
  const started = Date.now();
  ctx.events.emit(ctx.log, 'batch.proving', { batchId: row.batchId, role: row.role, count: b.count, capacity: b.capacity, checkpointDir });
  let result;
  try {
    result = await ctx.prover.prove({
      batchId: row.batchId,
      capacity: b.capacity,
      slots,
      digests: inputs.content.digests,
      prover: ctx.me,
      checkpointDir,
      prechecked: inputs.prechecked,
      signal,
      onProgress: progress.onProgress,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    // Not a verdict (bb crashed, timed out): keep everything, retry later (#10 item 13).
    const failures = row.engineFailures + 1;
    const delay = Math.min(ENGINE_RETRY_BASE_SECONDS * 2 ** (failures - 1), ENGINE_RETRY_MAX_SECONDS);
    const retryAt = Math.floor(Date.now() / 1000) + delay;
    ctx.db.patchBatch(row.batchId, 'proving', { engineFailures: failures, retryAt });
    ctx.metrics.inc('nex_keeper_engine_failures_total');
    ctx.events.emit(ctx.log, 'batch.engine.failed', { batchId: row.batchId, error: err as Error, retryAt });
    return;
  } finally {
    progress.done();
  }
  if (result.kind === 'nothing-provable') return nothingProvable(ctx, row, b, inputs.content, result.reason, signal);
  for (const j of result.jobs) {
    if (j.fromCheckpoint) continue;
    const kind = j.circuit.startsWith('leaf') ? 'leaf' : j.circuit;
    ctx.db.recordSpeed(kind, j.ms / 1000);
    ctx.metrics.inc('nex_keeper_proving_seconds_total', { circuit: j.circuit }, j.ms / 1000);
    ctx.metrics.inc('nex_keeper_proofs_total', { circuit: j.circuit });
  }
  const seconds = (Date.now() - started) / 1000;
  for (const slot of result.excludedSlots) {
    if (slots[slot] && !slots[slot].ok) continue; // reported above
    ctx.metrics.inc('nex_keeper_slots_excluded_total', { source: 'engine' });
    ctx.events.emit(ctx.log, 'batch.slot.excluded', {
      batchId: row.batchId,
      slot,
      reason: 'the proof does not verify (engine verdict)',
      source: 'engine',
    });
  }
  ctx.db.transition(row.batchId, 'proved', {
    proof: result.proof,
    excludedMask: result.excludedMask,
    provingSeconds: seconds,
    retryAt: null,
  });
  ctx.events.emit(ctx.log, 'batch.proven', {
    batchId: row.batchId,
    seconds: Math.round(seconds),
    excludedSlots: result.excludedSlots,
    excludedMask: result.excludedMask,
  });
}

/**
 * Nothing in the batch can be proven. The locker closes it at once (every fee back, collateral unlocked)
 * while its lock deadline allows; a secondary prover just lets it go.
 */
async function nothingProvable(
  ctx: KeeperContext,
  row: BatchRow,
  b: BatchInfo,
  content: BatchContent,
  reason: string,
  signal: AbortSignal,
): Promise<void> {
  // Without a lock of ours there is nothing to close (a direct job takes only prechecked batches).
  if (row.role === 'secondary' || row.role === 'direct') return finish(ctx, row, 'nothing-provable', reason);
  const now = await ctx.reader.chainTime();
  if (now > b.lockDeadline) return finish(ctx, row, 'nothing-provable', `${reason}; too late to close (lock deadline ${b.lockDeadline})`);
  const attempts = ctx.db.txsFor(row.batchId, 'close').length;
  if (attempts >= MAX_CLOSE_ATTEMPTS) return finish(ctx, row, 'close-failed', `${attempts} close transactions did not succeed`);
  const settlement = settlementArg(settlementFor(content, { kind: 'close' }));
  try {
    await ctx.tm.send({
      purpose: 'close',
      batchId: row.batchId,
      to: ctx.addresses.market,
      data: encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'close', args: [row.batchId, settlement] }),
      within: () => {
        if (!ctx.db.transition(row.batchId, 'closing', { note: reason })) throw new Error('batch left phase proving');
      },
    });
    ctx.events.emit(ctx.log, 'batch.closing', { batchId: row.batchId, reason });
  } catch (err) {
    ctx.metrics.inc('nex_keeper_errors_total', { kind: 'tx' });
    ctx.events.emit(ctx.log, 'tx.not-sent', { purpose: 'close', batchId: row.batchId, reason: errorReason(err) });
    await sleep(5_000, signal);
  }
}

async function afterClose(ctx: KeeperContext, row: BatchRow, signal: AbortSignal): Promise<void> {
  const out = await waitTx(ctx, row.batchId, 'close', signal);
  if (signal.aborted) return;
  const b = await ctx.reader.batch(row.batchId);
  if (b.state === BatchState.Closed) {
    ctx.metrics.inc('nex_keeper_closes_total');
    ctx.events.emit(ctx.log, 'batch.closed', { batchId: row.batchId, tx: out?.tx.minedHash ?? undefined });
    return finish(ctx, row, 'closed', row.note ?? undefined);
  }
  if (b.state === BatchState.Locked && same(b.locker, ctx.me)) {
    ctx.events.emit(ctx.log, 'batch.close.missed', { batchId: row.batchId, status: out?.status });
    ctx.db.transition(row.batchId, 'proving');
    return;
  }
  finish(
    ctx,
    row,
    b.state === BatchState.Fulfilled ? 'fulfilled-by-other' : 'lock-lost',
    `close tx ${out?.status ?? 'missing'}; state ${b.state}`,
  );
}

/** The batch's content for a settlement: as stored with the inputs, else read from chain data again. */
async function contentFor(ctx: KeeperContext, b: BatchInfo): Promise<BatchContent> {
  const src = inputSource(ctx);
  return storedContent(src, b) ?? readBatchContent(src, b, await proofBytesOf(ctx, b));
}

async function sendFulfil(ctx: KeeperContext, row: BatchRow, signal: AbortSignal): Promise<void> {
  if (!row.proof || row.excludedMask === null) throw new Error(`batch ${row.batchId} proved without a proof`);
  const b = await stillOurs(ctx, row);
  if (!b) return;
  // Never two fulfil intents for one batch: a pending one is waited for, not duplicated.
  if (ctx.db.txsFor(row.batchId, 'fulfill').some((t) => t.status === 'pending')) {
    ctx.db.transition(row.batchId, 'fulfilling');
    return;
  }
  const attempts = ctx.db.txsFor(row.batchId, 'fulfill').length;
  if (attempts >= MAX_FULFIL_ATTEMPTS) {
    finish(ctx, row, 'fulfil-failed', `${attempts} fulfil transactions did not succeed`);
    return;
  }
  let content;
  try {
    content = await contentFor(ctx, b);
  } catch (err) {
    if (!(err instanceof ContentError)) throw err;
    return finish(ctx, row, 'unreadable', err.message);
  }
  const use = { kind: 'fulfil', excludedMask: row.excludedMask, hasCallback: b.hasCallback } as const;
  const settlement = settlementArg(settlementFor(content, use));
  const data = encodeFunctionData({
    abi: aggregationMarketAbi,
    functionName: 'fulfill',
    args: [row.batchId, row.proof, row.excludedMask, settlement],
  });
  ctx.log.debug('fulfil settlement', {
    batchId: row.batchId,
    fastPath: isFastPath(content, use),
    groups: settlement.groups.length,
    digests: settlement.digests.length,
  });
  try {
    await ctx.tm.send({
      purpose: 'fulfill',
      batchId: row.batchId,
      to: ctx.addresses.market,
      data,
      within: () => {
        if (!ctx.db.transition(row.batchId, 'fulfilling')) throw new Error('batch left phase proved');
      },
    });
  } catch (err) {
    ctx.metrics.inc('nex_keeper_errors_total', { kind: 'tx' });
    const after = await ctx.reader.batch(row.batchId);
    if (after.state === BatchState.Fulfilled) return finish(ctx, row, 'fulfilled-by-other');
    if (fulfilRejection(err) !== undefined) {
      const msg = (err as { shortMessage?: string }).shortMessage ?? (err as Error).message;
      return finish(ctx, row, 'fulfil-rejected', msg.split('\n')[0]);
    }
    ctx.events.emit(ctx.log, 'batch.fulfil.retrying', { batchId: row.batchId, error: err as Error });
    await sleep(5_000, signal);
  }
}

async function afterFulfil(ctx: KeeperContext, row: BatchRow, signal: AbortSignal): Promise<void> {
  const out = await waitTx(ctx, row.batchId, 'fulfill', signal);
  if (signal.aborted) return;
  const b = await ctx.reader.batch(row.batchId);
  if (b.state === BatchState.Fulfilled) {
    const mine =
      out?.status === 'mined'
        ? decodeMarketEvents(out.receipt.logs).find((e) => e.kind === 'fulfilled' && e.batchId === row.batchId && same(e.prover, ctx.me))
        : undefined;
    if (mine && mine.kind === 'fulfilled' && out?.status === 'mined') {
      ctx.db.recordEarning({
        batchId: row.batchId,
        feesPaid: mine.proverFees,
        protocolFee: mine.protocolFee,
        late: mine.late,
        txHash: out.receipt.transactionHash,
        block: out.receipt.blockNumber,
      });
      // Excluded fees went back to their payers in the market; the keeper only reports them.
      if (mine.excludedMask !== 0n) ctx.events.emit(ctx.log, 'batch.refunded', { batchId: row.batchId, excludedMask: mine.excludedMask });
    }
    finish(ctx, row, mine ? 'fulfilled' : 'fulfilled-by-other', out?.tx.minedHash ?? undefined);
    return;
  }
  // Not fulfilled: the tx reverted or was dropped. Back to 'proved' to try again (bounded).
  ctx.events.emit(ctx.log, 'batch.fulfil.missed', { batchId: row.batchId, status: out?.status, state: b.state });
  ctx.db.transition(row.batchId, 'proved');
}

function errorReason(err: unknown): string {
  return (err as { shortMessage?: string }).shortMessage ?? (err as Error).message.split('\n')[0]!;
}
