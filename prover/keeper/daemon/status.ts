import { formatEther } from 'viem';
import { redactUrl } from '../config/values.js';
import { formatQueueStatus, queueStatus, type QueueStatus } from '../../engine/index.js';
import type { KeeperConfig } from '../config/config.js';
import { ACTIVE_PHASES } from '../db/phases.js';
import { relayReachable } from '../work/sources/relay.js';
import type { KeeperContext } from './context.js';

/**
 * The `workers` section of the status: the proving queue's job counts and the workers seen
 * (distributed proving, engine.queueUrl); undefined without a queue. Throws when the queue is unreachable.
 */
export async function workersStatus(config: Pick<KeeperConfig, 'engine'>): Promise<QueueStatus | undefined> {
  const { queueUrl, queueName } = config.engine;
  return queueUrl ? queueStatus({ url: queueUrl, name: queueName }) : undefined;
}

/** A readable status report (stake, collateral, unstakes, earnings, batches in flight). */
export async function statusReport(ctx: KeeperContext): Promise<string> {
  const { reader, db, me, account, client } = ctx;
  const [relays, stake, available, queue, claimable, balance, eligible, now] = await Promise.all([
    Promise.all(ctx.config.relays.map(async (r) => [redactUrl(r), await relayReachable(r, ctx.config.fetchTimeoutMs)] as const)),
    reader.stakeOf(me),
    reader.availableStake(me),
    reader.unstakeQueue(me),
    reader.earnings(me),
    client.getBalance({ address: account }),
    reader.isEligible(me),
    reader.chainTime(),
  ]);
  const totals = db.totals();
  const nex = (v: bigint): string => `${formatEther(v)} NEX`;
  const eth = (v: bigint): string => `${formatEther(v)} ETH`;
  const rows: [string, string][] = [
    ['prover', me],
    ['signing account', account === me ? `${account} (owner)` : `${account} (operator)`],
    ['market', ctx.addresses.market],
    ['eligible', eligible ? 'yes' : 'no (stake below minStake?)'],
    ['staked', nex(stake.staked)],
    ['locked collateral', nex(stake.locked)],
    ['pending unstake', nex(stake.pendingUnstake)],
    ['available', nex(available)],
    ['claimable earnings', eth(claimable)],
    ['fees earned (db)', `${eth(totals.feesEarned)} over ${totals.batchesFulfilled} batch(es)`],
    ['slash rewards (db)', `${nex(totals.slashRewards)} from ${totals.slashes} slash(es)`],
    ['gas spent (db)', eth(db.gasSpent())],
    ['account balance', eth(balance)],
    ['proving speed', speedLine(ctx)],
    ['blob source', ctx.blobs?.describe ?? 'none (blob slots are asked of the relays, else excluded)'],
    ['relays', relays.length === 0 ? 'none configured' : relays.map(([r, up]) => `${r} ${up ? 'reachable' : 'UNREACHABLE'}`).join(', ')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  lines.unshift('Keeper status', '');
  if (queue.length > 0) {
    lines.push('', 'Unstake queue:');
    for (const e of queue) {
      const when = e.unlockAt <= now ? 'withdrawable now' : `unlocks ${new Date(e.unlockAt * 1000).toISOString()}`;
      lines.push(`  ${nex(e.amount).padEnd(24)} ${when}`);
    }
  }
  const active = db.batchesIn(ACTIVE_PHASES);
  lines.push('', `Batches in flight: ${active.length}/${ctx.config.capacity}`);
  if (active.length > 0) {
    lines.push(
      table(
        ['batch', 'phase', 'role', 'slots', 'lock deadline', 'left'],
        active.map((b) => [
          String(b.batchId),
          b.phase,
          b.role ?? '',
          String(b.count ?? ''),
          b.lockDeadline ? new Date(b.lockDeadline * 1000).toISOString() : '',
          b.lockDeadline ? `${b.lockDeadline - now}s` : '',
        ]),
      ),
    );
  }
  const channels = db.channelCounts();
  if (channels.length > 0) {
    lines.push('', 'Batches per channel:');
    lines.push(
      table(
        ['channels', 'held', 'done', 'seen'],
        channels.map((c) => [c.channel, String(c.active), String(c.done), String(c.seen)]),
      ),
    );
  }
  if (ctx.config.engine.queueUrl) {
    try {
      lines.push('', ...formatQueueStatus((await workersStatus(ctx.config))!));
    } catch (err) {
      lines.push('', `Proving queue: unreachable (${(err as Error).message})`);
    }
  }
  const recent = db.allBatches(10).filter((b) => b.phase === 'done' && b.outcome);
  if (recent.length > 0) {
    lines.push('', 'Recent outcomes:');
    lines.push(
      table(
        ['batch', 'outcome', 'role', 'proving s'],
        recent.map((b) => [String(b.batchId), b.outcome ?? '', b.role ?? '', b.provingSeconds ? String(Math.round(b.provingSeconds)) : '']),
      ),
    );
  }
  return lines.join('\n');
}

function speedLine(ctx: KeeperContext): string {
  const parts = (['leaf', 'pad', 'node'] as const).map((k) => {
    const s = ctx.db.getSpeed(k);
    return s ? `${k} ${s.seconds.toFixed(1)}s (${s.samples} measured)` : `${k} ${ctx.config.engine[`${k}Seconds`]}s (default)`;
  });
  return parts.join(', ');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`;
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}
