/** Writes the patched copy of bb for a dev SRS and the wrapper that binds it to the SRS (prover/engine/srs/patchedBb.ts checks them). */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import {
  fileRecord,
  patchedBbStatus,
  wrapperScript,
  type BbPatchReport,
  type DevG2,
  type DevSrsLayout,
  type PatchRecord,
} from '../../engine/index.js';
import { G1_POINT_BYTES } from './constants.js';
import { g1FromBytes } from './curve.js';
import { writePatchedBb } from './patch.js';

export interface PatchedBbResult {
  /** False when the existing copy matched the current stock bb and was kept. */
  readonly patched: boolean;
  readonly report?: BbPatchReport | undefined;
}

async function readSecondPoint(g1File: string): Promise<Buffer> {
  const fh = await open(g1File, 'r');
  try {
    const buf = Buffer.alloc(G1_POINT_BYTES);
    const { bytesRead } = await fh.read(buf, 0, G1_POINT_BYTES, G1_POINT_BYTES);
    if (bytesRead !== G1_POINT_BYTES) throw new Error(`${g1File} has fewer than 2 points`);
    return buf;
  } finally {
    await fh.close();
  }
}

async function writeAtomically(file: string, data: string, mode?: number): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, data, mode === undefined ? {} : { mode });
  await rename(tmp, file);
}

/**
 * Makes sure the SRS's bin/ holds a patched copy of the current stock bb (constants of this SRS)
 * and the wrapper that binds it to the SRS's CRS directory. Re-patches when the stock bb changed
 * (e.g. a bb.js upgrade), when the copy was altered, or when the wrapper is out of date.
 */
export async function ensurePatchedBb(stockBb: string, layout: DevSrsLayout, g2: DevG2): Promise<PatchedBbResult> {
  if ((await patchedBbStatus(stockBb, layout)).current) return { patched: false };
  const stock = await fileRecord(stockBb);
  await mkdir(layout.binDir, { recursive: true });
  const report = await writePatchedBb(stockBb, layout.patchedBb, g2, g1FromBytes(await readSecondPoint(layout.g1File)));
  await writeAtomically(layout.bbWrapper, wrapperScript(layout), 0o755);
  const record: PatchRecord = { stockBb, stockSha256: stock.sha256, patchedSha256: (await fileRecord(layout.patchedBb)).sha256, report };
  await writeAtomically(layout.patchRecord, `${JSON.stringify(record, null, 2)}\n`);
  return { patched: true, report };
}
