/** `/events` (API v2): every event ever emitted, delivered or not. */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../envelopes';
import type { Domain } from '../store';
import { envelope, paging, pathId, requestUrl } from './http';

export function eventRoutes(app: FastifyInstance, { ctx, events }: Domain): void {
  app.get('/events', async (request) =>
    envelope(ctx, request, events.list(request.query, paging(request), requestUrl(ctx, request)), 2),
  );

  app.get('/events/:id', async (request) => {
    const id = pathId(request, 'event');
    const event = events.find(id);
    if (!event) throw notFound('event', id);
    return envelope(ctx, request, event, 2);
  });
}
