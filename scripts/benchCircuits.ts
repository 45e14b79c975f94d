/**
 * `npm run bench:circuits`: per-circuit numbers of the aggregation circuits on this machine
 * (gates, VK time, prove time, peak RSS of bb, verify time, proof size) and the root verifier on
 * Hardhat's EVM for both verifier variants (deploy gas, code sizes, verify gas, calldata). Each circuit is proven in a fresh
 * bb process so that its peak RSS is its own.
 *
 * Run: npm run bench:circuits   (builds the circuits first if the cache is cold)
 */
import { readFileSync } from 'node:fs';
import { network } from 'hardhat';
import type { Barretenberg } from '@aztec/bb.js';
import { bytesToHex } from 'viem';
import {
  provePad,
  provePairLeaf,
  proveNode,
  proveSingleLeaf,
  readManifest,
  startBarretenberg,
  verifyAggProof,
  verifyRollupProof,
  type AggProof,
  type AggregationArtifacts,
  type Hex,
  type RollupProof,
} from '../prover/engine/index.js';
import { pairLeafFor, SUPPORTED_PUBLIC_INPUT_COUNTS, VERIFIER_VARIANTS } from '../prover/protocol/index.js';
import { deployRootVerifier, ensureAggregationArtifacts, ensureDevSrs, proveExampleRollup } from '../prover/toolchain/index.js';

const PROVER: Hex = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

interface Row {
  step: string;
  gates: string;
  vkS: string;
  proveS: string;
  peakRssMiB: string;
  verifyMs: string;
  proofBytes: string;
}

/** Peak resident set (VmHWM) of the bb process behind a bb.js native backend. */
function bbPeakRssMiB(bb: Barretenberg): number | undefined {
  const pid = (bb as unknown as { backend?: { process?: { pid?: number } } }).backend?.process?.pid;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024);
  } catch {
    return undefined;
  }
}

const srs = await ensureDevSrs();
const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
let setupBb: Barretenberg | undefined;
const { artifacts: art, build } = await ensureAggregationArtifacts(async () => (setupBb = await startBarretenberg(srs)), srs);
await setupBb?.destroy();
const manifest = readManifest(build.buildDir);
const rows: Row[] = [];

/** Runs `prove` in a fresh bb and records one table row. */
async function measure<T extends AggProof | RollupProof>(
  step: string,
  circuit: keyof typeof manifest.circuits | undefined,
  prove: (bb: Barretenberg) => Promise<T>,
  verify: (bb: Barretenberg, p: T) => Promise<boolean>,
): Promise<T> {
  const bb = await startBarretenberg(srs);
  try {
    const t0 = performance.now();
    const p = await prove(bb);
    const proveS = (performance.now() - t0) / 1000;
    const peak = bbPeakRssMiB(bb);
    const t1 = performance.now();
    if (!(await verify(bb, p))) throw new Error(`${step}: proof does not verify`);
    const verifyMs = performance.now() - t1;
    const m = circuit ? manifest.circuits[circuit] : undefined;
    rows.push({
      step,
      gates: m ? `${m.size.gates.toLocaleString('en-US')} (2^${Math.log2(m.size.dyadicGates)})` : '',
      vkS: m ? (m.vkMs / 1000).toFixed(1) : '',
      proveS: proveS.toFixed(1),
      peakRssMiB: peak === undefined ? '?' : String(peak),
      verifyMs: verifyMs.toFixed(0),
      proofBytes: String(p.proof.length),
    });
    console.error(`[bench] ${step}: ${proveS.toFixed(1)} s`);
    return p;
  } finally {
    await bb.destroy();
  }
}

