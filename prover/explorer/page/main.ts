/// <reference lib="dom" />
/**
 * The explorer's page: Preact components (written with `h`, no JSX build step) over the JSON API, routed
 * by the URL hash (#/, #/batch/5, #/submission/321, #/program/0x…, #/statement/0x…, #/provers,
 * #/prover/0x…). Live: the status is polled every two seconds; the open view reloads when the index changed
 * and its countdowns tick every second. Errors are shown as messages (role=alert), never as a blank page.
 */
import { Fragment, h, render, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type {
  BatchSummary,
  BatchView,
  MarketView,
  ProgramView,
  ProversView,
  ProverView,
  SearchView,
  StatementSearchView,
  StatementView,
  StatusView,
  TreeView,
} from '../views/types.js';
import { api, PageError } from './api.js';
import { BarChart } from './chart.js';
import { countdown, eth, percent, short, SLOT_LABEL } from './format.js';

const POLL_MS = 2000;

type Route =
  | { page: 'market' }
  | { page: 'batch'; id: string }
  | { page: 'submission'; id: string }
  | { page: 'program'; id: string }
  | { page: 'statement'; id: string }
  | { page: 'provers' }
  | { page: 'prover'; id: string }
  | { page: 'unknown'; path: string };

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [p, id] = parts;
  if (!p) return { page: 'market' };
  if (p === 'provers' && id === undefined) return { page: 'provers' };
  if ((p === 'batch' || p === 'submission' || p === 'program' || p === 'statement' || p === 'prover') && id !== undefined)
    return { page: p, id };
  return { page: 'unknown', path: hash };
}

const link = (route: string, text: ComponentChildren): JSX.Element => h('a', { href: route }, text);

function ErrorBox(props: { error: PageError | Error }): JSX.Element {
  const code = props.error instanceof PageError ? props.error.code : 'internal';
  const title: Record<string, string> = {
    'not-found': 'Not found',
    'invalid-id': 'Not a valid id',
    'invalid-address': 'Not a valid address',
    'invalid-query': 'Cannot search for that',
    'chain-unavailable': 'The chain is not answering',
    'server-unreachable': 'The explorer is not answering',
    internal: 'Something went wrong',
  };
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-code': code },
    h('strong', null, title[code] ?? 'Error'),
    h('p', null, props.error.message),
  );
}

