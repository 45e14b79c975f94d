/**
 * The relay's HTTP API on Fastify (docs/relay.md, "API"; OpenAPI 3 at /openapi.json). Fastify validates
 * bodies against http/schemas.ts and refuses bodies over the configured limit (413); @fastify/rate-limit
 * limits every client IP, and a second limiter each payer once its signature is recovered (429 with
 * Retry-After).
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Address, Hex } from 'viem';
import { bytesToHex, getAddress } from 'viem';
import type { AcceptancePipeline } from '../accept/pipeline.js';
import { REJECT_STATUS, type Rejection, type SubmitInput } from '../accept/types.js';
import type { RelayMetrics } from '../metrics.js';
import { MAX_CAPACITY } from '../../protocol/index.js';
import type { RelayStore, StoredRequest } from '../store/types.js';
import {
  errorSchema,
  hashParams,
  payerQuery,
  proofViewSchema,
  receiptSchema,
  requestViewSchema,
  statusSchema,
  submitBodySchema,
} from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The payer recovered from a submission's signature (the per-payer rate-limit key). */
    relayPayer: string;
  }
}

export interface HttpOptions {
  readonly bodyLimitBytes: number;
  /** Client IPs from X-Forwarded-For (behind the operator's reverse proxy). */
  readonly trustProxy: boolean;
  readonly ipPerMinute: number;
  readonly payerPerMinute: number;
  readonly maxStatementsPerRequest: number;
  readonly capacity: number;
  readonly postTimeoutSeconds: number;
  readonly minDeadlineSeconds: number;
  readonly deadlineHorizonSeconds: number;
  /** Seconds without a posting-loop pass after which /healthz reports unhealthy (0: no loop runs). */
  readonly staleTickSeconds: number;
}

export interface HttpDeps {
  readonly pipeline: AcceptancePipeline;
  readonly store: RelayStore;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly relay: Address;
  readonly chainId: number;
  readonly market: Address;
  readonly lastTickAt: () => number;
  readonly now: () => number;
}

const RATE_WINDOW_MS = 60_000;
const RETRY_AFTER_BUSY_SECONDS = 5;

