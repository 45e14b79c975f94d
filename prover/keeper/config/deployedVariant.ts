/**
 * Which root verifier the deployment the keeper works for uses, from the deployments file the deploy
 * code wrote (docs/deploy.md): `verifier.variant`. Used for the start-up check of gas.verifyGas.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { VerifierVariantName } from '../../sdk/index.js';

/**
 * The variant `file` records for `market`: null when there is no readable file for this market (no
 * file, unparsable, or another market's deployment), undefined when the file predates the variant field.
 */
export function deployedVerifierVariant(file: string, market: string): VerifierVariantName | undefined | null {
  if (!existsSync(file)) return null;
  let d: { contracts?: { AggregationMarket?: { address?: unknown } }; verifier?: { variant?: unknown } };
  try {
    d = JSON.parse(readFileSync(file, 'utf8')) as typeof d;
  } catch {
    return null;
  }
  const recorded = d.contracts?.AggregationMarket?.address;
  if (typeof recorded !== 'string' || recorded.toLowerCase() !== market.toLowerCase()) return null;
  const variant = d.verifier?.variant;
  return variant === 'optimized' || variant === 'standard' ? variant : undefined;
}
