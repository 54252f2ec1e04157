/** `/purchase_orders` and `/purchase_order_line_items` (API v3). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { intParam, parseFilters } from '../query';
import type { Domain } from '../store';
import { envelope, paging, pathId, requestUrl, wantsLineItems } from './http';

const VersionQuery = z.object({ 'f.purchase_order_version.id': intParam.optional() });

export function purchaseOrderRoutes(app: FastifyInstance, { ctx, purchaseOrders }: Domain): void {
  const render = (id: number, expand: boolean, versionId?: number) => {
    const po = purchaseOrders.find(id);
    return purchaseOrders.render(po, purchaseOrders.version(po, versionId), expand);
  };

  app.get('/purchase_orders', async (request) =>
    envelope(
      ctx,
      request,
      purchaseOrders.list(request.query, paging(request), requestUrl(ctx, request), wantsLineItems(request)),
      3,
    ),
  );

  app.post('/purchase_orders', async (request) => {
    const po = purchaseOrders.upsert(request.body);
    return envelope(ctx, request, render(po.id, wantsLineItems(request)), 3);
  });

  app.get('/purchase_orders/:id', async (request) => {
    const { 'f.purchase_order_version.id': versionId } = parseFilters(VersionQuery, request.query);
    return envelope(
      ctx,
      request,
      render(pathId(request, 'purchase order'), wantsLineItems(request), versionId),
      3,
    );
  });

  app.post('/purchase_orders/:id', async (request) => {
    const po = purchaseOrders.updateById(pathId(request, 'purchase order'), request.body);
    return envelope(ctx, request, render(po.id, wantsLineItems(request)), 3);
  });

  app.get('/purchase_order_line_items', async (request) =>
    envelope(
      ctx,
      request,
      purchaseOrders.listLineItems(request.query, paging(request, 'desc'), requestUrl(ctx, request)),
      3,
    ),
  );

  app.get('/purchase_order_line_items/:id', async (request) =>
    envelope(ctx, request, purchaseOrders.lineItem(pathId(request, 'purchase order line item')), 3),
  );
}
