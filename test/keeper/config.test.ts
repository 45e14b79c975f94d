import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { addressFromDeployments } from '../../prover/keeper/chain/addresses.js';
import { ConfigError } from '../../prover/keeper/config/config.js';
import { deployedVerifierVariant } from '../../prover/keeper/config/deployedVariant.js';
import { loadConfig, parseKeeperFlags } from '../../prover/keeper/config/load.js';
import { OPTIONS } from '../../prover/keeper/config/options.js';
import { Secret } from '../../prover/keeper/config/secret.js';
import { loadSigner } from '../../prover/keeper/config/signer.js';
import { configTemplate } from '../../prover/keeper/config/template.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';

const MARKET = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'nex-keeper-config-'));
}

describe('keeper config', () => {
  it('layers defaults < file < env < flags', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'k.jsonc'),
      `{
      // comment
      "marketAddress": "${MARKET.toLowerCase()}", /* block comment */
      "capacity": 2,
      "gas": { "bumpPercent": 25, "maxFeePerGas": "100 gwei" },
      "rpcUrls": ["http://a:1", "http://b:2"],
    }`,
    );
    const c = loadConfig({
      file: 'k.jsonc',
      cwd: dir,
      env: { NEX_KEEPER_CAPACITY: '3', NEX_KEEPER_MIN_PROFIT: '0.01 ether' },
      flags: parseKeeperFlags(['--capacity', '4', '--listen-only', '--no-slash']).flags,
    });
    expect(c.marketAddress).to.equal(MARKET);
    expect(c.capacity).to.equal(4);
    expect(c.gas.bumpPercent).to.equal(25);
    expect(c.gas.maxFeePerGas).to.equal(100_000_000_000n);
    expect(c.gas.stuckAfterSeconds).to.equal(60);
    expect(c.minProfit).to.equal(10n ** 16n);
    expect(c.rpcUrls).to.deep.equal(['http://a:1', 'http://b:2']);
    expect(c.listenOnly).to.equal(true);
    expect(c.slash).to.equal(false);
    expect(c.dataDir).to.equal(join(dir, '.nex/keeper'));
  });

  it('reports every problem at once with the option and its source', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'k.jsonc'), '{ "capacity": 0, "gas": { "bumpPercent": 5 }, "typo": 1, "rpcUrls": ["ftp://x"] }');
    let err: unknown;
    try {
      loadConfig({ file: 'k.jsonc', cwd: dir, env: { NEX_KEEPER_MAX_LOG_RANGE: 'lots' } });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).to.include('typo');
    expect(msg).to.include('unknown option');
    expect(msg).to.include('maxLogRange (NEX_KEEPER_MAX_LOG_RANGE): expected a non-negative integer');
    expect(msg).to.include('capacity: must be at least 1');
    expect(msg).to.include('gas.bumpPercent: must be at least 10');
    expect(msg).to.include('unsupported URL scheme ftp:');
  });

  it('distributed proving: the queue URL is checked at start-up and the queue name needs it', () => {
    const c = loadConfig({ cwd: tmp(), env: { NEX_KEEPER_QUEUE_URL: 'redis://:pw@10.0.0.2:6379', NEX_KEEPER_QUEUE_NAME: 'batches' } });
    expect(c.engine).to.include({ queueUrl: 'redis://:pw@10.0.0.2:6379', queueName: 'batches' });
    expect(loadConfig({ cwd: tmp(), env: {} }).engine).to.include({ queueUrl: undefined, queueName: 'prove' });
    const problems = (env: Record<string, string>): string => {
      try {
        loadConfig({ cwd: tmp(), env });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(problems({ NEX_KEEPER_QUEUE_URL: 'http://10.0.0.2:6379' })).to.include(
      'engine.queueUrl: queue.url must use redis:// or rediss://',
    );
    expect(problems({ NEX_KEEPER_QUEUE_URL: 'redis://:pw@h:1', NEX_KEEPER_QUEUE_NAME: 'a:b' })).to.include(
      'engine.queueName: queue.name "a:b" must be',
    );
    expect(problems({ NEX_KEEPER_QUEUE_NAME: 'other' })).to.include('engine.queueName: set engine.queueUrl too');
    // The password never shows in an error.
    expect(problems({ NEX_KEEPER_QUEUE_URL: 'ftp://user:hunter2@h:1' })).not.to.include('hunter2');
  });

  it('names the line of a JSON syntax error', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'k.jsonc'), '{\n  "capacity": 2\n  "seal": true\n}');
    expect(() => loadConfig({ file: 'k.jsonc', cwd: dir, env: {} })).to.throw(/k\.jsonc:3:/);
  });

  it('refuses a private key in the config file without echoing it', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'k.jsonc'), `{ "marketAddress": "${MARKET}", "privateKey": "${KEY}" }`);
    let msg = '';
    try {
      loadConfig({ file: 'k.jsonc', cwd: dir, env: {} });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.include('secrets are not accepted in the config file');
    expect(msg).not.to.include(KEY.slice(2, 20));
  });

  it('never prints the private key: errors, Secret, logs', async () => {
    const bad = `${KEY.slice(0, 60)}zz`;
    let msg = '';
    try {
      await loadSigner({}, { NEX_KEEPER_PRIVATE_KEY: bad });
    } catch (e) {
      msg = `${(e as Error).message} ${inspect(e)}`;
    }
    expect(msg).to.include('NEX_KEEPER_PRIVATE_KEY: expected 32 bytes of hex');
    expect(msg).not.to.include(KEY.slice(2, 20));

    const signer = await loadSigner({}, { NEX_KEEPER_PRIVATE_KEY: KEY });
    expect(signer.account.address).to.equal('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect(String(signer.key)).to.equal('[redacted]');
    expect(JSON.stringify({ k: signer.key })).to.equal('{"k":"[redacted]"}');
    expect(inspect(signer)).not.to.include(KEY.slice(2, 20));

    const lines: string[] = [];
    const log = createLogger({ level: 'debug', format: 'json', secrets: [signer.key.reveal()], write: (l) => lines.push(l) });
    log.info('oops', { key: KEY, nested: { raw: KEY.slice(2) }, error: new Error(`bad key ${KEY}`) });
    log.child('tx').warn(`message with ${KEY}`);
    const out = lines.join('\n');
    expect(lines).to.have.length(2);
    expect(out).not.to.include(KEY.slice(2, 20));
    expect(out).to.include('[redacted]');
    const first = JSON.parse(lines[0]!) as { component: string; level: string; msg: string };
    expect(first).to.include({ component: 'keeper', level: 'info', msg: 'oops' });
  });

  it('requires a key source', async () => {
    let msg = '';
    try {
      await loadSigner({}, {});
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.include('no signing key');
  });

  it('init template lists every option and loads back as the defaults', () => {
    const dir = tmp();
    const text = configTemplate({ marketAddress: MARKET });
    for (const o of OPTIONS) expect(text, o.key).to.include(`"${o.key.split('.').at(-1)}"`);
    writeFileSync(join(dir, 'k.jsonc'), text);
    const c = loadConfig({ file: 'k.jsonc', cwd: dir, env: {} });
    expect(c.marketAddress).to.equal(MARKET);
    expect(c.capacity).to.equal(1);
    expect(c.gas.verifyGas).to.equal(1_100_000);
  });

  it('docs/operator.md documents every option (key, env, flag)', () => {
    const doc = readFileSync('docs/operator.md', 'utf8');
    for (const o of OPTIONS) {
      expect(doc, o.key).to.include(`| \`${o.key}\` | \`${o.env}\` | \`${o.flag}\` |`);
    }
  });

  it('finds addresses in deployments files of every supported shape', () => {
    const m = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    expect(
      addressFromDeployments(
        { format: 1, chainId: 31337, contracts: { AggregationMarket: { address: m.toLowerCase(), abi: [] } } },
        'AggregationMarket',
      ),
    ).to.equal(m);
    expect(addressFromDeployments({ 'NexModule#AggregationMarket': m }, 'AggregationMarket')).to.equal(m);
    expect(addressFromDeployments({ AggregationMarket: m }, 'AggregationMarket')).to.equal(m);
    expect(addressFromDeployments({ contracts: { ProverStaking: { address: m } } }, 'AggregationMarket')).to.equal(undefined);
  });

  it('parses flags and reports unknown ones', () => {
    const p = parseKeeperFlags(['run', '--config=x.jsonc', '--rpc-url', 'http://h:1,http://h:2', '--bogus', '--listen-only']);
    expect(p.configFile).to.equal('x.jsonc');
    expect(p.positionals).to.deep.equal(['run']);
    expect(p.unknown).to.deep.equal(['--bogus']);
    expect(p.flags).to.deep.equal({ rpcUrls: 'http://h:1,http://h:2', listenOnly: true });
    const s = new Secret('x');
    expect(`${s}`).to.equal('[redacted]');
  });

  it("reads the deployed verifier variant for the keeper's market from the deployments file", () => {
    const dir = tmp();
    const m = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    const file = join(dir, '31337.json');
    const write = (verifier: unknown, market = m.toLowerCase()): void =>
      writeFileSync(
        file,
        JSON.stringify({ format: 1, chainId: 31337, contracts: { AggregationMarket: { address: market, abi: [] } }, verifier }),
      );
    write({ version: 1, variant: 'optimized', keyHashes: [] });
    expect(deployedVerifierVariant(file, m)).to.equal('optimized');
    write({ version: 1, variant: 'standard', keyHashes: [] });
    expect(deployedVerifierVariant(file, m)).to.equal('standard');
    // Written before the variant was recorded (those deployments are standard; the check assumes so).
    write({ version: 1, keyHashes: [] });
    expect(deployedVerifierVariant(file, m)).to.equal(undefined);
    // Another market's file, no file, or an unreadable one: nothing to check against.
    write({ version: 1, variant: 'standard', keyHashes: [] }, '0x0000000000000000000000000000000000000001');
    expect(deployedVerifierVariant(file, m)).to.equal(null);
    expect(deployedVerifierVariant(join(dir, 'none.json'), m)).to.equal(null);
    writeFileSync(file, '{ not json');
    expect(deployedVerifierVariant(file, m)).to.equal(null);
  });
});
