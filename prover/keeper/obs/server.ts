import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface Health {
  ok: boolean;
  [key: string]: unknown;
}

/** Serves GET /metrics (Prometheus text) and GET /healthz (JSON; 503 when unhealthy). */
export async function startObservabilityServer(opts: {
  port: number;
  host: string;
  metrics: Metrics;
  health: () => Health;
  log: Logger;
  /** prom-client registries served after the keeper's own metrics (distributed proving's queue metrics). */
  extra?: readonly Registry[] | undefined;
}): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = req.url?.split('?')[0];
    if (req.method === 'GET' && url === '/metrics') {
      Promise.all([opts.metrics.render(), ...(opts.extra ?? []).map((r) => r.metrics())]).then(
        (texts) => res.writeHead(200, { 'content-type': opts.metrics.contentType }).end(texts.join('')),
        (err: unknown) => {
          opts.log.warn('metrics collection failed', { error: err });
          res.writeHead(500).end('metrics collection failed\n');
        },
      );
    } else if (req.method === 'GET' && (url === '/healthz' || url === '/health')) {
      const h = opts.health();
      res
        .writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify(h, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    } else {
      res.writeHead(404).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  opts.log.info('metrics and health endpoints listening', { url: `http://${opts.host}:${port}/metrics` });
  return { server, port, close: () => new Promise((r) => server.close(() => r())) };
}
