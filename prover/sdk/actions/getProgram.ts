import type { Address, Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import type { NexClient } from '../client.js';
import { UnknownProgramError } from '../errors.js';

export interface Program {
  readonly programId: Hex;
  readonly owner: Address;
  readonly publicInputCount: number;
  readonly index: number;
  /** address(0) when the program has no callback. */
  readonly callback: Address;
}

const ZERO: Address = '0x0000000000000000000000000000000000000000';

/** Reads a program; undefined when it is not registered. */
export async function getProgram(client: NexClient, programId: Hex): Promise<Program | undefined> {
  const [owner, publicInputCount, index, callback] = await client.public.readContract({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'programs',
    args: [programId],
  });
  if (owner === ZERO) return undefined;
  return { programId, owner, publicInputCount, index, callback };
}

/** Reads a program; throws {@link UnknownProgramError} when it is not registered. */
export async function requireProgram(client: NexClient, programId: Hex): Promise<Program> {
  const program = await getProgram(client, programId);
  if (!program) throw new UnknownProgramError(programId);
  return program;
}
