/**
 * The API's typed errors: every failure the explorer answers has a status code, a stable code
 * (views/types.ts ErrorCode) and one sentence a person can act on. Nothing else reaches a client: the
 * server turns any other exception into `internal` without its stack.
 */
import { NexError } from '../../protocol/index.js';
import type { ApiErrorBody, ErrorCode } from './types.js';

export class ApiError extends NexError {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return { statusCode: this.statusCode, error: this.code, message: this.message };
  }
}

export const notFound = (message: string): ApiError => new ApiError(404, 'not-found', message);
export const invalidId = (message: string): ApiError => new ApiError(400, 'invalid-id', message);
export const invalidAddress = (message: string): ApiError => new ApiError(400, 'invalid-address', message);
export const invalidQuery = (message: string): ApiError => new ApiError(400, 'invalid-query', message);
export const chainUnavailable = (why: string, retrySeconds: number): ApiError =>
  new ApiError(503, 'chain-unavailable', `The chain's RPC is not answering (${why}); the explorer retries every ${retrySeconds} s.`);
