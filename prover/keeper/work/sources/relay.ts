/**
 * Proofs from relays (docs/relay.md, `GET /v1/proofs/{digest}`): the off-chain channel's proofs are only
 * there, and any slot whose own data is missing may be served by one. A relay is not trusted: an answer
 * counts only when its statement hashes to the digest the batch committed (program and public inputs)
 * and its proof has the version's length; the leaf circuit (and the pre-check before it) judges the proof.
 */
import { isHex, type Hex } from 'viem';
import { statementDigest } from '../../../protocol/index.js';
import { redactUrl } from '../../config/values.js';
import { fetchJson, SourceFetchError, type FetchFailure } from './boundedFetch.js';

export interface RelayProof {
  readonly relay: string;
  readonly programId: Hex;
  readonly publicInputs: Hex[];
  readonly proof: Hex;
}

/** Why one relay did not serve a statement: its failure kind (metrics label) and a readable reason. */
export interface RelayMiss {
  readonly relay: string;
  readonly kind: FetchFailure | 'not-found' | 'mismatch';
  readonly reason: string;
}

/** The response bound of one proof: its hex, the public inputs and the envelope, with room to spare. */
export function relayResponseLimit(proofBytes: number): number {
  return 4 * proofBytes + 16_384;
}

/** Asks one relay for the proof of `digest`; checks the answer against the digest and the proof length. */
export async function fetchFromRelay(
  relay: string,
  want: { digest: Hex; programId: Hex; proofBytes: number },
  timeoutMs: number,
): Promise<{ ok: true; proof: RelayProof } | { ok: false; miss: RelayMiss }> {
  const shown = redactUrl(relay);
  const miss = (kind: RelayMiss['kind'], reason: string) => ({ ok: false as const, miss: { relay: shown, kind, reason } });
  let res;
  try {
    res = await fetchJson(`${relay.replace(/\/+$/, '')}/v1/proofs/${want.digest}`, {
      timeoutMs,
      maxBytes: relayResponseLimit(want.proofBytes),
    });
  } catch (err) {
    if (err instanceof SourceFetchError) return miss(err.kind, err.message);
    throw err;
  }
  if (res.status === 404) return miss('not-found', `${shown} has no proof of ${want.digest}`);
  if (res.status !== 200) return miss('http', `${shown} answered HTTP ${res.status}`);
  const b = res.body as { digest?: unknown; programId?: unknown; publicInputs?: unknown; proof?: unknown } | undefined;
  const words = (x: unknown): x is Hex[] => Array.isArray(x) && x.every((w) => typeof w === 'string' && isHex(w) && w.length === 66);
  if (
    !b ||
    typeof b.programId !== 'string' ||
    !isHex(b.programId) ||
    !words(b.publicInputs) ||
    typeof b.proof !== 'string' ||
    !isHex(b.proof)
  ) {
    return miss('invalid', `${shown}: the answer is not a proof view`);
  }
  if (b.programId.toLowerCase() !== want.programId.toLowerCase())
    return miss('mismatch', `${shown}: the proof is of program ${b.programId}, not ${want.programId}`);
  let digest: Hex;
  try {
    digest = statementDigest(b.programId, b.publicInputs);
  } catch {
    return miss('mismatch', `${shown}: the statement's public inputs are not canonical`);
  }
  if (digest.toLowerCase() !== want.digest.toLowerCase())
    return miss('mismatch', `${shown}: the statement hashes to ${digest}, not ${want.digest}`);
  const length = (b.proof.length - 2) / 2;
  if (length !== want.proofBytes) return miss('mismatch', `${shown}: the proof is ${length} bytes, the version takes ${want.proofBytes}`);
  return { ok: true, proof: { relay: shown, programId: b.programId, publicInputs: b.publicInputs, proof: b.proof.toLowerCase() as Hex } };
}

/** Tries the relays in order until one serves the statement; every miss is reported. */
export async function fetchFromRelays(
  relays: readonly string[],
  want: { digest: Hex; programId: Hex; proofBytes: number },
  timeoutMs: number,
): Promise<{ proof: RelayProof | undefined; misses: RelayMiss[] }> {
  const misses: RelayMiss[] = [];
  for (const relay of relays) {
    const r = await fetchFromRelay(relay, want, timeoutMs);
    if (r.ok) return { proof: r.proof, misses };
    misses.push(r.miss);
  }
  return { proof: undefined, misses };
}

/** True when the relay answers its health endpoint (status report). */
export async function relayReachable(relay: string, timeoutMs: number): Promise<boolean> {
  try {
    const r = await fetchJson(`${relay.replace(/\/+$/, '')}/healthz`, { timeoutMs, maxBytes: 65_536 });
    return r.status === 200;
  } catch {
    return false;
  }
}
