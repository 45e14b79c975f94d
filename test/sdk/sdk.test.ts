import assert from 'node:assert/strict';
import { describe, it, before } from 'mocha';
import { getAddress, parseEventLogs, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../prover/abi/v1.js';
import { statementDigest } from '../../prover/protocol/index.js';
import {
  BATCH_L1_GAS,
  PER_PROOF_L1_GAS,
  STANDARD_VERIFIER_BATCH_L1_GAS,
  computeFee,
  estimateFee,
  estimateLatency,
} from '../../prover/sdk/actions/estimateFee.js';
import { getSubmission, isSubmissionVerified, isVerified } from '../../prover/sdk/actions/getSubmission.js';
import { refund } from '../../prover/sdk/actions/refund.js';
import { claimEarnings, getEarnings } from '../../prover/sdk/actions/claimEarnings.js';
import { registerProgram } from '../../prover/sdk/actions/registerProgram.js';
import { submit, submitMany } from '../../prover/sdk/actions/submit.js';
import { waitForVerification } from '../../prover/sdk/actions/waitForVerification.js';
import {
  ContractRevertError,
  FeeTooLowError,
  MalformedProofError,
  NexError,
  NoAccountError,
  NonCanonicalFieldError,
  NotRefundableError,
  ProgramExistsError,
  PublicInputCountError,
  StatementPendingError,
  UnknownProgramError,
  WaitTimeoutError,
} from '../../prover/sdk/errors.js';
import { BN254_R, PROOF_FIELDS } from '../../prover/sdk/index.js';
import { PARAMS, proofBytes, sdkFixture, VK, word, type SdkFixture } from './fixture.js';

const PROGRAM = word(0xabc1);
const OTHER_PROGRAM = word(0xabc2);

/** Asserts `p` rejects with an instance of `cls`, then runs `check` on it. */
async function rejectsWith<T extends Error>(p: Promise<unknown>, cls: new (...args: never[]) => T, check?: (e: T) => void): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    check?.(err);
    return true;
  });
}

