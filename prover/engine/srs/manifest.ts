import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DevG2 } from './types.js';

export const MANIFEST_KIND = 'nex-dev-srs';
export const MANIFEST_VERSION = 1;

export interface FileRecord {
  readonly bytes: number;
  readonly sha256: string;
}

/** What a dev SRS directory holds. Written once, inside the temporary directory, before the rename. */
export interface DevSrsManifest {
  readonly kind: typeof MANIFEST_KIND;
  readonly version: typeof MANIFEST_VERSION;
  readonly INSECURE: true;
  readonly warning: string;
  readonly seed: string;
  /** tau, public by construction (derived from the seed). */
  readonly tau: string;
  readonly log2Points: number;
  readonly points: number;
  readonly g2: { readonly xC0: string; readonly xC1: string; readonly yC0: string; readonly yC1: string };
  readonly created: string;
  /** Wall time of the native generator. */
  readonly generationMs: number;
  /** CPU time (all threads) of the native generator: independent of machine load. */
  readonly generationCpuMs: number;
  readonly threads: number;
  /** Files relative to the SRS directory. */
  readonly files: Readonly<Record<string, FileRecord>>;
}

export const INSECURE_WARNING =
  'INSECURE development SRS: tau is derived from a public seed, so anyone can forge proofs under it. ' +
  'For local devnets and tests only; production uses the Aztec Ignition CRS with stock bb.';

export async function fileRecord(file: string): Promise<FileRecord> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return { bytes: (await stat(file)).size, sha256: hash.digest('hex') };
}

export function g2ToManifest(g2: DevG2): DevSrsManifest['g2'] {
  const hex = (v: bigint): string => `0x${v.toString(16).padStart(64, '0')}`;
  return { xC0: hex(g2.xC0), xC1: hex(g2.xC1), yC0: hex(g2.yC0), yC1: hex(g2.yC1) };
}

export function g2FromManifest(m: DevSrsManifest['g2']): DevG2 {
  return { xC0: BigInt(m.xC0), xC1: BigInt(m.xC1), yC0: BigInt(m.yC0), yC1: BigInt(m.yC1) };
}

export interface ManifestExpectation {
  readonly seed: string;
  readonly log2Points: number;
  readonly points: number;
  /** Files (relative to the SRS directory) the manifest must list. */
  readonly requiredFiles: readonly string[];
}

/**
 * Reads the manifest of `dir` and checks it against what the caller asks for and against the files
 * on disk (sizes and SHA-256). Returns undefined, with the reason, when the directory is not a
 * complete matching SRS.
 */
export async function readValidManifest(
  dir: string,
  manifestFile: string,
  expect: ManifestExpectation,
): Promise<{ manifest: DevSrsManifest } | { reason: string }> {
  let manifest: DevSrsManifest;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as DevSrsManifest;
  } catch (err) {
    return { reason: `no readable manifest (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  if (manifest.kind !== MANIFEST_KIND || manifest.version !== MANIFEST_VERSION) return { reason: 'manifest kind/version differs' };
  if (manifest.INSECURE !== true) return { reason: 'manifest lacks the INSECURE flag' };
  if (manifest.seed !== expect.seed) return { reason: 'seed differs' };
  if (manifest.log2Points !== expect.log2Points || manifest.points !== expect.points) return { reason: 'size differs' };
  const files = manifest.files ?? {};
  const missing = expect.requiredFiles.filter((f) => !(f in files));
  if (missing.length) return { reason: `manifest does not list ${missing.join(', ')}` };
  for (const [rel, want] of Object.entries(files)) {
    const file = path.join(dir, rel);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      return { reason: `${rel} is missing` };
    }
    if (size !== want.bytes) return { reason: `${rel} has ${size} bytes, manifest says ${want.bytes}` };
    const got = await fileRecord(file);
    if (got.sha256 !== want.sha256) return { reason: `${rel} SHA-256 differs from the manifest` };
  }
  return { manifest };
}
