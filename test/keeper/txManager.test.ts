import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWalletClient, encodeErrorResult, http, parseEther, size, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../prover/abi/generated.js';
import { privateKeyToAccount } from 'viem/accounts';
import type { GasPolicy } from '../../prover/keeper/config/config.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { RevertError, TxManager } from '../../prover/keeper/tx/txManager.js';
import { Anvil, DEV_KEYS } from './helpers/anvil.js';

const GAS: GasPolicy = {
  maxFeePerGas: 100_000_000_000n,
  maxPriorityFeePerGas: 2_000_000_000n,
  bumpPercent: 20,
  stuckAfterSeconds: 30,
  verifyGas: 4_500_000,
};
const SINK = '0x000000000000000000000000000000000000dEaD';
// Init code deploying a contract whose every call reverts (PUSH1 0 PUSH1 0 REVERT).
const REVERTER_INIT = '0x6005600c60003960056000f360006000fd' as Hex;

/** Init code of a contract whose every call reverts with `data` (at most 32 bytes, left-aligned in a word). */
function reverterWith(data: Hex): Hex {
  const n = size(data);
  const word = data.slice(2).padEnd(64, '0');
  // PUSH32 word, PUSH1 0, MSTORE, PUSH1 n, PUSH1 0, REVERT
  const runtime = `7f${word}60005260${n.toString(16).padStart(2, '0')}6000fd`;
  const len = (runtime.length / 2).toString(16).padStart(2, '0');
  return `0x60${len}600c60003960${len}6000f3${runtime}`;
}

