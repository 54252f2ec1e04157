/**
 * The ERP's HTTP API: `createApiServer` builds it (not listening: tests inject into it or listen),
 * `startApiServer` listens. Every route of API_ROUTES is registered with its handler, behind a
 * bearer token (a `:read` token only reads) and a per-token rate limit; writes honour
 * `Idempotency-Key`. Errors are problem documents; `/healthz` and `/readyz` answer without a token,
 * as do the document and its reference page (client/api/docs.ts). Bodies and tokens are never
 * logged: one line per request says the route, the status, the time taken and the token's name.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { apiRequests, apiRequestSeconds } from '../../infra/metrics';
import { poflowLogger } from '../../infra/logger';
import { readiness, type ReadinessCheck } from '../../infra/operations';
import type { ApiToken } from '../../worker/config';
import { describeError } from '../errors';
import { DEFAULT_WAIT_SECONDS } from '../help-texts';
import { PO_LIMITS } from '../purchase-orders';
import { registerDocs } from './docs';
import { authenticate } from './auth';
import { adoptPurchaseOrder } from './adoptions';
import { batchCreatePurchaseOrders } from './batch';
import type { ApiAnswer, ApiContext, Handler } from './context';
import { fingerprintOf, IdempotencyStore, type StoredAnswer } from './idempotency';
import { listPurchaseOrders } from './list';
import {
  ApiProblem,
  frameworkProblem,
  INVALID_JSON,
  problemOf,
  PROBLEM_TYPES,
  sendProblem,
} from './problems';
import {
  amendPurchaseOrder,
  bookPurchaseOrder,
  cancelPurchaseOrder,
  closePurchaseOrder,
  createPurchaseOrder,
  getPurchaseOrder,
} from './purchase-orders';
import { API_ROUTES, fastifyPath, type ApiRoute } from './routes';

/** The handler of each operation of API_ROUTES. */
const HANDLERS: Record<string, Handler> = {
  createPurchaseOrder,
  listPurchaseOrders,
  getPurchaseOrder,
  amendPurchaseOrder,
  cancelPurchaseOrder,
  closePurchaseOrder,
  bookPurchaseOrder,
  adoptPurchaseOrder,
  batchCreatePurchaseOrders,
};

/** One PO's request: the PO within its limit, and room for the envelope and settings around it. */
export const BODY_LIMIT = PO_LIMITS.jsonBytes + 64 * 1024;
/** A batch: up to MAX_BATCH POs of a few KB each (far less than MAX_BATCH at the PO limit). */
export const BATCH_BODY_LIMIT = 16 * 1024 * 1024;
const RATE_LIMITED = 'POFLOW_RATE_LIMITED';

export interface ApiServerOptions extends Pick<ApiContext, 'client' | 'providers'> {
  tokens: readonly ApiToken[];
  /** Requests per second per token. */
  rateLimit: number;
  /** Browser origins answered with CORS headers; none: CORS off. */
  corsOrigins?: readonly string[];
  uiUrlOf?: ApiContext['uiUrlOf'];
  logger?: Logger;
  /** What `/readyz` asks (e.g. that Temporal answers). */
  checks?: Record<string, ReadinessCheck>;
  /** An update's wait without `Prefer: wait=N`: the CLI's `--wait` default. */
  defaultWaitSeconds?: number;
  idempotency?: IdempotencyStore;
}

