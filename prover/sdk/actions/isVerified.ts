import type { Hash, Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import type { NexClient } from '../client.js';
import type { Inclusion } from '../market/batchContents.js';
import { sendContractTx } from './internal.js';

export interface IsVerifiedParameters {
  programId: Hex;
  publicInputs: readonly Hex[];
  /** The statement's inclusion path in a fulfilled batch (from waitForVerification); omit for the path-free read of recorded statements. */
  inclusion?: Inclusion | undefined;
}

const toStruct = (i: Inclusion) => ({ batchId: i.batchId, index: BigInt(i.index), siblings: [...i.siblings] });

/**
 * The market's verdict: with an inclusion path, whether the statement's digest walked up the path is the
 * proven root of a fulfilled batch; without one, whether the statement was recorded (recordVerified).
 */
export async function isVerified(client: NexClient, p: IsVerifiedParameters): Promise<boolean> {
  if (p.inclusion) {
    return client.public.readContract({
      address: client.addresses.market,
      abi: aggregationMarketAbi,
      functionName: 'isVerified',
      args: [p.programId, [...p.publicInputs], toStruct(p.inclusion)],
    });
  }
  return client.public.readContract({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'isVerified',
    args: [p.programId, [...p.publicInputs]],
  });
}

/** Records a verified statement (one storage write, ~58k gas) so that path-free isVerified reads say true. */
export async function recordVerified(client: NexClient, p: IsVerifiedParameters & { inclusion: Inclusion }): Promise<{ txHash: Hash }> {
  const { hash } = await sendContractTx(client, 'recordVerified', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'recordVerified',
    args: [p.programId, [...p.publicInputs], toStruct(p.inclusion)],
  });
  return { txHash: hash };
}
