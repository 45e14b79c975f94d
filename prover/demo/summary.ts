/** The demo's closing summary (plain text). */
import { formatEther } from 'viem';
import { MEASURED_DIRECT_OFFCHAIN_GAS, allInGasPerProof } from '../sdk/index.js';
import { formatMs } from './progress.js';
import type { DemoResult } from './run.js';

const int = (v: string | bigint | number): string => BigInt(v).toLocaleString('en-US');
const eth = (v: string | bigint): string => `${formatEther(BigInt(v))} ETH`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map(
    (r) =>
      `  ${r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}`,
  );
}

export function formatSummary(r: DemoResult): string {
  const total = r.stages.reduce((a, s) => a + s.ms, 0);
  const single = BigInt(r.gas.singleVerify);
  // Every per-proof figure is all in (issue 11): intake + lock + fulfil, divided by the verified proofs.
  const per = BigInt(r.gas.allInPerProof);
  const off = r.offchain;
  const offPer = BigInt(off.gas.allInPerProof);
  const v = r.gas.verifierVariant;
  const against = (p: bigint): string => {
    if (single <= 0n) return 'n/a';
    const pct = Number(((single - p) * 1000n) / single) / 10;
    return pct >= 0 ? `${pct}% less` : `${-pct}% more`;
  };
  const lines = [
    '',
    `NEX demo: batch ${r.batchId} (capacity ${r.capacity}) on chain ${r.chainId}, market ${r.market}`,
    r.explorerUrl
      ? `Explorer: ${r.explorerUrl} (batch ${r.batchId}: ${r.explorerUrl}/#/batch/${r.batchId}; stopped with the demo, \`nex explorer --deployments ${r.deploymentsFile}\` serves it again over a devnet that stays up)`
      : 'Explorer: not started (--no-explorer)',
    '',
    'Who proved',
    ...r.keepers.map((k) => `  ${k.name} ${k.address}: ${k.note}${k.locked ? ` (${k.provedJobs} proofs)` : ''}`),
    '',
    'Calldata channel: statements',
    ...table([
      ['submission', 'rollup', 'proof', 'final state', 'isVerified on L1', 'fee'],
      ...r.statements.map((s) => [
        s.submissionId,
        s.rollup,
        s.valid ? 'valid' : 'tampered',
        s.state,
        String(s.verifiedOnChain),
        eth(s.fee),
      ]),
    ]),
    '',
    'Time per stage',
    ...table([...r.stages.map((s) => [s.stage, formatMs(s.ms)]), ['total', formatMs(total)]]),
    ...(r.provingJobs.length > 0 ? ['', 'Proofs made by the locker', ...table(r.provingJobs.map((j) => [j.circuit, formatMs(j.ms)]))] : []),
    '',
    `L1 gas per verified proof, all in: every transaction of the batch divided by the proofs it verified (${v} root verifier)`,
    ...table([
      ['', 'calldata channel', 'off-chain channel'],
      [
        'batch',
        `${r.batchId} (${r.gas.verifiedCount} of ${r.statements.length} verified)`,
        `${off.batchId} (${off.gas.verifiedCount} of ${off.statements.length} verified)`,
      ],
      [
        'intake',
        `${int(r.gas.intake)} gas (${r.statements.length} submits, proofs in calldata)`,
        `${int(off.gas.post)} gas (the relay's post, no proofs)`,
      ],
      ['lock (once per batch)', `${int(r.gas.lock)} gas`, `${int(off.gas.lock)} gas`],
      ['fulfil (root verify + settlement)', `${int(r.gas.fulfil)} gas`, `${int(off.gas.fulfil)} gas`],
      ['ALL IN per verified proof', `${int(per)} gas`, `${int(offPer)} gas`],
      ['against verifying alone', against(per), against(offPer)],
    ]),
    `  one rollup proof verified alone: ${int(single)} gas (its own ${v} bb-generated Solidity verifier, like the root's${r.gas.singleVerifyCached ? '; measured on an earlier run with this circuits build' : '; measured in this run'})`,
    `  The root verification and the lock are paid once per batch: a batch of ${r.gas.verifiedCount} carries them on few proofs. The SDK's gas model`,
    `  (from \`npm run bench:gas\`) puts the off-chain channel at ${int(allInGasPerProof('offchain', 32))} gas per proof in a batch of 32 and ${int(allInGasPerProof('offchain', 64))} at 64`,
    `  with a lock (${int(MEASURED_DIRECT_OFFCHAIN_GAS.at32)} and ${int(MEASURED_DIRECT_OFFCHAIN_GAS.at64)} when the assigned prover proves within its assignment window and skips it),`,
    `  the calldata channel at ${int(allInGasPerProof('calldata', 32))} and ${int(allInGasPerProof('calldata', 64))}: its proofs' own calldata does not shrink with the batch.`,
    '',
    'Fees (calldata channel)',
    ...table([
      ['paid by the rollups', eth(r.fees.paid)],
      ['earned by the prover', eth(r.fees.proverEarned)],
      ['protocol fee', eth(r.fees.protocolFee)],
      ['refunded (invalid proof)', `${eth(r.fees.refunded)} to its submitter, submission ${r.refund.submissionId}, tx ${r.refund.txHash}`],
    ]),
    '',
    `Off-chain channel: relay ${off.relayUrl}, batch ${off.batchId} (capacity ${off.capacity}) locked by ${off.locker.name}`,
    `  the tampered proof: refused by the relay (${off.refused.reason}) before any batch, never posted or charged`,
    ...table([
      ['submission', 'rollup', 'final state', 'isVerified on L1', 'fee'],
      ...off.statements.map((s) => [s.submissionId, s.rollup, s.state, String(s.verifiedOnChain), eth(s.fee)]),
    ]),
    ...table([
      ['deposited by each rollup', eth(off.deposit)],
      ['debited from the deposits', eth(off.fees.paid)],
      ['earned by the prover', eth(off.fees.proverEarned)],
      ['earned by the relay (poster share)', eth(off.fees.posterFee)],
      ['protocol fee', eth(off.fees.protocolFee)],
    ]),
    '',
  ];
  return lines.join('\n');
}
