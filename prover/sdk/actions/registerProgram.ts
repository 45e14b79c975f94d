import { parseEventLogs, size, type Address, type Hash, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import type { NexClient } from '../client.js';
import { MalformedProofError, NexError, NonCanonicalFieldError, ProgramExistsError } from '../errors.js';
import { isCanonicalField, MAX_PUBLIC_INPUT_COUNT, VK_BYTES, VK_FIELDS } from '../../protocol/index.js';
import { getProgram } from './getProgram.js';
import { sendContractTx } from './internal.js';

export interface RegisterProgramParameters {
  /** bb's key hash of the verification key; becomes the program id. */
  vkHash: Hex;
  /** The verification key bytes (3,680 bytes: 115 fields). */
  vk: Hex;
  /** Number of public inputs of the rollup's proofs (1..32; the aggregation circuits take 1, 2 or 4). */
  publicInputCount: number;
}

export interface RegisterProgramReturnType {
  readonly programId: Hex;
  readonly owner: Address;
  readonly index: number;
  readonly txHash: Hash;
}

/**
 * Registers a rollup program (its verification key) in the market. The caller becomes its owner.
 * Throws {@link ProgramExistsError}, {@link NonCanonicalFieldError} or {@link NexError} on bad input.
 */
export async function registerProgram(
  client: NexClient,
  { vkHash, vk, publicInputCount }: RegisterProgramParameters,
): Promise<RegisterProgramReturnType> {
  if (!isCanonicalField(vkHash)) throw new NonCanonicalFieldError(vkHash, undefined, { details: 'vkHash' });
  if (!Number.isInteger(publicInputCount) || publicInputCount < 1 || publicInputCount > MAX_PUBLIC_INPUT_COUNT) {
    throw new NexError(`publicInputCount must be an integer in 1..${MAX_PUBLIC_INPUT_COUNT}, got ${publicInputCount}`);
  }
  if (size(vk) !== VK_BYTES) {
    throw new MalformedProofError(`the verification key has ${size(vk)} bytes, expected ${VK_BYTES} (${VK_FIELDS} fields)`);
  }
  if (await getProgram(client, vkHash)) throw new ProgramExistsError(vkHash);
  const { hash, receipt } = await sendContractTx(client, 'registerProgram', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'registerProgram',
    args: [vkHash, vk, publicInputCount],
  });
  const [event] = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'ProgramRegistered', logs: receipt.logs });
  if (!event) throw new NexError(`registerProgram: no ProgramRegistered event in ${hash}`);
  return { programId: event.args.programId, owner: event.args.owner, index: event.args.index, txHash: hash };
}
