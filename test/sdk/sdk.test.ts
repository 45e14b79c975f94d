// The rollup SDK against the version-2 market on Hardhat's EDR (MockVerifier): programs, the calldata
// channel with its checks, fee estimates, the deposit account, EIP-712 requests accepted by postBatch, and
// verification (batches rebuilt from chain data, inclusion paths, isVerified/recordVerified, ExampleRollup's
// path and callback flows).
import { expect } from 'chai';
import { decodeEventLog, encodeAbiParameters, getAddress, parseEther, toEventSelector, zeroAddress, type AbiEvent, type Hex } from 'viem';
import {
  aggregationMarketAbi,
  allInGasPerProof,
  batchLockedEvents,
  channelGasModel,
  computeFee,
  deposit,
  estimateFee,
  eventsOfReceipt,
  FeeTooLowError,
  getAccount,
  getBatch,
  getBatchContents,
  getParams,
  getProgram,
  isVerified,
  MalformedProofError,
  MEASURED_ALL_IN_GAS,
  NexError,
  NoAccountError,
  NonCanonicalFieldError,
  ProgramExistsError,
  PublicInputCountError,
  recordVerified,
  registerProgram,
  requestAcceptedEvents,
  requestWithdrawal,
  setProgramCallback,
  signRequest,
  submit,
  submitMany,
  submitOffchain,
  UnknownProgramError,
  waitForVerification,
  withdraw,
  WaitTimeoutError,
  marketDomain,
  postedGroup,
  programIdOf,
  requestHash,
  ROLLUP_PROOF_BYTES,
  statementDigest,
  submissionId,
} from '../../prover/sdk/index.js';
import { FIELD_MODULUS, MIN_FEE, VK, VK_HASH, fakeProof, freshInputs, rejects, sdkFixture, word, type SdkFixture } from './fixture.js';

const FEE = MIN_FEE * 2n;
const NON_CANONICAL: Hex = `0x${FIELD_MODULUS.toString(16).padStart(64, '0')}`;

