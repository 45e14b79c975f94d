import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, createPublicClient, createWalletClient, custom, http, pad, toHex, type Hex, type Log } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { LogScanner, isRangeError } from '../../prover/keeper/chain/logScanner.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { Anvil, DEV_KEYS } from './helpers/anvil.js';

// A contract that emits LOG1(topic = calldata[0:32], data = calldata[32:]) on every call.
const EMITTER_INIT = '0x6011600c60003960116000f3366000600037600051602036036020a100' as Hex;

describe('keeper log scanner (anvil)', function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let emitter: Hex;
  const log = createLogger({ level: 'error', format: 'json', write: () => {} });

  before(async () => {
    anvil = await Anvil.launch(mkdtempSync(join(tmpdir(), 'nex-keeper-scan-')));
    const wallet = anvil.wallet(DEV_KEYS[0]);
    const hash = await wallet.sendTransaction({ data: EMITTER_INIT, gas: 100_000n });
    emitter = (await anvil.client.waitForTransactionReceipt({ hash })).contractAddress!;
    // 40 blocks, one log each (topic = block-ish counter).
    for (let i = 1; i <= 40; i++) {
      await wallet.sendTransaction({ to: emitter, data: concat([pad(toHex(i)), pad(toHex(i * 10))]), gas: 60_000n });
    }
  });
  after(async () => anvil?.stop());

  /** A provider that refuses eth_getLogs over more than `limit` blocks, like hosted RPCs do. */
  function limitedClient(limit: number, calls: { from: number; to: number }[]) {
    const inner = http(anvil.url, { retryCount: 0 })({});
    return createPublicClient({
      transport: custom(
        {
          async request({ method, params }: { method: string; params?: unknown }) {
            if (method === 'eth_getLogs') {
              const [f] = params as [{ fromBlock: Hex; toBlock: Hex }];
              const from = Number(f.fromBlock);
              const to = Number(f.toBlock);
              if (to - from + 1 > limit) throw Object.assign(new Error(`block range too large (max ${limit})`), { code: -32600 });
              calls.push({ from, to });
            }
            return inner.request({ method, params } as never);
          },
        },
        { retryCount: 0 },
      ),
    });
  }

  it('reads every log once in bounded ranges, splitting when the provider refuses', async () => {
    const db = new KeeperDb(':memory:');
    const calls: { from: number; to: number }[] = [];
    const seen: Log[] = [];
    const scanner = new LogScanner({
      client: limitedClient(4, calls),
      db,
      address: emitter,
      name: 'emitter',
      maxRange: 16,
      reorgDepth: 0,
      lookbackBlocks: 1000,
      startBlock: 0n,
      log,
      onLogs: (logs) => seen.push(...logs),
    });
    const head = await anvil.client.getBlockNumber();
    const r = await scanner.poll();
    expect(r.to).to.equal(head);
    expect(scanner.range).to.be.at.most(4);
    expect(calls.every((c) => c.to - c.from + 1 <= 4)).to.equal(true);
    const topics = seen.map((l) => Number(l.topics[0]));
    expect(topics).to.deep.equal([...Array(40).keys()].map((i) => i + 1));
    expect(db.getCursor('emitter')).to.equal(head);
  });

  it('resumes from its cursor, re-reads reorgDepth blocks, and uses lookback on first start', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nex-keeper-scan-db-')), 'k.sqlite');
    const head = await anvil.client.getBlockNumber();
    const topics: number[] = [];
    const make = (db: KeeperDb) =>
      new LogScanner({
        client: anvil.client,
        db,
        address: emitter,
        name: 'emitter',
        maxRange: 7,
        reorgDepth: 3,
        lookbackBlocks: 10,
        startBlock: 0n,
        log,
        onLogs: (logs) => topics.push(...logs.map((l) => Number(l.topics[0]))),
      });
    const db1 = new KeeperDb(path);
    const first = await make(db1).poll();
    expect(first.from).to.equal(head - 10n);
    expect(topics).to.have.length(11);
    db1.close();
    const wallet = anvil.wallet(DEV_KEYS[0]);
    await anvil.client.waitForTransactionReceipt({
      hash: await wallet.sendTransaction({ to: emitter, data: concat([pad(toHex(41)), pad(toHex(410))]), gas: 60_000n }),
    });
    topics.length = 0;
    const db2 = new KeeperDb(path);
    const second = await make(db2).poll();
    expect(second.from).to.equal(head + 1n - 3n);
    expect(topics).to.deep.equal([38, 39, 40, 41]);
    expect(db2.getCursor('emitter')).to.equal(head + 1n);
  });

  it('does not commit the cursor when the handler fails (the range is read again)', async () => {
    const db = new KeeperDb(':memory:');
    let fail = true;
    const scanner = new LogScanner({
      client: anvil.client,
      db,
      address: emitter,
      name: 'emitter',
      maxRange: 1000,
      reorgDepth: 0,
      lookbackBlocks: 5,
      startBlock: 0n,
      log,
      onLogs: () => {
        if (fail) throw new Error('disk full');
      },
    });
    let err: unknown;
    try {
      await scanner.poll();
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.include('disk full');
    expect(db.getCursor('emitter')).to.equal(undefined);
    fail = false;
    await scanner.poll();
    expect(db.getCursor('emitter')).to.equal(await anvil.client.getBlockNumber());
  });

  it('picks up logs that a reorg replaced within reorgDepth blocks', async () => {
    const db = new KeeperDb(':memory:');
    const byBlock = new Map<bigint, number>();
    const scanner = new LogScanner({
      client: anvil.client,
      db,
      address: emitter,
      name: 'emitter',
      maxRange: 100,
      reorgDepth: 4,
      lookbackBlocks: 2,
      startBlock: 0n,
      log,
      // Idempotent handler keyed by block, like the keeper's upserts.
      onLogs: (logs) => logs.forEach((l) => byBlock.set(l.blockNumber!, Number(l.topics[0]))),
    });
    const wallet = anvil.wallet(DEV_KEYS[0]);
    const snapshot = await anvil.test.snapshot();
    await anvil.client.waitForTransactionReceipt({
      hash: await wallet.sendTransaction({ to: emitter, data: concat([pad(toHex(500)), pad(toHex(1))]), gas: 60_000n }),
    });
    const forked = await anvil.client.getBlockNumber();
    await scanner.poll();
    expect(byBlock.get(forked)).to.equal(500);
    // Reorg: the block is replaced by one carrying another log, and the chain grows by one.
    await anvil.test.revert({ id: snapshot });
    await anvil.client.waitForTransactionReceipt({
      hash: await wallet.sendTransaction({ to: emitter, data: concat([pad(toHex(600)), pad(toHex(1))]), gas: 60_000n }),
    });
    await anvil.test.mine({ blocks: 1 });
    await scanner.poll();
    expect(byBlock.get(forked)).to.equal(600);
  });

  it('classifies provider range errors', () => {
    expect(isRangeError(new Error('query returned more than 10000 results'))).to.equal(true);
    expect(isRangeError({ code: -32005, message: 'x' })).to.equal(true);
    expect(isRangeError(new Error('eth_getLogs is limited to a 10,000 block range'))).to.equal(true);
    expect(isRangeError(new Error('429 Too Many Requests: rate limit exceeded'))).to.equal(false);
    expect(isRangeError(new Error('connection refused'))).to.equal(false);
  });
});