/** Loads `path` now, again whenever `version` changes; keeps the last good data while reloading. */
function useApi<T>(path: string, version: number): { data: T | undefined; error: Error | undefined; fetchedAt: number } {
  const [state, setState] = useState<{ path: string; data: T | undefined; error: Error | undefined; fetchedAt: number }>({
    path,
    data: undefined,
    error: undefined,
    fetchedAt: 0,
  });
  useEffect(() => {
    let live = true;
    api<T>(path).then(
      (data) => live && setState({ path, data, error: undefined, fetchedAt: Date.now() }),
      (error: Error) => live && setState((s) => ({ path, data: s.path === path ? s.data : undefined, error, fetchedAt: s.fetchedAt })),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  return state.path === path ? state : { data: undefined, error: undefined, fetchedAt: 0 };
}

function useClock(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function Loading(): JSX.Element {
  return h('p', { class: 'loading' }, 'Loading…');
}

function kv(rows: readonly (readonly [string, ComponentChildren])[]): JSX.Element {
  return h(
    'dl',
    { class: 'kv' },
    rows.map(([k, v]) => h(Fragment, { key: k }, h('dt', null, k), h('dd', null, v))),
  );
}

function StateBadge(props: { state: string }): JSX.Element {
  return h('span', { class: `badge state-${props.state.toLowerCase()}`, 'data-state': props.state }, props.state);
}

function deadlineCell(b: BatchSummary, chainNow: number): string {
  switch (b.state) {
    case 'Open':
      return `sealable ${countdown(b.sealableAt, chainNow)}`;
    case 'Sealed':
      return b.assigned
        ? `assigned ${short(b.assigned)}, exclusive ${countdown(b.assignmentEndsAt, chainNow)}`
        : 'open to any eligible prover';
    case 'Locked':
      return `lock deadline ${countdown(b.lockDeadline, chainNow)}, final ${countdown(b.finalDeadline, chainNow)}`;
    case 'Fulfilled':
      return `fulfilled by ${short(b.fulfilledBy)}`;
    default:
      return b.expiry ? `expiry ${countdown(b.expiry, chainNow)}` : '-';
  }
}

/** The chain's now, advanced by the wall clock since the view was fetched. */
const chainNowOf = (chainTime: number, fetchedAt: number, now: number): number =>
  chainTime + Math.max(0, Math.floor((now - fetchedAt) / 1000));

function MarketPage(props: { version: number }): JSX.Element {
  const { data, error, fetchedAt } = useApi<MarketView>('market', props.version);
  const now = useClock();
  if (!data) return error ? h(ErrorBox, { error }) : Loading();
  const chainNow = chainNowOf(data.chainTime, fetchedAt, now);
  const v = data.version;
  const recent = [...data.batches].reverse();
  return h(
    'section',
    { id: 'market' },
    error ? h(ErrorBox, { error }) : null,
    h('h2', null, 'Market'),
    h(
      'div',
      { class: 'cards' },
      h(
        'div',
        { class: 'card' },
        h('h3', null, 'State'),
        data.paused ? h('span', { class: 'badge paused', id: 'paused' }, 'PAUSED') : h('span', { class: 'badge ok' }, 'running'),
      ),
      h(
        'div',
        { class: 'card', id: 'version' },
        h('h3', null, 'Verifier version'),
        v
          ? h(
              Fragment,
              null,
              h('span', { class: `badge version-${v.state}` }, `v${v.version} ${v.state}`),
              h('p', { class: 'mono' }, `verifier ${short(v.verifier)}, key set ${short(v.keySet)}`),
              data.noUsableVersion
                ? h('p', { class: 'warn-text', id: 'no-usable-version' }, 'No usable verifier version: locks and fulfilments wait.')
                : null,
            )
          : 'none',
      ),
      h(
        'div',
        { class: 'card' },
        h('h3', null, 'Statements'),
        h('p', { class: 'big' }, String(data.statements)),
        `${data.programs} program(s)`,
      ),
      h('div', { class: 'card' }, h('h3', null, 'Minimum fee'), h('p', { class: 'big' }, eth(data.params.minFeePerProof)), 'per proof'),
    ),
    recent.length > 0
      ? h(BarChart, {
          id: 'batches-chart',
          labels: recent.map((b) => `#${b.id}`),
          series: [{ label: 'statements per batch', data: recent.map((b) => b.count), color: '#3b82f6' }],
        })
      : null,
    h('h3', null, 'Batches'),
    data.batches.length === 0
      ? h('p', { class: 'empty' }, 'No batch yet: the first submission opens one.')
      : h(
          'table',
          { id: 'batches' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Batch', 'State', 'Channel', 'Statements', 'Fees', 'Prover', 'Deadlines'].map((c) => h('th', { key: c }, c)),
            ),
          ),
          h(
            'tbody',
            null,
            data.batches.map((b) =>
              h(
                'tr',
                { key: b.id, 'data-batch': b.id },
                h('td', null, link(`#/batch/${b.id}`, `#${b.id}`)),
                h('td', null, h(StateBadge, { state: b.state })),
                h('td', null, b.channels.join(', ') || '-'),
                h('td', null, `${b.count} / ${b.capacity}`),
                h('td', null, eth(b.fees)),
                h('td', { class: 'mono' }, b.locker ? link(`#/prover/${b.locker}`, short(b.locker)) : b.assigned ? short(b.assigned) : '-'),
                h('td', { class: 'countdown' }, deadlineCell(b, chainNow)),
              ),
            ),
          ),
        ),
    data.skipped.length > 0
      ? h(
          Fragment,
          null,
          h('h3', null, 'Skipped off-chain requests'),
          h(
            'ul',
            null,
            data.skipped.map((s) =>
              h('li', { key: `${s.payer}-${s.nonce}` }, `${short(s.payer)} nonce ${s.nonce}: reason ${s.reason} (block ${s.block})`),
            ),
          ),
        )
      : null,
    h('h3', null, 'Parameters'),
    kv([
      ['batch capacity', data.params.batchCapacity],
      ['batch timeout', `${data.params.batchTimeout} s`],
      ['assignment window', `${data.params.assignmentWindow} s`],
      ['proving window', `${data.params.provingWindowBase} s + ${data.params.provingWindowPerProof} s per proof`],
      ['secondary window', `${data.params.secondaryWindow} s`],
      ['collateral per proof', eth(data.params.collateralPerProof, 'NEX')],
      ['protocol / poster fee', `${data.params.protocolFeeBps / 100}% / ${data.params.posterFeeBps / 100}%`],
    ]),
  );
}

function Tree(props: { tree: TreeView }): JSX.Element {
  const t = props.tree;
  const rows = [...t.levels].reverse();
  return h(
    'div',
    { class: 'tree', id: 'tree' },
    h(
      'p',
      { class: 'note' },
      `Proving tree: ${t.jobs.leaf} leaf, ${t.jobs.pad} pad, ${t.jobs.node} node proofs; ${t.progress.done}/${t.progress.total} done (${t.progress.note}).`,
    ),
    rows.map((row, i) =>
      h(
        'div',
        { class: 'tree-row', key: i },
        row.map((u) =>
          h(
            'div',
            {
              key: `${u.height}-${u.index}`,
              class: `unit ${u.kind}${u.done ? ' done' : ''}`,
              style: { flexGrow: u.width },
              title: `${u.kind} over slots ${u.firstSlot}..${u.firstSlot + u.width - 1}${u.done ? ' (proven)' : ''}`,
            },
            u.kind === 'covered' ? '' : u.kind,
          ),
        ),
      ),
    ),
  );
}

function BatchPage(props: { id: string; version: number }): JSX.Element {
  const { data: b, error, fetchedAt } = useApi<BatchView>(`batches/${encodeURIComponent(props.id)}`, props.version);
  const now = useClock();
  if (!b) return error ? h(ErrorBox, { error }) : Loading();
  const chainNow = chainNowOf(b.chainTime, fetchedAt, now);
  return h(
    'section',
    { id: 'batch' },
    error ? h(ErrorBox, { error }) : null,
    h('h2', null, `Batch #${b.id} `, h(StateBadge, { state: b.state })),
    kv([
      ['statements', `${b.count} of ${b.capacity} slots`],
      ['channels', b.channels.join(', ') || '-'],
      ['fees', eth(b.fees)],
      ['verifier version', b.version ?? '-'],
      ['locker', b.locker ? link(`#/prover/${b.locker}`, b.locker) : '-'],
      ['deadlines', deadlineCell(b, chainNow)],
      ['commitment', h('span', { class: 'mono' }, b.commitment ?? '-')],
    ]),
    h('h3', null, 'Slots'),
    h(
      'div',
      { class: 'slots', id: 'slots' },
      b.slots.map((s) =>
        h(
          'a',
          {
            key: s.slot,
            class: `slot ${s.status}`,
            'data-status': s.status,
            href: s.status === 'empty' ? undefined : `#/submission/${s.submissionId}`,
            title: `slot ${s.slot}: ${SLOT_LABEL[s.status] ?? s.status}`,
          },
          h('span', { class: 'slot-n' }, String(s.slot)),
          h('span', { class: 'slot-status' }, SLOT_LABEL[s.status] ?? s.status),
        ),
      ),
    ),
    h(Tree, { tree: b.tree }),
    b.fulfil
      ? h(
          'div',
          { id: 'fulfil' },
          h('h3', null, 'Fulfilment'),
          kv([
            ['prover', link(`#/prover/${b.fulfil.prover}`, b.fulfil.prover)],
            ['transaction', h('span', { class: 'mono' }, b.fulfil.hash)],
            ['block', b.fulfil.block],
            ['gas', b.fulfil.gasUsed ?? '-'],
            ['late', b.fulfil.late ? 'yes' : 'no'],
            ['prover fees', eth(b.fulfil.proverFees)],
            ['excluded mask', b.fulfil.excludedMask],
          ]),
        )
      : null,
    b.cost
      ? h(
          'div',
          { id: 'cost' },
          h('h3', null, 'Cost per proof'),
          h(
            'p',
            null,
            `${b.cost.perProofGas.toLocaleString()} gas per included statement (post + lock + fulfil over ${b.cost.included}) against ${b.cost.verifyAloneGas.toLocaleString()} to verify one alone: ${percent(b.cost.saving)} saved.`,
          ),
          h(BarChart, {
            id: 'cost-chart',
            labels: ['per proof in this batch', 'verifying alone'],
            series: [{ label: 'gas', data: [b.cost.perProofGas, b.cost.verifyAloneGas], color: '#10b981' }],
            horizontal: true,
          }),
        )
      : null,
    h('h3', null, 'Groups'),
    h(
      'table',
      null,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Slots', 'Channel', 'Program', 'Payer', 'Fee per proof'].map((c) => h('th', { key: c }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        b.groups.map((g) =>
          h(
            'tr',
            { key: g.firstSlot },
            h('td', null, `${g.firstSlot}..${g.firstSlot + g.count - 1}`),
            h('td', null, g.channel),
            h('td', { class: 'mono' }, link(`#/program/${g.programId}`, short(g.programId))),
            h('td', { class: 'mono' }, short(g.payer)),
            h('td', null, eth(g.feePerProof)),
          ),
        ),
      ),
    ),
    h('h3', null, 'Timeline'),
    h(
      'ol',
      { class: 'timeline' },
      b.timeline.map((e, i) => h('li', { key: i }, `block ${e.block}: ${e.what}`)),
    ),
  );
}

function SubmissionPage(props: { id: string; version: number }): JSX.Element {
  const { data: s, error } = useApi<StatementView>(`submissions/${encodeURIComponent(props.id)}`, props.version);
  if (!s) return error ? h(ErrorBox, { error }) : Loading();
  return h(
    'section',
    { id: 'submission' },
    h('h2', null, `Submission ${s.submissionId}`),
    h('p', { class: `status ${s.status}`, id: 'submission-status', 'data-status': s.status }, SLOT_LABEL[s.status] ?? s.status),
    kv([
      ['batch', link(`#/batch/${s.batchId}`, `#${s.batchId} (${s.batchState})`)],
      ['slot', s.slot],
      [
        'statement digest',
        s.digest ? link(`#/statement/${s.digest}`, h('span', { class: 'mono' }, s.digest)) : 'unknown (entered through another contract)',
      ],
      [
        'public inputs',
        s.publicInputs
          ? h(
              'ul',
              { class: 'mono' },
              s.publicInputs.map((x, i) => h('li', { key: i }, x)),
            )
          : 'not on chain (off-chain channel: the relay keeps them)',
      ],
    ]),
  );
}

function StatementPage(props: { id: string; version: number }): JSX.Element {
  const { data, error } = useApi<StatementSearchView>(`statements/${encodeURIComponent(props.id)}`, props.version);
  if (!data) return error ? h(ErrorBox, { error }) : Loading();
  return h(
    'section',
    { id: 'statement' },
    h('h2', null, 'Statement'),
    h('p', { class: 'mono' }, data.digest),
    h(
      'ul',
      null,
      data.submissions.map((s) =>
        h(
          'li',
          { key: s.submissionId },
          link(`#/submission/${s.submissionId}`, `submission ${s.submissionId}`),
          ` in batch #${s.batchId}: ${SLOT_LABEL[s.status] ?? s.status}`,
        ),
      ),
    ),
  );
}

function ProgramPage(props: { id: string; version: number }): JSX.Element {
  const { data: p, error } = useApi<ProgramView>(`programs/${encodeURIComponent(props.id)}`, props.version);
  if (!p) return error ? h(ErrorBox, { error }) : Loading();
  return h(
    'section',
    { id: 'program' },
    h('h2', null, 'Program'),
    kv([
      ['program id', h('span', { class: 'mono' }, p.programId)],
      ['owner', h('span', { class: 'mono' }, p.owner)],
      ['verification key hash', h('span', { class: 'mono' }, p.vkHash)],
      ['public inputs', p.publicInputCount],
      ['callback', p.callback ? `${p.callback.address} (${p.callback.gasLimit} gas)` : 'none'],
      ['registered in block', p.registeredBlock],
      [
        'statements',
        Object.entries(p.counts)
          .map(([k, n]) => `${n} ${SLOT_LABEL[k] ?? k}`)
          .join(', ') || 'none yet',
      ],
    ]),
    h(
      'table',
      { id: 'statements' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Submission', 'Batch', 'Status', 'Digest'].map((c) => h('th', { key: c }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        p.statements.map((s) =>
          h(
            'tr',
            { key: s.submissionId },
            h('td', null, link(`#/submission/${s.submissionId}`, s.submissionId)),
            h('td', null, link(`#/batch/${s.batchId}`, `#${s.batchId}`)),
            h('td', { 'data-status': s.status }, SLOT_LABEL[s.status] ?? s.status),
            h('td', { class: 'mono' }, short(s.digest)),
          ),
        ),
      ),
    ),
  );
}

