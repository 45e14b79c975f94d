/**
 * HTTP GET and JSON-RPC POST with the bounds of issue #10 item 15: a time limit per request and a cap on
 * the response size (read as a stream and cut off at the cap, so a server that sends more never makes the
 * keeper buffer it). Node's fetch (undici) does the transport.
 */
import { NexError } from '../../../protocol/index.js';
import { redactUrl } from '../../config/values.js';

export type FetchFailure = 'timeout' | 'too-large' | 'http' | 'network' | 'invalid';

/** A fetch that did not give a usable answer; `kind` is the metrics label. */
export class SourceFetchError extends NexError {
  override readonly name = 'SourceFetchError';
  constructor(
    readonly kind: FetchFailure,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface FetchBounds {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** Requests `url` and returns its body parsed as JSON; throws SourceFetchError for every failure. */
export async function fetchJson(
  url: string,
  bounds: FetchBounds,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  const signal = AbortSignal.timeout(bounds.timeoutMs);
  const shown = redactUrl(url);
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      signal,
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (err) {
    throw failure(err, signal, shown);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > bounds.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new SourceFetchError(
      'too-large',
      `${shown}: response of ${declared} bytes exceeds the ${bounds.maxBytes}-byte limit`,
      res.status,
    );
  }
  let text: string;
  try {
    text = await readCapped(res, bounds.maxBytes, shown);
  } catch (err) {
    if (err instanceof SourceFetchError) throw err;
    throw failure(err, signal, shown);
  }
  let body: unknown;
  try {
    body = text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    if (res.ok) throw new SourceFetchError('invalid', `${shown}: the response is not JSON`, res.status);
  }
  return { status: res.status, body };
}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new SourceFetchError('too-large', `${url}: response exceeds the ${maxBytes}-byte limit`, res.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function failure(err: unknown, signal: AbortSignal, url: string): SourceFetchError {
  if (signal.aborted) return new SourceFetchError('timeout', `${url}: no answer within the time limit`, undefined, { cause: err });
  const msg = (err as Error).message ?? String(err);
  return new SourceFetchError('network', `${url}: ${msg}`, undefined, { cause: err });
}
