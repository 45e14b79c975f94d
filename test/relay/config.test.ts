// The relay's typed configuration: defaults < JSON file < environment < flags, every problem reported at once.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { loadRelayConfig, OPTIONS, RelayConfigError } from '../../prover/relay/config.js';
import { createRelayLogger } from '../../prover/relay/log.js';
import { redact } from '../../prover/relay/main.js';
import { tempDir } from './helpers/relay.js';

const REQUIRED = { NEX_RELAY_RPC_URL: 'http://127.0.0.1:8545', NEX_RELAY_MARKET_ADDRESS: '0x00000000000000000000000000000000000a11ce' };

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof RelayConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a RelayConfigError');
}

describe('relay configuration', () => {
  it('applies the documented defaults', () => {
    const cwd = tempDir('cfg');
    const c = loadRelayConfig({ env: REQUIRED, cwd });
    expect(c.listen).to.deep.equal({ host: '127.0.0.1', port: 8547, trustProxy: false });
    expect(c.marketAddress).to.equal('0x00000000000000000000000000000000000A11cE');
    expect(c.dataDir).to.equal(join(cwd, '.nex/relay'));
    expect(c.db).to.equal(join(cwd, '.nex/relay/relay.sqlite'));
    expect(c.capacity).to.equal(32);
    expect(c.limits).to.deep.equal({
      bodyLimitBytes: 1_048_576,
      maxStatementsPerRequest: 32,
      ipPerMinute: 120,
      payerPerMinute: 60,
      maxPendingVerifications: 256,
    });
    expect(c.gas.maxFeePerGas).to.equal(200_000_000_000n);
    expect(c.engine).to.deep.equal({ srs: 'dev', buildDir: undefined, threads: undefined });
    expect(c.startBlock).to.equal(0n);
    expect(c.chainId).to.equal(undefined);
  });

  it('reads a JSON file (comments, nested or dotted keys) and lets the environment override it', () => {
    const cwd = tempDir('cfg');
    const file = join(cwd, 'relay.jsonc');
    writeFileSync(
      file,
      `{
        // production relay
        "rpcUrl": "https://rpc.example/v1",
        "marketAddress": "0x00000000000000000000000000000000000000aa",
        "db": "postgres://relay@db.example/relay",
        "limits": { "ipPerMinute": 10, "maxStatementsPerRequest": 16 },
        "gas.maxFeePerGas": "50 gwei",
        "engine": { "srs": "ignition" },
        "capacity": 64,
      }`,
    );
    const c = loadRelayConfig({
      file,
      cwd,
      env: { NEX_RELAY_RATE_IP: '20', NEX_RELAY_CHAIN_ID: '1', NEX_RELAY_START_BLOCK: '123', NEX_RELAY_TRUST_PROXY: 'yes' },
    });
    expect(c.rpcUrl).to.equal('https://rpc.example/v1');
    expect(c.db).to.equal('postgres://relay@db.example/relay');
    expect(c.limits.ipPerMinute).to.equal(20);
    expect(c.limits.maxStatementsPerRequest).to.equal(16);
    expect(c.gas.maxFeePerGas).to.equal(50_000_000_000n);
    expect(c.engine.srs).to.equal('ignition');
    expect(c.capacity).to.equal(64);
    expect(c.chainId).to.equal(1);
    expect(c.startBlock).to.equal(123n);
    expect(c.listen.trustProxy).to.equal(true);
    const viaEnv = loadRelayConfig({ cwd, env: { NEX_RELAY_CONFIG: file } });
    expect(viaEnv.limits.ipPerMinute).to.equal(10);
  });

  it('lists every problem at once: required options, bad values, unknown keys, secrets in the file', () => {
    const cwd = tempDir('cfg');
    const file = join(cwd, 'relay.json');
    writeFileSync(file, JSON.stringify({ privateKey: '0x01', colour: 'blue', capacity: 'many' }));
    const p = problems(() =>
      loadRelayConfig({
        file,
        cwd,
        env: { NEX_RELAY_PORT: '-1', NEX_RELAY_SRS: 'prod', NEX_RELAY_MAX_FEE_PER_GAS: '5 dollars', NEX_RELAY_RPC_URL: 'ftp://x' },
      }),
    );
    expect(p.join('\n')).to.match(/privateKey .*secrets are not accepted/);
    expect(p.join('\n')).to.match(/colour .*unknown option/);
    expect(p.join('\n')).to.match(/capacity .*non-negative integer/);
    expect(p.join('\n')).to.match(/listen.port \(NEX_RELAY_PORT\)/);
    expect(p.join('\n')).to.match(/engine.srs \(NEX_RELAY_SRS\): expected one of dev, ignition/);
    expect(p.join('\n')).to.match(/gas.maxFeePerGas \(NEX_RELAY_MAX_FEE_PER_GAS\)/);
    expect(p.join('\n')).to.match(/rpcUrl \(NEX_RELAY_RPC_URL\): unsupported URL scheme/);
    expect(p.join('\n')).to.match(/marketAddress: required \(NEX_RELAY_MARKET_ADDRESS or --market\)/);
  });

  it('fits the default statements per request, of the largest kind, in the default body limit', () => {
    const c = loadRelayConfig({ env: REQUIRED, cwd: tempDir('cfg') });
    const word = `0x${'ab'.repeat(32)}`;
    const statement = { publicInputs: [word, word, word, word], proof: `0x${'cd'.repeat(14_656)}` };
    const body = {
      payer: `0x${'11'.repeat(20)}`,
      request: {
        programId: word,
        statementsHash: word,
        count: 32,
        feePerProof: '18446744073709551615',
        nonce: '18446744073709551615',
        deadline: 1099511627775,
      },
      signature: `0x${'ee'.repeat(65)}`,
      statements: Array.from({ length: c.limits.maxStatementsPerRequest }, () => statement),
    };
    expect(JSON.stringify(body).length).to.be.below(c.limits.bodyLimitBytes);
  });

  it('checks relations between options', () => {
    const p = problems(() =>
      loadRelayConfig({
        env: {
          ...REQUIRED,
          NEX_RELAY_CAPACITY: '2',
          NEX_RELAY_MAX_STATEMENTS: '40',
          NEX_RELAY_MIN_DEADLINE: '30',
          NEX_RELAY_BUMP_PERCENT: '5',
          NEX_RELAY_DEADLINE_HORIZON: '10',
        },
      }),
    );
    expect(p).to.include('capacity: must be in 4..64');
    expect(p).to.include('limits.maxStatementsPerRequest: must be in 1..capacity (2)');
    expect(p).to.include('minDeadlineSeconds: must be at least twice postMarginSeconds (time to post and to be included)');
    expect(p).to.include('deadlineHorizonSeconds: must exceed minDeadlineSeconds');
    expect(p).to.include('gas.bumpPercent: must be at least 10 (nodes refuse smaller replacements)');
  });

  it('has one environment variable per option, all documented', () => {
    const envs = OPTIONS.map((o) => o.env);
    expect(new Set(envs).size).to.equal(envs.length);
    for (const o of OPTIONS) {
      expect(o.env).to.match(/^NEX_RELAY_[A-Z0-9_]+$/);
      expect(o.doc.length).to.be.greaterThan(10);
    }
  });

  it('never logs more of the RPC URL than its origin (API keys live in paths and queries)', () => {
    const url = 'https://user:pw@eth.example.com/v2/SECRETKEY?key=abc';
    expect(redact(`request to ${url} failed; ${url}`, url)).to.equal('request to https://eth.example.com failed; https://eth.example.com');
    expect(redact('no url here', url)).to.equal('no url here');
  });

  it('scrubs the RPC URL from every log line, also inside logged errors', () => {
    const url = 'https://eth.example.com/v2/SECRETKEY';
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    const log = createRelayLogger({ level: 'info', destination: out, scrub: [{ text: url, by: redact(url, url) }] });
    log.child({ component: 'relay:post' }).warn({ err: new Error(`HTTP request failed. URL: ${url}`) }, `calling ${url}`);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.not.include('SECRETKEY');
    const entry = JSON.parse(lines[0]!) as { msg: string; level: string; component: string; err: { message: string } };
    expect(entry).to.deep.include({ msg: 'calling https://eth.example.com', level: 'warn', component: 'relay:post' });
    expect(entry.err.message).to.equal('HTTP request failed. URL: https://eth.example.com');
  });

  it('takes `nex relay` flags over the environment and the file, and names the flag of a bad value', () => {
    const cwd = tempDir('cfg');
    const file = join(cwd, 'relay.json');
    writeFileSync(file, JSON.stringify({ capacity: 16, posting: true }));
    const c = loadRelayConfig({
      file,
      cwd,
      env: { ...REQUIRED, NEX_RELAY_CAPACITY: '8', NEX_RELAY_PORT: '9000' },
      flags: { capacity: '64', posting: false, 'gas.maxFeePerGas': '3 gwei' },
    });
    expect([c.capacity, c.posting, c.gas.maxFeePerGas, c.listen.port]).to.deep.equal([64, false, 3_000_000_000n, 9000]);
    const p = problems(() => loadRelayConfig({ cwd, env: REQUIRED, flags: { 'listen.port': 'x', nope: '1' } }));
    expect(p).to.deep.equal(['listen.port (--port): expected a non-negative integer, got "x"', 'nope: unknown option']);
    expect(new Set(OPTIONS.map((o) => o.flag)).size).to.equal(OPTIONS.length);
  });

  it('docs/relay.md documents every option with its environment variable, flag and default', () => {
    const doc = readFileSync(new URL('../../docs/relay.md', import.meta.url), 'utf8');
    for (const o of OPTIONS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${o.key}\` | \`${o.env}\` | \`${o.flag}\` |`));
      expect(row, o.key).to.not.equal(undefined);
      if (o.default !== undefined) expect(row).to.include(`\`${o.default}\``);
    }
  });
});
