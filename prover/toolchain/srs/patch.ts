import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { AffineG1, BbPatchReport, DevG2, Srs } from '../../engine/index.js';
import { IGNITION_G1_SECOND_HEX, IGNITION_G2_HEX } from './constants.js';
import { g1ToBytes, g2FromBytes, g2ToBytes } from './curve.js';
import { InsecureSrsError, isLocalDevnet } from '../../protocol/index.js';

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** One hard-coded constant of bb that the patch swaps, and how often stock bb 5.0.0 contains it. */
interface Replacement {
  readonly name: string;
  readonly from: Buffer;
  readonly to: Buffer;
  readonly expectedCount: number;
}

function occurrences(haystack: Buffer, needle: Buffer): number[] {
  const found: number[] = [];
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) found.push(i);
  return found;
}

/**
 * Returns a copy of bb's binary whose three hard-coded Aztec Ignition constants are replaced by the
 * dev SRS's: [x]_2 (128 bytes, used by bb's pairing check), SHA-256([x]_2) (the pin checked when a
 * G2 point is loaded) and [x]_1 (64 bytes, the pin of the second G1 point). Throws unless each
 * constant occurs exactly the expected number of times, and unless the copy differs from the stock
 * binary only inside the replaced ranges.
 */
export function patchBbBytes(stock: Buffer, g2: DevG2, g1Second: AffineG1): { patched: Buffer; report: BbPatchReport } {
  const ignitionG2 = Buffer.from(IGNITION_G2_HEX, 'hex');
  const devG2 = g2ToBytes(g2);
  const replacements: Replacement[] = [
    { name: 'ignition [x]_2', from: ignitionG2, to: devG2, expectedCount: 1 },
    { name: 'sha256([x]_2)', from: sha256(ignitionG2), to: sha256(devG2), expectedCount: 1 },
    { name: 'ignition [x]_1', from: Buffer.from(IGNITION_G1_SECOND_HEX, 'hex'), to: g1ToBytes(g1Second), expectedCount: 1 },
  ];
  const patched = Buffer.from(stock);
  const replaced: Array<{ name: string; offsets: number[]; length: number }> = [];
  const allowed: Array<[number, number]> = [];
  for (const r of replacements) {
    if (r.from.length !== r.to.length) throw new Error(`${r.name}: replacement has a different length`);
    const hits = occurrences(stock, r.from);
    if (hits.length !== r.expectedCount) {
      throw new Error(
        `${r.name}: expected ${r.expectedCount} occurrence(s) in bb, found ${hits.length}. ` +
          'The bb binary is not the one this patch was written for (@aztec/bb.js 5.0.0).',
      );
    }
    for (const at of hits) {
      r.to.copy(patched, at);
      allowed.push([at, at + r.from.length]);
    }
    replaced.push({ name: r.name, offsets: hits, length: r.from.length });
  }
  let bytesChanged = 0;
  for (let i = 0; i < stock.length; i++) {
    if (stock[i] === patched[i]) continue;
    bytesChanged++;
    if (!allowed.some(([lo, hi]) => i >= lo && i < hi)) throw new Error(`patched bb differs from stock bb at unexpected offset ${i}`);
  }
  return { patched, report: { replaced, bytesChanged } };
}

/** Writes the patched copy of `stockPath` to `outPath` (atomically, mode 0755). Never touches the stock file. */
export async function writePatchedBb(stockPath: string, outPath: string, g2: DevG2, g1Second: AffineG1): Promise<BbPatchReport> {
  const stock = await readFile(stockPath);
  const { patched, report } = patchBbBytes(stock, g2, g1Second);
  const tmp = `${outPath}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, patched, { mode: 0o755 });
    await chmod(tmp, 0o755);
    await rename(tmp, outPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return report;
}

/** The four uint256 words of a G2 point in the order bb's Solidity verifier writes them. */
function solidityWords(g2: DevG2): bigint[] {
  return [g2.xC1, g2.xC0, g2.yC1, g2.yC0];
}

/**
 * Swaps the Aztec Ignition [x]_2 constants in a bb-generated Solidity verifier for those of `g2`.
 * Throws unless each of the 4 words occurs exactly once as a complete hex literal (4 replacements).
 */
export function patchSolidityVerifierG2(source: string, g2: DevG2): string {
  const ignition = solidityWords(g2FromBytes(Buffer.from(IGNITION_G2_HEX, 'hex')));
  const dev = solidityWords(g2);
  let out = source;
  let replaced = 0;
  ignition.forEach((word, i) => {
    const literal = new RegExp(`(?<![0-9A-Za-z_])0x0*${word.toString(16)}(?![0-9A-Za-z_])`, 'gi');
    const hits = out.match(literal)?.length ?? 0;
    if (hits !== 1) throw new Error(`Solidity verifier: expected the Ignition G2 word ${i} once, found it ${hits} time(s)`);
    out = out.replace(literal, `0x${(dev[i] as bigint).toString(16).padStart(64, '0')}`);
    replaced += hits;
  });
  if (replaced !== 4) throw new Error(`Solidity verifier: expected 4 G2 replacements, made ${replaced}`);
  return out;
}

/** Solidity verifier source for `srs`: as generated for Ignition, G2-patched for a dev SRS. */
export function solidityVerifierFor(srs: Srs, generated: string): string {
  return srs.mode === 'ignition' ? generated : patchSolidityVerifierG2(generated, srs.g2);
}

/**
 * True when a verifier's code (Solidity source or EVM bytecode, hex) carries the four Aztec Ignition
 * [x]_2 words its pairing check needs: a verifier built for the dev SRS carries the dev point instead.
 * This reads the verifier itself, not a build manifest's label (issue 10 item 14).
 */
export function carriesIgnitionG2(code: string): boolean {
  const text = code.toLowerCase();
  return solidityWords(g2FromBytes(Buffer.from(IGNITION_G2_HEX, 'hex'))).every((word) => text.includes(word.toString(16)));
}

/**
 * Deploy-time guard on the verifier's own code: off a local devnet only a verifier that checks pairings
 * against Aztec Ignition's [x]_2 may be deployed (a dev-SRS verifier accepts proofs anyone can forge).
 */
export function assertVerifierAllowedOnChain(code: string, chainId: bigint | number): void {
  if (isLocalDevnet(chainId) || carriesIgnitionG2(code)) return;
  throw new InsecureSrsError(
    `refusing to deploy a root verifier on chain ${chainId}: its code does not carry Aztec Ignition's [x]_2 ` +
      '(it was built for the INSECURE dev SRS); build the circuits with --srs ignition and deploy that verifier',
  );
}
