/**
 * The protocol constants exist once in TypeScript (prover/protocol/constants.ts, v2/constants.ts); Solidity and Noir
 * keep their own. This test reads the Solidity and Noir sources (and asks the compiled contracts) and
 * fails when any of them disagrees with prover/protocol, as test/abi/generated.test.ts does for the ABIs.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { network } from 'hardhat';
import { fileURLToPath } from 'node:url';
import type { Address } from 'viem';
import {
  AGG_CIRCUITS,
  AGG_PUBLIC_INPUTS,
  FIELD_MODULUS,
  LEAF_FOR_PUBLIC_INPUTS,
  MAX_CAPACITY,
  MAX_PAD_HEIGHT,
  PROOF_BYTES,
  PROOF_FIELDS,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  VK_BYTES,
  VK_FIELDS,
  fieldToWord,
  splitRoot,
  v2,
  zeroSubtree,
} from '../../prover/protocol/index.js';
import { deployMarket, freshInputs, MIN_FEE, rollupProof } from '../../scripts/lib/marketDeployment.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const source = (path: string): string => readFileSync(`${ROOT}/${path}`, 'utf8');

/** The value of `name` declared as `<name> ... = <value>;` in a Solidity or Noir source. */
function declared(text: string, name: string): string {
  const m = new RegExp(String.raw`\b${name}\b[^=;]*=\s*([^;]+);`).exec(text);
  if (!m) throw new Error(`${name} is not declared`);
  return m[1]!.trim();
}

/** The value of the Solidity constant `name` (`... constant <name> = <value>;`). */
function constantOf(text: string, name: string): string {
  const m = new RegExp(String.raw`\bconstant\s+${name}\s*=\s*([^;]+);`).exec(text);
  if (!m) throw new Error(`constant ${name} is not declared`);
  return m[1]!.trim();
}

/** A Noir `global NAME: [Field; n] = [a, b, ...];` array, as bigints. */
function noirArray(text: string, name: string): bigint[] {
  const m = new RegExp(String.raw`\bglobal\s+${name}\s*:[^=]*=\s*\[([^\]]*)\]`).exec(text);
  if (!m) throw new Error(`${name} is not declared`);
  return m[1]!
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .map((x) => BigInt(x));
}

