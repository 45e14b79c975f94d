// The engine's pre-check verifies every proof once; given an earlier report of the same batch (the
// keeper's, made before it locked), it reuses each check whose slot content is unchanged and verifies
// only the rest. A stand-in backend counts the verify calls (no bb).
import { expect } from 'chai';
import type { RollupProof } from '../../prover/engine/backend.js';
import type { Batch } from '../../prover/engine/batch.js';
import { ConfigError, resolveAggregateOptions } from '../../prover/engine/config.js';
import { precheckDigest, type PrecheckReport } from '../../prover/engine/index.js';
import { jsonLogger } from '../../prover/engine/logger.js';
import { precheckSlots } from '../../prover/engine/precheck.js';
import { batchFromMask, PROVER, randomBytes, rng } from './engineHelpers.js';

/** Verifies by a rule the test controls (proofs whose first byte is 0 fail) and counts the calls. */
function countingBackend() {
  const verified: RollupProof[] = [];
  return {
    verified,
    vkHashOf: async (_vk: Uint8Array) => '0x00' as const,
    async verifyRollupProof(r: RollupProof): Promise<boolean> {
      verified.push(r);
      return r.proof[0] !== 0;
    },
  };
}

/** The stand-in's vkHashOf answers the slot's own vkHash (so only the proof decides). */
function withOwnVkHashes(b: ReturnType<typeof countingBackend>, batch: Batch) {
  const byVk = new Map(batch.slots.flatMap((s) => (s.kind === 'proof' ? [[s.rollup.vk, s.rollup.vkHash] as const] : [])));
  return { ...b, vkHashOf: async (vk: Uint8Array) => byVk.get(vk) ?? '0x00' };
}

describe('engine pre-check: checks reused from an earlier report', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = jsonLogger({ write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>), level: 'debug' });
  const batch = batchFromMask(rng(7), 8, 0b10110101);
  const proofSlots = batch.slots.flatMap((s, i) => (s.kind === 'proof' ? [i] : []));
  // Slot 2's proof fails verification.
  (batch.slots[2] as { rollup: RollupProof }).rollup.proof[0] = 0;

  it('verifies every proof without a prior report, and binds each check to the slot content', async () => {
    const b = countingBackend();
    const report = await precheckSlots(withOwnVkHashes(b, batch), batch, logger);
    expect(b.verified).to.have.length(proofSlots.length);
    expect(report.checks.map((c) => c.slot)).to.deep.equal(proofSlots);
    expect(report.invalidSlots).to.deep.equal([2]);
    for (const c of report.checks) {
      expect(c.digest).to.equal(precheckDigest((batch.slots[c.slot] as { rollup: RollupProof }).rollup));
      expect(c.reused).to.equal(undefined);
    }
  });

  it('reuses the prior report: no proof verified again, same verdicts', async () => {
    const first = await precheckSlots(withOwnVkHashes(countingBackend(), batch), batch, logger);
    const b = countingBackend();
    lines.length = 0;
    const again = await precheckSlots(withOwnVkHashes(b, batch), batch, logger, JSON.parse(JSON.stringify(first)) as PrecheckReport);
    expect(b.verified).to.have.length(0);
    expect(again.invalidSlots).to.deep.equal([2]);
    expect(again.checks.map((c) => [c.slot, c.valid, c.reused])).to.deep.equal(first.checks.map((c) => [c.slot, c.valid, true]));
    expect(lines.find((l) => l.msg === 'pre-check finished')).to.deep.include({ proofs: proofSlots.length, reused: proofSlots.length });
  });

  it('verifies again exactly the slots whose content changed or that the report did not cover', async () => {
    const first = await precheckSlots(withOwnVkHashes(countingBackend(), batch), batch, logger);
    // Slot 0 now carries another proof (same program): its earlier check no longer applies. Slot 7 is
    // missing from the report. A check for a slot that holds no proof is ignored.
    const changed: Batch = structuredClone(batch);
    const r0 = (changed.slots[0] as { rollup: RollupProof }).rollup;
    r0.proof = randomBytes(rng(99), r0.proof.length);
    r0.proof[0] = 1;
    const prior: PrecheckReport = {
      ...first,
      checks: [...first.checks.filter((c) => c.slot !== 7), { slot: 1, valid: true, ms: 0, digest: first.checks[0]!.digest }],
    };
    const b = countingBackend();
    const report = await precheckSlots(withOwnVkHashes(b, changed), changed, logger, prior);
    expect(b.verified.map((r) => changed.slots.findIndex((s) => s.kind === 'proof' && s.rollup === r))).to.deep.equal([0, 7]);
    expect(report.checks.filter((c) => c.reused).map((c) => c.slot)).to.deep.equal([2, 4, 5]);
    expect(report.checks.map((c) => c.slot)).to.deep.equal(proofSlots);
    expect(report.invalidSlots).to.deep.equal([2]);
  });

  it('a check made on other content is not reused: those proofs are verified', async () => {
    const first = await precheckSlots(withOwnVkHashes(countingBackend(), batch), batch, logger);
    const stale: PrecheckReport = { ...first, checks: first.checks.map((c) => ({ ...c, valid: true, digest: `0x${'11'.repeat(32)}` })) };
    const b = countingBackend();
    const report = await precheckSlots(withOwnVkHashes(b, batch), batch, logger, stale);
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
