/** The demo's closing summary (plain text). */
import { formatEther } from 'viem';
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
  const saving = single > 0n ? Number(((single - per) * 1000n) / single) / 10 : 0;
  const v = r.gas.verifierVariant;
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
    'Statements',
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
    'L1 gas (every transaction of the batch)',
    ...table([
      ['intake (the submit transactions)', `${int(r.gas.intake)} gas`],
      ['lock (once per batch)', `${int(r.gas.lock)} gas`],
      ['fulfil (root proof verified + settlement)', `${int(r.gas.fulfil)} gas (${v} root verifier)`],
      ['ALL IN per verified proof', `${int(per)} gas (intake + lock + fulfil, divided by ${r.gas.verifiedCount})`],
      [
        'one rollup proof verified alone',
        `${int(single)} gas (its own ${v} bb-generated Solidity verifier, like the root's${r.gas.singleVerifyCached ? '; measured on an earlier run with this circuits build' : '; measured in this run'})`,
      ],
    ]),
    `  ${saving >= 0 ? `${saving}% less gas per proof, all in, than verifying each alone (both with bb's ${v} verifier)` : `${-saving}% more gas per proof, all in, than verifying each alone with bb's ${v} verifier (a batch of ${r.gas.verifiedCount} does not pay off)`}`,
    '',
    'Fees',
    ...table([
      ['paid by the rollups', eth(r.fees.paid)],
      ['earned by the prover', eth(r.fees.proverEarned)],
      ['protocol fee', eth(r.fees.protocolFee)],
      ['refunded (invalid proof)', `${eth(r.fees.refunded)} to its submitter, submission ${r.refund.submissionId}, tx ${r.refund.txHash}`],
    ]),
    '',
  ];
  return lines.join('\n');
}
