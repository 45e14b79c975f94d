/**
 * The protocol constants exist once in TypeScript (prover/protocol/constants.ts); Solidity and Noir
 * keep their own. This test reads the Solidity and Noir sources (and asks the compiled contracts) and
 * fails when any of them disagrees with prover/protocol, as test/abi/generated.test.ts does for the ABIs.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { network } from 'hardhat';
import { fileURLToPath } from 'node:url';
import { bytesToHex, hexToBytes, type Address } from 'viem';
import {
  AGG_CIRCUITS,
  AGG_PROOF_FIELDS,
  AGG_PUBLIC_INPUTS,
  FIELD_MODULUS,
  KEY_SET_DEPTH,
  MAX_CAPACITY,
  MAX_DEPTH,
  MAX_PAD_HEIGHT,
  PROOF_BYTES,
  PROOF_FIELDS,
  MIN_CAPACITY,
  MIN_DEPTH,
  MIN_PAD_HEIGHT,
  ROLLUP_PROOF_FIELDS,
  SINGLE_LEAF_FOR_PUBLIC_INPUTS,
  SLOT_BITS,
  STATEMENT_DOMAIN,
  SUPPORTED_PUBLIC_INPUT_COUNTS,
  VK_BYTES,
  VK_FIELDS,
  fieldToWord,
  pairLeafFor,
  splitRoot,
  zeroSubtree,
  ROLLUP_PROOF_BYTES,
  batchOf,
  capacityFor,
  isValidCapacity,
  marketDomain,
  slotOf,
  submissionId,
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
  describe('Solidity version 2 (contracts/libraries, contracts/market)', () => {
    const lib = source('contracts/libraries/BatchCommitment.sol');
    const ids = source('contracts/libraries/SubmissionId.sol');

    it('declares the same field modulus, statement domain, capacities, id stride and public-input count', () => {
      expect(BigInt(constantOf(lib, 'FIELD_MODULUS'))).to.equal(FIELD_MODULUS);
      expect(constantOf(lib, 'STATEMENT_DOMAIN')).to.equal(STATEMENT_DOMAIN);
      expect(Number(constantOf(lib, 'MIN_CAPACITY'))).to.equal(MIN_CAPACITY);
      expect(Number(constantOf(lib, 'MAX_CAPACITY'))).to.equal(MAX_CAPACITY);
      expect(2 ** Number(constantOf(lib, 'MAX_DEPTH'))).to.equal(MAX_CAPACITY);
      expect(Number(constantOf(lib, 'AGGREGATION_PUBLIC_INPUTS'))).to.equal(AGG_PUBLIC_INPUTS);
      expect(Number(constantOf(ids, 'SLOTS_PER_BATCH'))).to.equal(MAX_CAPACITY);
      expect(Number(constantOf(ids, '_SLOT_BITS'))).to.equal(SLOT_BITS);
      expect(MAX_CAPACITY).to.equal(2 ** SLOT_BITS);
      expect(MAX_PAD_HEIGHT).to.equal(SLOT_BITS);
    });

    it('draws the canonical-field and capacity lines where prover/protocol does', async () => {
      const { ethers } = await network.create();
      const harness = await ethers.deployContract('CommitmentHarness');
      expect(await harness.getFunction('isCanonical')(fieldToWord(FIELD_MODULUS - 1n))).to.equal(true);
      expect(await harness.getFunction('isCanonical')(ethers.toBeHex(FIELD_MODULUS, 32))).to.equal(false);
      for (let c = 0; c <= 2 * MAX_CAPACITY; c++) {
        expect(await harness.getFunction('isValidCapacity')(c), `capacity ${c}`).to.equal(isValidCapacity(c));
      }
      for (let n = 0; n <= MAX_CAPACITY; n++)
        expect(await harness.getFunction('capacityFor')(n), `count ${n}`).to.equal(BigInt(capacityFor(n)));
    });

    it('takes the key length, the proof length, the public-input counts and the EIP-712 domain prover/protocol names', async () => {
      const { ethers } = await network.create();
      const f = await deployMarket(ethers);
      expect(Number(await f.market.VK_BYTES())).to.equal(VK_BYTES);
      expect((await f.router.current())[1]).to.equal(BigInt(ROLLUP_PROOF_BYTES));
      expect(ROLLUP_PROOF_BYTES).to.equal(PROOF_BYTES);
      const mask = Number(await f.market.DEFAULT_AGGREGATABLE_INPUT_COUNTS());
      const counts = Array.from({ length: 32 }, (_, i) => i + 1).filter((n) => (mask >>> (n - 1)) & 1);
      expect(counts).to.deep.equal([...SUPPORTED_PUBLIC_INPUT_COUNTS]);
      const [, name, version, chainId, verifyingContract] = await f.market.eip712Domain();
      expect({ name, version, chainId: Number(chainId), verifyingContract }).to.deep.equal(
        marketDomain(Number(chainId), (await f.market.getAddress()) as Address),
      );
    });

    it('packs submission ids as version 1 does (batchId * 32 + slot)', async () => {
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
      expect(ids).to.deep.equal([0, 1, 2].map((slot) => submissionId(batchId, slot)));
      expect(ids.map(batchOf)).to.deep.equal([batchId, batchId, batchId]);
      expect(ids.map(slotOf)).to.deep.equal([0, 1, 2]);
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
