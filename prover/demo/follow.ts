/**
 * Following the batch: its state from the chain, the keepers' progress from their typed events
 * (`proof.job.*`, `batch.proven`), never from log message text.
 */
import type { KeeperEventLine } from '../keeper/index.js';
import { aggregationMarketAbi, batchLockedEvents, getBatch, type BatchView } from '../sdk/index.js';
import type { DemoChain } from './chain.js';
import type { DemoKeepers } from './keepers.js';
import type { KeeperLine, KeeperProcess } from './keeperProcess.js';
import { short, until, type Update } from './stage.js';
import { DemoError } from './types.js';

/** Narrows a keeper line to the event `name`. */
export function isEvent<K extends KeeperEventLine['event']>(l: KeeperLine, name: K): l is Extract<KeeperEventLine, { event: K }> {
  return l.event === name;
}

/**
 * Lock: the batch seals on its timeout, the keepers compete, exactly one locks. Returns the batch with its
 * locker: getBatch's while locked; once fulfilled (a fast keeper between two polls) getBatch reads no
 * locker, so the last `MarketBatchLocked` event names it.
 */
export function waitLock(chain: DemoChain, keepers: DemoKeepers, batchId: bigint, timeoutMs: number, update: Update): Promise<BatchView> {
  return until('the batch to be locked', timeoutMs, async () => {
    keepers.failIfDied();
    const b = await getBatch(chain.reader, batchId);
    if (b.state === 'locked') return b;
    if (b.state === 'fulfilled') {
      const lock = (await batchLockedEvents(chain.reader, batchId)).at(-1);
      if (!lock) throw new DemoError(`batch ${batchId} is fulfilled but no MarketBatchLocked event names its locker`);
      return { ...b, locker: lock.prover };
    }
    if (b.state === 'expired') throw new DemoError(`batch ${batchId} expired before anyone locked it`);
    // The draw is evaluated at lock time (assignedProver view), not stored with the batch.
    const assigned =
      b.state === 'sealed'
        ? await chain.reader.public.readContract({
            address: chain.addresses.market,
            abi: aggregationMarketAbi,
            functionName: 'assignedProver',
            args: [batchId],
          })
        : undefined;
    update(
      assigned !== undefined
        ? `sealed, assigned to ${keepers.keeperOf(assigned)?.name ?? short(assigned)}`
        : `${b.state}, ${b.count}/${b.capacity} slots`,
    );
    return undefined;
  });
}

/** Proving: the locker's proof jobs (leaves, pads, nodes, the root for the EVM) until `batch.proven`. */
export async function followProving(
  chain: DemoChain,
  keepers: DemoKeepers,
  locker: KeeperProcess,
  batchId: bigint,
  timeoutMs: number,
  update: Update,
): Promise<{ circuit: string; ms: number }[]> {
  const id = String(batchId);
  const jobs: { circuit: string; ms: number }[] = [];
  const off = locker.onLine((l) => {
    if (isEvent(l, 'proof.job.finished') && l.batchId === id) {
      jobs.push({ circuit: l.circuit, ms: l.ms });
      update(`${l.circuit} done (${l.done}/${l.total})`, l.done / l.total);
    } else if (isEvent(l, 'proof.job.started') && l.batchId === id) update(`proving ${l.circuit} (job ${l.job})…`);
  });
  try {
    await until('the aggregated proof', timeoutMs, async () => {
      keepers.failIfDied();
      if (locker.find((l) => isEvent(l, 'batch.proven') && l.batchId === id)) return true;
      const b = await getBatch(chain.reader, batchId);
      return b.state === 'fulfilled' ? true : undefined;
    });
  } finally {
    off();
  }
  return jobs;
}

/** Fulfil: the root proof verified on L1 through the router; the statements marked verified. */
export function waitFulfil(chain: DemoChain, keepers: DemoKeepers, batchId: bigint, timeoutMs: number, update: Update): Promise<BatchView> {
  update('waiting for the fulfil transaction');
  return until('the batch to be fulfilled', timeoutMs, async () => {
    keepers.failIfDied();
    const b = await getBatch(chain.reader, batchId);
    if (b.state === 'expired') throw new DemoError(`batch ${batchId} expired unfulfilled`);
    return b.state === 'fulfilled' ? b : undefined;
  });
}

/** Why a keeper did not lock the batch, from its last `tx.not-sent` (lock) or waiting decision. */
export function lockRefusal(k: KeeperProcess, batchId: bigint): string | undefined {
  const id = String(batchId);
  for (const l of [...k.lines].reverse()) {
    if (isEvent(l, 'tx.not-sent') && l.batchId === id && l.purpose === 'lock') return l.reason;
    if (isEvent(l, 'batch.decided') && l.batchId === id && l.decision === 'wait') return l.reason;
  }
  return undefined;
}