function proverRow(p: ProverView): JSX.Element {
  return h(
    'tr',
    { key: p.address },
    h('td', { class: 'mono' }, link(`#/prover/${p.address}`, short(p.address))),
    h('td', null, eth(p.staked, 'NEX'), p.lowStake ? h('span', { class: 'badge warn' }, 'low') : null),
    h('td', null, eth(p.locked, 'NEX')),
    h('td', null, p.eligible ? 'yes' : 'no'),
    h('td', null, String(p.won)),
    h('td', null, String(p.slashes)),
    h('td', null, p.onTimeRate === null ? '-' : percent(p.onTimeRate)),
    h('td', null, eth(p.claimable)),
  );
}

function ProversPage(props: { version: number }): JSX.Element {
  const { data, error } = useApi<ProversView>('provers', props.version);
  if (!data) return error ? h(ErrorBox, { error }) : Loading();
  const toNex = (wei: string): number => Number(BigInt(wei) / 10n ** 15n) / 1000;
  return h(
    'section',
    { id: 'provers' },
    h('h2', null, 'Provers'),
    h('p', null, `Minimum stake ${eth(data.minStake, 'NEX')}.`),
    data.provers.length === 0
      ? h('p', { class: 'empty' }, 'No prover has staked yet.')
      : h(
          Fragment,
          null,
          h(BarChart, {
            id: 'stake-chart',
            labels: data.provers.map((p) => short(p.address)),
            series: [
              { label: 'available NEX', data: data.provers.map((p) => toNex(p.available)), color: '#3b82f6' },
              { label: 'locked NEX', data: data.provers.map((p) => toNex(p.locked)), color: '#f59e0b' },
            ],
            stacked: true,
          }),
          h(
            'table',
            { id: 'provers-table' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Prover', 'Stake', 'Locked', 'Eligible', 'Batches won', 'Slashes', 'On time', 'Claimable'].map((c) =>
                  h('th', { key: c }, c),
                ),
              ),
            ),
            h('tbody', null, data.provers.map(proverRow)),
          ),
        ),
  );
}

