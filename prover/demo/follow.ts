/**
 * Following the batch: its state from the chain, the keepers' progress from their typed events
 * (`proof.job.*`, `batch.proven`), never from log message text.
 */
import { BaseError, ContractFunctionRevertedError, type Address, type Hash } from 'viem';
import type { KeeperEventLine } from '../keeper/index.js';
import { aggregationMarketAbi, getBatch, type BatchView } from '../sdk/index.js';
import type { DemoChain } from './chain.js';
import type { DemoKeepers } from './keepers.js';
import type { KeeperLine, KeeperProcess } from './keeperProcess.js';
import { short, until, type Update } from './stage.js';
import { DemoError } from './types.js';

/** Narrows a keeper line to the event `name`. */
export function isEvent<K extends KeeperEventLine['event']>(l: KeeperLine, name: K): l is Extract<KeeperEventLine, { event: K }> {
  return l.event === name;
}

/** The batch's lock as the chain recorded it (getBatch's locker reads zero once the lock has ended). */
export interface DemoLock {
  readonly batchId: bigint;
  readonly locker: Address;
  readonly txHash: Hash;
}

/** The batch's MarketBatchLocked events (one per lock; a released lock can be followed by another). */
export async function lockEvents(chain: DemoChain, batchId: bigint): Promise<DemoLock[]> {
  const logs = await chain.reader.public.getContractEvents({
    address: chain.addresses.market,
    abi: aggregationMarketAbi,
    eventName: 'MarketBatchLocked',
    args: { batchId },
    fromBlock: 0n,
  });
  return logs.map((l) => ({ batchId, locker: l.args.prover!, txHash: l.transactionHash }));
}

/** Who the draw assigns a sealed batch to; undefined while the draw's block is not mined yet. */
async function assignedProver(chain: DemoChain, batchId: bigint): Promise<Address | undefined> {
  try {
    return await chain.reader.public.readContract({
      address: chain.addresses.market,
      abi: aggregationMarketAbi,
      functionName: 'assignedProver',
      args: [batchId],
    });
  } catch (err) {
    // The draw uses the hash of a block after the seal: until it is mined the view reverts MarketDrawNotReady.
    if (
      err instanceof BaseError &&
      err.walk((e) => e instanceof ContractFunctionRevertedError && e.data?.errorName === 'MarketDrawNotReady')
    )
      return undefined;
    throw err;
  }
}

/** Lock: the batch seals on its timeout, the keepers compete, exactly one locks (read from MarketBatchLocked). */
export function waitLock(chain: DemoChain, keepers: DemoKeepers, batchId: bigint, timeoutMs: number, update: Update): Promise<DemoLock> {
  return until('the batch to be locked', timeoutMs, async () => {
    keepers.failIfDied();
    const b = await getBatch(chain.reader, batchId);
    if (b.state === 'expired') throw new DemoError(`batch ${batchId} expired before anyone locked it`);
    if (b.state !== 'open' && b.state !== 'sealed') {
      const locks = await lockEvents(chain, batchId);
      if (locks.length > 0) return locks[0];
      if (b.state !== 'locked') throw new DemoError(`batch ${batchId} is ${b.state} and was never locked`);
      return undefined; // the node has not served the event yet
    }
    // The draw is evaluated at lock time (assignedProver view), not stored with the batch.
    const assigned = b.state === 'sealed' ? await assignedProver(chain, batchId) : undefined;
    update(
      b.state === 'sealed'
        ? assigned !== undefined
          ? `sealed, assigned to ${keepers.keeperOf(assigned)?.name ?? short(assigned)}`
          : 'sealed, the draw waits for the next block'
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
