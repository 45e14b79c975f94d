/// <reference lib="dom" />
/**
 * The page's API client: GET /api/... answering the JSON of views/types.ts, or throwing a PageError that
 * carries the server's typed error (or says the explorer server itself is unreachable).
 */
import type { ApiErrorBody, ErrorCode } from '../views/types.js';

export class PageError extends Error {
  constructor(
    readonly code: ErrorCode | 'server-unreachable',
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/${path}`, { headers: { accept: 'application/json' } });
  } catch {
    throw new PageError('server-unreachable', 'The explorer server is not answering. Is `nex explorer` still running?');
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new PageError('internal', `The explorer answered HTTP ${res.status} without a readable body.`);
  }
  if (!res.ok) {
    const e = body as Partial<ApiErrorBody>;
    throw new PageError(e.error ?? 'internal', e.message ?? `The explorer answered HTTP ${res.status}.`);
  }
  return body as T;
}