function ProverPage(props: { id: string; version: number }): JSX.Element {
  const { data: p, error } = useApi<ProverView>(`provers/${encodeURIComponent(props.id)}`, props.version);
  if (!p) return error ? h(ErrorBox, { error }) : Loading();
  return h(
    'section',
    { id: 'prover' },
    h('h2', null, 'Prover'),
    kv([
      ['address', h('span', { class: 'mono' }, p.address)],
      ['stake', eth(p.staked, 'NEX')],
      ['locked collateral', eth(p.locked, 'NEX')],
      ['pending unstake', eth(p.pendingUnstake, 'NEX')],
      ['eligible', p.eligible ? 'yes' : 'no'],
      ['batches won', p.won],
      ['slashes', p.slashes],
      ['on-time rate', p.onTimeRate === null ? 'no lock ended yet' : `${percent(p.onTimeRate)} (${p.onTime} of ${p.ended})`],
      ['earned', eth(p.earned)],
      ['claimable', eth(p.claimable)],
    ]),
    h('h3', null, 'Recent locks'),
    h(
      'ul',
      null,
      p.batches.map((b) => h('li', { key: b.batchId }, link(`#/batch/${b.batchId}`, `#${b.batchId}`), `: ${b.outcome}`)),
    ),
  );
}

function StatusBar(props: { status: StatusView | undefined; error: Error | undefined }): JSX.Element {
  const s = props.status;
  if (props.error && !s) return h(ErrorBox, { error: props.error });
  if (!s) return h('div', { class: 'statusbar' }, 'connecting…');
  const source = (name: string, x: { configured: boolean; ok: boolean; error?: string }) =>
    x.configured ? h('span', { class: `src ${x.ok ? 'ok' : 'down'}`, title: x.error ?? '' }, `${name} ${x.ok ? 'up' : 'down'}`) : null;
  return h(
    Fragment,
    null,
    props.error ? h(ErrorBox, { error: props.error }) : null,
    !s.rpc.ok
      ? h(
          'div',
          { class: 'error', role: 'alert', id: 'rpc-banner', 'data-code': 'chain-unavailable' },
          h('strong', null, 'The chain is not answering'),
          h(
            'p',
            null,
            `The RPC failed: ${s.rpc.error ?? 'unknown error'}. Showing what was indexed up to block ${s.syncedTo}; the explorer retries every ${Math.max(1, Math.round(s.pollIntervalMs / 1000))} s.`,
          ),
        )
      : null,
    h(
      'div',
      { class: 'statusbar', id: 'statusbar' },
      h('span', null, `chain ${s.chainId}`),
      h('span', { class: 'mono' }, `market ${short(s.market)}`),
      h('span', null, `block ${s.head} (indexed ${s.syncedTo})`),
      h('span', { class: `src ${s.rpc.ok ? 'ok' : 'down'}` }, `RPC ${s.rpc.ok ? 'up' : 'down'}`),
      source('relay', s.relay),
      source('keeper', s.keeper),
    ),
  );
}

