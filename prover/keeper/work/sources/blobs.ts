/**
 * Blobs of the blob channel's transactions, from a beacon node (`GET /eth/v1/beacon/blobs/{block_id}`,
 * the beacon API's getBlobs) or, on a devnet, from anvil (`anvil_getBlobsByTransactionHash`). Whatever
 * serves a blob, the keeper keeps it only when its KZG commitment hashes to the versioned hash the market
 * recorded (blobCodec.ts): a server can withhold a blob (the slots are then excluded), never substitute one.
 */
import { hexToBytes, isHex, type Hex, type PublicClient } from 'viem';
import { redactUrl } from '../../config/values.js';
import { BLOB_BYTES, versionedHashOf } from './blobCodec.js';
import { fetchJson, SourceFetchError } from './boundedFetch.js';

/** Where the blobs of one transaction are to be found. */
export interface BlobTx {
  readonly txHash: Hex;
  readonly block: bigint;
}

/** A blob server. `blobs` returns the raw blobs it has among `versionedHashes` (unchecked); throws SourceFetchError. */
export interface BlobSource {
  /** `beacon <url>` or `anvil` (status report, logs). */
  readonly describe: string;
  /** The metrics label. */
  readonly kind: 'beacon' | 'anvil';
  blobs(tx: BlobTx, versionedHashes: readonly Hex[]): Promise<Uint8Array[]>;
}

/** Response bound of a blob request: every wanted blob (hex) plus a block's worth of others and the envelope. */
export function blobResponseLimit(wanted: number): number {
  return (wanted + 9) * (2 * BLOB_BYTES + 8) + 65_536;
}

function toBlobs(list: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(list)) throw new SourceFetchError('invalid', `${what}: expected a list of blobs`);
  return list.map((item) => {
    const hex = typeof item === 'string' ? item : (item as { blob?: unknown } | null)?.blob;
    if (typeof hex !== 'string' || !isHex(hex) || hex.length !== 2 + 2 * BLOB_BYTES)
      throw new SourceFetchError('invalid', `${what}: an entry is not a blob`);
    return hexToBytes(hex);
  });
}

/**
 * A beacon node. The beacon block of execution block N is named by the `parentBeaconBlockRoot` of block
 * N + 1 (EIP-4788), so no slot arithmetic or genesis time is needed; the request asks only for the
 * wanted versioned hashes.
 */
export function beaconBlobSource(o: { url: string; client: PublicClient; timeoutMs: number }): BlobSource {
  const base = o.url.replace(/\/+$/, '');
  return {
    describe: `beacon ${redactUrl(o.url)}`,
    kind: 'beacon',
    async blobs(tx, versionedHashes) {
      const next = await o.client.getBlock({ blockNumber: tx.block + 1n }).catch(() => undefined);
      const root = (next as { parentBeaconBlockRoot?: Hex } | undefined)?.parentBeaconBlockRoot;
      if (!root)
        throw new SourceFetchError('invalid', `no beacon block root for block ${tx.block} (block ${tx.block + 1n} missing or pre-Cancun)`);
      const query = versionedHashes.map((h) => `versioned_hashes=${h}`).join('&');
      const res = await fetchJson(`${base}/eth/v1/beacon/blobs/${root}${query ? `?${query}` : ''}`, {
        timeoutMs: o.timeoutMs,
        maxBytes: blobResponseLimit(versionedHashes.length),
      });
      if (res.status === 404) return [];
      if (res.status !== 200)
        throw new SourceFetchError('http', `${redactUrl(o.url)}: HTTP ${res.status} for the blobs of block ${tx.block}`, res.status);
      return toBlobs((res.body as { data?: unknown } | undefined)?.data, redactUrl(o.url));
    },
  };
}

/** A devnet's anvil: `anvil_getBlobsByTransactionHash` (Hardhat's node cannot serve blobs back). */
export function anvilBlobSource(o: { rpcUrl: string; timeoutMs: number }): BlobSource {
  return {
    describe: 'anvil',
    kind: 'anvil',
    async blobs(tx) {
      const res = await fetchJson(
        o.rpcUrl,
        { timeoutMs: o.timeoutMs, maxBytes: blobResponseLimit(9) },
        { method: 'POST', body: { jsonrpc: '2.0', id: 1, method: 'anvil_getBlobsByTransactionHash', params: [tx.txHash] } },
      );
      const body = res.body as { result?: unknown; error?: { message?: string } } | undefined;
      if (res.status !== 200 || !body || body.error) {
        throw new SourceFetchError('http', `anvil_getBlobsByTransactionHash: ${body?.error?.message ?? `HTTP ${res.status}`}`, res.status);
      }
      if (body.result === null || body.result === undefined) return [];
      return toBlobs(body.result, 'anvil_getBlobsByTransactionHash');
    },
  };
}

/** What one blob fetch gave per versioned hash: the checked blob, or why there is none. */
export type BlobResult = { ok: true; blob: Uint8Array } | { ok: false; reason: string };

/**
 * The blobs `versionedHashes` of one transaction from `source`, each checked against its versioned hash.
 * A blob the source does not serve, or serves with other content, is `ok: false` (its slots are excluded).
 */
export async function checkedBlobs(source: BlobSource, tx: BlobTx, versionedHashes: readonly Hex[]): Promise<Map<string, BlobResult>> {
  const want = new Set(versionedHashes.map((h) => h.toLowerCase()));
  const got = new Map<string, Uint8Array>();
  let served = 0;
  for (const blob of await source.blobs(tx, versionedHashes)) {
    served++;
    const vh = versionedHashOf(blob).toLowerCase();
    if (want.has(vh)) got.set(vh, blob);
  }
  const out = new Map<string, BlobResult>();
  for (const h of want) {
    const blob = got.get(h);
    out.set(
      h,
      blob
        ? { ok: true, blob }
        : {
            ok: false,
            reason:
              served === 0
                ? `${source.describe} does not serve blob ${h}`
                : `${source.describe} served no blob matching versioned hash ${h}`,
          },
    );
  }
  return out;
}
