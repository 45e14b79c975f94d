/**
 * Issue 10 item 3 with real proofs: a pairing-only forgery carried leaf -> node -> root. The counter
 * rollup proof's final KZG opening W is replaced by W + G (test/prover/forgery.ts): every in-circuit
 * check still passes (an in-circuit verifier never runs a pairing; it hands the pairing points up as an
 * accumulator), so bb proves the leaf, the node and the root without complaint, bypassing the engine's
 * pre-check and per-proof verification. Every root verifier the deploy code can deploy (bb's optimized
 * and standard non-ZK verifiers) must reject the root with exactly ShpleminiFailed, the failure of its
 * final pairing check: a forgery that broke an in-circuit check would revert SumcheckFailed instead and
 * would not test the pairing path. bb's native verify names the failing stage on its log.
 *
 * Tree (capacity 8, [counter, 0 x 7]): leaf_1 -> node(leaf_1, pad h=1) -> root node(node, pad h=2), for
 * evm-no-zk: 1 x 2^20 + 2 x 2^21 proofs, from the shared proof cache after the first run on a build.
 */
import { expect } from 'chai';
import { network } from 'hardhat';
import type { Barretenberg } from '@aztec/bb.js';
import type { Address } from 'viem';
import {
  createBarretenberg,
  nodeInputs,
  padInputs,
  proveAggregationCircuit,
  rollupDigest,
  singleLeafInputs,
  startBarretenberg,
  verifyAggProof,
  verifyWithVk,
  type AggProof,
  type AggregationArtifacts,
  type RollupProof,
} from '../../prover/engine/index.js';
import {
  aggregationPublicInputs,
  batchRoot,
  hashPair,
  keySetPath,
  VERIFIER_VARIANTS,
  ZERO_LEAF,
  zeroSubtree,
} from '../../prover/protocol/index.js';
import {
  deployRootVerifier,
  ensureAggregationArtifacts,
  ensureDevSrs,
  proveExampleRollup,
  type RootVerifier,
} from '../../prover/toolchain/index.js';
import { outcome } from './evm.js';
import { forgeKzgOpening } from './forgery.js';
import { openProofCache, type ProofCache } from './proofCache.js';

const PROVER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OWNER: Address = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';