describe('keeper tx manager (anvil)', function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let dir: string;
  const log = createLogger({ level: 'warn', format: 'json', write: () => {} });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nex-keeper-tx-'));
    anvil = await Anvil.launch(dir);
  });
  after(async () => anvil?.stop());

  function manager(key: Hex, db: KeeperDb, clock = { t: 1_000 }): TxManager {
    return new TxManager({
      client: anvil.client,
      account: privateKeyToAccount(key),
      chainId: 31337,
      db,
      gas: GAS,
      log,
      pollMs: 50,
      now: () => clock.t,
    });
  }

  it('allocates consecutive nonces to concurrent sends and settles them', async () => {
    await anvil.test.setAutomine(true);
    const db = new KeeperDb(join(dir, 'a.sqlite'));
    const tm = manager(DEV_KEYS[1], db);
    const sent = await Promise.all(
      (['approve', 'stake', 'claim'] as const).map((purpose) => tm.send({ purpose, to: SINK, data: '0x', value: 1n })),
    );
    expect(sent.map((t) => t.nonce).sort()).to.deep.equal([0, 1, 2]);
    for (const t of sent) {
      const out = await tm.wait(t.id);
      expect(out.status).to.equal('mined');
    }
    expect(db.pendingTxs()).to.have.length(0);
    expect(db.gasSpent() > 0n).to.equal(true);
  });

  it('replaces a stuck tx with bumped fees at the same nonce; exactly one lands', async () => {
    await anvil.test.setAutomine(false);
    const clock = { t: 1_000 };
    const db = new KeeperDb(join(dir, 'b.sqlite'), () => clock.t);
    const tm = manager(DEV_KEYS[2], db, clock);
    const tx = await tm.send({ purpose: 'fulfill', batchId: 9n, to: SINK, data: '0x', value: 5n });
    expect(await tm.check(tx)).to.equal(undefined);
    expect(db.attemptsOf(tx.id)).to.have.length(1);
    clock.t += 31;
    expect(await tm.check(tx)).to.equal(undefined);
    const attempts = db.attemptsOf(tx.id);
    expect(attempts).to.have.length(2);
    expect(attempts[1]!.maxFee >= (attempts[0]!.maxFee * 120n) / 100n).to.equal(true);
    expect(attempts[1]!.maxPriorityFee >= (attempts[0]!.maxPriorityFee * 120n) / 100n).to.equal(true);
    await anvil.test.mine({ blocks: 1 });
    const out = await tm.wait(tx.id);
    expect(out.status).to.equal('mined');
    if (out.status !== 'mined') return;
    expect(out.receipt.transactionHash).to.equal(attempts[1]!.hash);
    expect(await anvil.client.getTransactionReceipt({ hash: attempts[0]!.hash }).catch(() => null)).to.equal(null);
    expect(await anvil.client.getTransactionCount({ address: tm.address })).to.equal(1);
    await anvil.test.setAutomine(true);
  });

  it('after a crash, rebroadcasts a recorded tx the node lost (one nonce, no double send)', async () => {
    await anvil.test.setAutomine(false);
    const path = join(dir, 'c.sqlite');
    const db1 = new KeeperDb(path);
    const tx = await manager(DEV_KEYS[3], db1).send({ purpose: 'lock', batchId: 3n, to: SINK, data: '0x', value: 7n });
    db1.close(); // the keeper "crashes" here
    await anvil.test.dropTransaction({ hash: db1 && new KeeperDb(path).attemptsOf(tx.id)[0]!.hash });
    const db2 = new KeeperDb(path);
    const tm2 = manager(DEV_KEYS[3], db2);
    await tm2.reconcile();
    await anvil.test.mine({ blocks: 1 });
    const out = await tm2.wait(tx.id);
    expect(out.status).to.equal('mined');
    // A second send after restart uses the next nonce.
    await anvil.test.setAutomine(true);
    const next = await tm2.send({ purpose: 'claim', to: SINK, data: '0x' });
    expect(next.nonce).to.equal(tx.nonce + 1);
    expect((await tm2.wait(next.id)).status).to.equal('mined');
  });

  it('reports dropped when another tool used the nonce', async () => {
    await anvil.test.setAutomine(false);
    const db = new KeeperDb(join(dir, 'd.sqlite'));
    const tm = manager(DEV_KEYS[4], db);
    const tx = await tm.send({ purpose: 'slash', to: SINK, data: '0x' });
    await anvil.test.dropTransaction({ hash: db.attemptsOf(tx.id)[0]!.hash });
    const other = anvil.wallet(DEV_KEYS[4]);
    await other.sendTransaction({
      to: SINK,
      value: 1n,
      nonce: tx.nonce,
      gas: 21000n,
      maxFeePerGas: 50_000_000_000n,
      maxPriorityFeePerGas: 1n,
    });
    await anvil.test.mine({ blocks: 1 });
    await anvil.test.setAutomine(true);
    const out = await tm.wait(tx.id);
    expect(out.status).to.equal('dropped');
  });

  it('frees the nonce when the node rejects a tx outright, and records reverts', async () => {
    await anvil.test.setAutomine(true);
    const db = new KeeperDb(join(dir, 'e.sqlite'));
    const key = '0x0000000000000000000000000000000000000000000000000000000000000abc' as Hex;
    const tm = manager(key, db);
    let err: unknown;
    try {
      await tm.send({ purpose: 'stake', to: SINK, data: '0x', value: 1n, gas: 21000n });
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/insufficient funds/i);
    expect(db.recentTxs(1)[0]!.status).to.equal('dropped');
    // Fund it; the next tx reuses nonce 0.
    const funder = anvil.wallet(DEV_KEYS[0]);
    await funder.sendTransaction({
      to: tm.address,
      value: parseEther('1'),
      gas: 21000n,
      maxFeePerGas: 50_000_000_000n,
      maxPriorityFeePerGas: 1n,
    });
    const deployHash = await funder.sendTransaction({
      data: REVERTER_INIT,
      gas: 100000n,
      maxFeePerGas: 50_000_000_000n,
      maxPriorityFeePerGas: 1n,
    });
    const reverter = (await anvil.client.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;
    // A reverting call fails at estimation: nothing recorded, nothing sent.
    let estErr: unknown;
    try {
      await tm.send({ purpose: 'lock', to: reverter, data: '0x12345678' });
    } catch (e) {
      estErr = e;
    }
    expect(estErr).to.be.instanceOf(RevertError);
    expect((estErr as RevertError).errorName).to.equal(undefined); // a revert without data
    expect(db.recentTxs(5)).to.have.length(1);
    // With an explicit gas limit it is sent, mined and recorded as reverted.
    const tx = await tm.send({ purpose: 'lock', to: reverter, data: '0x12345678', gas: 50_000n });
    expect(tx.nonce).to.equal(0);
    const out = await tm.wait(tx.id);
    expect(out.status).to.equal('reverted');
    expect(db.getTx(tx.id)!.status).to.equal('reverted');
  });

  it('names the custom error of a reverting call at estimation (decoded through the NEX ABIs)', async () => {
    await anvil.test.setAutomine(true);
    const db = new KeeperDb(join(dir, 'f.sqlite'));
    const tm = manager(DEV_KEYS[3], db);
    // MarketLengthMismatch() fits one word: a contract that reverts with it stands in for the market.
    const data = encodeErrorResult({ abi: aggregationMarketAbi, errorName: 'MarketLengthMismatch' });
    const funder = anvil.wallet(DEV_KEYS[0]);
    const deployHash = await funder.sendTransaction({
      data: reverterWith(data),
      gas: 100000n,
      maxFeePerGas: 50_000_000_000n,
      maxPriorityFeePerGas: 1n,
    });
    const reverter = (await anvil.client.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;
    let err: unknown;
    try {
      await tm.send({ purpose: 'lock', to: reverter, data: '0x12345678' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(RevertError);
    expect((err as RevertError).errorName).to.equal('MarketLengthMismatch');
    expect((err as RevertError).shortMessage).to.equal('reverted: MarketLengthMismatch()');
    expect((err as RevertError).name).to.equal('RevertError');
    expect(db.recentTxs(5)).to.have.length(0);
  });
});
