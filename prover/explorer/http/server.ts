/**
 * The explorer's HTTP server on Fastify: the JSON API under /api (docs/explorer.md, "API") and the page.
 * Every error answers the typed body of views/errors.ts; an unexpected exception answers `internal` with
 * one line, never a stack.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ExplorerService } from '../service.js';
import { ApiError, notFound } from '../views/errors.js';
import type { PageAssets } from './bundle.js';

export function buildExplorerServer(service: ExplorerService, assets: PageAssets, log: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.statusCode).send(err.body());
    const status = (err as FastifyError).statusCode;
    if (status !== undefined && status < 500)
      return reply.code(status).send({ statusCode: status, error: 'invalid-query', message: err.message });
    log.error({ err, url: req.url }, 'request failed');
    return reply
      .code(500)
      .send({ statusCode: 500, error: 'internal', message: 'The explorer failed to answer this request; its log has the details.' });
  });
  app.setNotFoundHandler((req, reply) => {
    const e = notFound(`No such page or API route: ${req.url.slice(0, 100)}`);
    return reply.code(404).send(e.body());
  });

  type P = { Params: { id: string } };
  app.get('/api/status', async () => service.status());
  app.get('/api/market', async () => service.market());
  app.get<P>('/api/batches/:id', async (req) => service.batch(req.params.id));
  app.get<P>('/api/submissions/:id', async (req) => service.submission(req.params.id));
  app.get<P>('/api/statements/:id', async (req) => service.statement(req.params.id));
  app.get<P>('/api/programs/:id', async (req) => service.program(req.params.id));
  app.get('/api/provers', async () => service.provers());
  app.get<P>('/api/provers/:id', async (req) => service.prover(req.params.id));
  app.get<{ Querystring: { q?: string } }>('/api/search', async (req) => service.search(req.query.q ?? ''));

  const noStore = { 'cache-control': 'no-store' };
  app.get('/', async (_req, reply) => reply.headers(noStore).type('text/html; charset=utf-8').send(assets.html));
  app.get('/assets/app.js', async (_req, reply) => reply.headers(noStore).type('text/javascript; charset=utf-8').send(assets.js));
  app.get('/assets/app.css', async (_req, reply) => reply.headers(noStore).type('text/css; charset=utf-8').send(assets.css));
  return app;
}
