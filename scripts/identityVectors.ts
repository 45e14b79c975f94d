/**
 * Builds the version-2 identity test vectors (test/vectors/identities-v2.json) from prover/protocol (v2):
 * program ids, statement digests, statements hashes, group words, EIP-712 request hashes and relay receipt
 * digests. `npx tsx scripts/identityVectors.ts` rewrites the file; `--check` fails when it is stale. Inputs
 * derive from labels (keccak, reduced mod r), so it is reproducible. test/protocol/v2.test.ts checks every
 * value against an independent implementation (ethers) and against the Solidity library and market.
 * The batch-tree vectors are test/vectors/commitment.json's (scripts/commitmentVectors.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getAddress, keccak256, numberToHex, stringToHex, type Address, type Hex } from 'viem';
import {
  FIELD_MODULUS,
  RECEIPT_DOMAIN,
  STATEMENT_DOMAIN,
  groupWord,
  marketDomain,
  programIdOf,
  receiptDigest,
  requestHash,
  statementDigest,
  statementsHash,
} from '../prover/protocol/index.js';

export const IDENTITY_VECTORS_PATH = fileURLToPath(new URL('../test/vectors/identities-v2.json', import.meta.url));

const field = (label: string): Hex => numberToHex(BigInt(keccak256(stringToHex(label))) % FIELD_MODULUS, { size: 32 });
const address = (label: string): Address => getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);
const EDGE: Record<string, Hex> = {
  zero: numberToHex(0n, { size: 32 }),
  one: numberToHex(1n, { size: 32 }),
  rMinus1: numberToHex(FIELD_MODULUS - 1n, { size: 32 }),
};

export interface IdentityVectors {
  format: string;
  statementDomain: Hex;
  receiptDomain: Hex;
  cases: {
    name: string;
    owner: Address;
    vkHash: Hex;
    programId: Hex;
    statements: { publicInputs: Hex[]; digest: Hex }[];
    statementsHash: Hex;
    request: { count: number; feePerProof: string; nonce: string; deadline: number };
    domain: { chainId: number; verifyingContract: Address };
    requestHash: Hex;
    payer: Address;
    /** The group word of the request once accepted, with `callbackGas`. */
    group: { callbackGas: number; word: Hex };
    receipt: { acceptedAt: number; postBy: number; digest: Hex };
  }[];
}

const SPECS: { name: string; inputs: Hex[][]; chainId: number; fee: bigint; nonce: bigint; callbackGas: number }[] = [
  { name: 'one statement, one input', inputs: [[field('a/0')]], chainId: 1, fee: 10n ** 15n, nonce: 0n, callbackGas: 0 },
  {
    name: 'two statements, two inputs',
    inputs: [
      [field('b/0'), field('b/1')],
      [field('b/2'), field('b/3')],
    ],
    chainId: 31337,
    fee: 1n,
    nonce: 7n,
    callbackGas: 100_000,
  },
  {
    name: 'four inputs, edge values',
    inputs: [[EDGE.zero!, EDGE.one!, EDGE.rMinus1!, field('c/3')]],
    chainId: 11155111,
    fee: 2n ** 64n - 1n,
    nonce: 2n ** 64n - 1n,
    callbackGas: 2 ** 24 - 1,
  },
  {
    name: 'sixty-four statements',
    inputs: Array.from({ length: 64 }, (_, i) => [field(`d/${i}`)]),
    chainId: 31337,
    fee: 123_456_789n,
    nonce: 3n,
    callbackGas: 0,
  },
];

export function buildIdentityVectors(): IdentityVectors {
  return {
    format:
      'programId = keccak256(abi.encode(owner, vkHash)); digest = keccak256(STATEMENT_DOMAIN || programId || publicInputs); ' +
      'statementsHash = keccak256(digests...); requestHash = EIP-712 Request under {name: "NEX AggregationMarket", version: "2", chainId, verifyingContract}; ' +
      'group word = payer (160) | feePerProof (64) | count (8) | callbackGas (24); ' +
      'receipt digest = keccak256(abi.encode(RECEIPT_DOMAIN, requestHash, payer, uint64 acceptedAt, uint64 postBy))',
    statementDomain: STATEMENT_DOMAIN,
    receiptDomain: RECEIPT_DOMAIN,
    cases: SPECS.map((s, i) => {
      const owner = address(`owner/${i}`);
      const vkHash = field(`vk/${i}`);
      const programId = programIdOf(owner, vkHash);
      const statements = s.inputs.map((publicInputs) => ({ publicInputs, digest: statementDigest(programId, publicInputs) }));
      const sh = statementsHash(statements.map((x) => x.digest));
      const domain = { chainId: s.chainId, verifyingContract: address(`market/${i}`) };
      const request = {
        programId,
        statementsHash: sh,
        count: statements.length,
        feePerProof: s.fee,
        nonce: s.nonce,
        deadline: 1_800_000_000 + i,
      };
      const rh = requestHash(request, marketDomain(domain.chainId, domain.verifyingContract));
      const payer = address(`payer/${i}`);
      const word = groupWord({ payer, feePerProof: s.fee, count: statements.length, callbackGas: s.callbackGas });
      const receipt = { acceptedAt: 1_799_999_000 + i, postBy: 1_799_999_090 + i };
      return {
        name: s.name,
        owner,
        vkHash,
        programId,
        statements,
        statementsHash: sh,
        request: { count: request.count, feePerProof: s.fee.toString(), nonce: s.nonce.toString(), deadline: request.deadline },
        domain,
        requestHash: rh,
        payer,
        group: { callbackGas: s.callbackGas, word: numberToHex(word, { size: 32 }) },
        receipt: { ...receipt, digest: receiptDigest({ requestHash: rh, payer, ...receipt }) },
      };
    }),
  };
}

function main(): void {
  const json = `${JSON.stringify(buildIdentityVectors(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    if (readFileSync(IDENTITY_VECTORS_PATH, 'utf8') !== json) {
      console.error(`${IDENTITY_VECTORS_PATH} is stale: run npx tsx scripts/identityVectors.ts`);
      process.exit(1);
    }
    console.log(`${IDENTITY_VECTORS_PATH} is up to date`);
    return;
  }
  writeFileSync(IDENTITY_VECTORS_PATH, json);
  console.log(`wrote ${IDENTITY_VECTORS_PATH}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