describe('[proofs] issue 10 item 3: a pairing-only forgery through leaf, node and root is rejected by every root verifier', function () {
  this.timeout(60 * 60_000);
  let bb: Barretenberg;
  let logged: Barretenberg;
  const bbLog: string[] = [];
  let art: AggregationArtifacts;
  let cache: ProofCache;
  let genuine: RollupProof;
  let forged: RollupProof;
  let leaf: AggProof;
  let inner: AggProof;
  let root: AggProof;

  before(async () => {
    const srs = await ensureDevSrs();
    bb = await startBarretenberg(srs);
    ({ artifacts: art } = await ensureAggregationArtifacts(bb, srs));
    cache = openProofCache(art);
    genuine = await cache.rollup('rollup_counter', 'forgery/counter', OWNER, () =>
      proveExampleRollup(bb, art, 'rollup_counter', 'forgery/counter', OWNER),
    );
    forged = { ...genuine, proof: forgeKzgOpening(genuine.proof).proof };
    const header = (root: AggProof['root']) => ({ root, prover: PROVER, keySet: art.keySet.root });
    const child = (p: AggProof) => ({
      circuit: art.circuits[p.circuit],
      proof: p.proof,
      root: p.root,
      path: keySetPath(art.keySet, p.circuit),
    });
    // The engine is bypassed: proveAggregationCircuit proves without verifying the result.
    const leafRoot = hashPair(rollupDigest(forged), ZERO_LEAF);
    leaf = await cache.agg('forged leaf', [forged, PROVER], () =>
      proveAggregationCircuit(bb, art, 'leaf_1', singleLeafInputs(header(leafRoot), forged, false), leafRoot, 'noir-recursive-no-zk'),
    );
    const pad1 = await cache.agg('pad h=1 (8)', [PROVER], () =>
      proveAggregationCircuit(bb, art, 'pad', padInputs(header(zeroSubtree(1)), 1), zeroSubtree(1), 'noir-recursive-no-zk'),
    );
    const pad2 = await cache.agg('pad h=2 (8)', [PROVER], () =>
      proveAggregationCircuit(bb, art, 'pad', padInputs(header(zeroSubtree(2)), 2), zeroSubtree(2), 'noir-recursive-no-zk'),
    );
    const innerRoot = hashPair(leaf.root, pad1.root);
    inner = await cache.agg('forged node', [leaf, pad1, PROVER], () =>
      proveAggregationCircuit(bb, art, 'node', nodeInputs(header(innerRoot), child(leaf), child(pad1)), innerRoot, 'noir-recursive-no-zk'),
    );
    const topRoot = hashPair(inner.root, pad2.root);
    root = await cache.agg('forged root', [inner, pad2, PROVER], () =>
      proveAggregationCircuit(bb, art, 'node', nodeInputs(header(topRoot), child(inner), child(pad2)), topRoot, 'evm-no-zk'),
    );
    for (let attempt = 1; ; attempt++) {
      logged = await createBarretenberg(srs, { logger: (line) => bbLog.push(line) });
      try {
        await logged.poseidon2Hash({ inputs: [new Uint8Array(32)] });
        break;
      } catch (err) {
        await logged.destroy().catch(() => undefined);
        if (attempt >= 3) throw err;
      }
    }
  });

  after(async () => {
    await bb?.destroy();
    await logged?.destroy();
  });

  /** bb's native verdict and the stage its log names ("pairing check", "reduction step"...). */
  async function nativeVerdict(verify: () => Promise<boolean>): Promise<{ verified: boolean; log: string }> {
    const from = bbLog.length;
    const verified = await verify();
    await new Promise((r) => setTimeout(r, 200)); // bb's log lines arrive asynchronously
    return { verified, log: bbLog.slice(from).join('\n') };
  }

  it('the forged rollup proof is a valid-looking proof of the genuine statement that only the pairing rejects', async () => {
    expect(forged.proof.length).to.equal(genuine.proof.length);
    expect(Buffer.from(forged.proof.subarray(0, 454 * 32)).equals(Buffer.from(genuine.proof.subarray(0, 454 * 32)))).to.equal(true);
    const v = await nativeVerdict(() =>
      verifyWithVk(logged, forged.vk, { proof: forged.proof, publicInputs: forged.publicInputs }, 'noir-recursive'),
    );
    expect(v.verified).to.equal(false);
    expect(v.log).to.match(/pairing check/);
    expect(await verifyWithVk(logged, genuine.vk, { proof: genuine.proof, publicInputs: genuine.publicInputs }, 'noir-recursive')).to.equal(
      true,
    );
  });

  it('bb proved leaf, node and root over it; natively each fails only at the pairing check', async () => {
    for (const p of [leaf, inner, root]) {
      const v = await nativeVerdict(() => verifyAggProof(logged, art, p));
      expect(v.verified, p.circuit).to.equal(false);
      expect(v.log, p.circuit).to.match(/pairing check/);
      expect(v.log, p.circuit).to.not.match(/reduction step/);
    }
    // The root commits the genuine statement's batch root: were the pairing skipped, it would verify it.
    expect(root.root).to.equal(batchRoot([rollupDigest(genuine)], 8));
    expect(root.publicInputs).to.deep.equal(aggregationPublicInputs(root.root, PROVER, art.keySet.root));
  });

  for (const variant of VERIFIER_VARIANTS) {
    it(`the ${variant} non-ZK root verifier rejects the forged root with ShpleminiFailed (and a flipped byte with SumcheckFailed)`, async () => {
      const { ethers } = await network.create();
      const [signer] = await ethers.getSigners();
      const verifier: RootVerifier = (await deployRootVerifier(signer!, art.verifiers[variant])).verifier;
      const inputs = aggregationPublicInputs(root.root, PROVER, art.keySet.root);
      expect(await outcome(verifier, root.proof, inputs)).to.equal('reverted ShpleminiFailed');
      // Control: a sumcheck-level tamper of the same root fails earlier, at the sumcheck.
      const tampered = Uint8Array.from(root.proof);
      const at = Math.floor(tampered.length / 64) * 32 + 31;
      tampered[at] = tampered[at]! ^ 0x01;
      expect(await outcome(verifier, tampered, inputs)).to.equal('reverted SumcheckFailed');
    });
  }
});
