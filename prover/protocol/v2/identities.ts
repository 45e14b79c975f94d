/**
 * The version-2 identities (spec V2.2, docs/protocol.md "Commitment format"): program ids bound to their
 * registrant, domain-separated statement digests and the statements hash a signed request covers.
 * Solidity (contracts/libraries/BatchCommitment.sol) implements the same; test/vectors/protocol-v2.json ties
 * the two (and ethers, independently) together.
 */
import { concat, encodeAbiParameters, keccak256, type Address, type Hex } from 'viem';
import { CommitmentError } from '../commitmentError.js';
import { assertWord, isCanonicalField } from '../field.js';
import { STATEMENT_DOMAIN } from './constants.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * `programId = keccak256(abi.encode(owner, vkHash))`: a program is its key registered by its owner, so the
 * same key registered by someone else is another program (nobody can squat a team's program; #10 item 2).
 * `vkHash` must be a canonical field element (the market refuses others at registration).
 */
export function programIdOf(owner: Address | string, vkHash: Hex): Hex {
  if (typeof owner !== 'string' || !ADDRESS.test(owner)) throw new CommitmentError(`owner must be an address, got ${String(owner)}`);
  const key = assertWord(vkHash, 'vkHash');
  if (!isCanonicalField(key)) throw new CommitmentError('vkHash is not canonical');
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [owner as Address, key]));
}

/**
 * Statement digest `keccak256(abi.encodePacked(STATEMENT_DOMAIN, programId, publicInputs))`: the leaf of a
 * batch tree. `programId` is any 32-byte word (a keccak output); every public input must be a canonical
 * field element and there is at least one; otherwise CommitmentError.
 */
export function statementDigest(programId: Hex, publicInputs: readonly Hex[]): Hex {
  const id = assertWord(programId, 'programId');
  if (publicInputs.length === 0) throw new CommitmentError('a statement has at least one public input');
  const inputs = publicInputs.map((pi, i) => {
    const word = assertWord(pi, `publicInputs[${i}]`);
    if (!isCanonicalField(word)) throw new CommitmentError(`publicInputs[${i}] is not canonical`);
    return word;
  });
  return keccak256(concat([STATEMENT_DOMAIN, id, ...inputs]));
}

/** `keccak256(abi.encodePacked(digests))` in slot order: what one signed request covers. */
export function statementsHash(digests: readonly Hex[]): Hex {
  return keccak256(digests.length === 0 ? '0x' : concat(digests.map((d, i) => assertWord(d, `digests[${i}]`))));
}
