import { zeroAddress, type Address, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import type { NexClient } from '../client.js';
import { UnknownProgramError } from '../errors.js';

/** A registered program (its id is keccak256(abi.encode(owner at registration, vkHash))). */
export interface Program {
  readonly programId: Hex;
  /** The current owner (sets the callback; ownership moves, the id stays). */
  readonly owner: Address;
  readonly publicInputCount: number;
  /** Gas each callback gets; copied into a group when its statements enter a batch. */
  readonly callbackGas: number;
  /** address(0) when the program has no callback. */
  readonly callback: Address;
}

/** Reads a program; undefined when it is not registered. */
export async function getProgram(client: NexClient, programId: Hex): Promise<Program | undefined> {
  const p = await client.public.readContract({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'getProgram',
    args: [programId],
  });
  if (p.owner === zeroAddress) return undefined;
  return { programId, owner: p.owner, publicInputCount: p.publicInputCount, callbackGas: p.callbackGas, callback: p.callback };
}

/** Reads a program; throws {@link UnknownProgramError} when it is not registered. */
export async function requireProgram(client: NexClient, programId: Hex): Promise<Program> {
  const program = await getProgram(client, programId);
  if (!program) throw new UnknownProgramError(programId);
  return program;
}
