/**
 * Real-proof aggregation with the version-2 circuits: a capacity-4 batch of three programs with three
 * owners, [ledger (4 PIs), transfer (2 PIs), empty, counter (1 PI)], proven as a pair leaf (leaf_2_4, its
 * swap bit set), a single right leaf (leaf_1) and the root node (evm-no-zk), verified by both of bb's
 * non-ZK Solidity verifiers (dev-SRS G2) on Hardhat's EVM with the public inputs the version-2 router
 * builds, [rootHi, rootLo, prover, keySet]; and every rejection the L1 check relies on. Also issue 10
 * item 1 with real proofs: version 1's scenario (program id 0, statement [0], covered by pads) gives a
 * root the chain never accepts.
 *
 * Proofs come from the shared test proof cache (test/prover/proofCache.ts): a run after the first one
 * on the same circuits build proves nothing. A cold run makes 4 proofs of 2^21 and 2 of 2^20 (about
 * 4 min on 2 idle cores). The build (`npm run circuits`) is reused from the cache or made here.
 */
import { expect } from 'chai';
import { network } from 'hardhat';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Barretenberg } from '@aztec/bb.js';
import type { Signer } from 'ethers';
import { bytesToHex, hexToBytes, type Address } from 'viem';
import {
  aggProofFromJson,
  aggProofToJson,
  bbHash2,
  checkRollupProof,
  expectedPublicInputs,
  proveAggregationCircuit,
  provePad,
  provePairLeaf,
  proveNode,
  proveSingleLeaf,
  rollupDigest,
  singleLeafInputs,
  startBarretenberg,
  VERIFIER_FILES,
  verifyAggProof,
  verifyRollupProof,
  vkHashOf,
  type AggProof,
  type AggregationArtifacts,
  type Hex,
  type RollupProof,
} from '../../prover/engine/index.js';
import {
  AGG_CIRCUITS,
  FIELD_MODULUS,
  aggregationPublicInputs,
  batchRoot,
  buildKeySet,
  hashPair,
  joinRoot,
  merkleRoot,
  splitRoot,
  statementDigest,
  toWord,
  VERIFIER_VARIANTS,
  ZERO_LEAF,
  zeroSubtree,
  type VerifierVariant,
} from '../../prover/protocol/index.js';
import {
  compileVerifierArtifact,
  deployRootVerifier,
  ensureAggregationArtifacts,
  ensureDevSrs,
  proveExampleRollup,
  tamperRollupProof,
  type RootVerifier,
} from '../../prover/toolchain/index.js';
import { outcome } from './evm.js';
import { openProofCache, type ProofCache } from './proofCache.js';

const PROVER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER_PROVER: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const OWNERS = {
  ledger: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  transfer: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
  counter: '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
} as const satisfies Record<string, Address>;

