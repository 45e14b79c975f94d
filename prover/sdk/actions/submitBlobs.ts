import { encodeFunctionData, hexToBytes, type Hash, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import { packBlobProofs } from '../../protocol/index.js';
import type { NexClient } from '../client.js';
import { NexError, NoAccountError, toNexError } from '../errors.js';
import { assertCellProofForm, buildCellProofSidecar, wrapWithCellProofs } from '../blob/sidecar.js';
import { eventsOfReceipt } from '../market/events.js';
import { placedStatements, prepareStatements, type Statement, type SubmitOptions, type SubmitReturnType } from './submit.js';

export interface SubmitBlobsParameters {
  statements: readonly Statement[];
  /** Fee per statement in wei (one fee for the call); default: the suggestion for the blob channel. */
  feePerProof?: bigint | undefined;
}

export interface SubmitBlobsReturnType extends SubmitReturnType {
  /** The versioned hashes of the transaction's blobs (as MarketBlobsSubmitted records them). */
  readonly versionedHashes: readonly Hex[];
}

/**
 * Sends a raw type-3 transaction after checking that its sidecar is in the EIP-7594 form (cell proofs):
 * an EIP-4844 sidecar is refused with BlobSidecarFormatError before anything is sent.
 */
export async function sendRawBlobTransaction(client: NexClient, raw: Hex): Promise<Hash> {
  assertCellProofForm(raw);
  return client.public.request({ method: 'eth_sendRawTransaction', params: [raw] });
}

/**
 * Submits statements on the blob channel: the proofs packed 8 per blob (prover/protocol's blob layout),
 * the public inputs in calldata, one type-3 transaction with an EIP-7594 sidecar (several blobs when more
 * than 8 statements). Needs a local account (a private key): the SDK signs the transaction itself.
 */
export async function submitBlobs(client: NexClient, p: SubmitBlobsParameters, opts: SubmitOptions = {}): Promise<SubmitBlobsReturnType> {
  const account = client.wallet?.account;
  if (!account) throw new NoAccountError('submitBlobs');
  if (account.type !== 'local' || !account.signTransaction) {
    throw new NexError('submitBlobs signs the blob transaction itself: create the client with a private key');
  }
  const { fee, params } = await prepareStatements(client, p.statements, p.feePerProof, { ...opts, channel: 'blob' });
  const blobs = packBlobProofs(
    p.statements.map((s) => hexToBytes(s.proof)),
    params.rollupProofBytes,
  );
  const sidecar = buildCellProofSidecar(blobs);
  const data = encodeFunctionData({
    abi: aggregationMarketAbi,
    functionName: 'submitBlobs',
    args: [p.statements.map((s) => s.programId), p.statements.map((s) => [...s.publicInputs]), fee],
  });
  const value = fee * BigInt(p.statements.length);
  const to = client.addresses.market;
  try {
    const [chainId, nonce, block, blobBaseFee] = await Promise.all([
      client.public.getChainId(),
      client.public.getTransactionCount({ address: account.address, blockTag: 'pending' }),
      client.public.getBlock(),
      client.public.getBlobBaseFee(),
    ]);
    const maxPriorityFeePerGas = 1_000_000_000n;
    const maxFeePerGas = (block.baseFeePerGas ?? 1_000_000_000n) * 2n + maxPriorityFeePerGas;
    const maxFeePerBlobGas = blobBaseFee * 2n + 1n;
    const gas = await client.public.estimateGas({
      account,
      to,
      data,
      value,
      blobVersionedHashes: [...sidecar.versionedHashes],
      maxFeePerBlobGas,
    });
    const signed = await account.signTransaction({
      type: 'eip4844',
      chainId,
      nonce,
      to,
      data,
      value,
      gas: (gas * 12n) / 10n,
      maxFeePerGas,
      maxPriorityFeePerGas,
      maxFeePerBlobGas,
      blobVersionedHashes: [...sidecar.versionedHashes],
    });
    const hash = await sendRawBlobTransaction(client, wrapWithCellProofs(signed, sidecar));
    const receipt = await client.public.waitForTransactionReceipt({ hash, pollingInterval: client.pollingIntervalMs });
    if (receipt.status !== 'success') throw new NexError(`submitBlobs: transaction ${hash} reverted`);
    const statements = placedStatements(eventsOfReceipt(to, receipt.logs).submitted, p.statements);
    return { statements, txHash: hash, blockNumber: receipt.blockNumber, versionedHashes: sidecar.versionedHashes };
  } catch (err) {
    throw toNexError(err);
  }
}
