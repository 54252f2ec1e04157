/**
 * The API's own description: `/v1/openapi.json` and the `/docs` reference page. A stub the
 * contract work replaces: the server (client/api/server.ts) calls `registerDocs(app)` once, before
 * it registers the routes of API_ROUTES.
 */
import type { FastifyInstance } from 'fastify';

export function registerDocs(app: FastifyInstance): void {
  void app;
}
