/**
 * The protocol constants exist once in TypeScript (prover/protocol/constants.ts); Solidity and Noir
 * keep their own. This test reads the Solidity and Noir sources (and asks the compiled contracts) and
 * fails when any of them disagrees with prover/protocol, as test/abi/generated.test.ts does for the ABIs.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { network } from 'hardhat';
import { fileURLToPath } from 'node:url';
import {
  AGG_CIRCUITS,
  AGG_PUBLIC_INPUTS,
  FIELD_MODULUS,
  LEAF_FOR_PUBLIC_INPUTS,
  MAX_CAPACITY,
  MAX_PAD_HEIGHT,
  MIN_CAPACITY,
  PROOF_FIELDS,
  SLOT_BITS,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  VK_FIELDS,
  batchOf,
  fieldToWord,
  slotOf,
  splitRoot,
  submissionId,
  zeroSubtree,
} from '../../prover/protocol/index.js';
import { deployMarket, inputsFor, MIN_FEE, PROGRAM_ID } from '../../scripts/lib/marketDeployment.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const source = (path: string): string => readFileSync(`${ROOT}/${path}`, 'utf8');

/** The value of `name` declared as `<name> ... = <value>;` in a Solidity or Noir source. */
function declared(text: string, name: string): string {
  const m = new RegExp(String.raw`\b${name}\b[^=;]*=\s*([^;]+);`).exec(text);
  if (!m) throw new Error(`${name} is not declared`);
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
  describe('Solidity (contracts/libraries/BatchCommitment.sol, contracts/market/AggregationMarket.sol)', () => {
    const lib = source('contracts/libraries/BatchCommitment.sol');

    it('declares the same field modulus and maximum capacity', () => {
      expect(BigInt(declared(lib, 'FIELD_MODULUS'))).to.equal(FIELD_MODULUS);
      expect(Number(declared(lib, 'MAX_CAPACITY'))).to.equal(MAX_CAPACITY);
      expect(MAX_CAPACITY).to.equal(2 ** SLOT_BITS);
    });

    it('draws the canonical-field and capacity lines where prover/protocol does', async () => {
      const { ethers } = await network.create();
      const harness = await ethers.deployContract('CommitmentHarness');
      expect(await harness.getFunction('isCanonical')(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
      expect(await harness.getFunction('isCanonical')(ethers.toBeHex(FIELD_MODULUS, 32))).to.equal(false);
      for (let c = 0; c <= 2 * MAX_CAPACITY; c++) {
        const valid = c >= MIN_CAPACITY && c <= MAX_CAPACITY && (c & (c - 1)) === 0;
        expect(await harness.getFunction('isValidCapacity')(c), `capacity ${c}`).to.equal(valid);
      }
    });

    it('aggregates by default exactly the public-input counts a leaf circuit exists for', async () => {
      const { ethers } = await network.create();
      const { market } = await deployMarket(ethers);
      const mask = Number(await market.DEFAULT_AGGREGATABLE_INPUT_COUNTS());
      const counts = Array.from({ length: 32 }, (_, i) => i + 1).filter((n) => (mask >>> (n - 1)) & 1);
      expect(counts).to.deep.equal([...SUPPORTED_PUBLIC_INPUT_COUNTS]);
      expect(Object.keys(LEAF_FOR_PUBLIC_INPUTS).map(Number)).to.deep.equal([...SUPPORTED_PUBLIC_INPUT_COUNTS]);
    });

    it('packs submission ids as prover/protocol does', async () => {
      const { ethers } = await network.create();
      const f = await deployMarket(ethers);
      const ids: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const receipt = await (await f.market.connect(f.user1).submit(PROGRAM_ID, inputsFor(100 + i), '0x1234', { value: MIN_FEE })).wait();
        for (const log of receipt?.logs ?? []) {
          const parsed = f.market.interface.parseLog(log);
          if (parsed?.name === 'Submitted') ids.push(parsed.args[0] as bigint);
        }
      }
      const batchId = await f.market.openBatchId(); // the batch being filled
      expect(batchId).to.be.greaterThan(0n);
      expect(ids).to.deep.equal([0, 1, 2].map((slot) => submissionId(batchId, slot)));
      expect(ids.map(batchOf)).to.deep.equal([batchId, batchId, batchId]);
      expect(ids.map(slotOf)).to.deep.equal([0, 1, 2]);
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
