/**
 * A relay, read over its public API (docs/relay.md): GET /v1/status and /healthz for the market page, and
 * GET /v1/proofs/{digest} for the public inputs of an off-chain statement (the chain has only its digest).
 */
import type { Address, Hex } from 'viem';
import { getJson } from './http.js';

export interface RelayInfo {
  readonly url: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly relay?: Address;
  readonly requests?: Readonly<Record<string, number>>;
  readonly queuedStatements?: number;
  readonly lastTickAt?: number;
}

export interface RelayStatement {
  readonly programId: Hex;
  readonly publicInputs: readonly Hex[];
  readonly requestHash: Hex;
  readonly status: string;
}

export interface RelaySource {
  info(): Promise<RelayInfo>;
  statement(digest: Hex): Promise<RelayStatement | undefined>;
}

const TIMEOUT_MS = 3000;

export function httpRelaySource(baseUrl: string): RelaySource {
  return {
    async info() {
      try {
        const [health, status] = await Promise.all([
          getJson<{ ok?: boolean }>(`${baseUrl}/healthz`, TIMEOUT_MS),
          getJson<{ relay?: Address; requests?: Record<string, number>; queuedStatements?: number; lastTickAt?: number }>(
            `${baseUrl}/v1/status`,
            TIMEOUT_MS,
          ),
        ]);
        const s = status.body ?? {};
        return {
          url: baseUrl,
          ok: health.status === 200 && health.body?.ok === true,
          ...(health.status !== 200 ? { error: `/healthz answered ${health.status}` } : {}),
          ...(s.relay ? { relay: s.relay } : {}),
          ...(s.requests ? { requests: s.requests } : {}),
          ...(s.queuedStatements !== undefined ? { queuedStatements: s.queuedStatements } : {}),
          ...(s.lastTickAt !== undefined ? { lastTickAt: s.lastTickAt } : {}),
        };
      } catch (err) {
        return { url: baseUrl, ok: false, error: (err as Error).message };
      }
    },
    async statement(digest) {
      const r = await getJson<RelayStatement>(`${baseUrl}/v1/proofs/${digest}`, TIMEOUT_MS);
      if (r.status !== 200 || !r.body) return undefined;
      const { programId, publicInputs, requestHash, status } = r.body;
      return { programId, publicInputs, requestHash, status };
    },
  };
}
