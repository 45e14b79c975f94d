import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { batchFromJson, batchToJson, BatchError, excludeSlots, excludedMask, type Batch } from '../../prover/engine/batch.js';
import { ConfigError, DEFAULT_CHECKPOINT_DIR, resolveAggregateOptions, resolveBackend } from '../../prover/engine/config.js';
import { DEFAULT_RETRY_POLICY } from '../../prover/engine/backendHandle.js';
import { aggProofFromJson, aggProofToJson } from '../../prover/engine/serialize.js';
import { jsonLogger } from '../../prover/engine/logger.js';
import { loadBatchFile } from '../../prover/cli/commands/prove.js';
import { rollupToJson } from '../../prover/engine/batch.js';
import { main } from '../../prover/cli/main.js';
import { batchFromMask, PROVER, randomRollup, rng } from './engineHelpers.js';

describe('engine config, batch files and CLI arguments', () => {
  const batch = batchFromMask(rng(1), 4, 0b0101n);

  it('resolves defaults: parallelism 1, autoExclude on, default checkpoint dir, lower-case prover', () => {
    const o = resolveAggregateOptions({ batch, prover: '0x00000000000000000000000000000000000A11CE' });
    expect(o.parallelism).to.equal(1);
    expect(o.autoExclude).to.equal(true);
    expect(o.checkpointDir).to.equal(DEFAULT_CHECKPOINT_DIR);
    expect(o.prover).to.equal(PROVER);
    expect(o.backend).to.deep.equal({});
    expect(o.retry).to.deep.equal(DEFAULT_RETRY_POLICY);
  });

  it('passes every backend option through, the SRS choice included (it was dropped before: issue 10 item 14)', () => {
    const backend = { buildDir: '/b', srs: 'ignition' as const, srsDir: '/s', threads: 2 };
    expect(resolveAggregateOptions({ batch, prover: PROVER, backend }).backend).to.deep.equal(backend);
    expect(resolveBackend({ srs: 'dev' })).to.deep.equal({ buildDir: undefined, srs: 'dev', srsDir: undefined, threads: undefined });
    expect(resolveAggregateOptions({ batch, prover: PROVER, retry: { attempts: 5 } }).retry).to.deep.equal({
      ...DEFAULT_RETRY_POLICY,
      attempts: 5,
    });
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a bad prover', { prover: '0x1234' }, /prover must be a 0x-prefixed 20-byte address/],
    ['parallelism 0', { parallelism: 0 }, /parallelism must be an integer in 1\.\.16, got 0/],
    ['fractional parallelism', { parallelism: 1.5 }, /parallelism must be an integer/],
    ['an empty checkpoint dir', { checkpointDir: '' }, /checkpointDir must be a non-empty path/],
    ['a non-boolean autoExclude', { autoExclude: 'yes' }, /autoExclude must be a boolean/],
    ['bb threads 0', { backend: { threads: 0 } }, /backend\.threads must be an integer >= 1/],
    ['an empty build dir', { backend: { buildDir: '' } }, /backend\.buildDir must be a non-empty path/],
    ['a bad capacity', { batch: { capacity: 6, slots: [] } }, /capacity must be a power of two in 4\.\.64, got 6/],
    ['an unknown SRS', { backend: { srs: 'mainnet' } }, /backend\.srs must be 'dev' or 'ignition', got "mainnet"/],
    ['zero retry attempts', { retry: { attempts: 0 } }, /retry\.attempts must be an integer in 1\.\.10/],
    ['a negative retry delay', { retry: { delayMs: -1 } }, /retry\.delayMs must be an integer >= 0/],
    ['a non-function onProgress', { onProgress: 3 }, /onProgress must be a function/],
  ];
  for (const [name, patch, msg] of bad) {
    it(`rejects ${name} with a ConfigError`, () => {
      expect(() => resolveAggregateOptions({ batch, prover: PROVER, ...patch } as never)).to.throw(ConfigError, msg);
    });
  }

  it('round-trips batches and aggregation proofs through JSON', () => {
    const b = batchFromMask(rng(2), 8, 0b10010110n);
    const back = batchFromJson(JSON.parse(JSON.stringify(batchToJson(b))));
    expect(back).to.deep.equal(b);
    const p = {
      circuit: 'node' as const,
      target: 'evm-no-zk' as const,
      proof: Uint8Array.from([1, 2, 3]),
      root: `0x${'ab'.repeat(32)}` as const,
      publicInputs: [`0x${'01'.repeat(32)}` as const],
    };
    expect(aggProofFromJson(JSON.parse(JSON.stringify(aggProofToJson(p))))).to.deep.equal(p);
    expect(() => aggProofFromJson({ ...aggProofToJson(p), circuit: 'leaf1' })).to.throw(/bad circuit/);
    expect(() => aggProofFromJson({ ...aggProofToJson(p), target: 'evm' })).to.throw(/bad target/);
    expect(() => aggProofFromJson({ ...aggProofToJson(p), proof: '0x' })).to.throw(/bad proof bytes/);
  });

  it('excludes slots into the market mask', () => {
    const b: Batch = excludeSlots(batch, [2]);
    expect(b.slots[2]).to.deep.equal({ kind: 'excluded' });
    expect(excludedMask(b)).to.equal(0b0100n | excludedMask(batch));
    const wide = excludeSlots(batchFromMask(rng(5), 64, (1n << 64n) - 1n), [0, 63]);
    expect(excludedMask(wide)).to.equal((1n << 63n) | 1n);
    expect(batch.slots[2]!.kind).to.equal('proof'); // the input is not mutated
  });

  it('rejects malformed batch files with the offending field', () => {
    expect(() =>
      batchFromJson({
        capacity: 4,
        slots: [{ kind: 'proof', rollup: { vk: 'zz', vkHash: '0x01', proof: '0x', publicInputs: [] } }, { kind: 'empty' }],
      }),
    ).to.throw(BatchError, /slots\[0\]\.rollup\.vk: must be 0x-prefixed hex bytes/);
    expect(() => batchFromJson({ capacity: 4 })).to.throw(BatchError, /`slots` must be an array/);
    const noOwner = { ...rollupToJson(randomRollup(rng(6), 1)), owner: undefined };
    expect(() =>
      batchFromJson({ capacity: 4, slots: [{ kind: 'proof', rollup: noOwner }, { kind: 'empty' }, { kind: 'empty' }, { kind: 'empty' }] }),
    ).to.throw(BatchError, /slot 0: owner must be the 20-byte address that registered the program/);
  });

  it('loads batch files whose slots reference rollup proof files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nex-cli-test-'));
    try {
      const r = randomRollup(rng(3), 2);
      await writeFile(path.join(dir, 'r0.json'), JSON.stringify({ kind: 'rollup-proof', ...rollupToJson(r) }));
      await writeFile(
        path.join(dir, 'batch.json'),
        JSON.stringify({
          capacity: 4,
          slots: [{ kind: 'empty' }, { kind: 'proof', file: 'r0.json' }, { kind: 'empty' }, { kind: 'empty' }],
        }),
      );
      const b = await loadBatchFile(path.join(dir, 'batch.json'));
      expect(b.slots[1]).to.deep.equal({ kind: 'proof', rollup: r });
      await writeFile(
        path.join(dir, 'bad.json'),
        JSON.stringify({
          capacity: 4,
          slots: [{ kind: 'empty' }, { kind: 'proof', file: 'batch.json' }, { kind: 'empty' }, { kind: 'empty' }],
        }),
      );
      let err: unknown;
      await loadBatchFile(path.join(dir, 'bad.json')).catch((e: unknown) => (err = e));
      expect((err as Error).message).to.match(/slots\[1\]\.file batch\.json is not a rollup proof file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('CLI commands reject bad arguments with usage errors before doing any work', async () => {
    const nex = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
      return { code, out, err };
    };
    const top = await nex(['--help']);
    for (const c of ['prove', 'aggregate', 'verify']) expect(top.out).to.match(new RegExp(`^  ${c} `, 'm'));
    expect((await nex(['prove', '--help'])).out).to.match(/^  example /m);
    const cases: [string, string[], RegExp][] = [
      ['prove example', [], /--out is required/],
      ['prove example', ['--out', 'x.json', '--public-inputs', '3'], /--public-inputs must be 1, 2 or 4/],
      ['prove example', ['--out', 'x.json', '--owner', '0x12'], /--owner must be a 20-byte hex address/],
      ['aggregate', ['--batch', 'b.json', '--out', 'o.json'], /--prover is required/],
      ['aggregate', ['--batch', 'b.json', '--out', 'o.json', '--prover', '0x12'], /--prover must be a 20-byte hex address/],
      [
        'aggregate',
        ['--batch', 'b.json', '--out', 'o.json', '--prover', PROVER, '--parallelism', '0'],
        /--parallelism must be a positive integer/,
      ],
      ['aggregate', ['--bogus'], /unknown option '--bogus'/], // commander's wording (node:util parseArgs said "Unknown")
      ['verify', [], /--proof is required/],
    ];
    for (const [p, args, msg] of cases) {
      // A usage error: exit code 2, the message and the command's usage on stderr, nothing run.
      const r = await nex([...p.split(' '), ...args]);
      expect(r.code, `${p} ${args.join(' ')}: ${r.err}`).to.equal(2);
      expect(r.err).to.match(msg);
      expect(r.err).to.include(`Usage: nex ${p} [options]`);
    }
  });

  it('JSON logger writes one object per line with level filtering', () => {
    const lines: string[] = [];
    const log = jsonLogger({ write: (l) => lines.push(l), level: 'info', component: 'test' });
    log.log('debug', 'hidden');
    log.log('warn', 'shown', { jobId: 'L0', n: 1n });
    expect(lines).to.have.length(1);
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(o).to.include({ level: 'warn', component: 'test', msg: 'shown', jobId: 'L0', n: '1' });
    expect(o.time).to.be.a('string');
  });
});
