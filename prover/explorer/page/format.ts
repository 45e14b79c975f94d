/** Display helpers of the page: wei amounts, addresses, countdowns. */

/** Wei as ether with up to 6 decimals ("0.001 ETH"). */
export function eth(wei: string, unit = 'ETH'): string {
  const v = BigInt(wei);
  const whole = v / 10n ** 18n;
  const frac = (v % 10n ** 18n).toString().padStart(18, '0').slice(0, 6).replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''} ${unit}`;
}

export function short(hex: string | undefined | null): string {
  if (!hex) return '-';
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;
}

/** "in 4m 10s" / "2m 3s ago" from a chain timestamp and the chain's now. */
export function countdown(at: number | undefined, now: number): string {
  if (at === undefined) return '-';
  const d = at - now;
  const abs = Math.abs(d);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = Math.floor(abs % 60);
  const text = h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

export function percent(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

export const SLOT_LABEL: Readonly<Record<string, string>> = {
  verified: 'verified',
  'excluded-refundable': 'excluded: fee refundable (claim)',
  'excluded-returned': 'excluded: fee returned to deposit',
  refundable: 'fee refundable (claim)',
  returned: 'fee returned to deposit',
  pending: 'pending',
  empty: 'empty',
};
