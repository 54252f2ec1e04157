/**
 * The webhook receiver: `POST /webhooks/flexport` verifies the signature over the raw body,
 * parses the `/event` envelope and signals every PO workflow it concerns, answering 200 only once
 * Temporal has accepted every signal and 503 when it cannot, so the provider retries and nothing
 * is lost (the workflows dedupe by event id). A refused request never reaches Temporal.
 */
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PROVIDERS, type Provider } from '../workflows/core/choices';
import { capabilityRefusal } from '../workflows/core/provider';
import { PROVIDER_WORKFLOWS } from '../workflows/providers';
import {
  concernsNoPo,
  deliverEvent,
  logDelivery,
  type DeliveryReport,
  type UnknownPoAdoption,
} from './delivery';
import { parseEvent } from './event';
import { poflowLogger } from '../infra/logger';
import { EventIdWindow } from '../workflows/core/event-id-window';
import { verifySignature, type SignaturePolicy } from './signature';
import { observeWebhookReceiver, type WebhookOutcomes } from '../infra/metrics';
import { readiness, type ReadinessCheck } from '../infra/operations';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** A path per provider that pushes its changes (Flexport's); the others are read on a schedule. */
const PROVIDER_PATHS = PROVIDERS.filter(
  (provider) => capabilityRefusal(PROVIDER_WORKFLOWS[provider].capabilities.webhooks) === undefined,
).map((provider) => [provider, `/webhooks/${provider}`] as const);
const HTTP_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

export interface WebhookReceiverOptions {
  port: number;
  host?: string;
  /** Every secret currently valid: more than one while a secret is rotated. */
  secrets: string[];
  /** Also accept the older `X-Hub-Signature: sha1=` header. */
  acceptSha1?: boolean;
  client: Client;
  maxBodyBytes?: number;
  logger?: Logger;
  /** Deadline of each Temporal call made for a delivery. */
  rpcTimeoutMs?: number;
  /** The rule `adopt` for events about POs poflow does not follow; unset: they are dropped. */
  adoption?: UnknownPoAdoption;
  /** What `/readyz` asks (e.g. that Temporal answers); none: ready while listening. */
  checks?: Record<string, ReadinessCheck>;
}

/** What the receiver counts, by outcome: the shape the metrics registry reads at scrape time. */
export type ReceiverCounts = WebhookOutcomes;

export interface WebhookReceiver {
  url: string;
  counts: ReceiverCounts;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  if (options.secrets.length === 0 || options.secrets.some((s) => s.length === 0)) {
    throw new Error('the webhook receiver needs at least one non-empty secret');
  }
  const counts: ReceiverCounts = {
    delivered: 0,
    closedPo: 0,
    unknownPo: 0,
    adoptedPo: 0,
    unrouted: 0,
    duplicate: 0,
    refused: { signature: 0, malformed: 0, tooLarge: 0 },
    unavailable: 0,
  };
  const app = buildApp(options, counts, options.logger ?? poflowLogger('webhooks'));
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const { address, port } = app.server.address() as AddressInfo;
  const unobserve = observeWebhookReceiver(counts);
  return {
    url: `http://${address}:${port}`,
    counts,
    close: async () => {
      // In-flight deliveries finish (fastify waits for them); new connections are refused.
      await app.close();
      unobserve();
    },
  };
}

function buildApp(options: WebhookReceiverOptions, counts: ReceiverCounts, log: Logger): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES });
  // The signature covers the exact bytes sent: keep every body raw, whatever its content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const policy: SignaturePolicy = { secrets: [...options.secrets], acceptSha1: options.acceptSha1 };
  // The events this receiver delivered lately, per provider (the ids are the provider's own).
  const recentlyDelivered = new Map<string, EventIdWindow>();
  for (const [provider, path] of PROVIDER_PATHS) {
    app.post(path, (request, reply) => receive(provider, request, reply));
    allowOnly(app, path, 'POST');
  }
  app.get('/healthz', async () => ({ status: 'ok', counts }));
  allowOnly(app, '/healthz', 'GET', 'HEAD');
  app.get('/readyz', async (_request, reply) => {
    const report = await readiness(options.checks ?? {});
    return reply
      .code(report.ready ? 200 : 503)
      .send({ status: report.ready ? 'ready' : 'not ready', checks: report.checks });
  });
  allowOnly(app, '/readyz', 'GET', 'HEAD');
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found' }));
  app.setErrorHandler((error: { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) counts.refused.tooLarge++;
    else if (status < 500) counts.refused.malformed++;
    log.warn({ status, code: error.code }, 'webhook request refused');
    return reply.code(status).send({ error: status === 413 ? 'body_too_large' : (error.code ?? 'error') });
  });

  async function receive(provider: Provider, request: FastifyRequest, reply: FastifyReply) {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!verifySignature(body, request.headers, policy)) {
      counts.refused.signature++;
      log.warn({ provider, status: 401 }, 'webhook refused: bad or missing signature');
      return reply.code(401).send({ error: 'invalid_signature' });
    }
    const parsed = parseEvent(body);
    if (!parsed.ok) {
      counts.refused.malformed++;
      log.warn({ provider, status: 400, reason: parsed.reason }, 'webhook refused: malformed event');
      return reply.code(400).send({ error: 'malformed_event', reason: parsed.reason });
    }
    const { event } = parsed;
    // The provider redelivers what it thinks was lost. The PO drops repeats itself; this only spares
    // it the message and shows the repeats on the dashboard (one receiver's memory, so not all of them).
    const delivered = recentlyDelivered.get(provider) ?? new EventIdWindow();
    recentlyDelivered.set(provider, delivered);
    if (delivered.has(event.id)) {
      counts.duplicate++;
      log.info(
        { eventId: event.id, eventType: event.type, provider },
        'event delivered before: acknowledged',
      );
      return reply.code(200).send({ received: true, eventId: event.id, duplicate: true });
    }
    try {
      const report = await deliverEvent(event, {
        client: options.client,
        provider,
        rpcTimeoutMs: options.rpcTimeoutMs,
        adoption: options.adoption,
      });
      count(report, counts);
      delivered.add(event.id);
      logDelivery(log, report, 'receiver');
      return reply.code(200).send({ received: true, eventId: event.id });
    } catch (err) {
      counts.unavailable++;
      log.error(
        { eventId: event.id, eventType: event.type, provider, err: errorMessage(err) },
        'webhook not delivered: Temporal unavailable, answering 503',
      );
      return reply.code(503).header('retry-after', '5').send({ error: 'temporal_unavailable' });
    }
  }
  return app;
}

function count(report: DeliveryReport, counts: ReceiverCounts): void {
  if (report.signalled.length > 0) counts.delivered++;
  else if (report.closed.length > 0) counts.closedPo++;
  if (report.unknown.length > 0) counts.unknownPo++;
  if (report.adopted.length > 0) counts.adoptedPo++;
  if (concernsNoPo(report)) counts.unrouted++;
}

/** Refuses every other method on a known path with 405 and the allowed ones. */
function allowOnly(app: FastifyInstance, path: string, ...allowed: string[]): void {
  const others = HTTP_METHODS.filter(
    (m) => !allowed.includes(m) && !(m === 'HEAD' && allowed.includes('GET')),
  );
  app.route({
    method: others,
    url: path,
    handler: (_request, reply) =>
      reply.code(405).header('allow', allowed.join(', ')).send({ error: 'method_not_allowed' }),
  });
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}