describe('protocol constants agree with the contracts and the circuits', () => {
  // The contracts are at version 2: they are checked against prover/protocol's v2 section. The circuits
  // (below) are still version 1 and are checked against the version-1 constants until they move.
  describe('Solidity version 2 (contracts/libraries, contracts/market)', () => {
    const lib = source('contracts/libraries/BatchCommitment.sol');
    const ids = source('contracts/libraries/SubmissionId.sol');

    it('declares the same field modulus, statement domain, capacities, id stride and public-input count', () => {
      expect(BigInt(constantOf(lib, 'FIELD_MODULUS'))).to.equal(FIELD_MODULUS);
      expect(constantOf(lib, 'STATEMENT_DOMAIN')).to.equal(v2.STATEMENT_DOMAIN);
      expect(Number(constantOf(lib, 'MIN_CAPACITY'))).to.equal(v2.MIN_CAPACITY);
      expect(Number(constantOf(lib, 'MAX_CAPACITY'))).to.equal(v2.MAX_CAPACITY);
      expect(2 ** Number(constantOf(lib, 'MAX_DEPTH'))).to.equal(v2.MAX_CAPACITY);
      expect(Number(constantOf(lib, 'AGGREGATION_PUBLIC_INPUTS'))).to.equal(v2.AGG_PUBLIC_INPUTS);
      expect(Number(constantOf(ids, 'SLOTS_PER_BATCH'))).to.equal(v2.MAX_CAPACITY);
      expect(Number(constantOf(ids, '_SLOT_BITS'))).to.equal(v2.SLOT_BITS);
      expect(v2.MAX_CAPACITY).to.equal(2 ** v2.SLOT_BITS);
      expect(v2.MAX_PAD_HEIGHT).to.equal(v2.SLOT_BITS);
    });

    it('draws the canonical-field and capacity lines where prover/protocol does', async () => {
      const { ethers } = await network.create();
      const harness = await ethers.deployContract('CommitmentHarness');
      expect(await harness.getFunction('isCanonical')(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
      expect(await harness.getFunction('isCanonical')(ethers.toBeHex(FIELD_MODULUS, 32))).to.equal(false);
      for (let c = 0; c <= 2 * v2.MAX_CAPACITY; c++) {
        expect(await harness.getFunction('isValidCapacity')(c), `capacity ${c}`).to.equal(v2.isValidCapacity(c));
      }
      for (let n = 0; n <= v2.MAX_CAPACITY; n++)
        expect(await harness.getFunction('capacityFor')(n), `count ${n}`).to.equal(BigInt(v2.capacityFor(n)));
    });

    it('takes the key length, the proof length, the public-input counts and the EIP-712 domain prover/protocol names', async () => {
      const { ethers } = await network.create();
      const f = await deployMarket(ethers);
      expect(Number(await f.market.VK_BYTES())).to.equal(VK_BYTES);
      expect((await f.router.current())[1]).to.equal(BigInt(v2.ROLLUP_PROOF_BYTES));
      expect(v2.ROLLUP_PROOF_BYTES).to.equal(PROOF_BYTES);
      const mask = Number(await f.market.DEFAULT_AGGREGATABLE_INPUT_COUNTS());
      const counts = Array.from({ length: 32 }, (_, i) => i + 1).filter((n) => (mask >>> (n - 1)) & 1);
      expect(counts).to.deep.equal([...v2.SUPPORTED_PUBLIC_INPUT_COUNTS]);
      const [, name, version, chainId, verifyingContract] = await f.market.eip712Domain();
      expect({ name, version, chainId: Number(chainId), verifyingContract }).to.deep.equal(
        v2.marketDomain(Number(chainId), (await f.market.getAddress()) as Address),
      );
    });

    it('packs submission ids as prover/protocol does', async () => {
      const { ethers } = await network.create();
      const f = await deployMarket(ethers);
      const ids: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const inputs = freshInputs();
        ids.push(await f.market.connect(f.user1).submit.staticCall(f.programId, inputs, rollupProof(), { value: MIN_FEE }));
        await f.market.connect(f.user1).submit(f.programId, inputs, rollupProof(), { value: MIN_FEE });
      }
      const batchId = await f.market.openBatchId(); // the batch being filled
      expect(batchId).to.be.greaterThan(0n);
      expect(ids).to.deep.equal([0, 1, 2].map((slot) => v2.submissionId(batchId, slot)));
      expect(ids.map(v2.batchOf)).to.deep.equal([batchId, batchId, batchId]);
      expect(ids.map(v2.slotOf)).to.deep.equal([0, 1, 2]);
    });
  });

  describe('Noir (prover/circuits/nex_lib, leaf1/leaf2/leaf4)', () => {
    const aggregation = source('prover/circuits/nex_lib/src/aggregation.nr');
    const commitment = source('prover/circuits/nex_lib/src/commitment.nr');

    it('declares the same proof and verification-key lengths and public-input layout', () => {
      expect(Number(declared(aggregation, 'PROOF_LEN'))).to.equal(PROOF_FIELDS);
      expect(Number(declared(aggregation, 'VK_LEN'))).to.equal(VK_FIELDS);
      expect(Number(declared(aggregation, 'NUM_KEY_HASHES'))).to.equal(AGG_CIRCUITS.length);
      expect(Number(declared(aggregation, 'NUM_AGG_PUBLIC_INPUTS'))).to.equal(AGG_PUBLIC_INPUTS);
      expect(Number(declared(commitment, 'MAX_PAD_HEIGHT'))).to.equal(MAX_PAD_HEIGHT);
      expect(2 ** MAX_PAD_HEIGHT).to.equal(MAX_CAPACITY);
    });

    it('documents the key hashes in the order prover/protocol pins them (AGG_CIRCUITS)', () => {
      for (const file of [
        'nex_lib/src/aggregation.nr',
        'leaf1/src/main.nr',
        'leaf2/src/main.nr',
        'leaf4/src/main.nr',
        'node/src/main.nr',
        'pad/src/main.nr',
      ]) {
        const layout = /\[root_hi, root_lo, prover, (kh_\w+(?:, kh_\w+)*)\]/.exec(source(`prover/circuits/${file}`));
        expect(layout, `${file} documents its public inputs`).to.not.equal(null);
        expect(
          layout![1]!.split(', ').map((k) => k.replace(/^kh_/, '')),
          file,
        ).to.deep.equal([...AGG_CIRCUITS]);
      }
    });

    it('has a leaf circuit for exactly the supported public-input counts', () => {
      expect(Object.keys(LEAF_FOR_PUBLIC_INPUTS).map(Number)).to.deep.equal([...SUPPORTED_PUBLIC_INPUT_COUNTS]);
      expect([...v2.SUPPORTED_PUBLIC_INPUT_COUNTS]).to.deep.equal([...SUPPORTED_PUBLIC_INPUT_COUNTS]);
      for (const [count, circuit] of Object.entries(LEAF_FOR_PUBLIC_INPUTS)) {
        const main = source(`prover/circuits/${circuit}/src/main.nr`);
        expect(/RollupProof<(\d+)>/.exec(main)?.[1], circuit).to.equal(count);
      }
    });

    it('pads with the zero subtrees prover/protocol computes', () => {
      const hi = noirArray(commitment, 'ZERO_HI');
      const lo = noirArray(commitment, 'ZERO_LO');
      expect(hi).to.have.length(MAX_PAD_HEIGHT + 1);
      expect(lo).to.have.length(MAX_PAD_HEIGHT + 1);
      for (let h = 0; h <= MAX_PAD_HEIGHT; h++) {
        expect([hi[h], lo[h]], `Z_${h}`).to.deep.equal(splitRoot(zeroSubtree(h)).map((x) => BigInt(x)));
      }
    });
  });
});
