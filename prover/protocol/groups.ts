/**
 * A version-2 batch's content and its commitment (spec V2.6, "Batch storage"; docs/protocol.md): groups of
 * consecutive slots with one payer, program, fee per proof and callback gas, their words, and the two
 * commitment forms a fulfilment, closure or release proves against with a {@link Settlement}.
 */
import { concat, encodeAbiParameters, getAddress, keccak256, type Address, type Hex } from 'viem';
import { CommitmentError } from './commitmentError.js';
import { assertWord, toWord } from './field.js';
import { MAX_CAPACITY, MAX_FEE_PER_PROOF } from './constants.js';
import { batchRoot, capacityFor } from './commitment.js';

/** The fields of a group word. */
export interface GroupFields {
  readonly payer: Address | string;
  /** Wei per statement (uint64). */
  readonly feePerProof: bigint;
  /** Statements in the group (1..64). */
  readonly count: number;
  /** Gas of each callback of the group's verified statements (uint24; 0: none). */
  readonly callbackGas: bigint | number;
}

/** A group as the market's `Group` struct: its word and its program. */
export interface Group {
  readonly word: bigint;
  readonly programId: Hex;
}

/** What a fulfilment, closure or release passes (the market's `Settlement` struct). */
export interface Settlement {
  readonly root: Hex;
  readonly groupsHash: Hex;
  readonly poster: Address;
  readonly groups: Group[];
  readonly digests: Hex[];
}

const ZERO_WORD: Hex = `0x${'00'.repeat(32)}`;
const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000';

/** `payer (160) | feePerProof (64) | count (8) | callbackGas (24)`, most significant first. */
export function groupWord(g: GroupFields): bigint {
  const callbackGas = BigInt(g.callbackGas);
  if (g.feePerProof < 0n || g.feePerProof > MAX_FEE_PER_PROOF) throw new CommitmentError(`feePerProof ${g.feePerProof} is not a uint64`);
  if (!Number.isInteger(g.count) || g.count < 1 || g.count > MAX_CAPACITY)
    throw new CommitmentError(`group count ${g.count} not in 1..${MAX_CAPACITY}`);
  if (callbackGas < 0n || callbackGas >= 1n << 24n) throw new CommitmentError(`callbackGas ${callbackGas} is not a uint24`);
  return (BigInt(getAddress(g.payer)) << 96n) | (g.feePerProof << 32n) | (BigInt(g.count) << 24n) | callbackGas;
}

/** The fields of a group word ({@link groupWord} inverted). */
export function unpackGroupWord(word: bigint): GroupFields {
  return {
    payer: getAddress(`0x${(word >> 96n).toString(16).padStart(40, '0')}`),
    feePerProof: (word >> 32n) & MAX_FEE_PER_PROOF,
    count: Number((word >> 24n) & 0xffn),
    callbackGas: word & 0xffffffn,
  };
}

/** `keccak256(groupWord_1 || programId_1 || ...)` over the accepted groups of a posted batch. */
export function groupsHash(groups: readonly Group[]): Hex {
  if (groups.length === 0) return keccak256('0x');
  return keccak256(concat(groups.flatMap((g, i) => [toWord(g.word), assertWord(g.programId, `groups[${i}].programId`)])));
}

function countOf(g: Group): number {
  return Number((g.word >> 24n) & 0xffn);
}

/** The digests must be exactly the groups' statements, in order. */
function checkCounts(groups: readonly Group[], digests: readonly Hex[]): void {
  const total = groups.reduce((n, g) => n + countOf(g), 0);
  if (total !== digests.length) throw new CommitmentError(`the groups hold ${total} statements, ${digests.length} digests given`);
}

/** The chain-form commitment (calldata and blob batches): `B = keccak256(B || word || programId || digests)` per group, from 0. */
export function chainCommitment(groups: readonly Group[], digests: readonly Hex[]): Hex {
  checkCounts(groups, digests);
  let commitment = ZERO_WORD;
  let at = 0;
  for (const [i, g] of groups.entries()) {
    const n = countOf(g);
    const words = digests.slice(at, at + n).map((d, k) => assertWord(d, `digests[${at + k}]`));
    commitment = keccak256(concat([commitment, toWord(g.word), assertWord(g.programId, `groups[${i}].programId`), ...words]));
    at += n;
  }
  return commitment;
}

/** The posted-form commitment (off-chain batches): `keccak256(abi.encode(root, groupsHash, poster))`. */
export function postedCommitment(root: Hex, groupsHashValue: Hex, poster: Address | string): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'address' }],
      [assertWord(root, 'root'), assertWord(groupsHashValue, 'groupsHash'), getAddress(poster)],
    ),
  );
}

/** The settlement of a chain-form batch (calldata and blob): its groups and digests only. */
export function chainSettlement(groups: readonly Group[], digests: readonly Hex[]): Settlement {
  checkCounts(groups, digests);
  return { root: ZERO_WORD, groupsHash: ZERO_WORD, poster: ZERO_ADDRESS, groups: [...groups], digests: [...digests] };
}

/**
 * The full settlement of a posted batch (root over the smallest capacity >= max(4, count), groups hash,
 * poster, groups and digests); {@link fastSettlement} drops what the fast path does not need.
 */
export function postedSettlement(groups: readonly Group[], digests: readonly Hex[], poster: Address | string): Settlement {
  checkCounts(groups, digests);
  return {
    root: batchRoot(digests, capacityFor(digests.length)),
    groupsHash: groupsHash(groups),
    poster: getAddress(poster),
    groups: [...groups],
    digests: [...digests],
  };
}

/** The fast-path settlement of a posted batch (nothing excluded, no callback): root, groups hash and poster only. */
export function fastSettlement(s: Settlement): Settlement {
  return { root: s.root, groupsHash: s.groupsHash, poster: s.poster, groups: [], digests: [] };
}
