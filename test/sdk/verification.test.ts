// The SDK's view of a fulfilled batch: waitForVerification (events), isVerified, excluded and refundable
// slots, MarketAlreadyVerified. The batch is fulfilled through the router's test-only MockVerifier (market
// bookkeeping); real aggregated proofs go through the same calls in the end-to-end test.
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { encodeAbiParameters, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../prover/abi/v1.js';
import { aggregationPublicInputs } from '../../prover/protocol/index.js';
import { getSubmission, isSubmissionVerified, isVerified } from '../../prover/sdk/actions/getSubmission.js';
import { sendContractTx } from '../../prover/sdk/actions/internal.js';
import { refund } from '../../prover/sdk/actions/refund.js';
import { registerProgram } from '../../prover/sdk/actions/registerProgram.js';
import { submit, submitMany, type SubmitManyReturnType } from '../../prover/sdk/actions/submit.js';
import { waitForVerification } from '../../prover/sdk/actions/waitForVerification.js';
import { AlreadyVerifiedError, NotRefundableError } from '../../prover/sdk/errors.js';
import { KEY_HASHES, PARAMS, proofBytes, sdkFixture, VK, word, type SdkFixture } from './fixture.js';

const PROGRAM = word(0xbeef);
const inputs = (i: number): Hex[] => [word(100 + i), word(200 + i)];

describe('SDK after a batch is fulfilled', function () {
  this.timeout(120_000);
  let f: SdkFixture;
  let batch: SubmitManyReturnType;

  before(async () => {
    f = await sdkFixture();
    await registerProgram(f.rollup, { vkHash: PROGRAM, vk: VK, publicInputCount: 2 });
    batch = await submitMany(
      f.rollup,
      [0, 1, 2, 3].map((i) => ({ programId: PROGRAM, publicInputs: inputs(i), proof: proofBytes(i), fee: PARAMS.minFeePerProof })),
    );
  });

  it('waitForVerification resolves verified / excluded from the fulfilment events', async () => {
    const [s0, s1] = batch.submissions;
    const waits = [s0!, s1!].map((s) => waitForVerification(f.reader, s.submissionId, { timeoutMs: 60_000, pollingIntervalMs: 100 }));
    // The only staked prover (the fixture's admin) was drawn at seal: it locks and fulfils with slot 1 excluded.
    const prover = f.admin;
    const market = { address: f.market, abi: aggregationMarketAbi } as const;
    await sendContractTx(prover, 'lock', { ...market, functionName: 'lock', args: [1n] });
    const excludedMask = 0b0010;
    const root = await f.reader.public.readContract({ ...market, functionName: 'batchRoot', args: [1n, excludedMask] });
    const publicInputs = aggregationPublicInputs(root, f.accounts[0]!, KEY_HASHES[0]!);
    const proof = encodeAbiParameters([{ type: 'bytes32[]' }], [publicInputs]);
    const fulfil = await sendContractTx(prover, 'fulfill', { ...market, functionName: 'fulfill', args: [1n, proof, excludedMask] });
    const [w0, w1] = await Promise.all(waits);
    assert.equal(w0!.state, 'verified');
    assert.equal(w1!.state, 'excluded');
    assert.equal(w0!.status.batch.state, 'fulfilled');
    assert.ok(w0!.txHash === undefined || w0!.txHash === fulfil.hash);
  });

  it('isVerified answers per statement; the excluded one is refundable, the verified one is not', async () => {
    assert.equal(await isVerified(f.reader, PROGRAM, inputs(0)), true);
    assert.equal(await isVerified(f.reader, PROGRAM, inputs(1)), false);
    assert.equal(await isSubmissionVerified(f.reader, batch.submissions[2]!.submissionId), true);
    const excluded = await getSubmission(f.reader, batch.submissions[1]!.submissionId);
    assert.equal(excluded.state, 'excluded');
    assert.equal(excluded.refundable, true);
    await assert.rejects(
      refund(f.rollup, [batch.submissions[0]!.submissionId]),
      (e: unknown) => e instanceof NotRefundableError && /verified/.test(e.message),
    );
    const r = await refund(f.rollup, [batch.submissions[1]!.submissionId]);
    assert.equal(r.sent, PARAMS.minFeePerProof);
    assert.equal((await getSubmission(f.reader, batch.submissions[1]!.submissionId)).state, 'refunded');
  });

  it('a verified statement cannot be paid for again; an excluded one can be resubmitted', async () => {
    await assert.rejects(
      submit(f.rollup, { programId: PROGRAM, publicInputs: inputs(0), proof: proofBytes(9), fee: PARAMS.minFeePerProof }),
      AlreadyVerifiedError,
    );
    const again = await submit(f.rollup, {
      programId: PROGRAM,
      publicInputs: inputs(1),
      proof: proofBytes(10),
      fee: PARAMS.minFeePerProof,
    });
    assert.equal(again.batchId, 2n);
  });
});
