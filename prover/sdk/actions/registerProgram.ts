import { size, zeroAddress, type Address, type Hash, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import type { NexClient } from '../client.js';
import { MalformedProofError, NexError, NoAccountError, NonCanonicalFieldError, ProgramExistsError } from '../errors.js';
import { isCanonicalField, VK_BYTES, VK_FIELDS, programIdOf, SUPPORTED_PUBLIC_INPUT_COUNTS } from '../../protocol/index.js';
import { eventsOfReceipt } from '../market/events.js';
import { getProgram } from './getProgram.js';
import { sendContractTx } from './internal.js';

export interface RegisterProgramParameters {
  /** bb's key hash of the verification key (a canonical field element). */
  vkHash: Hex;
  /** The verification key bytes (3,680 bytes: 115 fields, bb's noir-recursive key). */
  vk: Hex;
  /** Number of public inputs of the rollup's proofs: 1, 2 or 4 (what the aggregation circuits take). */
  publicInputCount: number;
}

export interface RegisterProgramReturnType {
  /** keccak256(abi.encode(owner, vkHash)): the same key registered by another account is another program. */
  readonly programId: Hex;
  readonly owner: Address;
  readonly txHash: Hash;
}

/** The program id `owner` gets by registering `vkHash` (version 2: owner-bound). */
export function programIdFor(owner: Address, vkHash: Hex): Hex {
  return programIdOf(owner, vkHash);
}

/**
 * Registers a rollup program in the market; the caller becomes its owner and the id is bound to it.
 * Throws {@link ProgramExistsError} (this account registered this key already), {@link NonCanonicalFieldError}
 * or {@link NexError} on bad input, before sending anything.
 */
export async function registerProgram(
  client: NexClient,
  { vkHash, vk, publicInputCount }: RegisterProgramParameters,
): Promise<RegisterProgramReturnType> {
  const owner = client.wallet?.account.address;
  if (!owner) throw new NoAccountError('registerProgram');
  if (!isCanonicalField(vkHash)) throw new NonCanonicalFieldError(vkHash, undefined, { details: 'vkHash' });
  if (!SUPPORTED_PUBLIC_INPUT_COUNTS.includes(publicInputCount)) {
    throw new NexError(`publicInputCount must be one of ${SUPPORTED_PUBLIC_INPUT_COUNTS.join(', ')}, got ${publicInputCount}`);
  }
  if (size(vk) !== VK_BYTES) {
    throw new MalformedProofError(`the verification key has ${size(vk)} bytes, expected ${VK_BYTES} (${VK_FIELDS} fields)`);
  }
  const programId = programIdFor(owner, vkHash);
  if (await getProgram(client, programId)) throw new ProgramExistsError(programId);
  const { hash, receipt } = await sendContractTx(client, 'registerProgram', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'registerProgram',
    args: [vkHash, vk, publicInputCount],
  });
  const [event] = eventsOfReceipt(client.addresses.market, receipt.logs).registered;
  if (!event) throw new NexError(`registerProgram: no MarketProgramRegistered event in ${hash}`);
  return { programId: event.programId, owner: event.owner, txHash: hash };
}

export interface SetProgramCallbackParameters {
  programId: Hex;
  /** The contract called with onProofVerified(programId, submissionId, digest); address(0) removes it. */
  callback: Address;
  /** Gas of each call (1..maxCallbackGas; 0 without a callback). Statements that enter later carry it. */
  gasLimit: number;
}

/** Sets (or removes) a program's callback; only its owner may. */
export async function setProgramCallback(client: NexClient, p: SetProgramCallbackParameters): Promise<{ txHash: Hash }> {
  if (p.callback === zeroAddress ? p.gasLimit !== 0 : p.gasLimit <= 0) {
    throw new NexError(`callback gas ${p.gasLimit}: positive with a callback, 0 without`);
  }
  const { hash } = await sendContractTx(client, 'setProgramCallback', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'setProgramCallback',
    args: [p.programId, p.callback, p.gasLimit],
  });
  return { txHash: hash };
}
