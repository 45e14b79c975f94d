import { formatLog, type Address, type Hex, type Log, type PublicClient, type RpcLog } from 'viem';
import { isRangeError } from './logScanner.js';

/**
 * Finds logs of `address` with the given topics, scanning from the head backwards in ranges of at
 * most `maxRange` blocks (halved on provider range errors) down to `fromBlock`; stops at the first
 * range with a match. For one-off lookups (a program registered before the scan window).
 */
export async function findLogsBackwards(
  client: PublicClient,
  q: { address: Address; topics: (Hex | null)[]; fromBlock: bigint; maxRange: number },
): Promise<Log[]> {
  let range = BigInt(q.maxRange);
  let to = await client.getBlockNumber({ cacheTime: 0 });
  while (to >= q.fromBlock) {
    const from = to - range + 1n > q.fromBlock ? to - range + 1n : q.fromBlock;
    let logs: Log[];
    try {
      logs = (await client.request({
        method: 'eth_getLogs',
        params: [{ address: q.address, topics: q.topics, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` }],
      })) as unknown as Log[];
    } catch (err) {
      if (range > 1n && isRangeError(err)) {
        range /= 2n;
        continue;
      }
      throw err;
    }
    if (logs.length > 0) {
      return logs.map((l) => ({
        ...l,
        blockNumber: l.blockNumber === null ? null : BigInt(l.blockNumber),
        logIndex: l.logIndex === null ? null : Number(l.logIndex),
        transactionIndex: l.transactionIndex === null ? null : Number(l.transactionIndex),
      })) as Log[];
    }
    to = from - 1n;
  }
  return [];
}

/**
 * Collects logs of `address` with the given topics from `toBlock` backwards, in ranges of at most
 * `maxRange` blocks (halved on provider range errors), until `done(allSoFar)` is true or `fromBlock`
 * is passed. For reading one batch's events: they all lie at or before its sealing block.
 */
export async function collectLogsBackwards(
  client: PublicClient,
  q: {
    address: Address;
    topics: (Hex | Hex[] | null)[];
    fromBlock: bigint;
    toBlock: bigint;
    maxRange: number;
    done: (logs: Log[]) => boolean;
  },
): Promise<Log[]> {
  let range = BigInt(q.maxRange);
  const all: Log[] = [];
  let to = q.toBlock;
  while (to >= q.fromBlock) {
    const from = to - range + 1n > q.fromBlock ? to - range + 1n : q.fromBlock;
    let logs: Log[];
    try {
      const raw = (await client.request({
        method: 'eth_getLogs',
        params: [{ address: q.address, topics: q.topics, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` }],
      })) as unknown as RpcLog[];
      logs = raw.map((l) => formatLog(l));
    } catch (err) {
      if (range > 1n && isRangeError(err)) {
        range /= 2n;
        continue;
      }
      throw err;
    }
    all.unshift(...logs);
    if (q.done(all)) break;
    to = from - 1n;
  }
  return all;
}
