// The explorer's configuration: defaults < environment < flags, a deployments file for the market, chain id
// and start block, every problem reported at once, and docs/explorer.md's option table in step with OPTIONS.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAddress } from 'viem';
import { ExplorerConfigError, EXPLORER_OPTIONS, loadExplorerConfig } from '../../prover/explorer/index.js';

const MARKET = '0x00000000000000000000000000000000000000aA';

function problems(f: () => unknown): readonly string[] {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(ExplorerConfigError);
    return (err as ExplorerConfigError).problems;
  }
  throw new Error('no error');
}

describe('explorer configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nex-explorer-config-'));
  const file = join(dir, '31337.json');
  writeFileSync(
    file,
    JSON.stringify({ chainId: 31337, startBlock: '12', contracts: { AggregationMarket: { address: MARKET.toLowerCase() } } }),
  );

  it('loads defaults, then the environment, then flags; the market from a deployments file', () => {
    const c = loadExplorerConfig({
      env: { NEX_EXPLORER_PORT: '9000', NEX_EXPLORER_POLL_INTERVAL_MS: '500' },
      flags: { deployments: file, 'listen.port': '0' },
    });
    expect(c.listen).to.deep.equal({ host: '127.0.0.1', port: 0 });
    expect(c.pollIntervalMs).to.equal(500);
    expect(c.market).to.equal(getAddress(MARKET));
    expect(c.chainId).to.equal(31337);
    expect(c.startBlock).to.equal(12n);
    expect(c.rpcUrl).to.equal('http://127.0.0.1:8545');
    expect(c.relayUrl).to.equal(undefined);
    const o = loadExplorerConfig({
      env: {},
      cwd: dir,
      flags: { deployments: '31337.json', startBlock: '3', relayUrl: 'http://relay:8080/' },
    });
    expect(o.startBlock).to.equal(3n);
    expect(o.relayUrl).to.equal('http://relay:8080');
  });

  it('reports every problem at once', () => {
    expect(problems(() => loadExplorerConfig({ env: {} }))).to.deep.equal([
      'market: required (--market or NEX_EXPLORER_MARKET, or a deployments file with --deployments)',
    ]);
    const p = problems(() =>
      loadExplorerConfig({
        env: { NEX_EXPLORER_RPC_URL: 'ftp://x', NEX_EXPLORER_LOG_LEVEL: 'loud' },
        flags: { market: '0x12', 'listen.port': '70000', pollIntervalMs: '5', nope: '1' },
      }),
    );
    expect(p).to.deep.equal([
      "rpcUrl (NEX_EXPLORER_RPC_URL): must be an http(s) URL, got 'ftp://x'",
      "log.level (NEX_EXPLORER_LOG_LEVEL): must be one of debug, info, warn, error, silent, got 'loud'",
      "market (--market): must be a 20-byte 0x address, got '0x12'",
      'nope: unknown option',
      'listen.port: must be at most 65535, got 70000',
      'pollIntervalMs: must be at least 100',
    ]);
    const missing = problems(() => loadExplorerConfig({ env: {}, flags: { deployments: join(dir, 'none.json') } }));
    expect(missing).to.have.length(1);
    expect(missing[0]).to.match(/^deployments: cannot read .*none\.json/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ chainId: 1, contracts: {} }));
    expect(problems(() => loadExplorerConfig({ env: {}, flags: { deployments: join(dir, 'bad.json') } }))[0]).to.match(
      /contracts\.AggregationMarket\.address is missing/,
    );
  });

  it('docs/explorer.md documents every option with its environment variable, flag and default', () => {
    const doc = readFileSync(new URL('../../docs/explorer.md', import.meta.url), 'utf8');
    for (const o of EXPLORER_OPTIONS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${o.key}\``));
      expect(row, o.key).to.not.equal(undefined);
      expect(
        row!
          .split('|')
          .map((c) => c.trim())
          .slice(1, 4),
        o.key,
      ).to.deep.equal([`\`${o.key}\``, `\`${o.env}\``, `\`${o.flag}\``]);
      if (o.default !== undefined) expect(row).to.include(`\`${o.default}\``);
    }
    expect(new Set(EXPLORER_OPTIONS.map((o) => o.flag)).size).to.equal(EXPLORER_OPTIONS.length);
  });
});
