/**
 * Builds the shared commitment test vectors of version 2 (test/vectors/commitment.json) from
 * prover/protocol (the TypeScript commitment format). Noir (test/prover/circuits.test.ts), the engine's
 * planner (test/prover/engine-planner.test.ts) and Solidity (the contracts' tests, on the branch that
 * has the version-2 contracts) check themselves against it.
 * `npx tsx scripts/commitmentVectors.ts` rewrites the file; `--check` fails when it is stale.
 * The inputs are derived deterministically (keccak of a label, reduced mod r), so the file is reproducible.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Address, type Hex, getAddress, keccak256, numberToHex, stringToHex } from 'viem';
import {
  FIELD_MODULUS,
  MAX_DEPTH,
  STATEMENT_DOMAIN,
  aggregationPublicInputs,
  batchLeaves,
  fieldToWord,
  inclusionPath,
  merkleRoot,
  programIdOf,
  splitRoot,
  statementDigest,
  zeroSubtree,
} from '../prover/protocol/index.js';

export const VECTORS_PATH = fileURLToPath(new URL('../test/vectors/commitment.json', import.meta.url));

export interface VectorSlot {
  owner: Address;
  vkHash: Hex;
  programId: Hex;
  publicInputs: Hex[];
  digest: Hex;
}

export interface VectorInclusion {
  index: number;
  leaf: Hex;
  siblings: Hex[];
}

export interface VectorCase {
  name: string;
  capacity: number;
  /** The uint64 exclusion mask as hex (bit i = slot i excluded). */
  excludedMask: Hex;
  slots: VectorSlot[];
  leaves: Hex[];
  root: Hex;
  rootHi: Hex;
  rootLo: Hex;
  prover: Address;
  keySet: Hex;
  aggregationPublicInputs: Hex[];
  /** Inclusion paths of some leaves (included, excluded and empty slots). */
  inclusions: VectorInclusion[];
}

export interface CommitmentVectors {
  format: string;
  fieldModulus: Hex;
  statementDomain: Hex;
  /** Z_0..Z_6. */
  zeroSubtrees: Hex[];
  cases: VectorCase[];
}

function field(label: string): Hex {
  return fieldToWord(BigInt(keccak256(stringToHex(label))) % FIELD_MODULUS);
}

function address(label: string): Address {
  return getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);
}

interface CaseSpec {
  name: string;
  capacity: number;
  filled: number;
  /** Public-input count of slot i (cycled). */
  piCounts: number[];
  excludedMask: bigint;
  /** Use edge values (0, 1, r - 1) as public inputs. */
  edge?: boolean;
  /** Two owners register the same key (slot i uses owner i % 2): the same statement is two programs' statements. */
  twoOwners?: boolean;
  /** Leaves whose inclusion paths the case lists. */
  paths: number[];
}

const SPECS: CaseSpec[] = [
  { name: 'cap4-one-slot-pi1', capacity: 4, filled: 1, piCounts: [1], excludedMask: 0n, paths: [0, 1, 3] },
  { name: 'cap4-full-pi2', capacity: 4, filled: 4, piCounts: [2], excludedMask: 0n, paths: [0, 3] },
  { name: 'cap4-two-slots-pi4', capacity: 4, filled: 2, piCounts: [4], excludedMask: 0n, paths: [1, 2] },
  { name: 'cap4-full-pi2-excl-slot1', capacity: 4, filled: 4, piCounts: [2], excludedMask: 0b0010n, paths: [0, 1] },
  { name: 'cap4-same-key-two-owners', capacity: 4, filled: 2, piCounts: [1], excludedMask: 0n, twoOwners: true, paths: [0, 1] },
  { name: 'cap8-full-pi4-excl-0-2-5', capacity: 8, filled: 8, piCounts: [4], excludedMask: 0b00100101n, paths: [0, 1, 7] },
  { name: 'cap8-edge-values-pi2', capacity: 8, filled: 3, piCounts: [2], excludedMask: 0n, edge: true, paths: [2, 5] },
  { name: 'cap16-mixed-pi-1-2-4-excl', capacity: 16, filled: 11, piCounts: [1, 2, 4], excludedMask: 0b10000000010n, paths: [0, 1, 10, 15] },
  { name: 'cap32-full-pi1', capacity: 32, filled: 32, piCounts: [1], excludedMask: 0n, paths: [0, 31] },
  { name: 'cap32-sparse-pi2-excl-alternate', capacity: 32, filled: 20, piCounts: [2], excludedMask: 0x55555n, paths: [0, 1, 19, 20] },
  { name: 'cap64-full-mixed', capacity: 64, filled: 64, piCounts: [1, 2, 4, 4], excludedMask: 0n, paths: [0, 33, 63] },
  { name: 'cap64-full-excl-high-bits', capacity: 64, filled: 64, piCounts: [2], excludedMask: 0xc000000000000001n, paths: [0, 62, 63] },
  { name: 'cap64-33-filled', capacity: 64, filled: 33, piCounts: [4, 1], excludedMask: 1n << 32n, paths: [31, 32, 33, 63] },
];

