/**
 * The counterpart's side, under `/_sandbox` and without a bearer token: acknowledge POs,
 * confirm bookings, advance shipments, manage webhook endpoints, faults and the network,
 * and read delivery and request statistics. Not part of Flexport's API.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SHIPMENT_MILESTONES } from '../enums';
import { notFound } from '../envelopes';
import { FaultOptionsSchema, type Faults } from '../faults';
import { NetworkSchema, type Network } from '../network';
import type { RequestStats } from '../request-stats';
import { parseBody } from '../schemas/common';
import type { Domain } from '../store';
import type { WebhookDispatcher } from '../webhooks';
import { envelope, pathId } from './http';

export interface AdminDeps {
  domain: Domain;
  dispatcher: WebhookDispatcher;
  faults: Faults;
  requestStats: RequestStats;
  network: Network;
}

const Advance = z.object({ to: z.enum(SHIPMENT_MILESTONES).optional(), at: z.iso.datetime().optional() });
const ConfirmBody = z.object({ purchase_order_metadata: z.boolean().optional() });
const WebhookEndpointBody = z.object({ url: z.url(), secret: z.string().min(1) });
const FaultsBody = FaultOptionsSchema.extend({ seed: z.number().int().optional() });
/**
 * An event as the counterpart's systems log it, shaped or not as Flexport's documentation says
 * (an empty type, data that is not an object, a shipment nobody can read): for what a consumer
 * of the log does with an event it cannot take.
 */
const EventBody = z.object({
  type: z.string(),
  data: z.unknown().default({}),
  occurred_at: z.iso.datetime().optional(),
});

export function adminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { domain, dispatcher, faults, requestStats, network } = deps;
  const { ctx, purchaseOrders, bookings, shipments } = domain;
  const ok = (request: Parameters<typeof envelope>[1], data: unknown) => envelope(ctx, request, data, 2);

  app.post('/_sandbox/purchase_orders/:id/acknowledge', async (request) => {
    const po = purchaseOrders.acknowledge(pathId(request, 'purchase order'));
    return ok(request, purchaseOrders.render(po, purchaseOrders.version(po), false));
  });

  // A PO made by a person in Flexport's UI (or by another integration): the same rules, version and
  // `/purchase_order#created` event as the API's create, with no bearer token.
  app.post('/_sandbox/purchase_orders', async (request) => {
    const po = purchaseOrders.upsert(request.body);
    return ok(request, purchaseOrders.render(po, purchaseOrders.version(po), true));
  });

  // `{"purchase_order_metadata": false}`: a shipment whose metadata does not name its POs.
  app.post('/_sandbox/bookings/:id/confirm', async (request) => {
    const body = parseBody(ConfirmBody, request.body ?? {});
    const booking = bookings.confirm(pathId(request, 'booking'), {
      poMetadata: body.purchase_order_metadata,
    });
    return ok(request, bookings.render(booking));
  });

  app.post('/_sandbox/shipments/:id/advance', async (request) => {
    const { to, at } = parseBody(Advance, request.body);
    return ok(request, shipments.render(shipments.advance(pathId(request, 'shipment'), to, at)));
  });

  app.post('/_sandbox/events', async (request) => {
    const { type, data, occurred_at } = parseBody(EventBody, request.body);
    return ok(request, domain.events.emit(type, data as Record<string, unknown>, occurred_at));
  });

  app.get('/_sandbox/webhooks', async (request) => ok(request, dispatcher.list()));

  app.post('/_sandbox/webhooks', async (request) => {
    const { url, secret } = parseBody(WebhookEndpointBody, request.body);
    const { id } = dispatcher.register(url, secret);
    return ok(request, { id, url });
  });

  app.delete('/_sandbox/webhooks/:id', async (request) => {
    const id = pathId(request, 'webhook endpoint');
    if (!dispatcher.unregister(id)) throw notFound('webhook endpoint', id);
    return ok(request, { id, deleted: true });
  });

  app.get('/_sandbox/deliveries', async (request) => ok(request, dispatcher.stats()));

  app.get('/_sandbox/faults', async (request) => ok(request, faults.current));

  app.put('/_sandbox/faults', async (request) => {
    const { seed, ...options } = parseBody(FaultsBody, request.body);
    faults.configure(options, seed);
    return ok(request, faults.current);
  });

  app.get('/_sandbox/request-stats', async (request) => ok(request, requestStats.snapshot()));

  app.get('/_sandbox/network', async (request) => ok(request, network.snapshot()));

  app.post('/_sandbox/network', async (request) => {
    network.add(parseBody(NetworkSchema, request.body));
    return ok(request, network.snapshot());
  });
}
