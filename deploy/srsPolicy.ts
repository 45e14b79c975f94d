/**
 * Which trusted setup may be deployed where. The dev SRS is insecure by construction (its toxic
 * waste is known locally), so a verifier generated for it must never be deployed on a chain that is
 * not a local devnet.
 */
// TODO(#5): delegate to the SRS module's assertSrsAllowedOnChain once branch `srs` lands.
export const LOCAL_DEVNET_CHAIN_IDS: readonly number[] = [31337, 1337];

export class DevSrsRefusedError extends Error {
  override readonly name = 'DevSrsRefusedError';
  constructor(readonly chainId: number) {
    super(
      `refusing to deploy: the verifier was generated for the INSECURE dev SRS, and chain ${chainId} is not a local devnet ` +
        `(allowed: ${LOCAL_DEVNET_CHAIN_IDS.join(', ')}). Build the circuits with the production (Aztec Ignition) SRS for this chain.`,
    );
  }
}

export function isLocalDevnet(chainId: number): boolean {
  return LOCAL_DEVNET_CHAIN_IDS.includes(chainId);
}

/** Throws {@link DevSrsRefusedError} when `srs` is the dev SRS and `chainId` is not a local devnet. */
export function assertSrsAllowedOnChain(srs: 'dev' | 'production', chainId: number): void {
  if (srs === 'dev' && !isLocalDevnet(chainId)) throw new DevSrsRefusedError(chainId);
}
