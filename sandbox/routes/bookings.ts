/** `/bookings` and `/booking_line_items` (API v2). */
import type { FastifyInstance } from 'fastify';
import type { Domain } from '../store';
import { envelope, paging, pathId, requestUrl } from './http';

export function bookingRoutes(app: FastifyInstance, { ctx, bookings }: Domain): void {
  app.get('/bookings', async (request) =>
    envelope(ctx, request, bookings.list(request.query, paging(request), requestUrl(ctx, request)), 2),
  );

  app.post('/bookings', async (request) =>
    envelope(ctx, request, bookings.render(bookings.create(request.body)), 2),
  );

  app.get('/bookings/:id', async (request) =>
    envelope(ctx, request, bookings.render(bookings.find(pathId(request, 'booking'))), 2),
  );

  app.get('/booking_line_items', async (request) =>
    envelope(
      ctx,
      request,
      bookings.listLineItems(request.query, paging(request), requestUrl(ctx, request)),
      2,
    ),
  );

  app.post('/booking_line_items', async (request) =>
    envelope(ctx, request, bookings.renderLineItem(bookings.addLineItem(request.body)), 2),
  );
}
