// The engine's pre-check: it verifies every proof once; given an earlier report of the same batch (the
// keeper's, made before it locked), it reuses each check whose slot content is unchanged. Only a verdict
// excludes: shapes the leaves cannot take (a word >= r included) are refused before bb, and a bb that
// fails to answer is retried on a fresh bb, then the pre-check fails with BackendUnavailableError and
// excludes nothing (issue 10 items 12 and 13). A stand-in backend decides and counts (no bb here; the
// real-proof tests use a real bb behind the same fault injector).
import { expect } from 'chai';
import { hexToBytes } from 'viem';
import type { RollupProof } from '../../prover/engine/backend.js';
import { backendHandle, BackendUnavailableError, type RetryPolicy } from '../../prover/engine/backendHandle.js';
import type { Batch } from '../../prover/engine/batch.js';
import { ConfigError, resolveAggregateOptions } from '../../prover/engine/config.js';
import { precheckDigest, type PrecheckReport } from '../../prover/engine/index.js';
import { jsonLogger, silentLogger } from '../../prover/engine/logger.js';
import { type Check, precheckSlots } from '../../prover/engine/precheck.js';
import { FIELD_MODULUS, toWord } from '../../prover/protocol/index.js';
import { faultyBackend } from './faultyBackend.js';
import { PROVER, randomBytes, rng, shapedBatch } from './engineHelpers.js';

/** Verifies by a rule the test controls (proofs whose first byte is 0 fail) and counts the calls. */
function countingBackend() {
  const verified: RollupProof[] = [];
  return {
    verified,
    async checkRollupProof(r: RollupProof): Promise<string | undefined> {
      verified.push(r);
      return r.proof[1] === 0 ? 'proof does not verify against the program verification key' : undefined;
    },
    async close(): Promise<void> {},
  };
}

const handleOf = (b: Check & { close(): Promise<void> }) => backendHandle(async () => b);
const FAST: RetryPolicy = { attempts: 3, timeoutMs: 200, delayMs: 1 };

describe('engine pre-check: checks reused from an earlier report', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = jsonLogger({ write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>), level: 'debug' });
  const batch = shapedBatch(rng(7), 8, 0b10110101n);
  const proofSlots = batch.slots.flatMap((s, i) => (s.kind === 'proof' ? [i] : []));
  // Slot 2's proof fails verification.
  (batch.slots[2] as { rollup: RollupProof }).rollup.proof[1] = 0;

  it('verifies every proof without a prior report, and binds each check to the slot content (owner included)', async () => {
    const b = countingBackend();
    const report = await precheckSlots(handleOf(b), batch, logger);
    expect(b.verified).to.have.length(proofSlots.length);
    expect(report.checks.map((c) => c.slot)).to.deep.equal(proofSlots);
    expect(report.invalidSlots).to.deep.equal([2]);
    for (const c of report.checks) {
      const r = (batch.slots[c.slot] as { rollup: RollupProof }).rollup;
      expect(c.digest).to.equal(precheckDigest(r));
      expect(precheckDigest({ ...r, owner: '0x00000000000000000000000000000000000b0b00' })).to.not.equal(c.digest);
      expect(c.reused).to.equal(undefined);
    }
  });

  it('reuses the prior report: no proof verified again, same verdicts', async () => {
    const first = await precheckSlots(handleOf(countingBackend()), batch, logger);
    const b = countingBackend();
    lines.length = 0;
    const again = await precheckSlots(handleOf(b), batch, logger, JSON.parse(JSON.stringify(first)) as PrecheckReport);
    expect(b.verified).to.have.length(0);
    expect(again.invalidSlots).to.deep.equal([2]);
    expect(again.checks.map((c) => [c.slot, c.valid, c.reused])).to.deep.equal(first.checks.map((c) => [c.slot, c.valid, true]));
    expect(lines.find((l) => l.msg === 'pre-check finished')).to.deep.include({ proofs: proofSlots.length, reused: proofSlots.length });
  });

  it('verifies again exactly the slots whose content changed or that the report did not cover', async () => {
    const first = await precheckSlots(handleOf(countingBackend()), batch, logger);
    // Slot 0 now carries another proof (same program): its earlier check no longer applies. Slot 7 is
    // missing from the report. A check for a slot that holds no proof is ignored.
    const changed: Batch = structuredClone(batch);
    const r0 = (changed.slots[0] as { rollup: RollupProof }).rollup;
    r0.proof = randomBytes(rng(99), r0.proof.length);
    for (let i = 0; i < r0.proof.length; i += 32) r0.proof[i] = 0;
    r0.proof[1] = 1;
    const prior: PrecheckReport = {
      ...first,
      checks: [...first.checks.filter((c) => c.slot !== 7), { slot: 1, valid: true, ms: 0, digest: first.checks[0]!.digest }],
    };
    const b = countingBackend();
    const report = await precheckSlots(handleOf(b), changed, logger, prior);
    expect(b.verified.map((r) => changed.slots.findIndex((s) => s.kind === 'proof' && s.rollup === r))).to.deep.equal([0, 7]);
    expect(report.checks.filter((c) => c.reused).map((c) => c.slot)).to.deep.equal([2, 4, 5]);
    expect(report.checks.map((c) => c.slot)).to.deep.equal(proofSlots);
    expect(report.invalidSlots).to.deep.equal([2]);
  });

  it('a check made on other content is not reused: those proofs are verified', async () => {
    const first = await precheckSlots(handleOf(countingBackend()), batch, logger);
    const stale: PrecheckReport = { ...first, checks: first.checks.map((c) => ({ ...c, valid: true, digest: `0x${'11'.repeat(32)}` })) };
    const b = countingBackend();
    const report = await precheckSlots(handleOf(b), batch, logger, stale);
    expect(b.verified).to.have.length(proofSlots.length);
    expect(report.invalidSlots).to.deep.equal([2]);
  });

  it('aggregate options: a prechecked report is validated at the API boundary', () => {
    const ok = {
      invalidSlots: [],
      checks: [{ slot: 0, valid: true, ms: 1, digest: `0x${'ab'.repeat(32)}` }],
      totalMs: 1,
    } as PrecheckReport;
    expect(resolveAggregateOptions({ batch, prover: PROVER, prechecked: ok }).prechecked).to.equal(ok);
    expect(resolveAggregateOptions({ batch, prover: PROVER }).prechecked).to.equal(undefined);
    expect(() => resolveAggregateOptions({ batch, prover: PROVER, prechecked: {} as never })).to.throw(
      ConfigError,
      /prechecked must be a pre-check report/,
    );
    const noDigest = { ...ok, checks: [{ slot: 0, valid: true, ms: 1 }] } as never;
    expect(() => resolveAggregateOptions({ batch, prover: PROVER, prechecked: noDigest })).to.throw(
      ConfigError,
      /prechecked\.checks\[0\] must have .* a 32-byte digest/,
    );
  });
});

