/**
 * The protocol constants exist once in TypeScript (prover/protocol/constants.ts); Noir and Solidity
 * keep their own. This test reads the Noir sources and fails when any of them disagrees with
 * prover/protocol, as test/abi/generated.test.ts does for the ABIs. The Solidity part checks the
 * version-1 contracts still on this branch against the frozen version-1 constants
 * (scripts/lib/commitmentV1.ts) and the constants both versions share; the version-2 contracts are
 * checked against the shared vectors (test/vectors/commitment.json) where they live.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { network } from 'hardhat';
import { fileURLToPath } from 'node:url';
import { bytesToHex, hexToBytes } from 'viem';
import {
  AGG_CIRCUITS,
  AGG_PROOF_FIELDS,
  AGG_PUBLIC_INPUTS,
  FIELD_MODULUS,
  KEY_SET_DEPTH,
  MAX_CAPACITY,
  MAX_DEPTH,
  MAX_PAD_HEIGHT,
  MIN_CAPACITY,
  MIN_DEPTH,
  MIN_PAD_HEIGHT,
  ROLLUP_PROOF_FIELDS,
  SINGLE_LEAF_FOR_PUBLIC_INPUTS,
  SLOT_BITS,
  STATEMENT_DOMAIN,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  VK_FIELDS,
  fieldToWord,
  pairLeafFor,
  splitRoot,
  zeroSubtree,
} from '../../prover/protocol/index.js';
import { batchOfV1, slotOfV1, submissionIdV1, V1_MAX_CAPACITY, V1_MIN_CAPACITY, V1_SLOT_BITS } from '../../scripts/lib/commitmentV1.js';
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
  describe('version-1 Solidity (contracts/libraries/BatchCommitment.sol, contracts/market/AggregationMarket.sol)', () => {
    const lib = source('contracts/libraries/BatchCommitment.sol');

    it("declares the same field modulus, and version 1's maximum capacity", () => {
      expect(BigInt(declared(lib, 'FIELD_MODULUS'))).to.equal(FIELD_MODULUS);
      expect(Number(declared(lib, 'MAX_CAPACITY'))).to.equal(V1_MAX_CAPACITY);
      expect(V1_MAX_CAPACITY).to.equal(2 ** V1_SLOT_BITS);
    });

    it('draws the canonical-field and capacity lines where prover/protocol does', async () => {
      const { ethers } = await network.create();
      const harness = await ethers.deployContract('CommitmentHarness');
      expect(await harness.getFunction('isCanonical')(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
      expect(await harness.getFunction('isCanonical')(ethers.toBeHex(FIELD_MODULUS, 32))).to.equal(false);
      for (let c = 0; c <= 2 * V1_MAX_CAPACITY; c++) {
        const valid = c >= V1_MIN_CAPACITY && c <= V1_MAX_CAPACITY && (c & (c - 1)) === 0;
        expect(await harness.getFunction('isValidCapacity')(c), `capacity ${c}`).to.equal(valid);
      }
    });

    it('aggregates by default exactly the public-input counts a leaf circuit exists for', async () => {
      const { ethers } = await network.create();
      const { market } = await deployMarket(ethers);
      const mask = Number(await market.DEFAULT_AGGREGATABLE_INPUT_COUNTS());
      const counts = Array.from({ length: 32 }, (_, i) => i + 1).filter((n) => (mask >>> (n - 1)) & 1);
      expect(counts).to.deep.equal([...SUPPORTED_PUBLIC_INPUT_COUNTS]);
      expect(Object.keys(SINGLE_LEAF_FOR_PUBLIC_INPUTS).map(Number)).to.deep.equal([...SUPPORTED_PUBLIC_INPUT_COUNTS]);
    });

    it('packs submission ids as version 1 does (batchId * 32 + slot)', async () => {
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
      expect(ids).to.deep.equal([0, 1, 2].map((slot) => submissionIdV1(batchId, slot)));
      expect(ids.map(batchOfV1)).to.deep.equal([batchId, batchId, batchId]);
      expect(ids.map(slotOfV1)).to.deep.equal([0, 1, 2]);
    });
  });

  describe('Noir (prover/circuits/nex_lib and the 11 aggregation circuits)', () => {
    const aggregation = source('prover/circuits/nex_lib/src/aggregation.nr');
    const commitment = source('prover/circuits/nex_lib/src/commitment.nr');
    const keySet = source('prover/circuits/nex_lib/src/key_set.nr');

    it('declares the same proof and verification-key lengths and public-input count', () => {
      expect(Number(declared(aggregation, 'ROLLUP_PROOF_LEN'))).to.equal(ROLLUP_PROOF_FIELDS);
      expect(Number(declared(aggregation, 'AGG_PROOF_LEN'))).to.equal(AGG_PROOF_FIELDS);
      expect(Number(declared(aggregation, 'VK_LEN'))).to.equal(VK_FIELDS);
      expect(Number(declared(aggregation, 'NUM_AGG_PUBLIC_INPUTS'))).to.equal(AGG_PUBLIC_INPUTS);
    });

    it('declares the same pad heights, depths and key-set shape', () => {
      expect(Number(declared(commitment, 'MIN_PAD_HEIGHT'))).to.equal(MIN_PAD_HEIGHT);
      expect(Number(declared(commitment, 'MAX_PAD_HEIGHT'))).to.equal(MAX_PAD_HEIGHT);
      expect(2 ** MAX_DEPTH).to.equal(MAX_CAPACITY);
      expect(2 ** MIN_DEPTH).to.equal(MIN_CAPACITY);
      expect(MAX_CAPACITY).to.equal(2 ** SLOT_BITS);
      expect(Number(declared(keySet, 'KEY_SET_DEPTH'))).to.equal(KEY_SET_DEPTH);
      expect(Number(declared(keySet, 'NUM_KEYS'))).to.equal(AGG_CIRCUITS.length);
      expect(AGG_CIRCUITS.length).to.be.at.most(2 ** KEY_SET_DEPTH);
    });

    it('uses the same statement domain, keccak256("NEX.statement.v2")', () => {
      const m = /global\s+STATEMENT_DOMAIN\s*:[^=]*=\s*\[([^\]]*)\]/.exec(commitment);
      const bytes = m![1]!
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map((x) => Number(BigInt(x)));
      expect(bytesToHex(Uint8Array.from(bytes))).to.equal(STATEMENT_DOMAIN);
      expect(hexToBytes(STATEMENT_DOMAIN)).to.have.length(32);
    });

    it('documents the key-set order prover/protocol uses (AGG_CIRCUITS) and the 4 public inputs in every circuit', () => {
      const order = /leaf index\s*\n\/\/!\s*0\.\.10\)\s*([\s\S]*?),\s*then 5 zero leaves/.exec(keySet);
      expect(order, 'key_set.nr documents the leaf order').to.not.equal(null);
      expect(
        order![1]!
          .replace(/\/\/!/g, ' ')
          .split(',')
          .map((x) => x.trim()),
      ).to.deep.equal([...AGG_CIRCUITS]);
      for (const circuit of AGG_CIRCUITS) {
        expect(source(`prover/circuits/${circuit}/src/main.nr`), circuit).to.contain('Public inputs: [root_hi, root_lo, prover, key_set].');
      }
    });

    it('has a single leaf for exactly the supported public-input counts and a pair leaf for each a <= b', () => {
      for (const [count, circuit] of Object.entries(SINGLE_LEAF_FOR_PUBLIC_INPUTS)) {
        const main = source(`prover/circuits/${circuit}/src/main.nr`);
        expect(
          [...main.matchAll(/RollupProof<(\d+)>/g)].map((x) => x[1]),
          circuit,
        ).to.deep.equal([count]);
      }
      for (const a of SUPPORTED_PUBLIC_INPUT_COUNTS) {
        for (const b of SUPPORTED_PUBLIC_INPUT_COUNTS) {
          const { circuit, swap } = pairLeafFor(a, b);
          expect(swap).to.equal(a > b);
          const main = source(`prover/circuits/${circuit}/src/main.nr`);
          expect(
            [...main.matchAll(/RollupProof<(\d+)>/g)].map((x) => Number(x[1])),
            circuit,
          ).to.deep.equal([Math.min(a, b), Math.max(a, b)]);
        }
      }
      expect(AGG_CIRCUITS.filter((c) => /^leaf_\d$/.test(c))).to.have.length(SUPPORTED_PUBLIC_INPUT_COUNTS.length);
      expect(AGG_CIRCUITS.filter((c) => /^leaf_\d_\d$/.test(c))).to.have.length(6);
    });

    it('pads with the zero subtrees prover/protocol computes (Z_1..Z_6; index 0 unused)', () => {
      const hi = noirArray(commitment, 'ZERO_HI');
      const lo = noirArray(commitment, 'ZERO_LO');
      expect(hi).to.have.length(MAX_PAD_HEIGHT + 1);
      expect(lo).to.have.length(MAX_PAD_HEIGHT + 1);
      expect([hi[0], lo[0]]).to.deep.equal([0n, 0n]);
      for (let h = MIN_PAD_HEIGHT; h <= MAX_PAD_HEIGHT; h++) {
        expect([hi[h], lo[h]], `Z_${h}`).to.deep.equal(splitRoot(zeroSubtree(h)).map((x) => BigInt(x)));
      }
      expect(fieldToWord(0n)).to.equal(zeroSubtree(0));
    });
  });
});
