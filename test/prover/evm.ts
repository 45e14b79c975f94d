// Test helper: what a root verifier said about a proof, as the tests compare it.
import { bytesToHex } from 'viem';
import type { RootVerifier } from '../../prover/toolchain/index.js';

/** The custom-error name a verifier call reverted with (or 'returned <value>'). */
export async function outcome(verifier: RootVerifier, proof: Uint8Array | string, publicInputs: string[]): Promise<string> {
  const proofHex = typeof proof === 'string' ? proof : bytesToHex(proof);
  try {
    return `returned ${String(await verifier.verify.staticCall(proofHex, publicInputs))}`;
  } catch (err) {
    // Decode the custom error with the verifier's ABI (the provider may leave it undecoded).
    const e = err as { data?: unknown; message?: string };
    const data = typeof e.data === 'string' ? e.data : /return data: (0x[0-9a-fA-F]*)/.exec(e.message ?? '')?.[1];
    const parsed = data ? verifier.interface.parseError(data) : null;
    return `reverted ${parsed?.name ?? e.message ?? 'unknown'}`;
  }
}
