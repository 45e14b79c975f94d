/**
 * Slow real-proof test: a batch of capacity 4 with all three example programs (1, 2 and 4 public
 * inputs) and one excluded slot, so every aggregation circuit is used:
 *
 *   slots  [ transfer (leaf2) | excluded (pad h=0) | ledger (leaf4) | counter (leaf1) ]
 *   tree   root(evm) = node( node(leaf2, pad0), node(leaf4, leaf1) )
 *
 * About 4 minutes of proving on 2 idle cores. It runs in `npm test` (and so in CI, whose whole run
 * stays far under its time limit); set NEX_SKIP_SLOW_TESTS=1 to leave it out of a local run.
 */
import { expect } from 'chai';
import { network } from 'hardhat';
import type { Barretenberg } from '@aztec/bb.js';
import { bytesToHex } from 'viem';
import {
  expectedPublicInputs,
  proveLeaf,
  provePad,
  proveNode,
  startBarretenberg,
  verifyAggProof,
  type AggProof,
  type AggregationArtifacts,
  type Hex,
  type RollupProof,
} from '../../prover/engine/index.js';
import { merkleRoot, statementDigest, toWord, zeroSubtree } from '../../prover/protocol/index.js';
import {
  deployRootVerifier,
  ensureAggregationArtifacts,
  ensureDevSrs,
  proveExampleRollup,
  type RootVerifier,
} from '../../prover/toolchain/index.js';

const PROVER: Hex = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const slow = process.env.NEX_SKIP_SLOW_TESTS !== '1';

(slow ? describe : describe.skip)('[proofs] aggregation: batch of capacity 4, mixed programs, one excluded slot', function () {
  this.timeout(60 * 60_000);
  let bb: Barretenberg;
  let art: AggregationArtifacts;
  let rollups: RollupProof[];
  let leaves: AggProof[];
  let pad: AggProof;
  let left: AggProof;
  let right: AggProof;
  let root: AggProof;
  let verifier: RootVerifier;

  before(async () => {
    const srs = await ensureDevSrs();
    bb = await startBarretenberg(srs);
    ({ artifacts: art } = await ensureAggregationArtifacts(bb, srs));
    rollups = [
      await proveExampleRollup(bb, art, 'rollup_transfer', 'batch4/0'),
      await proveExampleRollup(bb, art, 'rollup_ledger', 'batch4/2'),
      await proveExampleRollup(bb, art, 'rollup_counter', 'batch4/3'),
    ];
    leaves = [];
    for (const rollup of rollups) leaves.push(await proveLeaf(bb, art, { rollup, prover: PROVER }));
    pad = await provePad(bb, art, { height: 0, prover: PROVER });
    left = await proveNode(bb, art, { left: leaves[0]!, right: pad, prover: PROVER, target: 'noir-recursive' });
    right = await proveNode(bb, art, { left: leaves[1]!, right: leaves[2]!, prover: PROVER, target: 'noir-recursive' });
    root = await proveNode(bb, art, { left, right, prover: PROVER, target: 'evm' });
    const { ethers } = await network.create();
    const [signer] = await ethers.getSigners();
    ({ verifier } = await deployRootVerifier(signer!, art.verifier));
  });

  after(async () => {
    await bb?.destroy();
  });

  it('uses every aggregation circuit and all proofs verify off-chain', async () => {
    expect(leaves.map((l) => l.circuit)).to.deep.equal(['leaf2', 'leaf4', 'leaf1']);
    expect(pad.root).to.equal(zeroSubtree(0));
    for (const p of [...leaves, pad, left, right, root]) expect(await verifyAggProof(bb, art, p), p.circuit).to.equal(true);
  });

  it('the root commits the batch root with the excluded slot as a zero leaf, and L1 accepts it', async () => {
    const digests = rollups.map((r) => statementDigest(r.vkHash, r.publicInputs));
    const expected = merkleRoot([digests[0]!, toWord(0n), digests[1]!, digests[2]!]);
    expect(root.root).to.equal(expected);
    expect(await verifier.verify.staticCall(bytesToHex(root.proof), expectedPublicInputs(art, expected, PROVER))).to.equal(true);
  });

  it('L1 rejects the same proof for the batch with the excluded slot included, or another exclusion', async () => {
    const digests = rollups.map((r) => statementDigest(r.vkHash, r.publicInputs));
    for (const wrong of [
      merkleRoot([digests[0]!, digests[0]!, digests[1]!, digests[2]!]),
      merkleRoot([digests[0]!, toWord(0n), toWord(0n), digests[2]!]),
      merkleRoot([toWord(0n), digests[0]!, digests[1]!, digests[2]!]),
    ]) {
      let reverted = false;
      await verifier.verify.staticCall(bytesToHex(root.proof), expectedPublicInputs(art, wrong, PROVER)).catch(() => (reverted = true));
      expect(reverted).to.equal(true);
    }
  });
});
