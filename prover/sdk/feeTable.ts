/**
 * What a proof costs on L1 per channel, from the measured gas bench (`npm run bench:gas`, docs/protocol.md
 * "Gas": hardfork osaka, the root verify transaction measured from a real root proof, 834,430 gas; steady state). One table in one module: when the bench's
 * figures change, only these numbers change. They are the lock path's (lock, then fulfil): a fee suggested from
 * them pays a keeper that locks, and one that fulfils directly without a lock (~2.3k less per proof at 32) too.
 *
 * The bench measured every transaction of a batch's life ("all in" per proof) at batch 32 and 64. All in
 * per proof is modelled as `fixed / n + perProof` (the root verification, the lock, the fulfilment and a
 * post are per batch; the intake is per proof): the two measured points give both terms exactly, and the
 * model gives the other batch sizes (4..64).
 */

/** The submission channels. */
export type Channel = 'calldata' | 'blob' | 'offchain';

/** Measured all-in gas per proof at batch 32 and 64 (gas-equivalent for blobs: +8,192 per blob). */
export const MEASURED_ALL_IN_GAS: Readonly<Record<Channel, { readonly at32: number; readonly at64: number; readonly mix: string }>> = {
  calldata: { at32: 625_029, at64: 609_601, mix: 'submitMany of 8' },
  blob: { at32: 45_481, at64: 29_333, mix: '8 proofs per blob transaction' },
  offchain: { at32: 36_833, at64: 19_862, mix: '8 statements per submitter' },
};

/**
 * Measured all-in gas per proof of the off-chain reference batch when the assigned prover fulfils it
 * without a lock (the direct path: no lock transaction). Reported beside the model, never used for fees.
 */
export const MEASURED_DIRECT_OFFCHAIN_GAS: Readonly<{ at32: number; at64: number }> = { at32: 34_552, at64: 18_722 };

/** The per-batch and per-proof terms of a channel's all-in gas. */
export interface ChannelGasModel {
  /** Gas per batch: root verify, lock, fulfilment (and the post on the off-chain channel). Paid from the fees. */
  readonly fixedPerBatch: number;
  /** Gas per proof: intake (calldata floor, blob gas, a share of the post), paid by the submitter or the poster. */
  readonly perProof: number;
}

/** fixed = 64 x (allIn(32) - allIn(64)); perProof = allIn(64) - fixed / 64. */
export function channelGasModel(channel: Channel): ChannelGasModel {
  const m = MEASURED_ALL_IN_GAS[channel];
  const fixedPerBatch = 64 * (m.at32 - m.at64);
  return { fixedPerBatch, perProof: m.at64 - fixedPerBatch / 64 };
}

/** All-in L1 gas per proof on `channel` in a batch of `batchSize` statements (rounded up). */
export function allInGasPerProof(channel: Channel, batchSize: number): number {
  const { fixedPerBatch, perProof } = channelGasModel(channel);
  return Math.ceil(fixedPerBatch / batchSize + perProof);
}
