// docs/operator.md shows the keeper's phase graph, outcomes, event codes and tx purposes. They are
// declared once in code (prover/keeper/db/phases.ts, obs/events.ts, db/txPurposes.ts); this test fails
// when the docs and the code disagree, and prints the rows the docs should hold. Tables are compared
// cell by cell (a formatter may re-align them).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_PHASES, BATCH_OUTCOMES, BATCH_PHASES, phaseDiagram, phaseEdges } from '../../prover/keeper/db/phases.js';
import { TX_PURPOSES } from '../../prover/keeper/db/txPurposes.js';
import { KEEPER_EVENT_NAMES, KEEPER_EVENTS } from '../../prover/keeper/obs/events.js';

const DOC = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'operator.md'), 'utf8');

const code = (s: string): string => `\`${s}\``;
const list = (xs: readonly string[], none: string): string => (xs.length ? xs.map(code).join(', ') : none);

/** The rows (cells trimmed) of the markdown table whose header cells are `header`. */
function table(md: string, header: readonly string[]): string[][] {
  const lines = md.split('\n');
  const cells = (line: string): string[] =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const start = lines.findIndex((l) => l.trim().startsWith('|') && JSON.stringify(cells(l)) === JSON.stringify(header));
  if (start < 0) expect.fail(`docs/operator.md has no table with header | ${header.join(' | ')} |`);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.trim().startsWith('|')) break;
    rows.push(cells(l));
  }
  return rows;
}

function expectRows(actual: string[][], expected: string[][], what: string): void {
  const md = expected.map((r) => `| ${r.join(' | ')} |`).join('\n');
  expect(actual, `docs/operator.md ${what} differs from the code; it should read:\n${md}\n`).to.deep.equal(expected);
}

describe('docs/operator.md matches the keeper state machine and event vocabulary', () => {
  it('the mermaid phase diagram draws exactly the edges of the phase graph', () => {
    const blocks = [...DOC.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const diagram = blocks.find((b) => b.includes('stateDiagram-v2') && b.includes('seen'));
    if (!diagram) expect.fail('docs/operator.md has no mermaid state diagram of the batch phases');
    const norm = (s: string): string[] =>
      s
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    expect(norm(diagram), `the diagram should read:\n${phaseDiagram()}\n`).to.deep.equal(norm(phaseDiagram()));
    // And the diagram's edges are the graph's (the same check, stated as edges).
    const edges = norm(diagram).flatMap((l) => {
      const m = /^(\w+) --> (\w+): (.+)$/.exec(l);
      return m ? [`${m[1]}>${m[2]}:${m[3]}`] : [];
    });
    expect(edges.sort()).to.deep.equal(
      phaseEdges()
        .map((e) => `${e.from}>${e.to}:${e.label}`)
        .sort(),
    );
  });

  it('the phase table lists every phase with its meaning and next phases', () => {
    const expected = ALL_PHASES.map((p) => {
      const s = BATCH_PHASES[p];
      return [code(p), s.active ? 'yes' : 'no', s.meaning, list(Object.keys(s.next), '(final)')];
    });
    expectRows(table(DOC, ['phase', 'counts against `capacity`', 'meaning', 'next phases']), expected, 'phase table');
  });

  it('the outcome table lists every outcome', () => {
    const expected = Object.entries(BATCH_OUTCOMES).map(([k, v]) => [code(k), v]);
    expectRows(table(DOC, ['outcome', 'meaning']), expected, 'outcome table');
  });

  it('the event table lists every event code with its level, message and fields', () => {
    const expected = KEEPER_EVENT_NAMES.map((n) => {
      const s = KEEPER_EVENTS[n];
      return [code(n), s.level, code(s.message), list(s.fields, '(none)'), s.meaning];
    });
    expectRows(table(DOC, ['event', 'level', '`msg`', 'fields', 'meaning']), expected, 'event table');
  });

  it('the tx purpose table lists every purpose', () => {
    const expected = Object.entries(TX_PURPOSES).map(([k, v]) => [code(k), v]);
    expectRows(table(DOC, ['purpose', 'transaction']), expected, 'tx purpose table');
  });

  it('finds a table that disagrees (the check itself can fail)', () => {
    const doc = '| outcome | meaning |\n| --- | --- |\n| `fulfilled` | something else |\n';
    expect(() => expectRows(table(doc, ['outcome', 'meaning']), [['`fulfilled`', BATCH_OUTCOMES.fulfilled]], 'x')).to.throw(/should read/);
    expect(() => table(doc, ['phase', 'meaning'])).to.throw(/no table with header/);
  });
});