const verifyRollup = (bb: Barretenberg, p: RollupProof): Promise<boolean> => verifyRollupProof(bb, p);
const verifyAgg = (bb: Barretenberg, p: AggProof): Promise<boolean> => verifyAggProof(bb, art as AggregationArtifacts, p);
const transfer = await measure(
  'rollup_transfer (2 PI)',
  'rollup_transfer',
  (bb) => proveExampleRollup(bb, art, 'rollup_transfer', 'bench/a'),
  verifyRollup,
);
const counter = await measure(
  'rollup_counter (1 PI)',
  'rollup_counter',
  (bb) => proveExampleRollup(bb, art, 'rollup_counter', 'bench/b'),
  verifyRollup,
);
const ledger = await measure(
  'rollup_ledger (4 PI)',
  'rollup_ledger',
  (bb) => proveExampleRollup(bb, art, 'rollup_ledger', 'bench/c'),
  verifyRollup,
);
const byCount: Record<number, RollupProof> = { 1: counter, 2: transfer, 4: ledger };
const single = await measure(
  'leaf_2 (right side)',
  'leaf_2',
  (bb) => proveSingleLeaf(bb, art, { rollup: transfer, right: true, prover: PROVER }),
  verifyAgg,
);
await measure('leaf_1', 'leaf_1', (bb) => proveSingleLeaf(bb, art, { rollup: counter, right: false, prover: PROVER }), verifyAgg);
await measure('leaf_4', 'leaf_4', (bb) => proveSingleLeaf(bb, art, { rollup: ledger, right: false, prover: PROVER }), verifyAgg);
let pair: AggProof | undefined;
for (const a of SUPPORTED_PUBLIC_INPUT_COUNTS) {
  for (const b of SUPPORTED_PUBLIC_INPUT_COUNTS.filter((x) => x >= a)) {
    // The b-input proof on the left exercises the swap bit where a < b.
    const { circuit } = pairLeafFor(b, a);
    const p = await measure(
      `${circuit}${a < b ? ' (swapped)' : ''}`,
      circuit,
      (bb) => provePairLeaf(bb, art, { left: byCount[b]!, right: byCount[a]!, prover: PROVER }),
      verifyAgg,
    );
    pair ??= p;
  }
}
await measure('pad (h=3)', 'pad', (bb) => provePad(bb, art, { height: 3, prover: PROVER }), verifyAgg);
await measure(
  'node (noir-recursive-no-zk)',
  'node',
  (bb) => proveNode(bb, art, { left: pair!, right: single, prover: PROVER, target: 'noir-recursive-no-zk' }),
  verifyAgg,
);
const root = await measure(
  'node (evm-no-zk root)',
  'node',
  (bb) => proveNode(bb, art, { left: pair!, right: single, prover: PROVER, target: 'evm-no-zk' }),
  verifyAgg,
);

const { ethers } = await network.create();
const [signer] = await ethers.getSigners();
const evm: Record<string, Record<string, string | number>> = {};
let calldataBytes = 0;
for (const variant of VERIFIER_VARIANTS) {
  const artifact = art.verifiers[variant];
  const deployed = await deployRootVerifier(signer!, artifact);
  const data = deployed.verifier.interface.encodeFunctionData('verify', [bytesToHex(root.proof), root.publicInputs]);
  calldataBytes = (data.length - 2) / 2;
  const receipt = await (await signer!.sendTransaction({ to: deployed.address, data })).wait();
  if (receipt?.status !== 1) throw new Error(`${variant}: verify transaction failed`);
  evm[variant] = {
    verifyGas: String(receipt.gasUsed),
    verifierBytes: (artifact.deployedBytecode.length - 2) / 2,
    libraries: artifact.libraries.map((l) => `${l.name} ${(l.deployedBytecode.length - 2) / 2} B`).join(', ') || '-',
    deployGasTotal: String(Object.values(deployed.deployGas).reduce((a, b) => a + b, 0n)),
  };
}

console.log(`\nAggregation circuits (load average ${load.toFixed(1)} at start; VK time from the build)\n`);
console.table(rows);
console.log(
  `\nRoot verifier (non-ZK) on Hardhat's EVM (solc 0.8.28, optimizer 200 runs, cancun); calldata ${calldataBytes} B, proof ${root.proof.length} B, 4 public inputs\n`,
);
console.table(evm);
