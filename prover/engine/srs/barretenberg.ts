import path from 'node:path';
import { BackendType, Barretenberg } from '@aztec/bb.js';
import type { Srs } from './types.js';

export interface CreateBarretenbergOptions {
  /** Threads bb may use (HARDWARE_CONCURRENCY). Default: bb.js's choice (CPU count, max 16). */
  readonly threads?: number | undefined;
  /** Receives bb's stdout/stderr lines. Attaching one requires destroy() for Node to exit. */
  readonly logger?: ((line: string) => void) | undefined;
}

/**
 * Starts a native bb (unix-socket backend) bound to `srs` and returns its bb.js API.
 *
 * - dev: the patched bb through its wrapper, which sets CRS_PATH to the dev CRS directory, so
 *   the binding is per instance (no process.env mutation) and bb never tries to download.
 * - ignition: the stock bb; it reads (or downloads) the Ignition CRS from its default ~/.bb-crs.
 *   Refused when CRS_PATH in this process points elsewhere, since bb would read that CRS instead.
 */
export async function createBarretenberg(srs: Srs, opts: CreateBarretenbergOptions = {}): Promise<Barretenberg> {
  if (srs.mode === 'ignition') {
    const envCrs = process.env.CRS_PATH;
    if (envCrs && path.resolve(envCrs) !== path.resolve(srs.crsDir)) {
      throw new Error(`CRS_PATH=${envCrs} is set; stock bb would read that CRS instead of the Ignition CRS in ${srs.crsDir}`);
    }
  }
  return Barretenberg.new({
    backend: BackendType.NativeUnixSocket,
    bbPath: srs.bbPath,
    crsPath: srs.crsDir,
    threads: opts.threads,
    logger: opts.logger,
  });
}

/**
 * Starts bb for `srs` and waits until it answers. bb.js gives the native bb 5 s to create its socket
 * and leaves that failure unobserved until the first call; on a loaded machine the start can take
 * longer, so a first call observes it here and the start is retried (3 attempts).
 */
export async function startBarretenberg(srs: Srs, threads?: number): Promise<Barretenberg> {
  for (let attempt = 1; ; attempt++) {
    const bb = await createBarretenberg(srs, { threads });
    try {
      await bb.poseidon2Hash({ inputs: [new Uint8Array(32)] });
      return bb;
    } catch (err) {
      await bb.destroy().catch(() => undefined);
      if (attempt >= 3 || !/Timeout waiting for bb/.test((err as Error).message)) throw err;
    }
  }
}
