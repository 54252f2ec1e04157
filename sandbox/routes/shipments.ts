/** `/shipments`, `/shipment_legs` and `/documents` (API v2). */
import type { FastifyInstance } from 'fastify';
import type { Domain } from '../store';
import { envelope, paging, pathId, requestUrl } from './http';

export function shipmentRoutes(app: FastifyInstance, { ctx, shipments }: Domain): void {
  app.get('/shipments', async (request) =>
    envelope(ctx, request, shipments.list(paging(request), requestUrl(ctx, request)), 2),
  );

  app.get('/shipments/:id', async (request) =>
    envelope(ctx, request, shipments.render(shipments.find(pathId(request, 'shipment'))), 2),
  );

  app.get('/shipment_legs', async (request) =>
    envelope(ctx, request, shipments.listLegs(request.query, paging(request), requestUrl(ctx, request)), 2),
  );

  app.get('/documents', async (request) =>
    envelope(
      ctx,
      request,
      shipments.listDocuments(request.query, paging(request), requestUrl(ctx, request)),
      2,
    ),
  );
}
