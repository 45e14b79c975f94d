// The relay on a real devnet: the viem RelayChain (prover/relay/chain/viemChain.ts, on the generated market
// ABI) against the real version-2 market on anvil (with the test-only MockVerifier: the relay posts, it
// never fulfils); then a whole relay (HTTP, bb, SQLite, posting loop) posting real example-rollup
// statements to it with postBatch.
import { expect } from 'chai';
import { join } from 'node:path';
import { bytesToHex, parseEther, parseEventLogs, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { aggregationMarketAbi } from '../../prover/abi/generated.js';
import { batchRoot, marketDomain, postedGroup, programIdOf, submissionId } from '../../prover/protocol/index.js';
import { BroadcastRejectedError, PostRevertedError, type RelayChain } from '../../prover/relay/chain/types.js';
import { createViemRelayChain } from '../../prover/relay/chain/viemChain.js';
import { startRelay, type RunningRelay } from '../../prover/relay/index.js';
import { silentLogger } from '../../prover/relay/log.js';
import { openStore } from '../../prover/relay/store/open.js';
import { openEngineVerifier } from '../../prover/relay/verify.js';
import { Anvil, DEV_KEYS } from '../keeper/helpers/anvil.js';
import { KEYS, relayAccount, tempDir, testConfig } from './helpers/relay.js';
import { exampleSet, signSubmission, type ExampleSet } from './helpers/requests.js';
import { deployV2Market, devnetParams, type V2Market } from './helpers/v2Market.js';

const MIN_FEE = 10n ** 12n;
const FEE = 10n ** 15n;
const alice = privateKeyToAccount(KEYS.alice);
const bob = privateKeyToAccount(KEYS.bob);
const owner = privateKeyToAccount(DEV_KEYS[1]);

describe('[proofs] relay on a devnet (viem chain, the version-2 market on anvil)', function () {
  this.timeout(300_000);

  // The example proofs (and, on a checkout without a circuit build, the build itself) under their own timeout.
  before(async function () {
    this.timeout(60 * 60_000);
    await exampleSet();
  });
  let anvil: Anvil;
  let v2Market: V2Market;
  let market: Address;
  let ex: ExampleSet;
  let programId: Hex;
  let chain: RelayChain;

  before(async () => {
    ex = await exampleSet();
    anvil = await Anvil.launch(tempDir('anvil'));
    v2Market = await deployV2Market(anvil, MIN_FEE);
    market = v2Market.market;
    await v2Market.write(DEV_KEYS[1], 'registerProgram', [ex.counter.vkHash, bytesToHex(ex.counter.vk), 1]);
    programId = programIdOf(owner.address, ex.counter.vkHash);
    await v2Market.write(KEYS.alice, 'deposit', [], parseEther('1'));
    await v2Market.write(KEYS.bob, 'deposit', [], parseEther('1'));
    chain = await createViemRelayChain({
      rpcUrl: anvil.url,
      market,
      account: relayAccount,
      chainId: 31337,
      startBlock: 0n,
      maxLogRange: 1000,
      gas: { maxFeePerGas: parseEther('0.000001'), bumpPercent: 20 },
    });
  });

  after(async () => {
    await anvil?.stop();
  });

  it('reads parameters (the proof length from the router), accounts and programs (key bytes from the registration event)', async () => {
    expect(await chain.params()).to.deep.equal({ minFeePerProof: MIN_FEE, rollupProofBytes: 14_656 });
    expect(await chain.account(alice.address)).to.deep.equal({ nonce: 0n, free: parseEther('1') });
    const p = await chain.program(programId);
    expect(p).to.deep.include({ programId, owner: owner.address, vkHash: ex.counter.vkHash, publicInputCount: 1 });
    expect(Buffer.from(p!.vk).equals(Buffer.from(ex.counter.vk))).to.equal(true);
    // The same key registered by someone else is another program (v2 ids are owner-bound).
    expect(await chain.program(programIdOf(alice.address, ex.counter.vkHash))).to.equal(undefined);
    expect(await chain.program(`0x${'42'.repeat(32)}`)).to.equal(undefined);
    let err: unknown;
    await createViemRelayChain({
      rpcUrl: anvil.url,
      market,
      account: relayAccount,
      chainId: 1,
      startBlock: 0n,
      maxLogRange: 10,
      gas: { maxFeePerGas: 1n, bumpPercent: 20 },
    }).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/serves chain 31337, not the configured 1/);
  });

  it('refuses a post that would revert before signing it, and a transaction whose nonce is used', async () => {
    const s = await signSubmission({
      account: alice,
      domain: marketDomain(31337, market),
      programId,
      statements: ex.counterStatements.slice(0, 1),
      feePerProof: FEE,
      nonce: 0n,
      deadline: 1_900_000_000,
    });
    let err: unknown;
    // A group of one statement with no digest: the market reverts MarketPostMismatch.
    await chain
      .signPost(
        { groups: [{ request: s.request, signature: s.body.signature as Hex }], digests: [] },
        { nonce: await chain.pendingNonce() },
      )
      .catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(PostRevertedError);
    const stale = await chain.signPost(
      { groups: [{ request: s.request, signature: s.body.signature as Hex }], digests: s.digests },
      { nonce: await chain.pendingNonce() },
    );
    // Spend the relay's nonce with another transaction, then broadcast the stale one.
    const spend = await anvil.wallet(KEYS.relay).sendTransaction({ to: relayAccount.address, value: 0n });
    await anvil.client.waitForTransactionReceipt({ hash: spend });
    err = undefined;
    await chain.broadcast(stale.raw).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(BroadcastRejectedError);
    expect(await chain.receipt(stale.hash)).to.equal(undefined);
  });

  describe('a relay posting to the devnet', () => {
    let relay: RunningRelay;
    const url = (p: string) => `${relay.url}${p}`;
    const submit = async (body: unknown) => {
      const res = await fetch(url('/v1/requests'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const view = async (hash: Hex, payer: Address) =>
      (await (await fetch(url(`/v1/requests/${hash}?payer=${payer}`))).json()) as Record<string, any>;
    const until = async (what: string, f: () => Promise<boolean>) => {
      for (let i = 0; i < 300; i++) {
        if (await f()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}`);
    };

    before(async () => {
      const db = join(tempDir('devnet'), 'relay.sqlite');
      const config = testConfig({ db, marketAddress: market, capacity: 4, pollIntervalMs: 100, limits: { maxStatementsPerRequest: 4 } });
      relay = await startRelay(config, {
        chain,
        store: openStore(db),
        verifier: await openEngineVerifier({ maxPending: 16 }),
        account: relayAccount,
        log: silentLogger(),
        posting: true,
      });
    });
    after(async () => {
      await relay?.close();
    });

    it('accepts, posts a full batch with postBatch and records batch and slots from the events', async () => {
      const now = Math.floor(Date.now() / 1000);
      const domain = marketDomain(31337, market);
      const nonceA = (await chain.account(alice.address)).nonce;
      const a = await signSubmission({
        account: alice,
        domain,
        programId,
        statements: ex.counterStatements.slice(0, 2),
        feePerProof: FEE,
        nonce: nonceA,
        deadline: now + 600,
      });
      const b = await signSubmission({
        account: bob,
        domain,
        programId,
        statements: ex.counterStatements.slice(2, 4),
        feePerProof: FEE,
        nonce: 0n,
        deadline: now + 600,
      });
      expect((await submit(a.body)).status).to.equal(201);
      expect((await submit(b.body)).status).to.equal(201);
      await until(
        'both requests posted',
        async () => (await view(a.hash, alice.address)).status === 'posted' && (await view(b.hash, bob.address)).status === 'posted',
      );
      const va = await view(a.hash, alice.address);
      const vb = await view(b.hash, bob.address);
      expect(va.batchId).to.equal(vb.batchId);
      expect([...va.slots, ...vb.slots].sort()).to.deep.equal([0, 1, 2, 3]);
      expect(va.submissionIds).to.deep.equal(va.slots.map((s: number) => submissionId(BigInt(va.batchId), s).toString()));
      const receipt = await anvil.client.getTransactionReceipt({ hash: va.postTx });
      expect(receipt.from.toLowerCase()).to.equal(relayAccount.address.toLowerCase());
      // The market hashed each request as prover/protocol does (OpenZeppelin EIP-712): its post event carries the hashes.
      const posted = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchPosted', logs: receipt.logs });
      expect(posted).to.have.length(1);
      expect([...posted[0]!.args.requestHashes].sort()).to.deep.equal([a.hash, b.hash].sort());
      // The root the market computed is prover/protocol's over the posted digests (groups in the relay's order).
      expect(posted[0]!.args.root).to.be.oneOf([batchRoot([...a.digests, ...b.digests], 4), batchRoot([...b.digests, ...a.digests], 4)]);
      expect(await chain.account(alice.address)).to.deep.equal({ nonce: nonceA + 1n, free: parseEther('1') - 2n * FEE });
      const batch = await anvil.client.readContract({
        address: market,
        abi: aggregationMarketAbi,
        functionName: 'getBatch',
        args: [BigInt(va.batchId)],
      });
      expect([batch.posted, batch.count, batch.capacity, batch.escrow]).to.deep.equal([true, 4, 4, 4n * FEE]);
      const proof = (await (await fetch(url(`/v1/proofs/${a.digests[1]}`))).json()) as Record<string, any>;
      expect(proof).to.deep.include({ status: 'posted', batchId: va.batchId, slot: va.slots[1] });
    });

    it('records a group the market skipped (deposit withdrawn after acceptance)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const domain = marketDomain(31337, market);
      const b = await signSubmission({
        account: bob,
        domain,
        programId,
        statements: ex.counterStatements.slice(1, 3),
        feePerProof: FEE,
        nonce: 1n,
        deadline: now + 600,
      });
      expect((await submit(b.body)).status).to.equal(201);
      // Bob withdraws everything behind the relay's back: notice, then withdrawal after the (short) delay.
      await v2Market.write(KEYS.bob, 'requestWithdrawal', [parseEther('1') - 2n * FEE]);
      expect(await chain.account(bob.address)).to.deep.equal({ nonce: 1n, free: 0n }); // the relay accepts no more of bob's
      await anvil.test.increaseTime({ seconds: devnetParams(MIN_FEE).withdrawalDelay });
      await anvil.test.mine({ blocks: 1 });
      await v2Market.write(KEYS.bob, 'withdraw', []);
      const a = await signSubmission({
        account: alice,
        domain,
        programId,
        statements: ex.counterStatements.slice(0, 2),
        feePerProof: FEE,
        nonce: (await chain.account(alice.address)).nonce,
        deadline: now + 600,
      });
      expect((await submit(a.body)).status).to.equal(201);
      await until('the post', async () => (await view(a.hash, alice.address)).status === 'posted');
      await until('the skip', async () => (await view(b.hash, bob.address)).status === 'skipped');
      expect((await view(b.hash, bob.address)).reason).to.equal('market:InsufficientBalance');
    });

    it('learns of its request posted by someone else', async () => {
      await v2Market.write(KEYS.bob, 'deposit', [], parseEther('1'));
      const now = Math.floor(Date.now() / 1000);
      const domain = marketDomain(31337, market);
      const s = await signSubmission({
        account: bob,
        domain,
        programId,
        statements: ex.counterStatements.slice(0, 1),
        feePerProof: FEE,
        nonce: 2n,
        deadline: now + 600,
      });
      expect((await submit(s.body)).status).to.equal(201);
      await v2Market.write(DEV_KEYS[2], 'postBatch', [[postedGroup(s.request, s.body.signature as Hex)], s.digests]);
      await until('the watcher', async () => (await view(s.hash, bob.address)).status === 'posted');
      const v = await view(s.hash, bob.address);
      const tx = await anvil.client.getTransactionReceipt({ hash: v.postTx });
      expect(tx.from.toLowerCase()).to.equal(privateKeyToAccount(DEV_KEYS[2]).address.toLowerCase());
    });
  });
});
