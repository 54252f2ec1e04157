/**
 * A local emulator of Flexport's API (in the spirit of stripe-mock / LocalStack): a real HTTP
 * server with purchase orders, bookings, shipments, events and signed webhooks, a counterpart
 * side under `/_sandbox`, fault injection and optional SQLite persistence. See README.md.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyError } from 'fastify';
import type { Logger } from 'pino';
import { ApiError, errorBody } from './envelopes';
import { Faults, type FaultOptions } from './faults';
import { flxpointSandbox } from './flxpoint/routes';
import { inboxRoutes } from './inbox';
import { messages } from './messages';
import { Network, type NetworkInput } from './network';
import { SqliteFile } from './persistence';
import { RequestStats } from './request-stats';
import { adminRoutes } from './routes/admin';
import { bookingRoutes } from './routes/bookings';
import { eventRoutes } from './routes/events';
import { purchaseOrderRoutes } from './routes/purchase-orders';
import { shipmentRoutes } from './routes/shipments';
import { emptyState } from './state';
import { createDomain } from './store';
import { WebhookDispatcher, type WebhookRetryOptions } from './webhooks';

export interface SandboxOptions {
  /** 0 picks a free port. Default 8400. */
  port?: number;
  host?: string;
  /** The bearer token the API accepts. Default 'sandbox'. */
  apiToken?: string;
  /** The `X-API-TOKEN` the Flxpoint emulator accepts. Default: `apiToken`. */
  flxpointApiToken?: string;
  /** Webhook endpoints registered at start (more via POST /_sandbox/webhooks). */
  webhooks?: Array<{ url: string; secret: string }>;
  webhookRetry?: WebhookRetryOptions;
  faults?: FaultOptions;
  /** Seed of the fault PRNG, for reproducible runs. Default 1. */
  seed?: number;
  /**
   * Persist state (the Flxpoint POs too) to this SQLite file and reload it on start. In memory when
   * unset.
   */
  dbFile?: string;
  /** Legal entities, locations, ports and products added to fixtures/network.json. */
  network?: NetworkInput;
  /** Each request at debug level (poflow's log, infra/logger.ts); silent when unset. */
  logger?: Logger;
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:8400 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The route family of a path: its first segment (`/purchase_orders/12` -> `purchase_orders`). */
export function routeFamily(url: string): string {
  return url.split('?')[0]!.split('/')[1] ?? '';
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const apiToken = options.apiToken ?? 'sandbox';
  const db = options.dbFile ? SqliteFile.open(options.dbFile) : undefined;
  const state = db ? db.load() : emptyState();
  const network = new Network(state.network ?? {}, options.network ?? {});
  const domain = createDomain(state, network, {
    recordChanged: db && ((kind, record) => db.recordChanged(kind, record)),
  });
  const faults = new Faults(options.faults, options.seed);
  const dispatcher = new WebhookDispatcher(faults, options.webhookRetry);
  const requestStats = new RequestStats();
  for (const webhook of options.webhooks ?? []) dispatcher.register(webhook.url, webhook.secret);
  domain.events.onEvent((event) => dispatcher.dispatch(event));

  const app = Fastify({ logger: false });
  const log = options.logger;
  if (log) {
    app.addHook('onResponse', async (request, reply) => {
      log.debug(
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'sandbox request',
      );
    });
  }

  // A change is on disk before its answer leaves, so a restart never loses what a client saw.
  if (db) {
    app.addHook('onSend', async (request, _reply, payload) => {
      if (request.method !== 'GET') db.save(state, network);
      return payload;
    });
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.status).headers(error.headers).send(errorBody(error));
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error(error);
    const code = status >= 500 ? 'internal_error' : 'bad_request';
    return reply.code(status).send(errorBody(new ApiError(status, code, error.message)));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody(new ApiError(404, 'not_found', `No route for ${request.method} ${request.url}`))),
  );

  // Flexport's API in its own scope: token, faults and request counting apply to it alone, not
  // to the admin routes nor to other emulators mounted beside it.
  await app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const family = routeFamily(request.url);
      requestStats.record(family);
      const latency = faults.latencyMs();
      if (latency > 0) await sleep(latency);
      const fault = faults.serverFault(family);
      if (fault) {
        const message = fault.status === 503 ? messages.serviceUnavailable : messages.gatewayTimeout;
        const code = fault.status === 503 ? 'service_unavailable' : 'gateway_timeout';
        if (fault.retryAfterSeconds !== undefined)
          reply.header('retry-after', String(fault.retryAfterSeconds));
        return reply.code(fault.status).send(errorBody(new ApiError(fault.status, code, message)));
      }
      const refusal = faults.refusal(family, request.method);
      if (refusal) {
        return reply
          .code(refusal.status)
          .send(errorBody(new ApiError(refusal.status, refusal.code, refusal.message)));
      }
      if (request.headers.authorization !== `Bearer ${apiToken}`) {
        const error = new ApiError(
          401,
          'unauthorized',
          'Missing or invalid API token (Authorization: Bearer <token>)',
        );
        return reply.code(401).send(errorBody(error));
      }
    });
    purchaseOrderRoutes(api, domain);
    bookingRoutes(api, domain);
    shipmentRoutes(api, domain);
    eventRoutes(api, domain);
  });
  adminRoutes(app, { domain, dispatcher, faults, requestStats, network });
  inboxRoutes(app, domain.ctx);
  await app.register(flxpointSandbox, { apiToken, flxpointApiToken: options.flxpointApiToken, faults, db });

  await app.listen({ port: options.port ?? 8400, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8400);
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  domain.ctx.links.base = url;

  return {
    url,
    port,
    async close() {
      dispatcher.close();
      await app.close();
      db?.close();
    },
  };
}
