import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFunctionData, parseEventLogs, type Address, type ContractErrorName } from 'viem';
import { BatchState, aggregationMarketAbi } from '../../abi/v1.js';
import { decodeRevert } from '../../protocol/index.js';
import { sleep } from '../chain/backoff.js';
import type { BatchInfo } from '../chain/market.js';
import type { BatchOutcome, BatchRow, TxPurpose } from '../db/keeperDb.js';
import { progressReporter } from '../obs/progress.js';
import type { TxOutcome } from '../tx/txManager.js';
import { inputsForProving } from '../work/batchInputs.js';
import { inputSource, type KeeperContext } from './context.js';

const MAX_FULFIL_ATTEMPTS = 3;
/** Reverts of a fulfil simulation that retrying the same proof cannot fix. */
const FULFIL_REJECTIONS: ReadonlySet<string> = new Set<ContractErrorName<typeof aggregationMarketAbi>>([
  'MarketInvalidProof',
  'MarketInvalidExcludedMask',
  'MarketNothingIncluded',
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
  const now = await ctx.reader.chainTime();
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

async function prove(ctx: KeeperContext, row: BatchRow, signal: AbortSignal): Promise<void> {
  const b = await stillOurs(ctx, row);
  if (!b) return;
  const checkpointDir = row.checkpointDir ?? join(ctx.config.dataDir, 'checkpoints', `batch-${row.batchId}`);
  ctx.db.patchBatch(row.batchId, 'proving', { checkpointDir, provingStartedAt: row.provingStartedAt ?? Math.floor(Date.now() / 1000) });
  // What the pre-lock check fetched and verified, confirmed against the chain (not fetched again).
  const inputs = await inputsForProving(inputSource(ctx), { batchId: row.batchId, count: b.count });
  ctx.events.emit(ctx.log, 'batch.inputs', { batchId: row.batchId, source: inputs.source, refetched: inputs.refetched });
  const { slots } = inputs;
  for (const s of slots)
    if (!s.ok) ctx.events.emit(ctx.log, 'batch.slot.excluded', { batchId: row.batchId, slot: s.slot, reason: s.reason });
  if (slots.every((s) => !s.ok)) {
    finish(ctx, row, 'nothing-provable', 'no slot has usable data');
    return;
  }
  const progress = progressReporter(row.batchId, ctx.log.child('prove'), ctx.events);
  const started = Date.now();
  ctx.events.emit(ctx.log, 'batch.proving', { batchId: row.batchId, role: row.role, count: b.count, capacity: b.capacity, checkpointDir });
  let result;
  try {
    result = await ctx.prover.prove({
      batchId: row.batchId,
      capacity: b.capacity,
      slots,
      prover: ctx.me,
      checkpointDir,
      prechecked: inputs.prechecked,
      signal,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.done();
  }
  for (const j of result.jobs) {
    if (j.fromCheckpoint) continue;
    const kind = j.circuit.startsWith('leaf') ? 'leaf' : j.circuit;
    ctx.db.recordSpeed(kind, j.ms / 1000);
    ctx.metrics.inc('nex_keeper_proving_seconds_total', { circuit: j.circuit }, j.ms / 1000);
    ctx.metrics.inc('nex_keeper_proofs_total', { circuit: j.circuit });
  }
  const seconds = (Date.now() - started) / 1000;
  if (result.excludedSlots.length >= b.count) {
    finish(ctx, row, 'nothing-provable', 'every slot failed the pre-check');
    return;
  }
  ctx.db.transition(row.batchId, 'proved', { proof: result.proof, excludedMask: result.excludedMask, provingSeconds: seconds });
  ctx.events.emit(ctx.log, 'batch.proven', {
    batchId: row.batchId,
    seconds: Math.round(seconds),
    excludedSlots: result.excludedSlots,
    excludedMask: result.excludedMask,
  });
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
  const data = encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'fulfill', args: [row.batchId, row.proof, row.excludedMask] });
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
    const ours =
      out?.status === 'mined' &&
      parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchFulfilled', logs: out.receipt.logs }).some(
        (e) => e.args.batchId === row.batchId && same(e.args.prover, ctx.me),
      );
    if (ours && out?.status === 'mined') {
      for (const e of parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchFulfilled', logs: out.receipt.logs })) {
        if (e.args.batchId === row.batchId) {
          ctx.db.recordEarning({
            batchId: row.batchId,
            feesPaid: e.args.feesPaid,
            protocolFee: e.args.protocolFee,
            late: e.args.late,
            txHash: out.receipt.transactionHash,
            block: out.receipt.blockNumber,
          });
        }
      }
    }
    finish(ctx, row, ours ? 'fulfilled' : 'fulfilled-by-other', out?.tx.minedHash ?? undefined);
    return;
  }
  // Not fulfilled: the tx reverted or was dropped. Back to 'proved' to try again (bounded).
  ctx.events.emit(ctx.log, 'batch.fulfil.missed', { batchId: row.batchId, status: out?.status, state: b.state });
  ctx.db.transition(row.batchId, 'proved');
}
