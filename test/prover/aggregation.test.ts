/**
 * Real-proof aggregation: two rollup proofs of two different example circuits (2 and 1 public
 * inputs) -> leaf2 + leaf1 -> node root proven for the EVM, verified by the generated Solidity
 * verifier (dev-SRS G2) on Hardhat's EVM, and every rejection the L1 check relies on.
 *
 * All proofs are made once in `before` (about 2.5 minutes of proving on 2 idle cores) and shared by
 * the assertions. The build (`npm run circuits`) is reused from the cache or made here.
 */
import { expect } from 'chai';
import { network } from 'hardhat';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Barretenberg } from '@aztec/bb.js';
import type { Signer } from 'ethers';
import { bytesToHex } from 'viem';
import {
  aggProofFromJson,
  aggProofToJson,
  expectedPublicInputs,
  keyHashList,
  leafInputs,
  proveAggregationCircuit,
  proveLeaf,
  provePad,
  proveNode,
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
  addressToField,
  joinRoot,
  merkleRoot,
  splitRoot,
  statementDigest,
  toWord,
  VERIFIER_VARIANTS,
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

const PROVER: Hex = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER_PROVER: Hex = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

/** The custom-error name a verifier call reverted with (or 'returned <value>'). */
async function outcome(verifier: RootVerifier, proof: Uint8Array | string, publicInputs: string[]): Promise<string> {
  const proofHex = typeof proof === 'string' ? proof : bytesToHex(proof);
  try {
    return `returned ${String(await verifier.verify.staticCall(proofHex, publicInputs))}`;
  } catch (err) {
    // Decode the custom error with the verifier's ABI (the provider may leave it undecoded).
    const e = err as { data?: unknown; message?: string };
    const data = typeof e.data === 'string' ? e.data : /return data: (0x[0-9a-fA-F]*)/.exec(e.message ?? '')?.[1];
    const parsed = data ? verifier.interface.parseError(data) : null;
    return `reverted ${parsed?.name ?? e.message ?? 'unknown'}`;
  }
}

describe('[proofs] aggregation: batch of capacity 2 (two rollup programs) verified on the EVM', function () {
  this.timeout(30 * 60_000);
  let bb: Barretenberg;
  let art: AggregationArtifacts;
  let transfer: RollupProof; // 2 public inputs
  let counter: RollupProof; // 1 public input
  let leafA: AggProof;
  let leafB: AggProof;
  let root: AggProof;
  /** Per verifier variant: the verifier for the dev SRS and the stock one (Ignition G2). */
  const verifiers = {} as Record<VerifierVariant, { verifier: RootVerifier; stock: RootVerifier }>;
  let signer: Signer;
  let forgedRoot: Promise<AggProof> | undefined;

  before(async () => {
    const srs = await ensureDevSrs();
    bb = await startBarretenberg(srs);
    ({ artifacts: art } = await ensureAggregationArtifacts(bb, srs));
    transfer = await proveExampleRollup(bb, art, 'rollup_transfer', 'aggregation-test/a');
    counter = await proveExampleRollup(bb, art, 'rollup_counter', 'aggregation-test/b');
    leafA = await proveLeaf(bb, art, { rollup: transfer, prover: PROVER });
    leafB = await proveLeaf(bb, art, { rollup: counter, prover: PROVER });
    root = await proveNode(bb, art, { left: leafA, right: leafB, prover: PROVER, target: 'evm' });

    const { ethers } = await network.create();
    const signers = await ethers.getSigners();
    signer = signers[0]!;
    for (const variant of VERIFIER_VARIANTS) {
      const stockSource = readFileSync(join(art.buildDir, VERIFIER_FILES[variant].stockSource), 'utf8');
      verifiers[variant] = {
        verifier: (await deployRootVerifier(signer, art.verifiers[variant])).verifier,
        stock: (await deployRootVerifier(signer, compileVerifierArtifact(stockSource, 'ignition', variant))).verifier,
      };
    }
  });

  after(async () => {
    await bb?.destroy();
  });

  describe('rollup proofs (pre-check)', () => {
    it('accepts valid proofs of both example programs', async () => {
      expect(transfer.publicInputs).to.have.length(2);
      expect(counter.publicInputs).to.have.length(1);
      expect(await verifyRollupProof(bb, transfer)).to.equal(true);
      expect(await verifyRollupProof(bb, counter)).to.equal(true);
    });

    it("rejects a tampered proof byte, a wrong public input, and another program's vkHash", async () => {
      expect(await verifyRollupProof(bb, tamperRollupProof(transfer, 'proof-byte'))).to.equal(false);
      expect(await verifyRollupProof(bb, tamperRollupProof(transfer, 'public-input'))).to.equal(false);
      expect(await verifyRollupProof(bb, tamperRollupProof(counter, 'public-input'))).to.equal(false);
      expect(await verifyRollupProof(bb, tamperRollupProof(transfer, 'vk-hash', counter.vkHash))).to.equal(false);
      // A proof checked against the other program's key.
      expect(await verifyRollupProof(bb, { ...counter, vk: transfer.vk, vkHash: transfer.vkHash })).to.equal(false);
    });

    it('vkHash is the Poseidon2 hash of the key fields, as the recursion constraint computes it', async () => {
      expect(await vkHashOf(bb, transfer.vk)).to.equal(art.examples.rollup_transfer.vkHash);
      for (const c of Object.values(art.circuits)) expect(await vkHashOf(bb, c.vk)).to.equal(c.vkHash);
    });
  });

  describe('aggregation proofs (off-chain)', () => {
    it('leaves commit the statement digests and the root commits the batch root of the commitment format', () => {
      expect(leafA.circuit).to.equal('leaf2');
      expect(leafB.circuit).to.equal('leaf1');
      expect(leafA.root).to.equal(statementDigest(transfer.vkHash, transfer.publicInputs));
      expect(leafB.root).to.equal(statementDigest(counter.vkHash, counter.publicInputs));
      expect(root.root).to.equal(merkleRoot([leafA.root, leafB.root]));
      expect(root.publicInputs).to.deep.equal(expectedPublicInputs(art, root.root, PROVER));
      expect(root.publicInputs.slice(3)).to.deep.equal(keyHashList(art));
      expect(root.target).to.equal('evm');
    });

    it('verify against the stored keys, and round-trip through JSON', async () => {
      for (const p of [leafA, leafB, root]) {
        expect(await verifyAggProof(bb, art, p)).to.equal(true);
        expect(await verifyAggProof(bb, art, aggProofFromJson(JSON.parse(JSON.stringify(aggProofToJson(p)))))).to.equal(true);
      }
      // The same proof does not pass as another circuit's or with another claimed root.
      expect(await verifyAggProof(bb, art, { ...leafA, circuit: 'leaf1' })).to.equal(false);
      expect(await verifyAggProof(bb, art, { ...leafA, root: leafB.root })).to.equal(false);
      expect(await verifyAggProof(bb, art, { ...root, target: 'noir-recursive' })).to.equal(false);
    });

    it('a leaf proof over a rollup proof with a wrong key_hash does not verify (bb ties key_hash to the key in-circuit)', async () => {
      // Witness generation cannot check the recursion; bb still returns a proof, which must fail.
      const forged = { ...counter, vkHash: transfer.vkHash };
      const digest = statementDigest(forged.vkHash, forged.publicInputs);
      const header = { root: digest, prover: addressToField(PROVER), keyHashes: keyHashList(art) };
      // bb does not refuse to prove (FINDINGS 7): it returns a proof that then fails verification.
      const proof = await proveAggregationCircuit(bb, art, 'leaf1', leafInputs(header, forged), digest, 'noir-recursive');
      expect(proof.publicInputs).to.deep.equal(expectedPublicInputs(art, digest, PROVER));
      expect(await verifyAggProof(bb, art, proof)).to.equal(false);
    });

    it('proveNode refuses children with another prover before proving', async () => {
      const alien = {
        ...leafB,
        publicInputs: [...leafB.publicInputs.slice(0, 2), addressToField(OTHER_PROVER), ...leafB.publicInputs.slice(3)],
      };
      let message = '';
      await proveNode(bb, art, { left: leafA, right: alien, prover: PROVER, target: 'evm' }).catch((e: Error) => (message = e.message));
      expect(message).to.contain('another prover');
    });
  });

  /**
   * An attacker's key-hash set: the real pad and node keys (so the real node circuit accepts pad
   * children) and a "leaf1" that is not ours. The genuine node circuit accepts it because it only
   * checks membership in the key hashes it is given; pinning them on L1 is what rejects it.
   */
  function proveForgedRoot(): Promise<AggProof> {
    forgedRoot ??= (async () => {
      const foreign = { ...art, keyHashes: { ...art.keyHashes, leaf1: art.examples.rollup_counter.vkHash } };
      const padL = await provePad(bb, foreign, { height: 0, prover: PROVER });
      const padR = await provePad(bb, foreign, { height: 0, prover: PROVER });
      return proveNode(bb, foreign, { left: padL, right: padR, prover: PROVER, target: 'evm' });
    })();
    return forgedRoot;
  }

  describe('root proof through the VerifierRouter (what the market calls)', () => {
    /** Router with version 1 = the build's verifier and key hashes (leaf1, leaf2, leaf4, pad, node). */
    async function deployRouter(keyHashes: readonly Hex[]) {
      const { ethers } = await network.create();
      const [admin] = await ethers.getSigners();
      const router = await ethers.deployContract('VerifierRouter', [admin!.address, admin!.address]);
      const verifier = (await deployRootVerifier(admin!, art.verifiers.standard)).verifier;
      await (await router.addVersion(await verifier.getAddress(), [...keyHashes])).wait();
      return router;
    }

    it('accepts the root proof for its batch root and prover, and nothing else', async () => {
      const router = await deployRouter(keyHashList(art));
      const proof = bytesToHex(root.proof);
      expect(await router.verifyAggregation(1, proof, root.root, PROVER)).to.equal(true);
      expect(await router.verifyAggregation(1, proof, root.root, OTHER_PROVER)).to.equal(false);
      expect(await router.verifyAggregation(1, proof, merkleRoot([leafA.root, toWord(0n)]), PROVER)).to.equal(false);
      const tampered = Uint8Array.from(root.proof);
      tampered[32 * 5 + 31] = tampered[32 * 5 + 31]! ^ 0x01;
      expect(await router.verifyAggregation(1, bytesToHex(tampered), root.root, PROVER)).to.equal(false);
    });

    it('rejects a proof from a circuit set the router does not pin; a router pinning that set would accept it', async () => {
      const forged = await proveForgedRoot();
      const pinned = await deployRouter(keyHashList(art));
      expect(await pinned.verifyAggregation(1, bytesToHex(forged.proof), forged.root, PROVER)).to.equal(false);
      const foreignSet = forged.publicInputs.slice(3) as Hex[];
      const wrongPins = await deployRouter(foreignSet);
      expect(await wrongPins.verifyAggregation(1, bytesToHex(forged.proof), forged.root, PROVER)).to.equal(true);
    });
  });

  for (const variant of VERIFIER_VARIANTS) {
    describe(`root proof on the EVM (${variant} Solidity verifier, dev-SRS G2)`, () => {
      const v = (): RootVerifier => verifiers[variant].verifier;

      it('verifies the valid proof (gas reported)', async () => {
        expect(await outcome(v(), root.proof, root.publicInputs)).to.equal('returned true');
        const data = v().interface.encodeFunctionData('verify', [bytesToHex(root.proof), root.publicInputs]);
        const receipt = await (await signer.sendTransaction({ to: await v().getAddress(), data })).wait();
        expect(receipt?.status).to.equal(1);
        const estimate = await v().verify.estimateGas(bytesToHex(root.proof), root.publicInputs);
        console.log(
          `      ${variant} verify gas: ${receipt?.gasUsed} (tx), ${estimate} (estimate); proof ${root.proof.length} B, calldata ${(data.length - 2) / 2} B`,
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

      it('rejects each of the 8 public inputs changed', async () => {
        for (let i = 0; i < 8; i++) {
          const pis = [...root.publicInputs];
          pis[i] = toWord(BigInt(pis[i]!) ^ 1n);
          expect(await outcome(v(), root.proof, pis), `public input ${i}`).to.equal('reverted SumcheckFailed');
        }
      });

      it('rejects another prover address', async () => {
        expect(await outcome(v(), root.proof, expectedPublicInputs(art, root.root, OTHER_PROVER))).to.equal('reverted SumcheckFailed');
      });

      it('rejects a wrong batch root (slot 1 excluded, slots swapped, an empty batch)', async () => {
        for (const wrong of [merkleRoot([leafA.root, toWord(0n)]), merkleRoot([leafB.root, leafA.root]), zeroSubtree(1)]) {
          expect(await outcome(v(), root.proof, expectedPublicInputs(art, wrong, PROVER))).to.equal('reverted SumcheckFailed');
        }
      });

      it('rejects the key hashes of another circuit set', async () => {
        const others = Object.values(art.examples).map((e) => e.vkHash);
        const swapped = [art.keyHashes.leaf2, art.keyHashes.leaf1, art.keyHashes.leaf4, art.keyHashes.pad, art.keyHashes.node];
        for (const set of [[...others, art.keyHashes.pad, art.keyHashes.node], swapped]) {
          const [hi, lo] = splitRoot(root.root);
          expect(await outcome(v(), root.proof, [hi, lo, addressToField(PROVER), ...set])).to.equal('reverted SumcheckFailed');
        }
      });

      it('rejects the proof on a verifier for another SRS (stock verifier with the Ignition G2)', async () => {
        expect(await outcome(verifiers[variant].stock, root.proof, root.publicInputs)).to.equal('reverted ShpleminiFailed');
      });

      it('a root built with a foreign key-hash set verifies only with those key hashes, so L1 must pin them', async () => {
        const forged = await proveForgedRoot();
        expect(forged.root).to.equal(zeroSubtree(1));
        expect(joinRoot(forged.publicInputs[0]!, forged.publicInputs[1]!)).to.equal(zeroSubtree(1));
        expect(await outcome(v(), forged.proof, forged.publicInputs)).to.equal('returned true');
        expect(await outcome(v(), forged.proof, expectedPublicInputs(art, forged.root, PROVER))).to.equal('reverted SumcheckFailed');
      });
    });
  }
});
