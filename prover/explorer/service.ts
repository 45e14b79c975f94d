/**
 * The explorer's service: one tick reads the chain into the index (index/follower.ts) and scrapes the
 * optional relay and keeper; the view methods answer the API's JSON (views/types.ts) from the index plus a
 * few live reads (the batch's current state, the parameters, stakes). Input is checked here, and every
 * failure is an ApiError (views/errors.ts): an unknown id is `not-found`, a malformed one `invalid-*`, an
 * RPC that does not answer `chain-unavailable`.
 */
import { getAddress, isAddress, isHex, type Hex } from 'viem';
import { splitSubmissionId, submissionId } from '../protocol/index.js';
import { revertName, type ChainReader, type LiveBatch, type LiveVersion } from './chain/reader.js';
import type { BatchRecord, ChainIndex, GroupRecord } from './index/chainIndex.js';
import { oneLine, type Follower } from './index/follower.js';
import type { KeeperSnapshot, KeeperSource } from './sources/keeper.js';
import type { RelayInfo, RelaySource } from './sources/relay.js';
import { ApiError, chainUnavailable, invalidAddress, invalidId, invalidQuery, notFound } from './views/errors.js';
import { ProgressTracker } from './views/progress.js';
import { markDone, treeShape } from './views/tree.js';
import type {
  BatchStateName,
  BatchSummary,
  BatchView,
  CostView,
  MarketView,
  ProgramView,
  ProversView,
  ProverView,
  SearchView,
  SlotStatus,
  SlotView,
  StatementSearchView,
  StatementView,
  StatusView,
  TreeView,
  VersionView,
} from './views/types.js';

const STATES: readonly BatchStateName[] = ['None', 'Open', 'Sealed', 'Locked', 'Fulfilled', 'Closed', 'Released', 'Expired'];
const VERSION_STATES: readonly VersionView['state'][] = ['unknown', 'active', 'frozen', 'removed'];
const ZERO = '0x0000000000000000000000000000000000000000';
const MAX_ID = 2n ** 200n;

export interface ServiceDeps {
  readonly reader: ChainReader;
  readonly index: ChainIndex;
  readonly follower: Follower;
  readonly relay?: RelaySource;
  readonly keeper?: KeeperSource;
  readonly chainId: number;
  readonly pollIntervalMs: number;
  readonly verifyAloneGas: number;
}

export class ExplorerService {
  readonly #progress = new ProgressTracker();
  #relay: RelayInfo | undefined;
  #keeper: KeeperSnapshot | undefined;
  readonly #gas = new Map<Hex, bigint>();

  constructor(private readonly deps: ServiceDeps) {}