describe('[proofs] aggregation (version 2): a capacity-4 batch of three programs verified on the EVM', function () {
  this.timeout(60 * 60_000);
  let bb: Barretenberg;
  let art: AggregationArtifacts;
  let cache: ProofCache;
  let ledger: RollupProof; // 4 public inputs
  let transfer: RollupProof; // 2 public inputs
  let counter: RollupProof; // 1 public input
  let pair: AggProof;
  let single: AggProof;
  let root: AggProof;
  let leaves: Hex[];
  /** Per verifier variant: the verifier for the dev SRS and the stock one (Ignition G2). */
  const verifiers = {} as Record<VerifierVariant, { verifier: RootVerifier; stock: RootVerifier }>;
  let signer: Signer;
  let rootOfPads: Promise<AggProof> | undefined;
  let foreignRoot: Promise<AggProof> | undefined;

  const example = (kind: 'rollup_ledger' | 'rollup_transfer' | 'rollup_counter', seed: string, owner: Address): Promise<RollupProof> =>
    cache.rollup(kind, seed, owner, () => proveExampleRollup(bb, art, kind, seed, owner));

  before(async () => {
    const srs = await ensureDevSrs();
    bb = await startBarretenberg(srs);
    ({ artifacts: art } = await ensureAggregationArtifacts(bb, srs));
    cache = openProofCache(art);
    ledger = await example('rollup_ledger', 'aggregation-v2/ledger', OWNERS.ledger);
    transfer = await example('rollup_transfer', 'aggregation-v2/transfer', OWNERS.transfer);
    counter = await example('rollup_counter', 'aggregation-v2/counter', OWNERS.counter);
    pair = await cache.agg('pair leaf', [ledger, transfer, PROVER], () =>
      provePairLeaf(bb, art, { left: ledger, right: transfer, prover: PROVER }),
    );
    single = await cache.agg('single right leaf', [counter, PROVER], () =>
      proveSingleLeaf(bb, art, { rollup: counter, right: true, prover: PROVER }),
    );
    root = await cache.agg('root', [pair, single, PROVER], () =>
      proveNode(bb, art, { left: pair, right: single, prover: PROVER, target: 'evm-no-zk' }),
    );
    leaves = [rollupDigest(ledger), rollupDigest(transfer), ZERO_LEAF, rollupDigest(counter)];

    const { ethers } = await network.create();
    signer = (await ethers.getSigners())[0]!;
    for (const variant of VERIFIER_VARIANTS) {
      const stockSource = readFileSync(join(art.buildDir, VERIFIER_FILES[variant].stockSource), 'utf8');
      verifiers[variant] = {
        verifier: (await deployRootVerifier(signer, art.verifiers[variant])).verifier,
        stock: (await deployRootVerifier(signer, compileVerifierArtifact(stockSource, 'ignition', variant))).verifier,
      };
    }
    console.log(`      proof cache ${cache.dir}: ${cache.stats.hits} hit(s), ${cache.stats.misses} proven`);
  });

  after(async () => {
    await bb?.destroy();
  });

  /** The public inputs the version-2 router passes to the verifier for a batch root and prover. */
  const routerInputs = (batchRootValue: Hex, prover: Address = PROVER, keySet: Hex = art.keySet.root): Hex[] =>
    aggregationPublicInputs(batchRootValue, prover, keySet);

  describe('rollup proofs (pre-check)', () => {
    it('accepts valid proofs of the three example programs', async () => {
      expect([ledger, transfer, counter].map((r) => r.publicInputs.length)).to.deep.equal([4, 2, 1]);
      for (const r of [ledger, transfer, counter]) expect(await checkRollupProof(bb, r)).to.equal(undefined);
    });

    it("rejects a tampered proof byte, a wrong public input, another program's vkHash, and a word >= r", async () => {
      expect(await verifyRollupProof(bb, tamperRollupProof(transfer, 'proof-byte'))).to.equal(false);
      expect(await verifyRollupProof(bb, tamperRollupProof(transfer, 'public-input'))).to.equal(false);
      expect(await verifyRollupProof(bb, tamperRollupProof(counter, 'public-input'))).to.equal(false);
      expect(await checkRollupProof(bb, tamperRollupProof(transfer, 'vk-hash', counter.vkHash))).to.match(/^verification key hashes to 0x/);
      // A proof checked against the other program's key.
      expect(await checkRollupProof(bb, { ...counter, vk: transfer.vk, vkHash: transfer.vkHash })).to.equal(
        'proof does not verify against the program verification key',
      );
      // A word >= r is refused before bb sees it.
      const proof = Uint8Array.from(counter.proof);
      proof.set(hexToBytes(toWord(FIELD_MODULUS + BigInt(bytesToHex(proof.subarray(32 * 100, 32 * 101))))).subarray(0, 32), 32 * 100);
      expect(await checkRollupProof(bb, { ...counter, proof })).to.equal('proof word 100 is not a canonical field element (>= r)');
    });

    it('vkHash is the Poseidon2 hash of the key fields, as the recursion constraint computes it', async () => {
      expect(await vkHashOf(bb, transfer.vk)).to.equal(art.examples.rollup_transfer.vkHash);
      for (const c of Object.values(art.circuits)) expect(await vkHashOf(bb, c.vk)).to.equal(c.vkHash);
    });
  });

  describe('aggregation proofs (off-chain)', () => {
    it('the pair leaf, the single leaf and the root commit the batch tree of the commitment format', () => {
      expect([pair.circuit, single.circuit, root.circuit]).to.deep.equal(['leaf_2_4', 'leaf_1', 'node']);
      expect(pair.root).to.equal(hashPair(leaves[0]!, leaves[1]!));
      expect(single.root).to.equal(hashPair(ZERO_LEAF, leaves[3]!));
      expect(root.root).to.equal(merkleRoot(leaves));
      expect(root.root).to.equal(batchRoot([leaves[0]!, leaves[1]!, ZERO_LEAF, leaves[3]!], 4, 0b0100n));
      expect(root.publicInputs).to.deep.equal(expectedPublicInputs(art, root.root, PROVER));
      expect(root.publicInputs[3]).to.equal(art.keySet.root);
      expect([pair.target, single.target, root.target]).to.deep.equal(['noir-recursive-no-zk', 'noir-recursive-no-zk', 'evm-no-zk']);
      expect([pair.proof.length, single.proof.length, root.proof.length]).to.deep.equal([13_120, 13_120, 9_536]);
    });

    it('verify against the stored keys, and round-trip through JSON', async () => {
      for (const p of [pair, single, root]) {
        expect(await verifyAggProof(bb, art, p)).to.equal(true);
        expect(await verifyAggProof(bb, art, aggProofFromJson(JSON.parse(JSON.stringify(aggProofToJson(p)))))).to.equal(true);
      }
      // The same proof does not pass as another circuit's, with another claimed root or for another target.
      expect(await verifyAggProof(bb, art, { ...pair, circuit: 'leaf_1_4' })).to.equal(false);
      expect(await verifyAggProof(bb, art, { ...pair, root: single.root })).to.equal(false);
      expect(await verifyAggProof(bb, art, { ...root, target: 'noir-recursive-no-zk' })).to.equal(false);
    });

    it('a leaf over a rollup proof with a wrong key_hash does not verify (bb ties key_hash to the key in-circuit)', async () => {
      // Witness generation cannot check the recursion; bb still returns a proof, which must fail.
      const forged: RollupProof = { ...counter, vkHash: transfer.vkHash };
      const d = rollupDigest(forged);
      const leafRoot = hashPair(d, ZERO_LEAF);
      const proof = await cache.agg('wrong key_hash leaf', [forged, PROVER], () =>
        proveAggregationCircuit(
          bb,
          art,
          'leaf_1',
          singleLeafInputs({ root: leafRoot, prover: PROVER, keySet: art.keySet.root }, forged, false),
          leafRoot,
          'noir-recursive-no-zk',
        ),
      );
      expect(proof.publicInputs).to.deep.equal(expectedPublicInputs(art, leafRoot, PROVER));
      expect(await verifyAggProof(bb, art, proof)).to.equal(false);
    });

    it('proveNode refuses children with another prover or another key set before proving', async () => {
      const alien = {
        ...single,
        publicInputs: [...single.publicInputs.slice(0, 2), toWord(BigInt(OTHER_PROVER)), single.publicInputs[3]!],
      };
      let message = '';
      await proveNode(bb, art, { left: pair, right: alien, prover: PROVER, target: 'evm-no-zk' }).catch(
        (e: Error) => (message = e.message),
      );
      expect(message).to.contain('another prover or another key set');
      const otherSet = { ...single, publicInputs: [...single.publicInputs.slice(0, 3), toWord(5n)] };
      message = '';
      await proveNode(bb, art, { left: otherSet, right: pair, prover: PROVER, target: 'evm-no-zk' }).catch(
        (e: Error) => (message = e.message),
      );
      expect(message).to.contain('another prover or another key set');
    });
  });

  /**
   * An attacker's key set: the real pad and node keys plus a "leaf_1" that checks nothing (here: another
   * circuit's key). The genuine node accepts any child whose key hash is a member of the key set it is
   * given; pinning the key set on L1 is what rejects it.
   */
  function proveForeignRoot(): Promise<AggProof> {
    foreignRoot ??= (async () => {
      const foreign = { ...art, keyHashes: { ...art.keyHashes, leaf_1: art.examples.rollup_counter.vkHash } };
      const keySet = await buildKeySet(foreign.keyHashes, bbHash2(bb));
      const foreignArt = { ...foreign, keySet };
      const padL = await cache.agg('foreign pad', [keySet.root, PROVER], () => provePad(bb, foreignArt, { height: 1, prover: PROVER }));
      return cache.agg('foreign root', [padL, keySet.root, PROVER], () =>
        proveNode(bb, foreignArt, { left: padL, right: padL, prover: PROVER, target: 'evm-no-zk' }),
      );
    })();
    return foreignRoot;
  }

  /** A genuine root over two pads of height 1: the all-empty capacity-4 batch (Z_2). */
  function proveRootOfPads(): Promise<AggProof> {
    rootOfPads ??= (async () => {
      const pad = await cache.agg('pad h=1', [PROVER], () => provePad(bb, art, { height: 1, prover: PROVER }));
      return cache.agg('root of pads', [pad, PROVER], () =>
        proveNode(bb, art, { left: pad, right: pad, prover: PROVER, target: 'evm-no-zk' }),
      );
    })();
    return rootOfPads;
  }

  for (const variant of VERIFIER_VARIANTS) {
    describe(`root proof on the EVM (${variant} non-ZK Solidity verifier, dev-SRS G2)`, () => {
      const v = (): RootVerifier => verifiers[variant].verifier;

      it('verifies the valid proof with the inputs the router builds (gas reported)', async () => {
        expect(await outcome(v(), root.proof, routerInputs(root.root))).to.equal('returned true');
        const data = v().interface.encodeFunctionData('verify', [bytesToHex(root.proof), routerInputs(root.root)]);
        const receipt = await (await signer.sendTransaction({ to: await v().getAddress(), data })).wait();
        expect(receipt?.status).to.equal(1);
        console.log(
          `      ${variant} verify gas: ${receipt?.gasUsed} (tx); proof ${root.proof.length} B, calldata ${(data.length - 2) / 2} B`,
        );
      });

      it('rejects a tampered proof byte', async () => {
        for (const at of [Math.floor(root.proof.length / 64) * 32 + 31, 32 * 5 + 31, root.proof.length - 1]) {
          const tampered = Uint8Array.from(root.proof);
          tampered[at] = tampered[at]! ^ 0x01;
          // verify returns true or reverts; which check fails first depends on the byte.
          expect(await outcome(v(), tampered, root.publicInputs), `byte ${at}`).to.match(/^reverted /);
        }
      });

      it('rejects each of the 4 public inputs changed', async () => {
        for (let i = 0; i < 4; i++) {
          const pis = [...root.publicInputs];
          pis[i] = toWord(BigInt(pis[i]!) ^ 1n);
          expect(await outcome(v(), root.proof, pis), `public input ${i}`).to.equal('reverted SumcheckFailed');
        }
      });

      it('rejects another prover address', async () => {
        expect(await outcome(v(), root.proof, routerInputs(root.root, OTHER_PROVER))).to.equal('reverted SumcheckFailed');
      });

      it('rejects a wrong batch root (slot 0 excluded, slots swapped, another owner, an empty batch)', async () => {
        const squatted = rollupDigest({ ...counter, owner: OTHER_PROVER });
        for (const wrong of [
          merkleRoot([ZERO_LEAF, leaves[1]!, ZERO_LEAF, leaves[3]!]),
          merkleRoot([leaves[1]!, leaves[0]!, ZERO_LEAF, leaves[3]!]),
          merkleRoot([leaves[0]!, leaves[1]!, ZERO_LEAF, squatted]),
          zeroSubtree(2),
        ]) {
          expect(await outcome(v(), root.proof, routerInputs(wrong))).to.equal('reverted SumcheckFailed');
        }
      });

      it('rejects another key set', async () => {
        expect(await outcome(v(), root.proof, routerInputs(root.root, PROVER, toWord(BigInt(art.keySet.root) ^ 1n)))).to.equal(
          'reverted SumcheckFailed',
        );
      });

      it('rejects the proof on a verifier for another SRS (stock verifier with the Ignition G2)', async () => {
        expect(await outcome(verifiers[variant].stock, root.proof, root.publicInputs)).to.equal('reverted ShpleminiFailed');
      });

      it('a root built over a foreign key set verifies only with that key set, so L1 must pin it', async () => {
        const forged = await proveForeignRoot();
        expect(forged.root).to.equal(zeroSubtree(2));
        expect(joinRoot(forged.publicInputs[0]!, forged.publicInputs[1]!)).to.equal(zeroSubtree(2));
        expect(forged.publicInputs[3]).to.not.equal(art.keySet.root);
        expect(await outcome(v(), forged.proof, forged.publicInputs)).to.equal('returned true');
        expect(await outcome(v(), forged.proof, routerInputs(forged.root))).to.equal('reverted SumcheckFailed');
      });

      it("issue 10 item 1: version 1's scenario (program id 0, statement [0], covered by pads) yields a root the chain never accepts", async () => {
        // Version 1: the statement [0] of program id 0 had digest keccak(0 || 0) = Z_1, so a pad could
        // stand for it. Version 2: whatever program id, its digest is domain-separated.
        const d = statementDigest(toWord(0n), [toWord(0n)]);
        for (let h = 0; h <= 6; h++) expect(d).to.not.equal(zeroSubtree(h));
        // The chain's root of a capacity-4 batch holding that statement in slot 0.
        const chainRoot = batchRoot([d], 4);
        // The best an attacker can prove without a rollup proof: pads over every slot (a genuine root).
        const padsRoot = await proveRootOfPads();
        expect(padsRoot.root).to.equal(zeroSubtree(2));
        expect(chainRoot).to.not.equal(padsRoot.root);
        expect(padsRoot.publicInputs).to.not.deep.equal(routerInputs(chainRoot));
        expect(await outcome(v(), padsRoot.proof, routerInputs(padsRoot.root))).to.equal('returned true');
        expect(await outcome(v(), padsRoot.proof, routerInputs(chainRoot))).to.equal('reverted SumcheckFailed');
        // Nor can a pad commit the pair holding the statement (tested by execution in circuits.test.ts).
        expect(hashPair(d, ZERO_LEAF)).to.not.equal(zeroSubtree(1));
      });
    });
  }

  it('the key set is the Poseidon2 root of the 11 key hashes in AGG_CIRCUITS order', () => {
    expect(art.keySet.levels[0]!.slice(0, AGG_CIRCUITS.length)).to.deep.equal(AGG_CIRCUITS.map((c) => art.keyHashes[c].toLowerCase()));
    expect(splitRoot(root.root)).to.deep.equal(root.publicInputs.slice(0, 2));
  });
});
