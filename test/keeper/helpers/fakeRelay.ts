// A fake relay (GET /v1/proofs/{digest}, GET /healthz) and a fake beacon node for the keeper's input
// tests: each route's answer is set per test (a proof view, a status, a delay, an oversized body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer =
  | { kind: 'json'; status?: number; body: unknown }
  | { kind: 'status'; status: number }
  /** Never answers (the keeper's time limit must cut it). */
  | { kind: 'hang' }
  /** Streams `bytes` of JSON-looking data without a content-length (the size cap must cut it). */
  | { kind: 'flood'; bytes: number };

export interface FakeServer {
  readonly url: string;
  /** Paths requested, in order. */
  readonly requests: string[];
  /** The answer for a path (exact match), else `fallback`. */
  answer(path: string, a: Answer): void;
  fallback: Answer;
  close(): Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const answers = new Map<string, Answer>();
  const requests: string[] = [];
  const hanging = new Set<ServerResponse>();
  const self = {
    url: '',
    requests,
    fallback: { kind: 'status', status: 404 } as Answer,
    answer(path: string, a: Answer) {
      answers.set(path, a);
    },
    async close() {
      for (const r of hanging) r.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    requests.push(path);
    const a = answers.get(path) ?? answers.get(path.split('?')[0]!) ?? self.fallback;
    switch (a.kind) {
      case 'json': {
        const text = JSON.stringify(a.body);
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      case 'status':
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end('{"error":"x"}');
        return;
      case 'hang':
        hanging.add(res);
        return;
      case 'flood': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(65_536, 0x61);
        let sent = 0;
        const pump = (): void => {
          while (sent < a.bytes) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
    }
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return self;
}
