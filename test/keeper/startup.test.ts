// The keeper's version-2 settings (srs, relays, blob source, fetch time limit, release) in file, env and
// flags, and its start-up refusals (#10 item 14): circuits whose key set the router does not pin, the
// development SRS on a non-local chain. The Ignition CRS itself cannot be downloaded here: the wiring
// and the refusals are what is tested.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { ConfigError } from '../../prover/keeper/config/config.js';
import { loadConfig, parseKeeperFlags } from '../../prover/keeper/config/load.js';
import { configTemplate } from '../../prover/keeper/config/template.js';
import { assertStartup, startupRefusals } from '../../prover/keeper/daemon/startupChecks.js';

const KEY_SET: Hex = `0x${'5e'.repeat(32)}`;
const OTHER_SET: Hex = `0x${'77'.repeat(32)}`;

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('keeper: version-2 settings and start-up refusals', () => {
  it('reads srs, relays, blobSource, fetchTimeoutMs and release from file < env < flags, with their defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nex-keeper-startup-'));
    const d = loadConfig({ cwd: dir, env: {} });
    expect(d.srs).to.equal('dev');
    expect(d.relays).to.deep.equal([]);
    expect(d.blobSource).to.deep.equal({ kind: 'none' });
    expect(d.fetchTimeoutMs).to.equal(10_000);
    expect(d.release).to.equal(false);
    writeFileSync(
      join(dir, 'k.jsonc'),
      '{ "srs": "ignition", "relays": ["http://relay-a:8080"], "blobSource": "anvil", "fetchTimeoutMs": 3000 }',
    );
    const c = loadConfig({
      file: 'k.jsonc',
      cwd: dir,
      env: { NEX_KEEPER_RELAYS: 'http://relay-b:1,http://relay-c:2' },
      flags: parseKeeperFlags(['--blob-source', 'http://beacon:5052', '--release']).flags,
    });
    expect(c.srs).to.equal('ignition');
    expect(c.relays).to.deep.equal(['http://relay-b:1', 'http://relay-c:2']); // env over file
    expect(c.blobSource).to.deep.equal({ kind: 'beacon', url: 'http://beacon:5052' });
    expect(c.fetchTimeoutMs).to.equal(3000);
    expect(c.release).to.equal(true);
    // The template `nex keeper init` writes loads as the defaults (relays unset, not an empty list).
    writeFileSync(join(dir, 't.jsonc'), configTemplate());
    expect(loadConfig({ file: 't.jsonc', cwd: dir, env: {} }).relays).to.deep.equal([]);
  });

  it('rejects an unknown srs, a blob source that is not none/anvil/a URL, and a tiny time limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nex-keeper-startup-'));
    const p = problemsOf(() =>
      loadConfig({ cwd: dir, env: { NEX_KEEPER_SRS: 'trusted', NEX_KEEPER_BLOB_SOURCE: 'beacon', NEX_KEEPER_FETCH_TIMEOUT_MS: '5' } }),
    );
    expect(p).to.have.length(3);
    expect(p[0]).to.match(/^srs: expected dev or ignition, got "trusted"/);
    expect(p[1]).to.match(/^blobSource: expected none, anvil or a beacon node's http\(s\) URL, got "beacon"/);
    expect(p[2]).to.match(/^fetchTimeoutMs: must be at least 100/);
  });

  it('refuses the development SRS on a non-local chain, naming the fix', () => {
    const facts = { chainId: 1, srs: 'dev', local: { keySet: KEY_SET, srs: 'dev' }, pinned: { version: 1, keySet: KEY_SET } } as const;
    const p = startupRefusals(facts);
    expect(p).to.have.length(1);
    expect(p[0]).to.match(
      /development SRS is for local devnets .* not chain 1: set srs to ignition \(NEX_KEEPER_SRS=ignition or --srs ignition\)/,
    );
    expect(startupRefusals({ ...facts, chainId: 31337 })).to.deep.equal([]);
    expect(startupRefusals({ ...facts, chainId: 1, srs: 'ignition', local: { keySet: KEY_SET, srs: 'ignition' } })).to.deep.equal([]);
  });

  it("refuses circuits whose key set differs from the router's pinned key set for the current version", () => {
    const facts = {
      chainId: 31337,
      srs: 'dev',
      local: { keySet: OTHER_SET, srs: 'dev' },
      pinned: { version: 3, keySet: KEY_SET },
    } as const;
    const p = problemsOf(() => assertStartup(facts));
    expect(p).to.have.length(1);
    expect(p[0]).to.include(`key set ${OTHER_SET} differs from the key set ${KEY_SET} the router pins for version 3`);
    expect(p[0]).to.match(/npm run circuits/);
    // Case does not matter (the router returns checksummed-looking hex, the manifest lower case).
    expect(() =>
      assertStartup({ ...facts, local: { keySet: KEY_SET.toUpperCase().replace('0X', '0x') as Hex, srs: 'dev' } }),
    ).to.not.throw();
  });

  it('refuses an engine that opened another SRS than the configured one', () => {
    const p = startupRefusals({
      chainId: 31337,
      srs: 'ignition',
      local: { keySet: KEY_SET, srs: 'dev' },
      pinned: { version: 1, keySet: KEY_SET },
    });
    expect(p).to.deep.equal(['srs: configured ignition but the engine opened the dev SRS']);
  });
});