describe('engine pre-check: canonical words, and bb failures are not verdicts (issue 10 items 12, 13)', () => {
  const put = (bytes: Uint8Array, word: number, value: bigint): void => bytes.set(hexToBytes(toWord(value)), word * 32);

  it('refuses, before any bb call, a proof or key word >= r and wrong sizes, naming the word', async () => {
    const batch = shapedBatch(rng(30), 4, 0b1111n);
    const rollup = (i: number): RollupProof => (batch.slots[i] as { rollup: RollupProof }).rollup;
    put(rollup(0).proof, 454, FIELD_MODULUS); // = r
    put(rollup(1).vk, 3, (1n << 256n) - 1n);
    rollup(2).proof = rollup(2).proof.slice(0, 32 * 410); // an aggregation proof's size, not a rollup proof's
    const b = countingBackend();
    const report = await precheckSlots(handleOf(b), batch, silentLogger);
    expect(report.invalidSlots).to.deep.equal([0, 1, 2]);
    expect(report.checks.map((c) => c.reason)).to.deep.equal([
      'proof word 454 is not a canonical field element (>= r)',
      'verification key word 3 is not a canonical field element (>= r)',
      'proof has 13120 bytes, expected 14656',
      undefined,
    ]);
    expect(b.verified).to.have.length(1); // only slot 3 reached bb
  });

  for (const mode of ['crash', 'socket', 'hang'] as const) {
    it(`retries a bb that ${mode === 'hang' ? 'does not answer (time limit)' : `fails to answer (${mode})`} on a fresh bb, and keeps every verdict`, async () => {
      const batch = shapedBatch(rng(31), 4, 0b1111n);
      (batch.slots[3] as { rollup: RollupProof }).rollup.proof[1] = 0; // one really invalid proof
      const inner = countingBackend();
      const shared = { calls: 0, injected: 0, closed: 0 };
      let opened = 0;
      const handle = backendHandle(async () => {
        opened++;
        return faultyBackend(inner, { failures: 2, mode }, shared).backend;
      });
      const report = await precheckSlots(handle, batch, silentLogger, undefined, FAST);
      expect(report.invalidSlots).to.deep.equal([3]);
      expect(report.checks.filter((c) => c.valid).map((c) => c.slot)).to.deep.equal([0, 1, 2]);
      expect(shared.injected).to.equal(2);
      expect(inner.verified).to.have.length(4);
      expect(opened).to.equal(3); // each failure replaced the backend
      expect(shared.closed).to.equal(2);
    });
  }

  it('a bb that keeps failing aborts the pre-check with BackendUnavailableError and excludes nothing', async () => {
    const batch = shapedBatch(rng(32), 4, 0b1111n);
    const inner = countingBackend();
    const shared = { calls: 0, injected: 0, closed: 0 };
    const handle = backendHandle(async () => faultyBackend(inner, { failures: 'always', mode: 'crash' }, shared).backend);
    let err: unknown;
    const report = await precheckSlots(handle, batch, silentLogger, undefined, FAST).catch((e: unknown) => {
      err = e;
      return undefined;
    });
    expect(report).to.equal(undefined);
    expect(err).to.be.instanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).attempts).to.equal(3);
    expect((err as Error).message).to.match(
      /^bb failed to answer the pre-check of slot 0 3 time\(s\): Native backend process exited with code 134/,
    );
    expect((err as Error).message).to.match(/nothing was excluded/);
    expect(inner.verified).to.have.length(0);
  });

  it('a verdict of bb (BBApiException: a malformed proof) is not retried: the slot is invalid', async () => {
    const batch = shapedBatch(rng(33), 4, 0b0001n);
    let calls = 0;
    const refusing = {
      async checkRollupProof(): Promise<string | undefined> {
        calls++;
        const e = new Error('point is not on the curve');
        e.name = 'BBApiException';
        throw e;
      },
      async close(): Promise<void> {},
    };
    const report = await precheckSlots(handleOf(refusing), batch, silentLogger, undefined, FAST);
    expect(report.invalidSlots).to.deep.equal([0]);
    expect(report.checks[0]!.reason).to.equal('bb refused the proof as malformed: point is not on the curve');
    expect(calls).to.equal(1);
  });
});