const EDGE_VALUES: Hex[] = [fieldToWord(0n), fieldToWord(1n), fieldToWord(FIELD_MODULUS - 1n)];

function buildCase(spec: CaseSpec): VectorCase {
  const slots: VectorSlot[] = [];
  for (let i = 0; i < spec.filled; i++) {
    const piCount = spec.piCounts[i % spec.piCounts.length]!;
    const vkHash = field(`${spec.name}/vk/${piCount}`);
    const owner = address(`${spec.name}/owner/${spec.twoOwners ? i % 2 : piCount}`);
    const programId = programIdOf(owner, vkHash);
    const publicInputs = Array.from({ length: piCount }, (_, j) =>
      spec.edge ? EDGE_VALUES[(i + j) % EDGE_VALUES.length]! : field(`${spec.name}/slot/${spec.twoOwners ? 0 : i}/pi/${j}`),
    );
    slots.push({ owner, vkHash, programId, publicInputs, digest: statementDigest(programId, publicInputs) });
  }
  const leaves = batchLeaves(
    slots.map((s) => s.digest),
    spec.capacity,
    spec.excludedMask,
  );
  const root = merkleRoot(leaves);
  const [rootHi, rootLo] = splitRoot(root);
  const prover = address(`${spec.name}/prover`);
  const keySet = field(`${spec.name}/key-set`);
  return {
    name: spec.name,
    capacity: spec.capacity,
    excludedMask: numberToHex(spec.excludedMask),
    slots,
    leaves,
    root,
    rootHi,
    rootLo,
    prover,
    keySet,
    aggregationPublicInputs: aggregationPublicInputs(root, prover, keySet),
    inclusions: spec.paths.map((index) => ({ index, leaf: leaves[index]!, siblings: inclusionPath(leaves, index) })),
  };
}

/** The vectors as the current TypeScript implementation computes them. */
export function buildVectors(): CommitmentVectors {
  return {
    format:
      'programId = keccak256(abi.encode(owner, vkHash)); digest = keccak256(STATEMENT_DOMAIN || programId || publicInputs); ' +
      'leaves = digest or 0 (empty/excluded); parent = keccak256(l || r); capacity 4..64; excludedMask = uint64 (hex); ' +
      'inclusion siblings bottom first; aggregation public inputs = [root >> 128, root & (2^128-1), uint160(prover), keySet]',
    fieldModulus: numberToHex(FIELD_MODULUS, { size: 32 }),
    statementDomain: STATEMENT_DOMAIN,
    zeroSubtrees: Array.from({ length: MAX_DEPTH + 1 }, (_, h) => zeroSubtree(h)),
    cases: SPECS.map(buildCase),
  };
}

function main(): void {
  const json = `${JSON.stringify(buildVectors(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    if (readFileSync(VECTORS_PATH, 'utf8') !== json) {
      console.error(`${VECTORS_PATH} is stale: run npx tsx scripts/commitmentVectors.ts`);
      process.exit(1);
    }
    console.log(`${VECTORS_PATH} is up to date`);
    return;
  }
  writeFileSync(VECTORS_PATH, json);
  console.log(`wrote ${VECTORS_PATH}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
