/**
 * The ERP API's OpenAPI 3.1 document, built from the route table (client/api/routes.ts) and the
 * zod schemas (client/api/schemas.ts): `GET /v1/openapi.json` serves it, `npm run api:openapi`
 * writes it to docs/openapi.json, and test/api-openapi.test.ts fails when the two differ.
 *
 * Request bodies convert in zod's input mode (what a client may send: defaults optional,
 * whole-number strings accepted), responses in output mode (what poflow sends: defaults filled
 * in). Each direction is one registry conversion whose named parts become components, referenced
 * by `$ref`; a part named in both directions must convert the same both ways.
 */
import { z } from 'zod';
import { PROVIDERS } from '../../workflows/core/choices';
import { API_ROUTES, type ApiRoute, type ApiSchemaName } from './routes';
import { API_SCHEMAS, ListPurchaseOrdersQuery, REFINEMENTS, REQUEST_PARTS, RESPONSE_PARTS } from './schemas';

export type JsonSchema = { [key: string]: unknown };
export interface OpenApiDocument {
  openapi: '3.1.1';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, JsonSchema>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, JsonSchema>;
    securitySchemes: Record<string, JsonSchema>;
  };
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
}

/** Where the components live; a `$ref` to a schema is this plus its name. */
const SCHEMAS = '#/components/schemas/';
/** The media type of an error (RFC 9457). */
export const PROBLEM_JSON = 'application/problem+json';

const DESCRIPTION = [
  "poflow's HTTP API for an ERP: submit purchase orders (each followed by one durable workflow), read",
  'their state and history, amend, book, cancel and close them, adopt ones made at the provider, and',
  'list them. The same checks and messages as the `poflow` command line.',
  '',
  '- **Tokens.** Every call but this document and `/docs` needs `Authorization: Bearer <token>`',
  '  (`POFLOW_API_TOKENS`, or the generated `.data/api-tokens`); a read token can not write.',
  '- **Errors** are `application/problem+json` (RFC 9457) with `errors: [{ path, message }]` naming',
  '  each field refused.',
  "- **Idempotency.** A PO's name is its idempotency key; every write also honours `Idempotency-Key`:",
  '  the same key and body within a day answers as the first time and does nothing again.',
  '- **Waiting.** An update waits for its outcome at most `Prefer: wait=N` seconds, then answers 202',
  "  with where the request stands and a `Location` to read the PO; a refusal (the PO's rules, the",
  '  provider) is a 409 or 422 with the reason.',
  '- **Names** may contain `/`: percent-encode them in paths (`PO%2F1`).',
].join('\n');

/** Builds the document; the same every time for the same code. */
export function buildOpenApiDocument(routes: readonly ApiRoute[] = API_ROUTES): OpenApiDocument {
  const requests = new Set(routes.flatMap((route) => (route.requestBody ? [route.requestBody] : [])));
  const responses = new Set(routes.flatMap((route) => Object.values(route.responses)));
  const both = [...requests].filter((name) => responses.has(name));
  if (both.length) throw new Error(`schemas used both as a request and a response: ${both.join(', ')}`);
  const schemas = mergeComponents(
    convert('input', { ...REQUEST_PARTS, ...pick(requests) }),
    convert('output', { ...RESPONSE_PARTS, ...pick(responses) }),
  );
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.1',
    info: { title: 'poflow ERP API', version: '1', description: DESCRIPTION },
    tags: [
      { name: 'purchase-orders', description: 'Purchase orders, each followed by one workflow' },
      { name: 'adoptions', description: 'Following purchase orders made at the provider' },
    ],
    paths,
    components: { schemas, parameters: PARAMETERS, securitySchemes: SECURITY_SCHEMES },
    security: [{ bearer: [] }],
  };
}

