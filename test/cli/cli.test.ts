// The `nex` CLI on commander: help on every command and group, group listings, suggestions, exit codes,
// keeper and relay options derived from their options tables, and lazy loading (no SQLite warning unless a
// keeper or relay command runs). `nex relay` running against a devnet is test/cli/relay.test.ts. In-process through main(), plus a few real processes through bin.mjs.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../prover/cli/main.js';
import { OPTIONS } from '../../prover/keeper/config/options.js';
import { OPTIONS as RELAY_OPTIONS } from '../../prover/relay/config.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** main() in-process; what commands print with console.log (their results) is captured into `out` too. */
async function nex(argv: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const log = console.log;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  try {
    const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) }, env);
    return { code, out, err };
  } finally {
    console.log = log;
  }
}

/** `nex` as a user runs it: node prover/cli/bin.mjs (tsx), in its own process. */
function nexProcess(argv: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'prover', 'cli', 'bin.mjs'), ...argv], {
      env: { ...process.env, NEX_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.once('error', reject);
    p.once('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const GROUPS: Record<string, string[]> = {
  rollup: ['register', 'submit', 'deposit', 'withdraw', 'status', 'wait', 'verified', 'fee'],
  keeper: ['init', 'stake', 'unstake', 'withdraw', 'claim', 'status', 'run'],
  prove: ['example'],
  srs: ['setup', 'info'],
  circuits: ['build'],
};
const SINGLE = ['devnet', 'deploy', 'relay', 'explorer', 'aggregate', 'verify', 'worker'];
const ALL_PATHS = [...SINGLE, ...Object.entries(GROUPS).flatMap(([g, subs]) => [g, ...subs.map((s) => `${g} ${s}`)])];

/** The command names a help text lists under "Commands:". */
function listed(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
}

describe('nex CLI (commander)', function () {
  this.timeout(120_000);

  it('lists the top-level commands with `nex`, `nex --help`, `nex -h` and `nex help`, exit 0', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const r = await nex(argv);
      expect(r.code, argv.join(' ')).to.equal(0);
      expect(r.err, argv.join(' ')).to.equal('');
      expect(r.out).to.match(/^Usage: nex \[options\] \[command\]/);
      expect(listed(r.out)).to.have.members(['help', ...SINGLE, ...Object.keys(GROUPS)]);
    }
  });

  it('answers --help and -h on every command and group with its usage, exit 0', async () => {
    for (const path of ALL_PATHS) {
      for (const flag of ['--help', '-h']) {
        const r = await nex([...path.split(' '), flag]);
        expect(r.code, `${path} ${flag}: ${r.err}`).to.equal(0);
        expect(r.out, `${path} ${flag}`).to.match(new RegExp(`^Usage: nex ${path} `));
        expect(r.out, `${path} ${flag}`).to.match(/^Options:$/m);
      }
    }
  });

  it('a group alone lists its subcommands (stdout, exit 0), as do `nex help <group>` and `<group> --help`', async () => {
    for (const [group, subs] of Object.entries(GROUPS)) {
      const alone = await nex([group]);
      expect(alone.code, group).to.equal(0);
      expect(alone.err, group).to.equal('');
      expect(listed(alone.out)).to.have.members([...subs, 'help']);
      expect((await nex(['help', group])).out).to.equal(alone.out);
      expect((await nex([group, '--help'])).out).to.equal(alone.out);
    }
  });

  it('`nex help <path...>` and `nex <group> help <sub>` show the same help as `<path> --help`', async () => {
    const direct = await nex(['keeper', 'run', '--help']);
    expect(direct.out).to.match(/^Usage: nex keeper run \[options\]/);
    for (const argv of [
      ['help', 'keeper', 'run'],
      ['keeper', 'help', 'run'],
    ]) {
      const r = await nex(argv);
      expect(r.code, argv.join(' ')).to.equal(0);
      expect(r.out, argv.join(' ')).to.equal(direct.out);
    }
    expect((await nex(['help', 'rollup', 'fee'])).out).to.equal((await nex(['rollup', 'fee', '-h'])).out);
  });

  it('suggests the closest command on a typo and exits 2 with the usage', async () => {
    const cases: [string[], RegExp][] = [
      [['kepeer'], /error: unknown command 'kepeer'\n\(Did you mean keeper\?\)/],
      [['rollup', 'fe'], /error: unknown command 'fe'\n\(Did you mean fee\?\)/],
      [['keeper', 'stak', '1'], /error: unknown command 'stak'\n\(Did you mean stake\?\)/],
      [['help', 'kepeer'], /error: unknown command 'kepeer'\n\(Did you mean keeper\?\)/],
      [['help', 'keeper', 'runn'], /error: unknown command 'runn'\n\(Did you mean run\?\)/],
    ];
    for (const [argv, msg] of cases) {
      const r = await nex(argv);
      expect(r.code, argv.join(' ')).to.equal(2);
      expect(r.err, argv.join(' ')).to.match(msg);
      expect(r.err, argv.join(' ')).to.match(/Usage: nex /);
      expect(r.out).to.equal('');
    }
  });

  it('exits 2 with the command usage on a wrong option, a missing argument or a bad value', async () => {
    const cases: [string[], RegExp, string][] = [
      [['rollup', 'fee', '--bogus'], /error: unknown option '--bogus'/, 'Usage: nex rollup fee [options]'],
      [['rollup', 'wait'], /error: missing required argument 'submissionId'/, 'Usage: nex rollup wait [options] <submissionId>'],
      [['rollup', 'wait', '1', '2'], /error: too many arguments for 'wait'/, 'Usage: nex rollup wait'],
      [['rollup', 'fee', '--account', 'x'], /--account: an index in 0\.\.19/, 'Usage: nex rollup fee'],
      [['rollup', 'register'], /error: --vk, --vk-hash and --public-inputs are required/, 'Usage: nex rollup register'],
      [['srs', 'setup', '--log2', 'x'], /--log2 must be a non-negative integer, got x/, 'Usage: nex srs setup'],
      [['circuits', 'build', '--srs', 'mainnet'], /Allowed choices are dev, ignition/, 'Usage: nex circuits build'],
      [['devnet', '--port', '70000'], /--port: not a port number: 70000/, 'Usage: nex devnet'],
      [['keeper', 'stake'], /error: missing required argument 'amount'/, 'Usage: nex keeper stake [options] <amount>'],
      [['keeper', 'run', '--bogus'], /error: unknown option '--bogus'/, 'Usage: nex keeper run'],
      [['keeper', 'run', 'extra'], /error: too many arguments for 'run'/, 'Usage: nex keeper run'],
      [['worker'], /error: required option '--queue <url>' not specified/, 'Usage: nex worker'],
      [['worker', '--queue', 'redis://h', '--threads', '0'], /--threads/, 'Usage: nex worker'],
      [
        ['aggregate', '--queue-name', 'q', '--batch', 'b.json', '--prover', `0x${'11'.repeat(20)}`, '--out', 'o.json'],
        /--queue-name needs --queue/,
        'Usage: nex aggregate',
      ],
    ];
    for (const [argv, msg, usage] of cases) {
      const r = await nex(argv);
      expect(r.code, `${argv.join(' ')}: ${r.err}`).to.equal(2);
      expect(r.err, argv.join(' ')).to.match(msg);
      expect(r.err, argv.join(' ')).to.include(usage);
    }
  });

  it('a failure exits 1 with one line `nex <command>: <message>`; NEX_DEBUG=1 adds the stack', async () => {
    const rpc = `http://127.0.0.1:${await closedPort()}`;
    const r = await nex(['rollup', 'fee', '--rpc-url', rpc]);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/^nex rollup fee: HTTP request failed\. \(fetch failed\)\n$/);
    const debug = await nex(['rollup', 'fee', '--rpc-url', rpc], { NEX_DEBUG: '1' });
    expect(debug.code).to.equal(1);
    expect(debug.err.split('\n')[0]).to.equal('nex rollup fee: HTTP request failed. (fetch failed)');
    expect(debug.err).to.match(/\n\s+at /);
  });

  it('`nex worker` fails fast, exit 1, when its queue server is unreachable, with the password redacted', async () => {
    const r = await nex(['worker', '--no-build', '--queue', `redis://:hunter2@127.0.0.1:${await closedPort()}`]);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/^nex worker: cannot use the queue server redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: .*ECONNREFUSED/);
    expect(r.err).not.to.include('hunter2');
  });

  it('keeper options come from the keeper options table: every flag with its env variable, --no-<flag> for bools', async () => {
    const help = (await nex(['keeper', 'run', '--help'])).out.replace(/\s+/g, ' ');
    for (const o of OPTIONS) {
      expect(help, o.key).to.include(` ${o.flag}`);
      expect(help, o.key).to.include(`env: ${o.env}`);
    }
    for (const o of OPTIONS.filter((x) => x.kind === 'bool' && x.default === true))
      expect(help, o.key).to.include(`--no-${o.flag.slice(2)} `);

    const dir = mkdtempSync(join(tmpdir(), 'nex-cli-'));
    const file = join(dir, 'k.jsonc');
    const init = await nex(['keeper', 'init', file, '--no-seal', '--listen-only', '--capacity', '3', '--rpc-url', 'http://a:1,http://b:2']);
    expect(init.code, init.err).to.equal(0);
    expect(init.out).to.include(`wrote ${file}`);
    const text = readFileSync(file, 'utf8');
    expect(text).to.match(/"seal": false/);
    expect(text).to.match(/"listenOnly": true/);
    expect(text).to.match(/"capacity": 3/);
    expect(text).to.match(/"rpcUrls": \["http:\/\/a:1","http:\/\/b:2"\]/);
    expect(text).to.match(/"slash": true/); // untouched options keep their defaults
    const again = await nex(['keeper', 'init', file]);
    expect(again.code).to.equal(1);
    expect(again.err).to.match(/^nex keeper init: .*k\.jsonc exists \(use --force to overwrite\)\n$/);
  });

  it('keeper flags reach the config loader as flags, environment values as environment', async () => {
    const saved = process.env.NEX_KEEPER_BUMP_PERCENT;
    try {
      const flag = await nex(['keeper', 'status', '--bump-percent', 'x']);
      expect(flag.code).to.equal(1);
      expect(flag.err).to.include('gas.bumpPercent (--bump-percent): expected a non-negative integer');
      process.env.NEX_KEEPER_BUMP_PERCENT = 'y';
      const env = await nex(['keeper', 'status']);
      expect(env.code).to.equal(1);
      expect(env.err).to.include('gas.bumpPercent (NEX_KEEPER_BUMP_PERCENT): expected a non-negative integer, got "y"');
      expect(env.err).not.to.include('(--bump-percent)');
    } finally {
      if (saved === undefined) delete process.env.NEX_KEEPER_BUMP_PERCENT;
      else process.env.NEX_KEEPER_BUMP_PERCENT = saved;
    }
  });

  it('relay options come from the relay options table: every flag with its env variable, --no-<flag> for bools', async () => {
    const r = await nex(['relay', '--help']);
    expect(r.code).to.equal(0);
    const help = r.out.replace(/\s+/g, ' ');
    for (const o of RELAY_OPTIONS) {
      const shown = o.kind === 'bool' && o.default === 'true' ? `--no-${o.flag.slice(2)}` : o.flag;
      expect(help, o.key).to.include(` ${shown}`);
      if (shown === o.flag) expect(help, o.key).to.include(`env: ${o.env}`);
    }
    expect(help).to.include('--config <file>');
    expect(help).to.include('NEX_RELAY_PRIVATE_KEY');
  });

  it('`nex relay` exits 2 with the problems and the usage on a configuration it cannot run', async () => {
    const saved = Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => k.startsWith('NEX_RELAY_'))
        .map((k) => [k, process.env[k]]),
    );
    for (const k of Object.keys(saved)) delete process.env[k];
    try {
      const missing = await nex(['relay']);
      expect(missing.code).to.equal(2);
      expect(missing.err).to.match(/rpcUrl: required \(NEX_RELAY_RPC_URL or --rpc-url\)/);
      expect(missing.err).to.match(/marketAddress: required \(NEX_RELAY_MARKET_ADDRESS or --market\)/);
      expect(missing.err).to.include('Usage: nex relay [options]');
      const required = ['--rpc-url', 'http://127.0.0.1:1', '--market', '0x00000000000000000000000000000000000000aa'];
      const bad = await nex(['relay', ...required, '--port', 'x', '--bump-percent', 'y']);
      expect(bad.code).to.equal(2);
      expect(bad.err).to.include('listen.port (--port): expected a non-negative integer, got "x"');
      expect(bad.err).to.include('gas.bumpPercent (--bump-percent): expected a non-negative integer, got "y"');
      const small = await nex(['relay', ...required, '--capacity', '3']);
      expect(small.code).to.equal(2);
      expect(small.err).to.include('capacity: must be in 4..64');
      process.env.NEX_RELAY_CAPACITY = '5';
      const env = await nex(['relay', ...required, '--max-statements', '6']);
      expect(env.code).to.equal(2);
      expect(env.err).to.include('limits.maxStatementsPerRequest: must be in 1..capacity (5)');
      const choice = await nex(['relay', '--srs', 'mainnet']);
      expect(choice.code).to.equal(2);
      expect(choice.err).to.match(/Allowed choices are dev, ignition/);
    } finally {
      for (const k of Object.keys(process.env).filter((x) => x.startsWith('NEX_RELAY_'))) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('as a process: exit codes, and only keeper commands load the keeper (no SQLite warning otherwise)', async () => {
    const rpc = `http://127.0.0.1:${await closedPort()}`;
    const quiet = [
      ['--help'],
      ['--version'],
      ['help'],
      ['rollup', '--help'],
      ['rollup', 'fee', '--help'],
      ['rollup', 'fee', '--rpc-url', rpc],
      ['keeper'],
      ['kepeer'],
    ];
    const runs = await Promise.all([...quiet, ['keeper', 'run', '--help']].map((argv) => nexProcess(argv)));
    const byArgs = new Map(runs.map((r, i) => [[...quiet, ['keeper', 'run', '--help']][i]!.join(' '), r]));
    for (const argv of quiet) {
      const r = byArgs.get(argv.join(' '))!;
      expect(r.err, argv.join(' ')).not.to.match(/ExperimentalWarning|SQLite/);
    }
    expect(byArgs.get('--help')!.code).to.equal(0);
    expect(byArgs.get('--version')!.code).to.equal(0);
    expect(byArgs.get('--version')!.out.trim()).to.equal((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
    expect(byArgs.get('rollup fee --help')!.code).to.equal(0);
    expect(byArgs.get(`rollup fee --rpc-url ${rpc}`)!.code).to.equal(1);
    expect(byArgs.get('keeper')!.code).to.equal(0);
    expect(byArgs.get('keeper')!.out).to.match(/^Usage: nex keeper/);
    expect(byArgs.get('kepeer')!.code).to.equal(2);
    expect(byArgs.get('kepeer')!.err).to.include('(Did you mean keeper?)');
    // Control: the keeper's help does load the keeper, so the check above would see the warning where
    // this Node prints it (node:sqlite is experimental in Node 22).
    const keeperHelp = byArgs.get('keeper run --help')!;
    expect(keeperHelp.code).to.equal(0);
    const nodeWarns = await new Promise<boolean>((resolve) => {
      const p = spawn(process.execPath, ['-e', "require('node:sqlite')"], { stdio: ['ignore', 'ignore', 'pipe'] });
      let e = '';
      p.stderr.on('data', (c: Buffer) => (e += c.toString()));
      p.once('close', () => resolve(/SQLite/.test(e)));
    });
    if (nodeWarns) expect(keeperHelp.err).to.match(/SQLite is an experimental feature/);
  });
});