describe('rollup SDK (version-2 market, EDR, MockVerifier)', function () {
  this.timeout(120_000);
  let s: SdkFixture;
  const statement = (seed: number, programId?: Hex) => ({
    programId: programId ?? s.f.programId,
    publicInputs: freshInputs(),
    proof: fakeProof(seed),
  });

  beforeEach(async () => {
    s = await sdkFixture();
  });

  describe('programs', () => {
    it('registerProgram returns the owner-bound id; the same key by another account is another program', async () => {
      const mine = await registerProgram(s.user, { vkHash: VK_HASH, vk: VK, publicInputCount: 1 });
      expect(mine.programId).to.equal(programIdOf(s.f.user1.address as Hex, VK_HASH));
      expect(mine.programId).to.not.equal(s.f.programId); // f.rollup registered the same key
      expect(mine.owner).to.equal(getAddress(s.f.user1.address));
      expect(await getProgram(s.reader, mine.programId)).to.deep.equal({
        programId: mine.programId,
        owner: getAddress(s.f.user1.address),
        publicInputCount: 1,
        callbackGas: 0,
        callback: zeroAddress,
      });
      expect(await getProgram(s.reader, word(12345))).to.equal(undefined);
    });

    it('refuses before sending: a key this account registered, a bad count, a bad key length, no account', async () => {
      await rejects(registerProgram(s.rollup, { vkHash: VK_HASH, vk: VK, publicInputCount: 2 }), ProgramExistsError);
      await rejects(registerProgram(s.user, { vkHash: VK_HASH, vk: VK, publicInputCount: 3 }), NexError, /one of 1, 2, 4/);
      await rejects(registerProgram(s.user, { vkHash: VK_HASH, vk: '0x1234', publicInputCount: 1 }), MalformedProofError);
      await rejects(registerProgram(s.user, { vkHash: NON_CANONICAL, vk: VK, publicInputCount: 1 }), NonCanonicalFieldError);
      await rejects(registerProgram(s.reader, { vkHash: VK_HASH, vk: VK, publicInputCount: 1 }), NoAccountError);
    });

    it('setProgramCallback sets the callback gas that getProgram reports; only the owner may', async () => {
      await setProgramCallback(s.rollup, { programId: s.f.programId, callback: s.f.user2.address as Hex, gasLimit: 50_000 });
      expect(await getProgram(s.reader, s.f.programId)).to.deep.include({ callback: getAddress(s.f.user2.address), callbackGas: 50_000 });
      await rejects(
        setProgramCallback(s.user, { programId: s.f.programId, callback: zeroAddress, gasLimit: 0 }),
        NexError,
        /does not own program/,
      );
    });
  });

  describe('calldata channel', () => {
    it('reads the market parameters with the router proof length', async () => {
      const p = await getParams(s.reader);
      expect(p).to.deep.include({ minFeePerProof: MIN_FEE, batchCapacity: 8, version: 1, rollupProofBytes: ROLLUP_PROOF_BYTES });
    });

    it('submit places one statement (batch, slot, digest, fee); submitMany places several in one transaction', async () => {
      const one = statement(1);
      const r = await submit(s.user, { ...one, fee: FEE });
      expect(r.statements).to.have.length(1);
      const [placed] = r.statements;
      expect(placed).to.deep.include({ batchId: 1n, slot: 0, submissionId: 64n, feePerProof: FEE, callbackGas: 0n });
      expect(placed!.digest).to.equal(statementDigest(s.f.programId, one.publicInputs));
      const many = await submitMany(s.user, { statements: [statement(2), statement(3), statement(4)], feePerProof: FEE });
      expect(many.statements.map((x) => x.slot)).to.deep.equal([1, 2, 3]);
      const batch = await getBatch(s.reader, 1n);
      expect(batch).to.deep.include({ state: 'open', count: 4, escrow: FEE * 4n, posted: false });
    });

    it('checks before sending: proof length of the current version, fee floor, program, input count and canonical inputs', async () => {
      const bad = { ...statement(5), proof: fakeProof(5, ROLLUP_PROOF_BYTES - 32) };
      const err = await submit(s.user, { ...bad, fee: FEE }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(MalformedProofError);
      expect(String((err as Error).message)).to.match(/14624 bytes; the market's current verifier version takes 14656-byte proofs/);
      await rejects(submit(s.user, { ...statement(6), fee: MIN_FEE - 1n }), FeeTooLowError);
      await rejects(submit(s.user, { ...statement(7, word(777)), fee: FEE }), UnknownProgramError);
      await rejects(submit(s.user, { ...statement(8), publicInputs: [word(1)], fee: FEE }), PublicInputCountError);
      await rejects(submit(s.user, { ...statement(9), publicInputs: [word(1), NON_CANONICAL], fee: FEE }), NonCanonicalFieldError);
      // Nothing reached the market.
      expect((await getBatch(s.reader, 1n)).state).to.equal('none');
      // With the checks skipped, the market's own revert comes back typed.
      await rejects(submit(s.user, { ...bad, fee: FEE }, { skipChecks: true }), MalformedProofError, /14656/);
    });
  });

  describe('fee estimates', () => {
    it('the gas model reproduces the measured bench points and orders the channels', () => {
      for (const c of ['calldata', 'blob', 'offchain'] as const) {
        expect(allInGasPerProof(c, 32)).to.equal(MEASURED_ALL_IN_GAS[c].at32);
        expect(allInGasPerProof(c, 64)).to.equal(MEASURED_ALL_IN_GAS[c].at64);
        expect(channelGasModel(c).fixedPerBatch).to.be.greaterThan(800_000); // the root verification at least
      }
      expect(allInGasPerProof('offchain', 8)).to.be.lessThan(allInGasPerProof('blob', 8));
      expect(allInGasPerProof('blob', 8)).to.be.lessThan(allInGasPerProof('calldata', 8));
    });

    it('the suggestion grows with the callback gas, shrinks with the batch size, never falls below the floor', async () => {
      const p = await getParams(s.reader);
      const gwei = 10n ** 9n;
      const base = computeFee(p, gwei, { channel: 'calldata', batchSize: 8 });
      const withCallback = computeFee(p, gwei, { channel: 'calldata', batchSize: 8, callbackGas: 100_000 });
      expect(withCallback.feeGasPerProof - base.feeGasPerProof).to.equal(100_000);
      expect(withCallback.suggestedFee).to.be.greaterThan(base.suggestedFee);
      expect(computeFee(p, gwei, { channel: 'offchain', batchSize: 64 }).suggestedFee).to.be.lessThan(
        computeFee(p, gwei, { channel: 'offchain', batchSize: 8 }).suggestedFee,
      );
      // Prover nets cost x 1.5 after the protocol's 5 %: fee = ceil(cost x 15000 / 9500).
      expect(base.suggestedFee).to.equal((gwei * BigInt(base.feeGasPerProof) * 15_000n + 9_499n) / 9_500n);
      expect(computeFee(p, 1n).suggestedFee).to.equal(MIN_FEE);
      expect(() => computeFee(p, gwei, { channel: 'calldata', batchSize: 16 })).to.throw(NexError, /capacity 8/);
      // The client's default suggestion uses the program's callback gas.
      const est = await estimateFee(s.reader, { channel: 'offchain', callbackGas: 10 });
      expect(est).to.deep.include({ channel: 'offchain', batchSize: 32 });
    });
  });

  describe('deposit account and requests', () => {
    it('deposit, requestWithdrawal and withdraw after the notice; getAccount reports the free balance', async () => {
      await deposit(s.user, parseEther('1'));
      expect(await getAccount(s.user)).to.deep.include({ balance: parseEther('1'), nonce: 0n, free: parseEther('1') });
      const { withdrawableAt } = await requestWithdrawal(s.user, parseEther('0.4'));
      expect(await getAccount(s.reader, s.f.user1.address as Hex)).to.deep.include({
        pendingWithdrawal: parseEther('0.4'),
        free: parseEther('0.6'),
      });
      await rejects(withdraw(s.user), NexError, /can be executed from/);
      await s.helpers.time.increaseTo(withdrawableAt);
      expect((await withdraw(s.user)).amount).to.equal(parseEther('0.4'));
      expect(await getAccount(s.user)).to.deep.include({ balance: parseEther('0.6'), withdrawableAt: 0 });
      await rejects(withdraw(s.user), NexError, /requestWithdrawal first/);
      await rejects(requestWithdrawal(s.user, parseEther('5')), NexError, /holds .* wei, .* needed/);
      await rejects(deposit(s.user, 0n), NexError, /positive/);
    });

    it('submitOffchain refuses before signing: no relays, statements of two programs, a deposit that does not cover the fees', async () => {
      await rejects(submitOffchain(s.user, { relays: [], statements: [statement(60)] }), NexError, /no relays given/);
      const other = await registerProgram(s.user, { vkHash: VK_HASH, vk: VK, publicInputCount: 2 });
      await rejects(
        submitOffchain(s.user, { relays: ['http://127.0.0.1:9'], statements: [statement(61), statement(62, other.programId)] }),
        NexError,
        /one program/,
      );
      await rejects(
        submitOffchain(s.user, { relays: ['http://127.0.0.1:9'], statements: [statement(63)], feePerProof: FEE }),
        NexError,
        /free balance is 0 wei, the request needs/,
      );
    });

    it('signRequest signs what postBatch accepts (payer recovered, fees reserved, nonce consumed)', async () => {
      await deposit(s.user, parseEther('1'));
      const inputs = [freshInputs(), freshInputs()];
      const deadline = (await s.helpers.time.latest()) + 600;
      const signed = await signRequest(s.user, { programId: s.f.programId, publicInputs: inputs, feePerProof: FEE, nonce: 0n, deadline });
      expect(signed.payer).to.equal(getAddress(s.f.user1.address));
      expect(signed.requestHash).to.equal(requestHash(signed.request, marketDomain(31337, s.addresses.market)));
      const tx = await s.f.market.connect(s.f.relay).postBatch([postedGroup(signed.request, signed.signature)], [...signed.digests]);
      await tx.wait();
      expect(await getAccount(s.user)).to.deep.include({ nonce: 1n, balance: parseEther('1') - 2n * FEE });
      const contents = await getBatchContents(s.reader, 1n);
      expect(contents).to.deep.include({ posted: true, capacity: 4, poster: getAddress(s.f.relay.address) });
      expect(contents.digests).to.deep.equal(signed.digests);
    });
    it('reads accepted requests from MarketBatchPosted: payer, nonce, program, slots, fee and callback gas per group; skipped ones absent', async () => {
      await setProgramCallback(s.rollup, { programId: s.f.programId, callback: s.f.user2.address as Hex, gasLimit: 50_000 });
      await deposit(s.user, parseEther('1'));
      await deposit(s.other, parseEther('1'));
      const deadline = (await s.helpers.time.latest()) + 600;
      const sign = (c: typeof s.user, n: number, feePerProof: bigint) =>
        signRequest(c, {
          programId: s.f.programId,
          publicInputs: Array.from({ length: n }, () => freshInputs()),
          feePerProof,
          nonce: 0n,
          deadline,
        });
      const a = await sign(s.user, 2, FEE);
      const stale = await sign(s.user, 1, FEE); // the same nonce as `a`: skipped once `a` is accepted
      const b = await sign(s.other, 3, FEE + 1n);
      const tx = await s.f.market.connect(s.f.relay).postBatch(
        [a, stale, b].map((r) => postedGroup(r.request, r.signature)),
        [...a.digests, ...stale.digests, ...b.digests],
      );
      const txHash = (await tx.wait())!.hash as Hex;
      const common = { batchId: 1n, nonce: 0n, programId: s.f.programId, callbackGas: 50_000n, txHash };
      const ofUser = await requestAcceptedEvents(s.reader, getAddress(s.f.user1.address));
      expect(ofUser).to.have.length(1);
      expect(ofUser[0]).to.deep.include({
        ...common,
        payer: getAddress(s.f.user1.address),
        firstSlot: 0,
        count: 2,
        feePerProof: FEE,
        requestHash: a.requestHash,
      });
      const ofOther = await requestAcceptedEvents(s.reader, getAddress(s.f.user2.address), { nonce: 0n });
      expect(ofOther).to.have.length(1);
      expect(ofOther[0]).to.deep.include({
        ...common,
        payer: getAddress(s.f.user2.address),
        firstSlot: 2,
        count: 3,
        feePerProof: FEE + 1n,
        requestHash: b.requestHash,
      });
      expect(await requestAcceptedEvents(s.reader, getAddress(s.f.user2.address), { nonce: 1n })).to.deep.equal([]);
      expect(await requestAcceptedEvents(s.reader, getAddress(s.f.relay.address))).to.deep.equal([]);
      // The receipt's events give the same records; the batch is rebuilt from them (the skipped group left out).
      const receipt = await s.reader.public.getTransactionReceipt({ hash: txHash });
      expect(eventsOfReceipt(s.addresses.market, receipt.logs).accepted).to.deep.equal([...ofUser, ...ofOther]);
      const contents = await getBatchContents(s.reader, 1n);
      expect(contents.digests).to.deep.equal([...a.digests, ...b.digests]);
      expect(contents.statements.map((x) => [x.payer, x.feePerProof, x.callbackGas])).to.deep.equal([
        ...a.digests.map(() => [getAddress(s.f.user1.address), FEE, 50_000n]),
        ...b.digests.map(() => [getAddress(s.f.user2.address), FEE + 1n, 50_000n]),
      ]);
      // A post event whose groups do not hash to its groupsHash, or whose lists disagree, is refused.
      const event = (aggregationMarketAbi as readonly { type: string; name?: string }[]).find(
        (i) => i.type === 'event' && i.name === 'MarketBatchPosted',
      ) as AbiEvent;
      const log = receipt.logs.find((l) => l.topics[0] === toEventSelector(event))!;
      const posted = decodeEventLog({ abi: aggregationMarketAbi, eventName: 'MarketBatchPosted', data: log.data, topics: log.topics });
      const reencode = (args: Partial<typeof posted.args>): (typeof receipt.logs)[number][] => {
        const all = { ...posted.args, ...args } as Record<string, unknown>;
        const data = encodeAbiParameters(
          event.inputs.filter((i) => !i.indexed),
          event.inputs.filter((i) => !i.indexed).map((i) => all[i.name!]),
        );
        return [{ ...log, data }];
      };
      expect(eventsOfReceipt(s.addresses.market, reencode({})).accepted).to.deep.equal([...ofUser, ...ofOther]);
      const flipped = `${posted.args.groups.slice(0, -1)}${posted.args.groups.endsWith('0') ? '1' : '0'}` as Hex;
      expect(() => eventsOfReceipt(s.addresses.market, reencode({ groups: flipped }))).to.throw(NexError, /do not hash to groupsHash/);
      expect(() => eventsOfReceipt(s.addresses.market, reencode({ nonces: [0n] }))).to.throw(NexError, /2 request hashes, 1 nonces/);
    });
  });

  describe('verification', () => {
    it('calldata batch: verified slots come with a path isVerified accepts; an excluded slot says excluded', async () => {
      const sts = Array.from({ length: 8 }, (_, i) => statement(20 + i));
      await submitMany(s.user, { statements: sts.slice(0, 3), feePerProof: FEE });
      await submit(s.other, { ...sts[3]!, fee: FEE });
      await submitMany(s.user, { statements: sts.slice(4), feePerProof: FEE });
      const contents = await getBatchContents(s.reader, 1n);
      expect(contents.statements.map((x) => x.publicInputs)).to.deep.equal(sts.map((x) => x.publicInputs));
      expect(contents.groups).to.have.length(3);
      expect((await getBatch(s.reader, 1n)).state).to.equal('sealed'); // full batch of 8
      // Not verified yet: a short wait times out.
      await rejects(waitForVerification(s.reader, { batchId: 1n, slot: 0 }, { timeoutMs: 100 }), WaitTimeoutError);
      await s.fulfil(contents, 0b1000n);
      const ok = await waitForVerification(s.reader, { submissionId: submissionId(1n, 2) }, { digest: contents.digests[2] });
      expect(ok).to.deep.include({ state: 'verified', batchId: 1n, slot: 2 });
      expect(ok.inclusion!.siblings).to.have.length(3);
      const st = { programId: s.f.programId, publicInputs: sts[2]!.publicInputs };
      expect(await isVerified(s.reader, { ...st, inclusion: ok.inclusion })).to.equal(true);
      expect(await isVerified(s.reader, { ...st, inclusion: { ...ok.inclusion!, index: 1 } })).to.equal(false);
      expect(await isVerified(s.reader, st)).to.equal(false); // not recorded
      await recordVerified(s.user, { ...st, inclusion: ok.inclusion! });
      expect(await isVerified(s.reader, st)).to.equal(true);
      const excluded = await waitForVerification(s.reader, { batchId: 1n, slot: 3 });
      expect(excluded.state).to.equal('excluded');
      expect(excluded.inclusion).to.equal(undefined);
      await rejects(waitForVerification(s.reader, { batchId: 1n, slot: 2 }, { digest: word(1) }), NexError, /holds digest/);
    });

    it('posted batch: the leaves come from the post calldata; the path verifies', async () => {
      await deposit(s.user, parseEther('1'));
      const inputs = [freshInputs(), freshInputs(), freshInputs()];
      const deadline = (await s.helpers.time.latest()) + 600;
      const signed = await signRequest(s.user, { programId: s.f.programId, publicInputs: inputs, feePerProof: FEE, nonce: 0n, deadline });
      await (await s.f.market.connect(s.f.relay).postBatch([postedGroup(signed.request, signed.signature)], [...signed.digests])).wait();
      const { locker } = await s.fulfil(await getBatchContents(s.reader, 1n));
      // The lock ended with the fulfilment: getBatch names no locker, the lock event does.
      expect(await getBatch(s.reader, 1n)).to.deep.include({ state: 'fulfilled', locker: zeroAddress });
      const locks = await batchLockedEvents(s.reader, 1n);
      expect(locks.map((l) => [l.batchId, l.prover])).to.deep.equal([[1n, locker]]);
      expect(await batchLockedEvents(s.reader, 2n)).to.deep.equal([]);
      const r = await waitForVerification(s.reader, { batchId: 1n, slot: 1 });
      expect(r).to.deep.include({ state: 'verified', digest: signed.digests[1] });
      expect(await isVerified(s.reader, { programId: s.f.programId, publicInputs: inputs[1]!, inclusion: r.inclusion })).to.equal(true);
    });

    it('ExampleRollup finalizes through the SDK: with the inclusion path, and by callback', async () => {
      const genesis = word(1);
      const rollup = await s.ethers.deployContract('ExampleRollup', [s.addresses.market, s.f.programId, genesis]);
      // Path: the transition's statement is submitted, verified, and finalize takes the SDK's inclusion.
      const root2 = word(2);
      const r = await submit(s.user, { programId: s.f.programId, publicInputs: [genesis, root2], proof: fakeProof(40), fee: FEE });
      await s.fulfil(await getBatchContents(s.reader, r.statements[0]!.batchId));
      const v = await waitForVerification(s.reader, { submissionId: r.statements[0]!.submissionId });
      await (
        await rollup.finalize(root2, { ...v.inclusion!, index: BigInt(v.inclusion!.index), siblings: [...v.inclusion!.siblings] })
      ).wait();
      expect(await rollup.stateRoot()).to.equal(root2);
      // Callback: the owner sets the callback; the proposed transition advances when the batch is fulfilled.
      await setProgramCallback(s.rollup, { programId: s.f.programId, callback: (await rollup.getAddress()) as Hex, gasLimit: 100_000 });
      const root3 = word(3);
      await (await rollup.propose(root3)).wait();
      const c = await submit(s.user, { programId: s.f.programId, publicInputs: [root2, root3], proof: fakeProof(41), fee: FEE });
      expect(c.statements[0]!.callbackGas).to.equal(100_000n);
      await s.fulfil(await getBatchContents(s.reader, c.statements[0]!.batchId));
      expect((await waitForVerification(s.reader, { submissionId: c.statements[0]!.submissionId })).state).to.equal('verified');
      expect(await rollup.stateRoot()).to.equal(root3);
    });
  });
});