export function createApiServer(options: ApiServerOptions): FastifyInstance {
  if (options.tokens.length === 0) {
    throw new Error('the ERP API needs at least one token (POFLOW_API_TOKENS)');
  }
  const log = options.logger ?? poflowLogger('api');
  const context: ApiContext = {
    client: options.client,
    providers: options.providers,
    uiUrlOf: options.uiUrlOf ?? (() => undefined),
    defaultWaitSeconds: options.defaultWaitSeconds ?? DEFAULT_WAIT_SECONDS,
  };
  const idempotency = options.idempotency ?? new IdempotencyStore();
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  // JSON only: any other body is 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const [error, parsed] = parseJson(body as string);
    done(error, parsed);
  });
  if (options.corsOrigins?.length) {
    void app.register(cors, {
      origin: [...options.corsOrigins],
      methods: ['GET', 'POST', 'PUT'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'prefer'],
      exposedHeaders: [
        'location',
        'content-location',
        'retry-after',
        'preference-applied',
        'idempotent-replayed',
      ],
      maxAge: 600,
    });
  }
  registerDocs(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await readiness(options.checks ?? {});
    return reply
      .code(report.ready ? 200 : 503)
      .send({ status: report.ready ? 'ready' : 'not ready', checks: report.checks });
  });
  void app.register(async (api) => {
    api.addHook('onRequest', authenticate(options.tokens));
    await api.register(rateLimit, {
      global: true,
      hook: 'preParsing',
      max: options.rateLimit,
      timeWindow: 1000,
      keyGenerator: (request) => `token:${request.caller?.name}`,
      errorResponseBuilder: (_request, limit) => ({
        statusCode: 429,
        code: RATE_LIMITED,
        message: `more than ${limit.max} requests a second with this token (POFLOW_API_RATE_LIMIT)`,
        retryAfterSeconds: Math.max(1, Math.ceil(limit.ttl / 1000)),
      }),
    });
    for (const route of API_ROUTES) {
      const handler = HANDLERS[route.operationId];
      if (!handler) throw new Error(`no handler for the API route ${route.operationId}`);
      api.route({
        method: route.method,
        url: fastifyPath(route.path),
        config: { apiRoute: route },
        bodyLimit: route.operationId === 'batchCreatePurchaseOrders' ? BATCH_BODY_LIMIT : BODY_LIMIT,
        handler: (request, reply) => serve(route, handler, request, reply),
      });
    }
  });
  allowOnlyTheirMethods(app);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new ApiProblem(
        404,
        PROBLEM_TYPES.notFound,
        `no such resource: ${request.method} ${request.url.split('?')[0]}`,
      ),
    ),
  );
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.code === RATE_LIMITED) {
      const seconds = (error as unknown as { retryAfterSeconds: number }).retryAfterSeconds;
      return sendProblem(
        reply,
        new ApiProblem(429, PROBLEM_TYPES.rateLimited, error.message, [], { 'retry-after': String(seconds) }),
      );
    }
    const problem = frameworkProblem(error) ?? problemOf(error);
    if (problem.status >= 500) logFailure(log, request, error);
    return sendProblem(reply, problem);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.config.apiRoute?.path ?? request.routeOptions.url ?? 'unmatched';
    const labels = { route, method: request.method, status: String(reply.statusCode) };
    const seconds = reply.elapsedTime / 1000;
    apiRequests.inc(labels);
    apiRequestSeconds.observe(labels, seconds);
    log.info(
      { ...labels, ms: Math.round(reply.elapsedTime), token: request.caller?.name },
      `${request.method} ${route} ${reply.statusCode}`,
    );
  });

  async function serve(route: ApiRoute, handler: Handler, request: FastifyRequest, reply: FastifyReply) {
    const apiRequest = {
      params: request.params as Record<string, string>,
      query: request.query as Record<string, string | string[] | undefined>,
      body: request.body,
      headers: request.headers,
      caller: request.caller!,
    };
    const produce = async (): Promise<StoredAnswer> => {
      try {
        return stored(await handler(context, apiRequest));
      } catch (err) {
        const problem = problemOf(err);
        if (problem.status >= 500) logFailure(log, request, err);
        return { status: problem.status, headers: problem.headers, body: problem.document, problem: true };
      }
    };
    const key = request.headers['idempotency-key'];
    const answer =
      route.write && key !== undefined
        ? await idempotency.answer(
            request.caller!.name,
            Array.isArray(key) ? key.join(',') : key,
            fingerprintOf(request.method, request.url, request.body),
            produce,
          )
        : { ...(await produce()), replayed: false };
    for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
    if (answer.replayed) reply.header('idempotent-replayed', 'true');
    if (answer.problem) reply.type('application/problem+json');
    return reply.code(answer.status).send(answer.body);
  }

  return app;
}

function stored(answer: ApiAnswer): StoredAnswer {
  return { status: answer.status, headers: answer.headers ?? {}, body: answer.body };
}

/** JSON, with no body as no body (a cancel or close without one) and `__proto__` refused. */
function parseJson(text: string): [Error | null, unknown] {
  if (text.trim() === '') return [null, undefined];
  try {
    return [
      null,
      JSON.parse(text, (key, value: unknown) => {
        if (key === '__proto__') throw new SyntaxError('"__proto__" is not allowed as a key');
        return value;
      }),
    ];
  } catch (err) {
    return [
      Object.assign(new Error((err as Error).message), { statusCode: 400, code: INVALID_JSON }),
      undefined,
    ];
  }
}

/** 405 with `Allow` for a method a known path does not take (OPTIONS is CORS's, when on). */
function allowOnlyTheirMethods(app: FastifyInstance): void {
  const methods = new Map<string, string[]>();
  for (const route of API_ROUTES) {
    methods.set(route.path, [...(methods.get(route.path) ?? []), route.method]);
  }
  for (const [path, allowed] of methods) {
    const others = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'].filter((m) => !allowed.includes(m));
    const allow = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
    app.route({
      method: others,
      url: fastifyPath(path),
      handler: (request, reply) =>
        sendProblem(
          reply,
          new ApiProblem(
            405,
            PROBLEM_TYPES.methodNotAllowed,
            `${request.method} is not a method of ${path}: ${allow.join(', ')}`,
            [],
            { allow: allow.join(', ') },
          ),
        ),
    });
  }
}

function logFailure(log: Logger, request: FastifyRequest, err: unknown): void {
  log.error(
    {
      method: request.method,
      route: request.routeOptions.url,
      token: request.caller?.name,
      err: describeError(err),
    },
    'API request failed',
  );
}

export interface RunningApiServer {
  /** e.g. http://127.0.0.1:8600 */
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startApiServer(
  options: ApiServerOptions & { port: number; host: string },
): Promise<RunningApiServer> {
  const app = createApiServer(options);
  await app.listen({ port: options.port, host: options.host });
  const { port } = app.server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    // In-flight requests finish (fastify waits for them); new connections are refused.
    close: () => app.close(),
  };
}