/** The document as written to docs/openapi.json: two-space JSON and a final newline. */
export function openApiJson(document: OpenApiDocument = buildOpenApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function pick(names: Set<ApiSchemaName>): Record<string, z.ZodType> {
  return Object.fromEntries([...names].map((name) => [name, API_SCHEMAS[name]]));
}

/** One direction's schemas as JSON Schema 2020-12, each named part a component. */
function convert(io: 'input' | 'output', parts: Record<string, z.ZodType>): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(parts)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    uri: (id) => `${SCHEMAS}${id}`,
    unrepresentable: representTransform(io),
    override: ({ zodSchema, jsonSchema }) => {
      // A free-form value (a provider's contact record) is any JSON: said, so no schema is empty.
      if (zodSchema._zod.def.type === 'unknown' && Object.keys(jsonSchema).length === 0) {
        jsonSchema.description = 'Any JSON value, passed on to the provider as given';
      }
      const rule = REFINEMENTS.get(zodSchema);
      if (rule !== undefined) {
        const said = typeof jsonSchema.description === 'string' ? `${jsonSchema.description}. ` : '';
        jsonSchema.description = `${said}${rule}`;
      }
    },
  });
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    if (id === '__shared') {
      throw new Error(`${io} schemas: a part without a name was extracted (a cycle?): name it in schemas.ts`);
    }
    const { $id: _id, $schema: _dialect, ...rest } = schema as JsonSchema;
    out[id] = rest;
  }
  return out;
}

/**
 * A transform has no JSON Schema: in output mode its result type is what the document needs. The
 * shared schemas transform with `String` (product codes sent as numbers) and `Number` (units sent
 * as whole-number text); any other transform fails the build, naming where it is, until it is
 * described here.
 */
function representTransform(io: 'input' | 'output'): z.core.UnrepresentableHandler {
  return (ctx) => {
    const def = ctx.zodSchema._zod.def as { type: string; transform?: unknown };
    if (io === 'output' && def.type === 'transform') {
      if (def.transform === String) return { type: 'string' };
      if (def.transform === Number) return { type: 'number' };
    }
    throw new Error(`${ctx.message} (${io} schema at ${ctx.path.join('.') || 'its root'})`);
  };
}