function Search(): JSX.Element {
  const [q, setQ] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const r = await api<SearchView>(`search?q=${encodeURIComponent(q)}`);
      setError(undefined);
      location.hash = r.route;
    } catch (err) {
      setError(err as Error);
    }
  };
  return h(
    'form',
    { class: 'search', onSubmit: submit, id: 'search' },
    h('input', {
      name: 'q',
      value: q,
      placeholder: 'batch or submission id, program id, statement digest, prover address',
      onInput: (e: Event) => setQ((e.target as HTMLInputElement).value),
    }),
    h('button', { type: 'submit' }, 'Search'),
    error ? h(ErrorBox, { error }) : null,
  );
}

function App(): JSX.Element {
  const [route, setRoute] = useState<Route>(parseRoute(location.hash));
  const [status, setStatus] = useState<StatusView | undefined>();
  const [statusError, setStatusError] = useState<Error | undefined>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    let live = true;
    const poll = async (): Promise<void> => {
      try {
        const s = await api<StatusView>('status');
        if (!live) return;
        setStatus(s);
        setStatusError(undefined);
      } catch (err) {
        if (live) setStatusError(err as Error);
      }
      if (live) setTick((t) => t + 1);
    };
    void poll();
    const t = setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  // Views reload when the index changed, and every poll while the chain is down or the view shows live state.
  const version =
    (status?.indexVersion ?? 0) * 1_000_000 +
    (route.page === 'market' || route.page === 'batch' || route.page === 'provers' ? Math.floor(tick / 3) : 0);
  let body: JSX.Element;
  switch (route.page) {
    case 'market':
      body = h(MarketPage, { version });
      break;
    case 'batch':
      body = h(BatchPage, { id: route.id, version });
      break;
    case 'submission':
      body = h(SubmissionPage, { id: route.id, version });
      break;
    case 'statement':
      body = h(StatementPage, { id: route.id, version });
      break;
    case 'program':
      body = h(ProgramPage, { id: route.id, version });
      break;
    case 'provers':
      body = h(ProversPage, { version });
      break;
    case 'prover':
      body = h(ProverPage, { id: route.id, version });
      break;
    default:
      body = h(ErrorBox, { error: new PageError('not-found', `There is no page '${route.path}'. Use the search box or the links above.`) });
  }
  return h(
    Fragment,
    null,
    h(
      'header',
      null,
      h('h1', null, link('#/', 'NEX explorer')),
      h('nav', null, link('#/', 'Market'), ' ', link('#/provers', 'Provers')),
      h(Search, null),
    ),
    h(StatusBar, { status, error: statusError }),
    h('main', { key: JSON.stringify(route) }, body),
  );
}

render(h(App, null), document.getElementById('app')!);
