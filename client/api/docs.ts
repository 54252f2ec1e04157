/**
 * The API's own description, open to anyone who can reach the port (no token): the OpenAPI
 * document at `/v1/openapi.json` (built from the route table and the zod schemas, the same as the
 * committed docs/openapi.json) and a reference page at `/docs`, Swagger UI served from the
 * swagger-ui-dist package by poflow itself: no CDN, so it works on a network that reaches nothing
 * else. The server (client/api/server.ts) calls `registerDocs(app)` once, before its routes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';
import { ApiProblem, PROBLEM_TYPES, sendProblem } from './problems';

export const OPENAPI_PATH = '/v1/openapi.json';
export const DOCS_PATH = '/docs';

/** The page: Swagger UI's stylesheet and bundle, then our initializer (no inline script). */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>poflow ERP API</title>
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" />
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/poflow-docs.js"></script>
  </body>
</html>
`;

/**
 * Swagger UI on our document. `validatorUrl: null`: no badge asking an online validator about the
 * document (nothing leaves the page but calls to this server); the Authorize button takes a bearer
 * token for "Try it out".
 */
const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  displayOperationId: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** The files of swagger-ui-dist the page loads, with their media types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

export function registerDocs(app: FastifyInstance): void {
  let document: OpenApiDocument | undefined;
  const assetDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = new Map<string, Buffer>();

  app.get(OPENAPI_PATH, async (_request, reply) => {
    document ??= buildOpenApiDocument();
    return reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(document);
  });
  app.get(DOCS_PATH, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(PAGE),
  );
  app.get(`${DOCS_PATH}/poflow-docs.js`, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(INITIALIZER),
  );
  app.get<{ Params: { file: string } }>(`${DOCS_PATH}/:file`, async (request, reply) => {
    const { file } = request.params;
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (type === undefined) {
      return sendProblem(
        reply,
        new ApiProblem(404, PROBLEM_TYPES.notFound, `no such file: ${DOCS_PATH}/${file}`),
      );
    }
    let body = assets.get(file);
    if (body === undefined) {
      body = readFileSync(path.join(assetDir, file));
      assets.set(file, body);
    }
    // The package's version is in the lockfile: a day's caching is safe between upgrades.
    return reply.header('cache-control', 'public, max-age=86400').type(type).send(body);
  });
}
