/**
 * Builds the shared commitment test vectors (test/vectors/commitment.json) from prover/protocol (the
 * TypeScript commitment format).
 * `npx tsx scripts/commitmentVectors.ts` rewrites the file; `--check` fails when it is stale.
 * The inputs are derived deterministically (keccak of a label, reduced mod r), so the file is reproducible.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Address, type Hex, getAddress, keccak256, numberToHex, stringToHex } from 'viem';
import {
  AGG_CIRCUITS,
  FIELD_MODULUS,
  aggregationPublicInputs,
  batchLeaves,
  fieldToWord,
  merkleRoot,
  splitRoot,
  statementDigest,
} from '../prover/protocol/index.js';

export const VECTORS_PATH = fileURLToPath(new URL('../test/vectors/commitment.json', import.meta.url));

export interface VectorSlot {
  vkHash: Hex;
  publicInputs: Hex[];
  digest: Hex;
}

export interface VectorCase {
  name: string;
  capacity: number;
  excludedMask: number;
  slots: VectorSlot[];
  leaves: Hex[];
  root: Hex;
  rootHi: Hex;
  rootLo: Hex;
  prover: Address;
  keyHashes: Hex[];
  aggregationPublicInputs: Hex[];
}

export interface CommitmentVectors {
  format: string;
  fieldModulus: Hex;
  cases: VectorCase[];
}

function field(label: string): Hex {
  return fieldToWord(BigInt(keccak256(stringToHex(label))) % FIELD_MODULUS);
}

interface CaseSpec {
  name: string;
  capacity: number;
  filled: number;
  /** Public-input count of slot i (cycled). */
  piCounts: number[];
  excludedMask: number;
  /** Use edge values (0, 1, r - 1) as public inputs. */
  edge?: boolean;
}

const SPECS: CaseSpec[] = [
  { name: 'cap2-full-pi1', capacity: 2, filled: 2, piCounts: [1], excludedMask: 0 },
  { name: 'cap2-one-slot-pi4', capacity: 2, filled: 1, piCounts: [4], excludedMask: 0 },
  { name: 'cap4-partial-pi2', capacity: 4, filled: 3, piCounts: [2], excludedMask: 0 },
  { name: 'cap4-full-pi2-excl-slot1', capacity: 4, filled: 4, piCounts: [2], excludedMask: 0b0010 },
  { name: 'cap8-full-pi4-excl-0-2-5', capacity: 8, filled: 8, piCounts: [4], excludedMask: 0b00100101 },
  { name: 'cap8-edge-values-pi2', capacity: 8, filled: 3, piCounts: [2], excludedMask: 0, edge: true },
  { name: 'cap16-mixed-pi-1-2-4-excl', capacity: 16, filled: 11, piCounts: [1, 2, 4], excludedMask: 0b10000000010 },
  { name: 'cap32-full-pi1', capacity: 32, filled: 32, piCounts: [1], excludedMask: 0 },
  { name: 'cap32-sparse-pi2-excl-alternate', capacity: 32, filled: 20, piCounts: [2], excludedMask: 0x55555 },
];

const EDGE_VALUES: Hex[] = [fieldToWord(0n), fieldToWord(1n), fieldToWord(FIELD_MODULUS - 1n)];

function buildCase(spec: CaseSpec): VectorCase {
  const programs = new Map<number, Hex>();
  const slots: VectorSlot[] = [];
  for (let i = 0; i < spec.filled; i++) {
    const piCount = spec.piCounts[i % spec.piCounts.length] as number;
    if (!programs.has(piCount)) programs.set(piCount, field(`${spec.name}/vk/${piCount}`));
    const vkHash = programs.get(piCount) as Hex;
    const publicInputs = Array.from({ length: piCount }, (_, j) =>
      spec.edge ? (EDGE_VALUES[(i + j) % EDGE_VALUES.length] as Hex) : field(`${spec.name}/slot/${i}/pi/${j}`),
    );
    slots.push({ vkHash, publicInputs, digest: statementDigest(vkHash, publicInputs) });
  }
  const leaves = batchLeaves(
    slots.map((s) => s.digest),
    spec.capacity,
    spec.excludedMask,
  );
  const root = merkleRoot(leaves);
  const [rootHi, rootLo] = splitRoot(root);
  const prover = getAddress(`0x${keccak256(stringToHex(`${spec.name}/prover`)).slice(26)}`);
  const keyHashes = AGG_CIRCUITS.map((k) => field(`${spec.name}/key/${k}`));
  return {
    name: spec.name,
    capacity: spec.capacity,
    excludedMask: spec.excludedMask,
    slots,
    leaves,
    root,
    rootHi,
    rootLo,
    prover,
    keyHashes,
    aggregationPublicInputs: aggregationPublicInputs(root, prover, keyHashes),
  };
}

/** The vectors as the current TypeScript implementation computes them. */
export function buildVectors(): CommitmentVectors {
  return {
    format:
      'digest = keccak256(vkHash || publicInputs); leaves = digest or 0 (empty/excluded); parent = keccak256(l || r); ' +
      'aggregation public inputs = [root >> 128, root & (2^128-1), uint160(prover), keyHashes...]',
    fieldModulus: numberToHex(FIELD_MODULUS, { size: 32 }),
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