/** Builds the Fastify app (not listening yet). */
export async function buildHttpServer(deps: HttpDeps, o: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.bodyLimitBytes,
    trustProxy: o.trustProxy,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });
  app.decorateRequest('relayPayer', '');

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'NEX relay',
        version: '2.0.0',
        description:
          'Off-chain entry point of the NEX aggregation market (version 2): submit EIP-712 signed requests with their proofs; ' +
          'provers fetch the proofs of posted batches. See docs/relay.md.',
      },
      tags: [
        { name: 'submit', description: 'Rollup teams: submit and follow requests' },
        { name: 'provers', description: 'Provers: fetch proofs' },
        { name: 'ops', description: 'Status, health and metrics' },
      ],
    },
  });
  await app.register(rateLimit, {
    global: true,
    max: o.ipPerMinute,
    timeWindow: RATE_WINDOW_MS,
    onExceeded: () => deps.metrics.rateLimited.inc({ scope: 'ip' }),
  });
  const payerLimit = app.createRateLimit({
    max: o.payerPerMinute,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (req) => `payer:${req.relayPayer}`,
  });

  app.addSchema(errorSchema);
  app.addSchema(receiptSchema);
  app.addSchema(requestViewSchema);
  app.addSchema(proofViewSchema);
  app.addSchema(statusSchema);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      // invalid-body, invalid-params or invalid-querystring.
      const reason = `invalid-${err.validationContext ?? 'body'}`;
      if (req.routeOptions.url === '/v1/requests') deps.metrics.submissions.inc({ result: 'rejected', reason });
      return sendError(reply, 400, reason, err.message);
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(reply, 413, 'body-too-large', `the body exceeds this relay's limit of ${o.bodyLimitBytes} bytes`);
    if (err.statusCode === 429) return sendError(reply, 429, 'rate-limited', err.message);
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
      return sendError(reply, err.statusCode, err.code ?? 'bad-request', err.message);
    deps.log.error({ err, url: req.url }, 'request failed');
    deps.metrics.errors.inc({ component: 'http' });
    return sendError(reply, 500, 'internal', 'internal error');
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not-found', `no route ${req.method} ${req.url}`));

  const reject = (reply: FastifyReply, r: Rejection) => {
    deps.metrics.submissions.inc({ result: 'rejected', reason: r.reason });
    const status = REJECT_STATUS[r.reason];
    if (status === 503) reply.header('retry-after', RETRY_AFTER_BUSY_SECONDS);
    return sendError(reply, status, r.reason, r.message, r.details);
  };

  app.post(
    '/v1/requests',
    {
      schema: {
        tags: ['submit'],
        summary: 'Submit a signed request with its statements and proofs',
        description:
          'Checks, in order: body schema (400), canonical inputs (400), statement count and statementsHash (422), the EIP-712 signature ' +
          '(422 bad-signature), per-payer rate (429), deadline (422), fee (402), program and input count (422), proof length (422), ' +
          "nonce (409), deposit (402), each proof with bb (422 invalid-proof); then persists the request and answers with the relay's " +
          'signed receipt: 201 the first time, 200 with the same receipt when the same request (same EIP-712 hash) comes again.',
        body: submitBodySchema,
        response: {
          200: { $ref: 'Receipt#' },
          201: { $ref: 'Receipt#' },
          '4xx': { $ref: 'RelayError#' },
          '5xx': { $ref: 'RelayError#' },
        },
      },
    },
    async (req, reply) => {
      const prepared = await deps.pipeline.prepare(req.body as SubmitInput);
      if (!prepared.ok) return reject(reply, prepared.rejection);
      req.relayPayer = prepared.value.payer.toLowerCase();
      const limit = await payerLimit(req);
      if (!limit.isAllowed && limit.isExceeded) {
        deps.metrics.rateLimited.inc({ scope: 'payer' });
        reply.header('retry-after', limit.ttlInSeconds);
        return sendError(
          reply,
          429,
          'rate-limited',
          `payer ${prepared.value.payer} exceeded ${o.payerPerMinute} submissions per minute; retry in ${limit.ttlInSeconds} s`,
        );
      }
      const a = await deps.pipeline.admit(prepared.value);
      if (a.kind === 'rejected') return reject(reply, a.rejection);
      deps.metrics.submissions.inc({ result: a.kind, reason: '' });
      if (a.kind === 'accepted') {
        deps.metrics.statementsAccepted.inc(a.request.request.count);
        deps.log.info(
          {
            requestHash: a.receipt.requestHash,
            payer: a.request.payer,
            nonce: a.request.request.nonce.toString(),
            count: a.request.request.count,
          },
          'request accepted',
        );
      }
      return reply.code(a.kind === 'accepted' ? 201 : 200).send(a.receipt);
    },
  );

  app.get(
    '/v1/requests/:hash',
    {
      schema: {
        tags: ['submit'],
        summary: "A request's status, receipt and, once posted, its batch and slots",
        description: 'By EIP-712 request hash; `payer` picks one when several payers signed the same fields (else 409 ambiguous).',
        params: hashParams('hash', 'EIP-712 request hash'),
        querystring: payerQuery,
        response: { 200: { $ref: 'RequestView#' }, '4xx': { $ref: 'RelayError#' } },
      },
    },
    async (req, reply) => {
      const { hash } = req.params as { hash: Hex };
      const { payer } = req.query as { payer?: string };
      const found = (await deps.store.findRequests(hash)).filter((r) => payer === undefined || r.payer === payer.toLowerCase());
      if (found.length === 0)
        return sendError(reply, 404, 'not-found', `no request ${hash}${payer ? ` of payer ${payer}` : ''} at this relay`);
      if (found.length > 1) {
        return sendError(reply, 409, 'ambiguous', `${found.length} payers signed request ${hash}; add ?payer=`, {
          payers: found.map((r) => getAddress(r.payer)).join(','),
        });
      }
      const r = found[0]!;
      const digests = (await deps.store.digestsOf([r.id])).get(r.id) ?? [];
      return requestView(r, digests, deps.pipeline);
    },
  );

  app.get(
    '/v1/proofs/:digest',
    {
      schema: {
        tags: ['provers'],
        summary: 'A proof of a statement, by statement digest',
        description: 'Any stored proof of the statement (posted requests first); 404 when the relay has none (never had it, or pruned).',
        params: hashParams('digest', 'statement digest (spec V2.2)'),
        response: { 200: { $ref: 'ProofView#' }, '4xx': { $ref: 'RelayError#' } },
      },
    },
    async (req, reply) => {
      const { digest } = req.params as { digest: Hex };
      const p = await deps.store.proofOf(digest);
      if (!p || !p.proof) return sendError(reply, 404, 'not-found', `no proof of statement ${digest} at this relay`);
      return {
        digest: p.digest,
        programId: p.programId,
        publicInputs: p.publicInputs,
        proof: bytesToHex(p.proof),
        requestHash: p.requestHash,
        payer: getAddress(p.requestId.split(':')[1]!),
        status: p.status,
        ...(p.batchId !== null ? { batchId: p.batchId.toString() } : {}),
        ...(p.slot !== null ? { slot: p.slot } : {}),
      };
    },
  );

  app.get(
    '/v1/status',
    { schema: { tags: ['ops'], summary: "The relay's identity, limits and queue", response: { 200: { $ref: 'RelayStatus#' } } } },
    async () => {
      const stats = await deps.store.stats();
      return {
        relay: deps.relay,
        chainId: deps.chainId,
        market: deps.market,
        store: deps.store.kind,
        capacity: o.capacity,
        postTimeoutSeconds: o.postTimeoutSeconds,
        maxStatementsPerRequest: Math.min(o.maxStatementsPerRequest, MAX_CAPACITY),
        deadline: { minSeconds: o.minDeadlineSeconds, horizonSeconds: o.deadlineHorizonSeconds },
        requests: stats.requests,
        queuedStatements: stats.queuedStatements,
        openPosts: stats.openPosts,
        lastTickAt: deps.lastTickAt(),
      };
    },
  );

  app.get(
    '/healthz',
    { config: { rateLimit: false }, schema: { tags: ['ops'], summary: '200 when the store answers and the posting loop runs, else 503' } },
    async (_req, reply) => {
      let store = 'ok';
      try {
        await deps.store.stats();
      } catch (err) {
        store = (err as Error).message;
      }
      const tickAge = deps.now() - deps.lastTickAt();
      const loop = o.staleTickSeconds === 0 || tickAge <= o.staleTickSeconds ? 'ok' : `no pass for ${tickAge} s`;
      const ok = store === 'ok' && loop === 'ok';
      return reply.code(ok ? 200 : 503).send({ ok, store, loop });
    },
  );

  app.get(
    '/metrics',
    { config: { rateLimit: false }, schema: { tags: ['ops'], summary: 'Prometheus metrics (text exposition format)' } },
    async (_req, reply) => {
      const text = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(text);
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

function sendError(reply: FastifyReply, statusCode: number, error: string, message: string, details?: Rejection['details']): FastifyReply {
  return reply
    .code(statusCode)
    .type('application/json')
    .send({ statusCode, error, message, ...(details ? { details } : {}) });
}

function requestView(r: StoredRequest, digests: Hex[], pipeline: AcceptancePipeline) {
  const posted = r.batchId !== null && r.firstSlot !== null;
  const slots = posted ? digests.map((_, i) => r.firstSlot! + i) : undefined;
  return {
    requestHash: r.requestHash,
    payer: getAddress(r.payer),
    status: r.status,
    request: {
      programId: r.request.programId,
      statementsHash: r.request.statementsHash,
      count: r.request.count,
      feePerProof: r.request.feePerProof.toString(),
      nonce: r.request.nonce.toString(),
      deadline: r.request.deadline,
    },
    receipt: pipeline.receiptOf(r),
    digests,
    ...(posted
      ? { batchId: r.batchId!.toString(), slots, submissionIds: slots!.map((s) => (r.batchId! * 64n + BigInt(s)).toString()) }
      : {}),
    ...(r.postTx ? { postTx: r.postTx } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  };
}
