/** EIP-712 requests of the off-chain channel, signed with prover/protocol's types and the market's domain. */
import type { Address, Hex } from 'viem';
import {
  marketDomain,
  MAX_CAPACITY,
  type OffchainRequest,
  REQUEST_TYPES,
  requestHash,
  requestMessage,
  statementDigest,
  statementsHash,
} from '../../protocol/index.js';
import type { NexClient } from '../client.js';
import { NexError, NoAccountError } from '../errors.js';

export interface SignRequestParameters {
  programId: Hex;
  /** Public inputs of each statement, in slot order. */
  publicInputs: readonly (readonly Hex[])[];
  feePerProof: bigint;
  nonce: bigint;
  /** Unix seconds after which the market refuses the request. */
  deadline: number;
}

export interface SignedRequest {
  readonly payer: Address;
  readonly request: OffchainRequest;
  readonly signature: Hex;
  /** The EIP-712 hash (what MarketBatchPosted.requestHashes and the relay's receipt name). */
  readonly requestHash: Hex;
  readonly digests: readonly Hex[];
}

/** The market's EIP-712 domain on the client's chain. */
export async function marketDomainOf(client: NexClient) {
  return marketDomain(await client.public.getChainId(), client.addresses.market);
}

/** Signs a request over the statements with the client's account (EIP-712, one signature for all of them). */
export async function signRequest(client: NexClient, p: SignRequestParameters): Promise<SignedRequest> {
  const wallet = client.wallet;
  if (!wallet) throw new NoAccountError('signRequest');
  if (p.publicInputs.length === 0 || p.publicInputs.length > MAX_CAPACITY) {
    throw new NexError(`a request covers 1..${MAX_CAPACITY} statements, got ${p.publicInputs.length}`);
  }
  const digests = p.publicInputs.map((pi) => statementDigest(p.programId, pi));
  const request: OffchainRequest = {
    programId: p.programId,
    statementsHash: statementsHash(digests),
    count: digests.length,
    feePerProof: p.feePerProof,
    nonce: p.nonce,
    deadline: p.deadline,
  };
  const domain = await marketDomainOf(client);
  const signature = await wallet.signTypedData({
    account: wallet.account,
    domain,
    types: REQUEST_TYPES,
    primaryType: 'Request',
    message: requestMessage(request),
  });
  return { payer: wallet.account.address, request, signature, requestHash: requestHash(request, domain), digests };
}