function mergeComponents(...parts: Record<string, JsonSchema>[]): Record<string, JsonSchema> {
  const merged: Record<string, JsonSchema> = {};
  for (const part of parts) {
    for (const [id, schema] of Object.entries(part)) {
      if (id in merged && JSON.stringify(merged[id]) !== JSON.stringify(schema)) {
        throw new Error(`component ${id} differs between requests and responses: name each direction apart`);
      }
      merged[id] = schema;
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

const ref = (name: string) => ({ $ref: `${SCHEMAS}${name}` });

const PARAMETERS: Record<string, JsonSchema> = {
  provider: {
    name: 'provider',
    in: 'path',
    required: true,
    description: 'The provider that holds the purchase order',
    schema: { type: 'string', enum: [...PROVIDERS] },
  },
  name: {
    name: 'name',
    in: 'path',
    required: true,
    description: "The PO's name, percent-encoded: a name may contain `/` (`PO/1` is `PO%2F1`)",
    schema: { type: 'string', minLength: 1 },
  },
  Prefer: {
    name: 'Prefer',
    in: 'header',
    required: false,
    description:
      'How long to wait for the outcome: `wait=N` seconds (RFC 7240; 1 to 60, else the default of the ' +
      "command line's --wait). When it does not come in time: 202 with where the request stands and a " +
      '`Location` to follow the PO',
    schema: { type: 'string', examples: ['wait=30'] },
  },
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Any unique text (a UUID, say): the same key with the same request within a day answers as the ' +
      'first time and does nothing again; with another request, 422',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
};

/**
 * A route's query parameters: what each means from the route table, its type from the zod schema
 * the server checks them by (ListPurchaseOrdersQuery); the two must name the same parameters.
 */
function queryParameters(route: ApiRoute): JsonSchema[] {
  if (route.query === undefined) return [];
  const query = z.toJSONSchema(ListPurchaseOrdersQuery, { target: 'draft-2020-12', io: 'input' }) as {
    properties: Record<string, JsonSchema>;
  };
  const named = Object.keys(route.query).sort().join(', ');
  const typed = Object.keys(query.properties).sort().join(', ');
  if (named !== typed) {
    throw new Error(`${route.operationId}: the route's query (${named}) and its schema's (${typed}) differ`);
  }
  return Object.entries(route.query).map(([name, description]) => ({
    name,
    in: 'query',
    required: false,
    description,
    schema: query.properties[name],
  }));
}

/** The response headers, by name. */
const HEADERS: Record<string, JsonSchema> = {
  Location: {
    description: "The PO's URL: `/v1/purchase-orders/{provider}/{name}`",
    schema: { type: 'string' },
  },
  'Content-Location': {
    description: "The PO's URL, when the answer is a PO that was there already",
    schema: { type: 'string' },
  },
  'Preference-Applied': { description: 'The wait honoured, e.g. `wait=30`', schema: { type: 'string' } },
  'Idempotent-Replayed': {
    description: '`true`: the answer given before to this `Idempotency-Key`; nothing was done again',
    schema: { type: 'string', enum: ['true'] },
  },
  'Retry-After': { description: 'Seconds to wait before asking again', schema: { type: 'integer' } },
};

const SECURITY_SCHEMES: Record<string, JsonSchema> = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A token of `POFLOW_API_TOKENS` (`name:token[:read],...`) or of the generated `.data/api-tokens`; ' +
      'a `:read` token only reads',
  },
};

/** What each status means, for any route. */
const STATUS_TEXT: Record<number, string> = {
  200: 'The purchase order',
  201: 'Started: the purchase order as it stands',
  202: 'Accepted, still under way when the wait ran out: where it stands (`Location` to follow the PO)',
  400: 'Bad request: malformed JSON, a bad parameter or page token, a field refused',
  401: 'No token, or an unknown one',
  403: 'A read token may not write',
  404: 'No such purchase order',
  409: "Refused by the purchase order's rules or the provider (the reason in `detail`)",
  413: 'The body is too large',
  422: 'Refused for its fields (each in `errors`)',
  429: 'Too many requests for this token (see `Retry-After`)',
};

/** Statuses whose meaning depends on the route. */
const ROUTE_STATUS_TEXT: Record<string, Record<number, string>> = {
  createPurchaseOrder: {
    200: 'Already followed with the same body: the purchase order',
    409: 'Already followed with a different body (amend it instead)',
  },
  adoptPurchaseOrder: { 200: 'Already followed: the purchase order', 201: 'Adopted: the purchase order' },
  listPurchaseOrders: { 200: 'A page of purchase orders' },
  batchCreatePurchaseOrders: { 200: 'A result for each purchase order' },
  getPurchaseOrder: { 200: 'The purchase order: its state and history' },
};

/** The headers a response may carry: where the PO is, the wait honoured, a replayed answer. */
function responseHeaders(route: ApiRoute, code: number): JsonSchema | undefined {
  const names: string[] = [];
  const onePo = route.responses[code] === 'PurchaseOrder' || route.responses[code] === 'RequestInProgress';
  if (onePo && (code === 201 || code === 202)) names.push('Location');
  if (onePo && code === 200 && route.write) names.push('Content-Location');
  if (route.write && route.responses[UPDATE_STATUS] === 'RequestInProgress' && code < 300) {
    names.push('Preference-Applied');
  }
  if (route.write && code < 500) names.push('Idempotent-Replayed');
  if (code === 429) names.push('Retry-After');
  if (names.length === 0) return undefined;
  // Inline, each `required` or not (a generated client reads `required` only on an inline header).
  return Object.fromEntries(
    names.map((name) => [
      name,
      { ...HEADERS[name], required: name === 'Location' || name === 'Retry-After' },
    ]),
  );
}

/** The status by which an update of one PO is known: it can answer "still under way". */
const UPDATE_STATUS = 202;

function operation(route: ApiRoute): JsonSchema {
  const onPo = route.path.includes('{provider}');
  const parameters: JsonSchema[] = [
    ...(onPo ? [{ $ref: '#/components/parameters/provider' }, { $ref: '#/components/parameters/name' }] : []),
    ...queryParameters(route),
    ...(route.write
      ? [{ $ref: '#/components/parameters/Prefer' }, { $ref: '#/components/parameters/Idempotency-Key' }]
      : []),
  ];
  const responses: Record<string, JsonSchema> = {};
  for (const [status, schema] of Object.entries(route.responses).sort(([a], [b]) => Number(a) - Number(b))) {
    const code = Number(status);
    const description = ROUTE_STATUS_TEXT[route.operationId]?.[code] ?? STATUS_TEXT[code];
    if (description === undefined) throw new Error(`${route.operationId}: no description for status ${code}`);
    const headers = responseHeaders(route, code);
    responses[status] = {
      description,
      ...(headers ? { headers } : {}),
      content: { [schema === 'Problem' ? PROBLEM_JSON : 'application/json']: { schema: ref(schema) } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.path.startsWith('/v1/adoptions') ? 'adoptions' : 'purchase-orders'],
    ...(parameters.length ? { parameters } : {}),
    ...(route.requestBody
      ? {
          requestBody: {
            required:
              route.operationId !== 'closePurchaseOrder' && route.operationId !== 'cancelPurchaseOrder',
            content: { 'application/json': { schema: ref(route.requestBody) } },
          },
        }
      : {}),
    responses,
  };
}
