// The Grafana dashboard (deploy/grafana/nex.json) and the Prometheus alert rules (deploy/prometheus/alerts.yml)
// against the code: every query names only metrics the keeper's or the relay's registry really exports (the
// names are read from the registries, not from a copy), and promtool checks the rules' syntax and runs their
// unit tests (deploy/prometheus/alerts.test.yml). Grafana itself is not a Debian package; promtool is
// (`prometheus`, which .ci/run installs): the promtool cases skip, saying so, only where it is absent.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Metrics } from '../../prover/keeper/obs/metrics.js';
import { RelayMetrics } from '../../prover/relay/metrics.js';

const DASHBOARD = 'deploy/grafana/nex.json';
const ALERTS = 'deploy/prometheus/alerts.yml';
const ALERT_TESTS = 'deploy/prometheus/alerts.test.yml';

/** The series names a registry's exposition text declares (histograms and summaries with their suffixes). */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

async function exportedNames(): Promise<Set<string>> {
  const keeper = exported(await new Metrics({ processMetrics: false }).render());
  const relay = exported(await new RelayMetrics({ processMetrics: false }).registry.metrics());
  return new Set([...keeper, ...relay]);
}

/** The nex_* metric names a PromQL expression uses. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bnex_[a-z0-9_]+/g)].map((m) => m[0]);
}

/** Names used by `exprs` that are not in `names`, with the expression. */
function unknownMetrics(exprs: readonly string[], names: ReadonlySet<string>): string[] {
  return exprs.flatMap((e) =>
    metricsIn(e)
      .filter((n) => !names.has(n))
      .map((n) => `${n} in ${e}`),
  );
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

function panelsOf(list: readonly Panel[]): Panel[] {
  return list.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
}

function promtool(): boolean {
  return spawnSync('promtool', ['--version']).status === 0;
}

describe('Grafana dashboard and Prometheus alerts', () => {
  let names: Set<string>;

  before(async () => {
    names = await exportedNames();
  });

  it('reads the metric names from the keeper and relay registries', () => {
    expect(names.has('nex_keeper_rpc_up')).to.equal(true);
    expect(names.has('nex_relay_verify_seconds_bucket')).to.equal(true);
    expect(unknownMetrics(['rate(nex_keeper_no_such_metric_total[5m])'], names)).to.deep.equal([
      'nex_keeper_no_such_metric_total in rate(nex_keeper_no_such_metric_total[5m])',
    ]);
  });

  it('every dashboard panel queries metrics the keeper or the relay exports', () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: Panel[];
      templating: { list: { definition?: string }[] };
    };
    const panels = panelsOf(dash.panels).filter((p) => p.type !== 'row');
    expect(panels.length).to.be.greaterThan(20);
    const exprs: string[] = [];
    for (const p of panels) {
      expect(p.targets ?? [], `panel '${p.title}' has no query`).to.not.be.empty;
      for (const t of p.targets!) {
        expect(metricsIn(t.expr), `panel '${p.title}' queries no NEX metric: ${t.expr}`).to.not.be.empty;
        exprs.push(t.expr);
      }
    }
    for (const v of dash.templating.list) if (v.definition) exprs.push(v.definition);
    expect(unknownMetrics(exprs, names)).to.deep.equal([]);
    // Both services are on the dashboard.
    expect(exprs.some((e) => e.includes('nex_keeper_'))).to.equal(true);
    expect(exprs.some((e) => e.includes('nex_relay_'))).to.equal(true);
  });

  it('every alert rule uses exported metrics, and the required alerts exist', () => {
    const text = readFileSync(ALERTS, 'utf8');
    const exprs = [...text.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!);
    expect(exprs.length).to.be.greaterThan(5);
    expect(unknownMetrics(exprs, names)).to.deep.equal([]);
    const alerts = [...text.matchAll(/^\s+- alert: (\S+)$/gm)].map((m) => m[1]);
    expect(alerts).to.include.members([
      'NexKeeperMissedDeadline',
      'NexKeeperRpcErrors',
      'NexKeeperLowStake',
      'NexKeeperFulfilFailed',
      'NexRelayNotPosting',
    ]);
  });

  it('promtool checks the rules and runs their unit tests', function () {
    if (!promtool()) {
      console.log('    (skipped: promtool is not installed; `apt-get install prometheus` (CI installs it in .ci/run))');
      this.skip();
    }
    expect(execFileSync('promtool', ['check', 'rules', ALERTS], { encoding: 'utf8' })).to.match(/SUCCESS: \d+ rules found/);
    const r = spawnSync('promtool', ['test', 'rules', ALERT_TESTS], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  });
});
