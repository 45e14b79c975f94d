/**
 * The demo's headline number for version 2: ALL-IN L1 gas per proof of a settled batch against
 * verifying one rollup proof alone. All in = every transaction the batch needed on L1, divided by the
 * proofs it verified: the intake (the off-chain channel's post of the whole batch, or the calldata
 * channel's submits), the lock, and the fulfilment (the root proof's verification, its calldata, the
 * settlement and any callbacks). The spec's targets (docs/protocol.md, V2.1) are on this number:
 * <= 35k gas at batch 32 and <= 20k at batch 64 on the off-chain channel; one proof verified alone
 * costs ~766k.
 */
import { DemoError } from './types.js';

export interface BatchGas {
  /** gasUsed of the transactions that brought the batch's statements on chain (post, submits). */
  readonly intake: readonly bigint[];
  /** gasUsed of the lock. */
  readonly lock: bigint;
  /** gasUsed of the fulfilment (root verification + settlement + callbacks). */
  readonly fulfil: bigint;
  /** Proofs the batch verified (excluded slots do not count). */
  readonly verifiedProofs: number;
  /** gasUsed of one rollup proof verified alone by its own bb-generated Solidity verifier. */
  readonly verifyAlone: bigint;
}

export interface AllInGas {
  readonly intake: bigint;
  readonly lock: bigint;
  readonly fulfil: bigint;
  readonly total: bigint;
  /** total / verifiedProofs, rounded up (a proof never costs less than its share). */
  readonly perProof: bigint;
  readonly verifyAlone: bigint;
  /** How many times cheaper than verifying alone (verifyAlone / perProof), one decimal. */
  readonly factor: number;
  /** Share of the per-proof cost saved against verifying alone, in percent (negative: more expensive). */
  readonly savingPercent: number;
}

/** The all-in figures of one settled batch; throws DemoError when the batch verified nothing. */
export function allInGas(g: BatchGas): AllInGas {
  if (!Number.isSafeInteger(g.verifiedProofs) || g.verifiedProofs <= 0) {
    throw new DemoError(`no per-proof gas for a batch that verified ${g.verifiedProofs} proofs`);
  }
  if (g.verifyAlone <= 0n) throw new DemoError('the single-proof baseline must be a positive gas amount');
  for (const v of [...g.intake, g.lock, g.fulfil]) if (v < 0n) throw new DemoError(`negative gas amount ${v}`);
  const intake = g.intake.reduce((a, b) => a + b, 0n);
  const total = intake + g.lock + g.fulfil;
  const n = BigInt(g.verifiedProofs);
  const perProof = (total + n - 1n) / n;
  return {
    intake,
    lock: g.lock,
    fulfil: g.fulfil,
    total,
    perProof,
    verifyAlone: g.verifyAlone,
    factor: perProof === 0n ? Infinity : Number((g.verifyAlone * 10n) / perProof) / 10,
    savingPercent: Number(((g.verifyAlone - perProof) * 1000n) / g.verifyAlone) / 10,
  };
}

const int = (v: bigint): string => v.toLocaleString('en-US');

/** The summary's lines for the figures (`channel` names the intake, e.g. 'off-chain post'). */
export function formatAllInGas(a: AllInGas, proofs: number, channel: string): string[] {
  return [
    `  ${channel.padEnd(36)} ${int(a.intake)} gas`,
    `  ${'lock'.padEnd(36)} ${int(a.lock)} gas`,
    `  ${'fulfil (root verify + settlement)'.padEnd(36)} ${int(a.fulfil)} gas`,
    `  ${'all in, per verified proof'.padEnd(36)} ${int(a.perProof)} gas (${int(a.total)} / ${proofs})`,
    `  ${'one rollup proof verified alone'.padEnd(36)} ${int(a.verifyAlone)} gas`,
    a.savingPercent >= 0
      ? `  ${a.factor}x cheaper per proof (${a.savingPercent}% less gas) than verifying each proof alone`
      : `  ${-a.savingPercent}% more gas per proof than verifying each alone: a batch of ${proofs} does not pay off`,
  ];
}
