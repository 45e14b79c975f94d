/**
 * Why the keeper sends a transaction. Stored in `txs.purpose`, used as the `purpose` label of
 * `nex_keeper_txs_total` and in the `tx ...` log lines; the names are the contract functions called.
 */
export const TX_PURPOSES = {
  lock: 'AggregationMarket.lock: take a sealed batch (locks collateral)',
  fulfill: 'AggregationMarket.fulfill: the aggregated proof of a held batch',
  slash: 'AggregationMarket.slash: a locker missed the final deadline',
  seal: 'AggregationMarket.seal: the open batch timed out',
  approve: 'NexToken.approve: let the staking contract take NEX (before the first stake)',
  stake: 'ProverStaking.stake',
  unstake: 'ProverStaking.requestUnstake',
  withdraw: 'ProverStaking.withdraw: unlocked unstake entries',
  claim: 'AggregationMarket.claimEarnings: ETH fees',
} as const;

export type TxPurpose = keyof typeof TX_PURPOSES;

/** Purposes the daemon sends on the side of a batch and settles each poll. */
export type SideTxPurpose = Extract<TxPurpose, 'slash' | 'seal'>;

export function isTxPurpose(v: unknown): v is TxPurpose {
  return typeof v === 'string' && Object.hasOwn(TX_PURPOSES, v);
}