describe('rollup SDK against the real market', function () {
  this.timeout(120_000);
  let f: SdkFixture;

  before(async () => {
    f = await sdkFixture();
    await registerProgram(f.rollup, { vkHash: PROGRAM, vk: VK, publicInputCount: 2 });
  });

  describe('registerProgram', () => {
    it('registers a program owned by the caller, and refuses it twice', async () => {
      const r = await registerProgram(f.rollup, { vkHash: OTHER_PROGRAM, vk: VK, publicInputCount: 1 });
      assert.equal(r.programId, OTHER_PROGRAM);
      assert.equal(r.owner, f.accounts[1]);
      assert.equal(r.index, 2, 'registration indexes start at 1');
      await rejectsWith(registerProgram(f.other, { vkHash: OTHER_PROGRAM, vk: VK, publicInputCount: 1 }), ProgramExistsError);
    });

    it('checks the vk hash, the vk size and the public-input count', async () => {
      await rejectsWith(registerProgram(f.rollup, { vkHash: word(BN254_R), vk: VK, publicInputCount: 1 }), NonCanonicalFieldError);
      await rejectsWith(registerProgram(f.rollup, { vkHash: word(0xabc3), vk: '0xabcd', publicInputCount: 1 }), MalformedProofError, (e) =>
        assert.match(e.message, /3680/),
      );
      await rejectsWith(registerProgram(f.rollup, { vkHash: word(0xabc3), vk: VK, publicInputCount: 0 }), NexError);
      await rejectsWith(registerProgram(f.rollup, { vkHash: word(0xabc3), vk: VK, publicInputCount: 33 }), NexError);
      // 3 is in range but no version-1 aggregation circuit takes it: the contract's error, in words.
      const unsupported = await registerProgram(f.rollup, { vkHash: word(0xabc3), vk: VK, publicInputCount: 3 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(unsupported instanceof NexError);
      assert.match(unsupported.message, /no aggregation circuit takes 3 public inputs; the market accepts 1, 2, 4/);
    });

    it('needs an account to send', async () => {
      await rejectsWith(registerProgram(f.reader, { vkHash: word(0xabc4), vk: VK, publicInputCount: 1 }), NoAccountError);
    });
  });

  describe('submit', () => {
    it('posts a proof, returns id/batch/slot/digest, and the statement is pending, not verified', async () => {
      const inputs: Hex[] = [word(1), word(2)];
      const r = await submit(f.rollup, { programId: PROGRAM, publicInputs: inputs, proof: proofBytes(1), fee: PARAMS.minFeePerProof });
      assert.equal(r.batchId, 1n);
      assert.equal(r.slot, 0);
      assert.equal(r.submissionId, 32n);
      assert.equal(r.digest, statementDigest(PROGRAM, inputs));
      assert.equal(r.fee, PARAMS.minFeePerProof);
      const s = await getSubmission(f.reader, r.submissionId);
      assert.equal(s.state, 'pending');
      assert.equal(s.refundable, false);
      assert.equal(s.batch.state, 'open');
      assert.equal(s.batch.count, 1);
      assert.equal(s.digest, r.digest);
      assert.equal(await isVerified(f.reader, PROGRAM, inputs), false);
      assert.equal(await isSubmissionVerified(f.reader, r.submissionId), false);
    });

    it('pays the suggested fee when none is given', async () => {
      const gasPrice = await f.reader.public.getGasPrice();
      const expected = computeFee({ ...PARAMS }, gasPrice).suggestedFee;
      const r = await submit(f.rollup, { programId: PROGRAM, publicInputs: [word(3), word(4)], proof: proofBytes(2) });
      assert.equal(r.fee, expected);
      assert.ok(r.fee >= PARAMS.minFeePerProof);
    });

    it('submitMany posts several programs in one transaction with per-proof fees', async () => {
      const r = await submitMany(f.rollup, [
        { programId: PROGRAM, publicInputs: [word(5), word(6)], proof: proofBytes(3), fee: PARAMS.minFeePerProof },
        { programId: OTHER_PROGRAM, publicInputs: [word(7)], proof: proofBytes(4), fee: 2n * PARAMS.minFeePerProof },
      ]);
      assert.deepEqual(
        r.submissions.map((s) => [s.batchId, s.slot, s.fee]),
        [
          [1n, 2, PARAMS.minFeePerProof],
          [1n, 3, 2n * PARAMS.minFeePerProof],
        ],
      );
      // Capacity 4: the fourth submission sealed batch 1.
      const s = await getSubmission(f.reader, r.submissions[1]!.submissionId);
      assert.equal(s.batch.state, 'sealed');
    });

    it('refuses, before sending, what the market would reject', async () => {
      const ok = { programId: PROGRAM, publicInputs: [word(10), word(11)], proof: proofBytes(5), fee: PARAMS.minFeePerProof };
      const before = await f.reader.public.getBlockNumber();
      await rejectsWith(submit(f.rollup, { ...ok, programId: word(0xdead) }), UnknownProgramError);
      await rejectsWith(submit(f.rollup, { ...ok, publicInputs: [word(10)] }), PublicInputCountError, (e) => {
        assert.equal(e.expected, 2);
        assert.equal(e.actual, 1);
      });
      await rejectsWith(submit(f.rollup, { ...ok, publicInputs: [word(10), word(BN254_R)] }), NonCanonicalFieldError, (e) =>
        assert.equal(e.index, 1),
      );
      await rejectsWith(submit(f.rollup, { ...ok, fee: PARAMS.minFeePerProof - 1n }), FeeTooLowError, (e) =>
        assert.equal(e.minFee, PARAMS.minFeePerProof),
      );
      await rejectsWith(submit(f.rollup, { ...ok, proof: '0x' }), MalformedProofError, (e) => assert.match(e.message, /empty/));
      await rejectsWith(submit(f.rollup, { ...ok, proof: '0x1234' }), MalformedProofError, (e) => assert.match(e.message, /32-byte/));
      await rejectsWith(submit(f.rollup, { ...ok, proof: proofBytes(5, PROOF_FIELDS - 1) }), MalformedProofError, (e) =>
        assert.match(e.message, /458/),
      );
      assert.equal(await f.reader.public.getBlockNumber(), before, 'nothing was sent');
    });

    it("maps the market's custom errors to the same typed errors when the checks are skipped", async () => {
      const ok = { programId: PROGRAM, publicInputs: [word(12), word(13)], proof: proofBytes(6), fee: PARAMS.minFeePerProof };
      const raw = { skipChecks: true };
      await rejectsWith(submit(f.rollup, { ...ok, programId: word(0xdead) }, raw), UnknownProgramError, (e) =>
        assert.equal(e.programId, word(0xdead)),
      );
      await rejectsWith(submit(f.rollup, { ...ok, publicInputs: [word(1), word(2), word(3)] }, raw), PublicInputCountError, (e) => {
        assert.equal(e.expected, 2);
        assert.equal(e.actual, 3);
      });
      await rejectsWith(submit(f.rollup, { ...ok, publicInputs: [word(BN254_R), word(1)] }, raw), NonCanonicalFieldError, (e) => {
        assert.equal(e.index, 0);
        assert.equal(e.value, word(BN254_R));
      });
      await rejectsWith(submit(f.rollup, { ...ok, fee: 1n }, raw), FeeTooLowError, (e) => {
        assert.equal(e.fee, 1n);
        assert.equal(e.minFee, PARAMS.minFeePerProof);
      });
      await rejectsWith(submit(f.rollup, { ...ok, proof: '0x' }, raw), MalformedProofError);
      await submit(f.rollup, ok);
      await rejectsWith(submit(f.rollup, ok), StatementPendingError, (e) =>
        assert.equal(e.digest, statementDigest(PROGRAM, ok.publicInputs)),
      );
    });
  });

  describe('estimateFee and estimateLatency', () => {
    it("reads the market's floor and derives the suggestion and latency from its params", async () => {
      const fee = await estimateFee(f.reader, { gasPrice: 1n });
      assert.equal(fee.minFeePerProof, PARAMS.minFeePerProof);
      assert.equal(fee.suggestedFee, PARAMS.minFeePerProof, 'at 1 wei gas the floor dominates');
      const high = await estimateFee(f.reader, { gasPrice: 10n ** 11n, batchSize: 2 });
      assert.ok(high.suggestedFee > high.l1CostPerProof, 'margin and protocol fee on top of the L1 cost');
      assert.ok(high.l1CostPerProof > (await estimateFee(f.reader, { gasPrice: 10n ** 11n, batchSize: 4 })).l1CostPerProof);
      await assert.rejects(estimateFee(f.reader, { batchSize: 5 }), RangeError);
      // The L1 cost share: (batch gas + 15k per proof) / size, rounded up; the default batch gas fits the
      // deployed (optimized) verifier, a standard-verifier deployment passes its own.
      const gasPrice = 10n ** 9n;
      assert.equal(computeFee(PARAMS, gasPrice, { batchSize: 4 }).l1CostPerProof, (gasPrice * (BATCH_L1_GAS + 4n * PER_PROOF_L1_GAS)) / 4n);
      const standard = computeFee(PARAMS, gasPrice, { batchSize: 4, batchL1Gas: STANDARD_VERIFIER_BATCH_L1_GAS });
      assert.equal(standard.l1CostPerProof, (gasPrice * (STANDARD_VERIFIER_BATCH_L1_GAS + 4n * PER_PROOF_L1_GAS)) / 4n);
      assert.throws(() => computeFee(PARAMS, gasPrice, { batchL1Gas: 0n }), RangeError);
      const l = await estimateLatency(f.reader);
      const proving = PARAMS.provingWindowBase + PARAMS.provingWindowPerProof * PARAMS.batchCapacity;
      assert.equal(l.provingWindowSec, proving);
      assert.equal(l.expectedMaxSec, PARAMS.batchTimeout + PARAMS.assignmentWindow + proving);
      assert.equal(l.worstCaseSec, l.expectedMaxSec + PARAMS.secondaryWindow);
      assert.equal(l.refundableAfterSec, PARAMS.submissionTtl);
    });
  });

  describe('refund and waitForVerification', () => {
    it('refuses to refund a pending submission; anyone may refund an expired one, the fee goes to its submitter', async () => {
      const r = await submit(f.rollup, {
        programId: PROGRAM,
        publicInputs: [word(20), word(21)],
        proof: proofBytes(7),
        fee: 3n * PARAMS.minFeePerProof,
      });
      await rejectsWith(refund(f.rollup, [r.submissionId]), NotRefundableError, (e) => assert.match(e.message, /pending|sealed|open/));
      await rejectsWith(refund(f.rollup, [r.submissionId], { skipChecks: true }), NotRefundableError);
      await rejectsWith(waitForVerification(f.reader, r.submissionId, { timeoutMs: 300, pollingIntervalMs: 50 }), WaitTimeoutError);
      await f.helpers.time.increase(PARAMS.submissionTtl + 1);
      await f.helpers.mine();
      const s = await getSubmission(f.reader, r.submissionId);
      assert.equal(s.state, 'expired');
      assert.equal(s.refundable, true);
      const waited = await waitForVerification(f.reader, r.submissionId, { timeoutMs: 5_000, pollingIntervalMs: 50 });
      assert.equal(waited.state, 'expired');
      // Anyone may refund an expired submission (this frees the statement); the fee is credited to
      // the submitter's claimable earnings, never to the caller.
      const earningsBefore = await getEarnings(f.reader, f.accounts[1]!);
      const done = await refund(f.other, [r.submissionId]);
      assert.deepEqual(done.refunds, [
        { submissionId: r.submissionId, submitter: getAddress(f.accounts[1]!), amount: 3n * PARAMS.minFeePerProof },
      ]);
      assert.equal(done.sent, 0n);
      assert.equal(done.credited, 3n * PARAMS.minFeePerProof);
      assert.equal(await getEarnings(f.reader, f.accounts[1]!), earningsBefore + 3n * PARAMS.minFeePerProof);
      assert.equal(await getEarnings(f.reader, f.accounts[2]!), 0n);
      const receipt = await f.reader.public.getTransactionReceipt({ hash: done.txHash });
      const after = await getSubmission(f.reader, r.submissionId);
      assert.equal(after.state, 'refunded');
      const events = parseEventLogs({ abi: aggregationMarketAbi, logs: receipt.logs, eventName: 'Refunded' });
      assert.equal(events.length, 1);
      const balanceBefore = await f.reader.public.getBalance({ address: f.accounts[1]! });
      const claimed = await claimEarnings(f.rollup);
      assert.equal(claimed.amount, earningsBefore + 3n * PARAMS.minFeePerProof);
      const claimReceipt = await f.reader.public.getTransactionReceipt({ hash: claimed.txHash });
      const gas = claimReceipt.gasUsed * claimReceipt.effectiveGasPrice;
      assert.equal(await f.reader.public.getBalance({ address: f.accounts[1]! }), balanceBefore + claimed.amount - gas);
      await rejectsWith(claimEarnings(f.rollup), NexError, (e) => assert.match(e.message, /nothing to claim/));
      await rejectsWith(refund(f.rollup, [r.submissionId]), NotRefundableError, (e) => assert.match(e.message, /refunded/));
    });

    it('refunds several expired submissions in one transaction', async () => {
      const r = await submitMany(f.rollup, [
        { programId: PROGRAM, publicInputs: [word(30), word(31)], proof: proofBytes(8), fee: PARAMS.minFeePerProof },
        { programId: PROGRAM, publicInputs: [word(32), word(33)], proof: proofBytes(9), fee: PARAMS.minFeePerProof },
      ]);
      await f.helpers.time.increase(PARAMS.submissionTtl + 1);
      const done = await refund(
        f.rollup,
        r.submissions.map((s) => s.submissionId),
      );
      assert.equal(done.refunds.length, 2);
      assert.equal(done.sent, 2n * PARAMS.minFeePerProof);
      assert.equal(done.credited, 0n);
    });

    it('waitForVerification rejects an unknown submission at once', async () => {
      await rejectsWith(waitForVerification(f.reader, 32n * 999n, { timeoutMs: 5_000 }), NexError, (e) =>
        assert.match(e.message, /does not exist/),
      );
    });

    it('other reverts become ContractRevertError with the error name', async () => {
      // seal() of a batch that is not open: no specific SDK class, the name and args survive.
      const { sendContractTx } = await import('../../prover/sdk/actions/internal.js');
      await rejectsWith(
        sendContractTx(f.rollup, 'seal', { address: f.market, abi: aggregationMarketAbi, functionName: 'seal', args: [999n] }),
        ContractRevertError,
        (e) => assert.equal(e.errorName, 'MarketBatchNotOpen'),
      );
    });
  });
});
