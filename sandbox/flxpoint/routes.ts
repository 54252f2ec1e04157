/**
 * The Flxpoint emulator as one fastify plugin: the purchase-order API under `/flxpoint` (the
 * default `FLXPOINT_BASE_URL` is `<sandbox>/flxpoint`) and its counterpart side under
 * `/_sandbox/flxpoint`. Register it without a prefix: it mounts both itself.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../envelopes';
import type { Faults } from '../faults';
import type { SqliteFile } from '../persistence';
import { intParam } from '../query';
import { REQUESTS_PER_SECOND, TokenRateLimit } from './rate-limit';
import { renderPurchaseOrder } from './render';
import { RequestLog } from './request-log';
import { CreatePurchaseOrderRequest } from './schemas';
import { FlxpointStore, StatusChange } from './store';

export interface FlxpointSandboxOptions {
  /** The server's token (the Flexport one): Flxpoint accepts it too unless `flxpointApiToken` is set. */
  apiToken: string;
  flxpointApiToken?: string;
  /** The sandbox's fault injection; it reaches Flxpoint only when `routeFamilies` names `flxpoint`. */
  faults?: Faults;
  now?: () => Date;
  /** The sandbox's SQLite file: the POs persist there too. The rate limit and request log stay in memory. */
  db?: SqliteFile;
}

/** The fault-injection route family of the Flxpoint API. */
export const FLXPOINT_ROUTE_FAMILY = 'flxpoint';

interface Shared {
  store: FlxpointStore;
  rateLimit: TokenRateLimit;
  requests: RequestLog;
  faults?: Faults;
}

const IdParams = z.object({ id: intParam });
const NumberParams = z.object({ number: z.string().min(1) });
const ListQuery = z.object({ purchaseOrderNumber: z.string().optional() });
const EndRequest = z.object({ reason: z.string().trim().min(1).optional() }).optional();

export const flxpointSandbox: FastifyPluginAsync<FlxpointSandboxOptions> = async (app, options) => {
  const shared: Shared = {
    store: new FlxpointStore(options.now, options.db),
    rateLimit: new TokenRateLimit(),
    requests: new RequestLog(),
    faults: options.faults,
  };
  const apiToken = options.flxpointApiToken ?? options.apiToken;
  await app.register((api) => apiRoutes(api, shared, apiToken), { prefix: '/flxpoint' });
  await app.register((admin) => adminRoutes(admin, shared), { prefix: '/_sandbox/flxpoint' });
};

async function apiRoutes(
  app: FastifyInstance,
  { store, rateLimit, requests, faults }: Shared,
  apiToken: string,
) {
  answerErrorsAsFlxpoint(app);
  app.addHook('onResponse', async (request, reply) => {
    const url = request.url.replace(/^\/flxpoint/, '');
    const sentAt = Number(request.headers['x-poflow-sent-at']) || undefined;
    requests.record({
      at: Math.round(Date.now() - reply.elapsedTime),
      sentAt,
      method: request.method,
      url,
      status: reply.statusCode,
    });
  });
  app.addHook('onRequest', async (request) => {
    if (request.headers['x-api-token'] !== apiToken) {
      throw new ApiError(401, 'unauthorized', 'Missing or invalid X-API-TOKEN');
    }
    const limited = rateLimit.admit(apiToken);
    if (limited) {
      throw new ApiError(
        429,
        'too_many_requests',
        `Rate limit exceeded: ${REQUESTS_PER_SECOND} requests per second per token`,
        { 'retry-after': String(limited.retryAfterSeconds) },
      );
    }
    const fault = faults?.serverFault(FLXPOINT_ROUTE_FAMILY, { optIn: true });
    if (fault) {
      const retryAfter: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      throw new ApiError(
        fault.status,
        'unavailable',
        STATUS_CODES[fault.status] ?? 'Unavailable',
        retryAfter,
      );
    }
  });

  app.post('/purchase-orders', async (request, reply) => {
    const po = store.create(parse(CreatePurchaseOrderRequest, request.body ?? {}));
    return reply.code(201).send(renderPurchaseOrder(po));
  });

  // Sandbox assumption: the number filter of Flxpoint's PO listing, answered as a plain array.
  app.get('/purchase-orders', async (request) =>
    store.list(parse(ListQuery, request.query)).map(renderPurchaseOrder),
  );

  app.get('/purchase-orders/:id', async (request) => renderPurchaseOrder(store.find(poId(request.params))));

  // Sandbox assumption: the seed documents no cancel or void endpoint; these are plausible shapes.
  app.put('/purchase-orders/:id/cancel', async (request) => {
    const body = parse(EndRequest, request.body);
    return renderPurchaseOrder(store.end(poId(request.params), 'canceled', body?.reason));
  });
  app.put('/purchase-orders/:id/void', async (request) => {
    const body = parse(EndRequest, request.body);
    return renderPurchaseOrder(store.end(poId(request.params), 'voided', body?.reason));
  });
}

async function adminRoutes(app: FastifyInstance, { store, rateLimit, requests }: Shared) {
  answerErrorsAsFlxpoint(app);
  // A PO made by a person in Flxpoint's UI (or another integration): the API's rules, no token, no
  // budget spent.
  app.post('/purchase-orders', async (request, reply) => {
    const po = store.create(parse(CreatePurchaseOrderRequest, request.body ?? {}));
    return reply.code(201).send(renderPurchaseOrder(po));
  });
  app.post('/purchase-orders/:number/status', async (request) => {
    const { number } = parse(NumberParams, request.params);
    return renderPurchaseOrder(store.changeStatus(number, parse(StatusChange, request.body)));
  });
  app.get('/stats', async () => rateLimit.snapshot());
  app.get('/requests', async () => ({ requests: requests.snapshot() }));
  // Every PO, without spending the token's budget: what a test counts to find lost or doubled POs.
  app.get('/purchase-orders', async () => store.list({}).map(renderPurchaseOrder));
}

/** Flxpoint documents no error body; the sandbox answers `{status, error, message}`. */
function answerErrorsAsFlxpoint(app: FastifyInstance) {
  app.setErrorHandler<FastifyError | ApiError>((error, _request, reply) => {
    if (error instanceof ApiError) void reply.headers(error.headers);
    // Fastify's own client errors (bad JSON, body too large) keep their status and message.
    const status = error instanceof ApiError ? error.status : (error.statusCode ?? 500);
    const message = status < 500 ? error.message : 'Internal Server Error';
    return reply.code(status).send({ status, error: STATUS_CODES[status], message });
  });
}

function poId(params: unknown): number {
  const parsed = IdParams.safeParse(params);
  if (!parsed.success) throw new ApiError(404, 'not_found', 'Purchase order not found');
  return parsed.data.id;
}

/** A 400 whose message names the first offending field, e.g. `purchaseOrderItems[0].quantity: ...`. */
function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  const message =
    missing && field ? `${field} is required` : field ? `${field}: ${issue.message}` : issue.message;
  throw new ApiError(400, 'bad_request', message);
}