  /** One poll of every source; never throws (the outcomes are in status()). */
  async tick(): Promise<void> {
    const { follower, index, relay, keeper } = this.deps;
    await Promise.all([
      follower.poll(),
      relay ? relay.info().then((r) => (this.#relay = r)) : undefined,
      keeper ? keeper.scrape().then((k) => (this.#keeper = k)) : undefined,
    ]);
    if (this.#keeper) {
      const locked = [...index.batches.values()].filter((b) => b.state === 'Locked').map((b) => b.id);
      this.#progress.update(this.#keeper, locked);
    }
  }

  status(): StatusView {
    const { reader, follower, index, chainId } = this.deps;
    const rpc = follower.status;
    const k = this.#keeper;
    const r = this.#relay;
    return {
      chainId,
      market: reader.market,
      staking: reader.staking,
      router: reader.router,
      head: follower.head.toString(),
      syncedTo: follower.syncedTo.toString(),
      rpc: {
        ok: rpc.ok,
        ...(rpc.error !== undefined ? { error: rpc.error } : {}),
        ...(rpc.lastOkAt !== undefined ? { lastOkAtMs: rpc.lastOkAt } : {}),
        ...(rpc.failingSince !== undefined ? { failingSinceMs: rpc.failingSince } : {}),
      },
      relay: !this.deps.relay
        ? { configured: false, ok: false }
        : {
            configured: true,
            ok: r?.ok ?? false,
            ...(r?.url ? { url: r.url } : {}),
            ...(r?.error ? { error: r.error } : {}),
            ...(r?.relay ? { relay: r.relay } : {}),
            ...(r?.requests ? { requests: r.requests } : {}),
            ...(r?.queuedStatements !== undefined ? { queuedStatements: r.queuedStatements } : {}),
          },
      keeper: !this.deps.keeper
        ? { configured: false, ok: false }
        : {
            configured: true,
            ok: k?.ok ?? false,
            ...(k?.url ? { url: k.url } : {}),
            ...(k?.error ? { error: k.error } : {}),
            ...(k?.rpcUp !== undefined ? { rpcUp: k.rpcUp } : {}),
            ...(k?.headBlock !== undefined ? { headBlock: k.headBlock } : {}),
            ...(k?.inFlight !== undefined ? { inFlight: k.inFlight } : {}),
            ...(k ? { stake: k.stake, proofs: k.proofs, fulfilled: k.fulfilled, errors: k.errors } : {}),
          },
      indexVersion: index.version,
      pollIntervalMs: this.deps.pollIntervalMs,
    };
  }

  /** Runs live chain reads; an RPC failure becomes `chain-unavailable`. */
  async #live<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      // A contract that reverts is not an RPC that is down: say which call failed.
      const revert = revertName(err);
      if (revert !== undefined) throw new ApiError(500, 'internal', `A contract read reverted (${revert}): ${oneLine(err)}`);
      throw chainUnavailable(oneLine(err), Math.max(1, Math.round(this.deps.pollIntervalMs / 1000)));
    }
  }

  async market(): Promise<MarketView> {
    const { reader, index } = this.deps;
    const [chainTime, paused, params, openBatchId, current, count] = await this.#live(() =>
      Promise.all([
        reader.chainTime(),
        reader.paused(),
        reader.params(),
        reader.openBatchId(),
        reader.currentVersion(),
        reader.versionCount(),
      ]),
    );
    // The version in force, or (none usable: frozen or removed) the latest one, whose state says why.
    const shown = current ?? count;
    const version = shown > 0 ? versionView(await this.#live(() => reader.version(shown))) : undefined;
    const records = [...index.batches.values()].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, 50);
    const lives = await this.#live(() => Promise.all(records.map((b) => reader.getBatch(b.id))));
    const batches = await Promise.all(records.map((b, i) => this.#summary(b, lives[i]!, params.assignmentWindow, params.batchTimeout)));
    const counts: Record<string, number> = {};
    for (const b of index.batches.values()) counts[b.state] = (counts[b.state] ?? 0) + 1;
    let statements = 0;
    for (const b of index.batches.values()) statements += index.statementCount(b);
    return {
      chainTime: Number(chainTime),
      paused,
      version,
      noUsableVersion: current === undefined,
      openBatchId: openBatchId.toString(),
      params: {
        ...params,
        minFeePerProof: params.minFeePerProof.toString(),
        collateralPerProof: params.collateralPerProof.toString(),
      },
      counts,
      programs: index.programs.size,
      statements,
      batches,
      skipped: index.skipped
        .slice(-20)
        .reverse()
        .map((s) => ({ payer: s.payer, nonce: s.nonce.toString(), reason: String(s.reason), block: s.at.block.toString() })),
    };
  }

  async #summary(b: BatchRecord, live: LiveBatch, assignmentWindow: number, batchTimeout: number): Promise<BatchSummary> {
    const state = STATES[live.state] ?? 'None';
    let assigned: string | null | undefined;
    if (state === 'Sealed') {
      const a = await this.#live(() => this.deps.reader.assignedProver(b.id));
      assigned = a === undefined ? undefined : a === ZERO || live.assignmentOpen ? null : a;
    }
    const fees = live.escrow > 0n ? live.escrow : b.groups.reduce((n, g) => n + g.feePerProof * BigInt(g.count), 0n);
    return {
      id: b.id.toString(),
      state,
      channels: [...new Set(b.groups.map((g) => g.channel))],
      capacity: live.capacity || b.capacity,
      count: live.count || this.deps.index.statementCount(b),
      fees: fees.toString(),
      version: live.version || undefined,
      openedAt: live.openedAt || undefined,
      sealableAt: state === 'Open' && live.openedAt ? live.openedAt + batchTimeout : undefined,
      expiry: live.expiry > 0n ? Number(live.expiry) : undefined,
      assigned,
      assignmentEndsAt: state === 'Sealed' && live.sealedAt ? live.sealedAt + assignmentWindow : undefined,
      locker: lockerOf(b, live, state),
      lockDeadline: live.lockDeadline > 0n ? Number(live.lockDeadline) : undefined,
      finalDeadline: live.finalDeadline > 0n ? Number(live.finalDeadline) : undefined,
      fulfilledBy: b.fulfilled?.prover,
    };
  }

  async batch(raw: string): Promise<BatchView> {
    const id = parseId(raw, 'batch id');
    const { reader, index } = this.deps;
    const b = index.batches.get(id);
    if (!b) throw notFound(`No batch ${id} on this market (batches seen so far: ${index.batches.size}).`);
    const [live, params, chainTime] = await this.#live(() => Promise.all([reader.getBatch(id), reader.params(), reader.chainTime()]));
    const summary = await this.#summary(b, live, params.assignmentWindow, params.batchTimeout);
    const slots = Array.from({ length: summary.capacity }, (_, s) => this.#slot(b, s, summary.state));
    const cost = await this.#cost(b);
    return {
      ...summary,
      chainTime: Number(chainTime),
      posted: b.posted
        ? { poster: b.posted.poster, root: b.posted.root, tx: { hash: b.posted.at.tx, block: b.posted.at.block.toString() } }
        : undefined,
      commitment: live.commitment !== `0x${'00'.repeat(32)}` ? live.commitment : undefined,
      groups: b.groups.map((g) => ({
        channel: g.channel,
        programId: g.programId,
        payer: g.payer,
        firstSlot: g.firstSlot,
        count: g.count,
        feePerProof: g.feePerProof.toString(),
        callbackGas: g.callbackGas,
        ...(g.requestHash ? { requestHash: g.requestHash } : {}),
        ...(g.nonce !== undefined ? { nonce: g.nonce.toString() } : {}),
        tx: g.at.tx,
      })),
      slots,
      fulfil: b.fulfilled
        ? {
            hash: b.fulfilled.at.tx,
            block: b.fulfilled.at.block.toString(),
            ...(this.#gas.has(b.fulfilled.at.tx) ? { gasUsed: this.#gas.get(b.fulfilled.at.tx)!.toString() } : {}),
            prover: b.fulfilled.prover,
            late: b.fulfilled.late,
            excludedMask: b.fulfilled.excludedMask.toString(),
            proverFees: b.fulfilled.proverFees.toString(),
            protocolFee: b.fulfilled.protocolFee.toString(),
            posterFee: b.fulfilled.posterFee.toString(),
            provenRoot: b.fulfilled.provenRoot,
          }
        : undefined,
      cost,
      returns: b.returns.map((r) => ({ payer: r.payer, amount: r.amount.toString(), toDeposit: r.toDeposit, tx: r.at.tx })),
      tree: this.#tree(b, summary.capacity, slots),
      timeline: timeline(b),
    };
  }

  #slot(b: BatchRecord, s: number, state: BatchStateName): SlotView {
    const g = this.deps.index.groupOf(b, s);
    const base = { slot: s, submissionId: submissionId(b.id, s).toString() };
    if (!g) return { ...base, status: 'empty' };
    const content = b.slots[s];
    return {
      ...base,
      status: slotStatus(b, s, g, state),
      channel: g.channel,
      programId: g.programId,
      payer: g.payer,
      feePerProof: g.feePerProof.toString(),
      ...(content ? { digest: content.digest } : {}),
      ...(content?.publicInputs ? { publicInputs: [...content.publicInputs] } : {}),
      ...(g.requestHash ? { requestHash: g.requestHash } : {}),
    };
  }

  async #gasOf(tx: Hex): Promise<bigint> {
    let g = this.#gas.get(tx);
    if (g === undefined) {
      g = (await this.#live(() => this.deps.reader.receipt(tx))).gasUsed;
      this.#gas.set(tx, g);
    }
    return g;
  }

  async #cost(b: BatchRecord): Promise<CostView | undefined> {
    if (!b.fulfilled) return undefined;
    const fulfilGas = await this.#gasOf(b.fulfilled.at.tx);
    const lock = b.locks.at(-1);
    const lockGas = lock ? await this.#gasOf(lock.at.tx) : undefined;
    const postGas = b.posted ? await this.#gasOf(b.posted.at.tx) : undefined;
    const total = this.deps.index.statementCount(b);
    let excluded = 0;
    for (let s = 0; s < total; s++) if ((b.fulfilled.excludedMask >> BigInt(s)) & 1n) excluded++;
    const included = total - excluded;
    const settle = Number(fulfilGas + (lockGas ?? 0n) + (postGas ?? 0n));
    const perProofGas = included > 0 ? Math.round(settle / included) : 0;
    return {
      included,
      lockGas: lockGas?.toString(),
      fulfilGas: fulfilGas.toString(),
      postGas: postGas?.toString(),
      perProofGas,
      fulfilPerProofGas: included > 0 ? Math.round(Number(fulfilGas) / included) : 0,
      verifyAloneGas: this.deps.verifyAloneGas,
      saving: perProofGas > 0 ? Math.round((1 - perProofGas / this.deps.verifyAloneGas) * 1000) / 1000 : 0,
    };
  }

  #tree(b: BatchRecord, capacity: number, slots: readonly SlotView[]): TreeView {
    const mask = b.fulfilled?.excludedMask ?? 0n;
    const included = slots.map((s) => s.status !== 'empty' && ((mask >> BigInt(s.slot)) & 1n) === 0n);
    let shape = treeShape(Math.max(2, capacity), included);
    const total = shape.jobs.leaf + shape.jobs.pad + shape.jobs.node;
    let progress: TreeView['progress'];
    if (b.fulfilled) {
      shape = markDone(shape, shape.jobs);
      progress = { source: 'outcome', note: 'fulfilled: every unit is proven', done: total, total };
    } else if (b.state === 'Locked' || b.state === 'Sealed') {
      // A Sealed batch may be proven without a lock (direct fulfilment): only a keeper's per-batch progress says so.
      const p = this.#progress.progress(b.id);
      if (p.available && (b.state === 'Locked' || p.perBatch)) {
        const done = {
          leaf: Math.min(p.done.leaf, shape.jobs.leaf),
          pad: Math.min(p.done.pad, shape.jobs.pad),
          node: Math.min(p.done.node, shape.jobs.node),
        };
        shape = markDone(shape, done);
        const note = p.perBatch ? "from the keeper's per-batch progress, job by job" : "from the keeper's proof counters";
        progress = { source: 'keeper', note, done: done.leaf + done.pad + done.node, total };
      } else if (b.state === 'Sealed')
        progress = { source: 'none', note: 'not locked yet (its assigned prover may prove it without a lock)', done: 0, total };
      else progress = { source: 'none', note: p.available ? 'not proven' : p.reason, done: 0, total };
    } else progress = { source: 'none', note: b.state === 'Open' ? 'not locked yet' : 'not proven', done: 0, total };
    return { capacity: shape.capacity, levels: shape.levels.map((row) => row.map((u) => ({ ...u }))), jobs: shape.jobs, progress };
  }

  async program(raw: string): Promise<ProgramView> {
    const id = parseBytes32(raw, 'program id');
    const p = this.deps.index.programs.get(id);
    if (!p) throw notFound(`No program ${id} is registered on this market.`);
    const statements = p.submissions.map((sid) => this.#statement(sid));
    const counts: Record<string, number> = {};
    for (const s of statements) counts[s.status] = (counts[s.status] ?? 0) + 1;
    return {
      programId: p.programId,
      owner: p.owner,
      registrant: p.registrant,
      vkHash: p.vkHash,
      publicInputCount: p.publicInputCount,
      ...(p.callback ? { callback: { address: p.callback.address, gasLimit: p.callback.gasLimit } } : {}),
      registeredBlock: p.at.block.toString(),
      counts,
      statements: statements.reverse().slice(0, 500),
    };
  }

  #statement(id: bigint): StatementView {
    const { batchId, slot } = splitSubmissionId(id);
    const b = this.deps.index.batches.get(batchId);
    const g = b ? this.deps.index.groupOf(b, slot) : undefined;
    if (!b || !g) throw notFound(`No submission ${id} on this market (it would be batch ${batchId}, slot ${slot}).`);
    const c = b.slots[slot];
    return {
      submissionId: id.toString(),
      batchId: batchId.toString(),
      slot,
      status: slotStatus(b, slot, g, b.state),
      batchState: b.state,
      ...(c ? { digest: c.digest } : {}),
      ...(c?.publicInputs ? { publicInputs: [...c.publicInputs] } : {}),
    };
  }

  submission(raw: string): StatementView {
    return this.#statement(parseId(raw, 'submission id'));
  }

  async statement(raw: string): Promise<StatementSearchView> {
    const digest = parseBytes32(raw, 'statement digest');
    const ids = this.deps.index.digests.get(digest);
    if (!ids || ids.length === 0) throw notFound(`No statement with digest ${digest} on this market.`);
    const submissions = ids.map((id) => this.#statement(id));
    // Off-chain statements have only their digest on chain: the relay keeps their public inputs.
    if (this.deps.relay && submissions.some((s) => !s.publicInputs)) {
      const r = await this.deps.relay.statement(digest).catch(() => undefined);
      if (r) return { digest, submissions: submissions.map((s) => (s.publicInputs ? s : { ...s, publicInputs: r.publicInputs })) };
    }
    return { digest, submissions };
  }

  async provers(): Promise<ProversView> {
    const { reader, index } = this.deps;
    const records = [...index.provers.values()];
    const [minStake, rows] = await this.#live(() =>
      Promise.all([reader.minStake(), Promise.all(records.map((p) => Promise.all([reader.stake(p.address), reader.earnings(p.address)])))]),
    );
    const provers = records.map((p, i) => {
      const [s, claimable] = rows[i]!;
      const ended = p.locks.filter((l) => l.lock.outcome !== undefined);
      const onTime = ended.filter((l) => l.lock.outcome === 'on-time').length;
      const available = s.staked - s.locked - s.pendingUnstake;
      const v: ProverView = {
        address: p.address,
        staked: s.staked.toString(),
        locked: s.locked.toString(),
        pendingUnstake: s.pendingUnstake.toString(),
        available: (available > 0n ? available : 0n).toString(),
        eligible: s.eligible,
        lowStake: available < minStake,
        locks: p.locks.length,
        won: p.won.length,
        slashes: p.slashes.length,
        onTime,
        ended: ended.length,
        onTimeRate: ended.length > 0 ? onTime / ended.length : null,
        earned: p.earned.toString(),
        claimable: claimable.toString(),
        batches: p.locks.slice(-20).map((l) => ({ batchId: l.batchId.toString(), outcome: l.lock.outcome ?? 'held' })),
      };
      return v;
    });
    return { minStake: minStake.toString(), provers: provers.sort((a, b) => (BigInt(b.staked) > BigInt(a.staked) ? 1 : -1)) };
  }

  async prover(raw: string): Promise<ProverView> {
    if (!isAddress(raw.trim(), { strict: false })) throw invalidAddress(`'${clip(raw)}' is not an address (0x followed by 40 hex digits).`);
    const address = getAddress(raw.trim());
    const p = (await this.provers()).provers.find((x) => x.address === address);
    if (!p) throw notFound(`${address} has never staked on this market's staking contract.`);
    return p;
  }

  /** Where a search term leads: a batch or submission id, a program id or statement digest, a prover. */
  search(raw: string): SearchView {
    const q = raw.trim();
    if (q === '') throw invalidQuery('Type a batch id, a submission id, a program id, a statement digest or a prover address.');
    if (/^\d+$/.test(q)) {
      const n = BigInt(q);
      if (this.deps.index.batches.has(n) && n < 64n) return { kind: 'batch', route: `#/batch/${n}`, label: `batch ${n}` };
      const { batchId, slot } = splitSubmissionId(n);
      const b = this.deps.index.batches.get(batchId);
      if (b && this.deps.index.groupOf(b, slot))
        return { kind: 'submission', route: `#/submission/${n}`, label: `submission ${n} (batch ${batchId}, slot ${slot})` };
      if (this.deps.index.batches.has(n)) return { kind: 'batch', route: `#/batch/${n}`, label: `batch ${n}` };
      throw notFound(`Nothing on this market has the id ${q} (neither a batch nor a submission).`);
    }
    if (isAddress(q, { strict: false })) return { kind: 'prover', route: `#/prover/${getAddress(q)}`, label: `prover ${getAddress(q)}` };
    if (isHex(q) && q.length === 66) {
      const h = q.toLowerCase() as Hex;
      if (this.deps.index.programs.has(h)) return { kind: 'program', route: `#/program/${h}`, label: `program ${h}` };
      if (this.deps.index.digests.has(h)) return { kind: 'statement', route: `#/statement/${h}`, label: `statement ${h}` };
      throw notFound(`No program or statement digest ${h} on this market.`);
    }
    throw invalidQuery(`'${clip(q)}' is neither a number, an address (0x + 40 hex digits) nor a 32-byte hex id (0x + 64 hex digits).`);
  }
}

function slotStatus(b: BatchRecord, s: number, g: GroupRecord, state: BatchStateName | BatchRecord['state']): SlotStatus {
  const offchain = g.channel === 'offchain';
  if (b.fulfilled) {
    if ((b.fulfilled.excludedMask >> BigInt(s)) & 1n) return offchain ? 'excluded-returned' : 'excluded-refundable';
    return 'verified';
  }
  if (state === 'Closed' || state === 'Released') return offchain ? 'returned' : 'refundable';
  return 'pending';
}

function versionView(v: LiveVersion): VersionView {
  return {
    version: v.version,
    verifier: v.verifier,
    keySet: v.keySet,
    rollupProofBytes: v.rollupProofBytes,
    state: VERSION_STATES[v.state] ?? 'unknown',
    frozenSince: v.frozenSince,
  };
}

/**
 * The locker to show: the live lock's (getBatch) while locked; once fulfilled, getBatch reads zero (the
 * lock has ended), so the last `MarketBatchLocked` event the index holds names it.
 */
function lockerOf(b: BatchRecord, live: LiveBatch, state: string): string | undefined {
  if (state !== 'Locked' && state !== 'Fulfilled') return undefined;
  return live.locker !== ZERO ? live.locker : b.locks.at(-1)?.prover;
}

function timeline(b: BatchRecord): BatchView['timeline'] {
  const out: { what: string; block: bigint; tx: Hex; i: number }[] = [];
  const add = (what: string, at: { block: bigint; tx: Hex; logIndex: number }) =>
    out.push({ what, block: at.block, tx: at.tx, i: at.logIndex });
  if (b.opened && !b.posted) add('opened', b.opened);
  if (b.posted) add(`posted by ${b.posted.poster}`, b.posted.at);
  for (const g of b.groups) if (!b.posted) add(`${g.count} statement(s) submitted (${g.channel})`, g.at);
  if (b.sealed) add(`sealed (version ${b.sealed.version})`, b.sealed.at);
  for (const l of b.locks) add(`locked by ${l.prover}`, l.at);
  for (const s of b.slashes) add(`locker ${s.locker} slashed`, s.at);
  if (b.fulfilled) add(`fulfilled by ${b.fulfilled.prover}${b.fulfilled.late ? ' (late)' : ''}`, b.fulfilled.at);
  if (b.closed) add('closed (nothing provable)', b.closed.at);
  if (b.released) add('released (expired)', b.released.at);
  for (const r of b.returns) add(`fees returned to ${r.payer}`, r.at);
  return out
    .sort((x, y) => (x.block === y.block ? x.i - y.i : x.block < y.block ? -1 : 1))
    .map((e) => ({ what: e.what, block: e.block.toString(), tx: e.tx }));
}

const clip = (s: string): string => (s.length > 80 ? `${s.slice(0, 77)}...` : s);

function parseId(raw: string, what: string): bigint {
  const t = raw.trim();
  if (!/^\d+$/.test(t)) throw invalidId(`'${clip(t)}' is not a ${what}: ${what}s are decimal numbers.`);
  const n = BigInt(t);
  if (n > MAX_ID) throw invalidId(`${what} ${clip(t)} is out of range.`);
  return n;
}

function parseBytes32(raw: string, what: string): Hex {
  const t = raw.trim();
  if (!isHex(t) || t.length !== 66) throw invalidId(`'${clip(t)}' is not a ${what}: it is 0x followed by 64 hex digits.`);
  return t.toLowerCase() as Hex;
}
