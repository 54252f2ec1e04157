/**
 * The ERP API as an integrator meets it: a client generated from the committed document
 * (openapi-typescript's types in test/support/api-types.ts, openapi-fetch) drives the real server
 * on the embedded stack (dev server, sandbox, webhook receiver, both workers). Every response the
 * suite receives is checked against docs/openapi.json with Ajv, every object closed
 * (`additionalProperties: false`), so a field added or dropped on either side fails here; and its
 * status must be one the document declares for the operation, with the declared media type.
 *
 * Submit, read, amend, book, close, cancel (with a reason, and one still under way when the wait
 * runs out), list a page at a time, a batch, an adoption, a Flxpoint PO, idempotency keys, and bad
 * input of every kind, each answered with its problem document.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import createClient, { type Client as ApiClient, type Middleware } from 'openapi-fetch';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../client/api/server';
import type { ApiToken } from '../worker/config';
import { madeAtProvider } from './support/adoption';
import type { components, paths } from './support/api-types';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';
import { documentValidators } from './support/openapi-validator';
import { until } from './support/po-harness';
import { dayAfter, samplePurchaseOrder, type PurchaseOrderInput } from './support/purchase-orders';
import { stackPerFile } from './support/stack';

type Schemas = components['schemas'];
type View = Schemas['PurchaseOrder'];
type Problem = Schemas['Problem'];

const DOCUMENT = JSON.parse(readFileSync(path.join(__dirname, '..', 'docs/openapi.json'), 'utf8'));
const validators = documentValidators(DOCUMENT);
const TOKENS: ApiToken[] = [
  { name: 'erp', token: 'erp-secret-token', access: 'write' },
  { name: 'auditor', token: 'auditor-secret-token', access: 'read' },
];

/** `${METHOD} ${path}` -> operationId, from the document. */
const OPERATIONS = new Map<string, string>();
for (const [route, item] of Object.entries(
  DOCUMENT.paths as Record<string, Record<string, { operationId: string }>>,
)) {
  for (const [method, operation] of Object.entries(item)) {
    OPERATIONS.set(`${method.toUpperCase()} ${route}`, operation.operationId);
  }
}

/** Every (operation, status) whose body was checked against the document. */
const checked = new Set<string>();

/**
 * Checks each response against the document before the test sees it: a status the operation does
 * not declare, another media type, or a body its schema (closed) refuses fails the request.
 */
const againstTheDocument: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const operationId = OPERATIONS.get(`${request.method} ${schemaPath}`);
    if (!operationId) throw new Error(`${request.method} ${schemaPath} is not in docs/openapi.json`);
    const text = await response.clone().text();
    const declared = validators.response(operationId, response.status);
    if (!declared) {
      throw new Error(`${operationId} answered ${response.status}, not declared in the document: ${text}`);
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith(declared.mediaType)) {
      throw new Error(`${operationId} ${response.status}: ${type}, the document says ${declared.mediaType}`);
    }
    const body: unknown = JSON.parse(text);
    if (!declared.validate(body)) {
      const errors = JSON.stringify(declared.validate.errors, null, 1);
      throw new Error(`${operationId} ${response.status} does not match the document: ${errors}\n${text}`);
    }
    if ([201, 202].includes(response.status) && !response.headers.get('location')) {
      throw new Error(`${operationId} ${response.status} without Location`);
    }
    checked.add(`${operationId} ${response.status}`);
  },
};

const suite = stackPerFile();
let app: FastifyInstance;
let base: string;
/** The ERP's write token, the auditor's read token, and no token at all. */
let erp: ApiClient<paths>;
let auditor: ApiClient<paths>;
let anonymous: ApiClient<paths>;

function clientOf(url: string, token?: string): ApiClient<paths> {
  const client = createClient<paths>({
    baseUrl: url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  client.use(againstTheDocument);
  return client;
}

beforeAll(async () => {
  const { sandbox, client } = suite.stack;
  const provider = { apiToken: 'sandbox', embedded: true, apiTokenSet: false };
  app = createApiServer({
    client,
    providers: {
      flexport: { ...provider, baseUrl: sandbox.url },
      flxpoint: { ...provider, baseUrl: `${sandbox.url}/flxpoint` },
    },
    tokens: TOKENS,
    rateLimit: 1000,
    logger: pino({ level: 'silent' }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  erp = clientOf(base, TOKENS[0]!.token);
  auditor = clientOf(base, TOKENS[1]!.token);
  anonymous = clientOf(base);
}, 60_000);

afterAll(() => app?.close());

const today = Date.now();
const flexportPath = (name: string) => ({ params: { path: { provider: 'flexport' as const, name } } });
const handleOf = (provider: string, name: string) =>
  suite.stack.client.workflow.getHandle(`po/${provider}/${name}`);
/** The PO's state through the workflow's own query, until `ready` holds (no fixed sleeps). */
const untilState = (provider: string, name: string, ready: (state: View) => boolean) =>
  until<View>(handleOf(provider, name), ready, 60_000);

/**
 * The suites' sample PO as the generated type has it (zod's input type is looser in places: a
 * freight payment term is any text there, one of two here).
 */
const samplePo = (name: string, overrides: Partial<PurchaseOrderInput> = {}) =>
  samplePurchaseOrder(name, today, overrides) as Schemas['FlexportPurchaseOrder'];

/** The PO an answer carries (an update's 202 carries where the request stands instead). */
function viewOf(data: View | Schemas['RequestInProgress'] | undefined): View {
  if (data === undefined || 'outcome' in data) throw new Error(`expected a PO, got ${JSON.stringify(data)}`);
  return data;
}

/** A view of Flexport's shape (the union narrowed by its discriminator). */
function flexport(
  data: View | Schemas['RequestInProgress'] | undefined,
): Schemas['FlexportPurchaseOrderView'] {
  const view = viewOf(data);
  if (view.provider !== 'flexport') throw new Error(`expected a Flexport PO, got ${JSON.stringify(view)}`);
  return view;
}

/** Whether a PO has no workflow: a refused request started nothing. */
async function notStarted(provider: string, name: string): Promise<boolean> {
  try {
    await handleOf(provider, name).describe();
    return false;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return true;
    throw err;
  }
}

async function setSandboxLatency(latencyMs: number): Promise<void> {
  const response = await fetch(`${suite.stack.sandbox.url}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs }),
  });
  if (!response.ok) throw new Error(`sandbox faults: ${response.status}`);
}

test('submit, read until open, submit again (same body: 200; another: 409), amend, book, close', async () => {
  const name = 'API-1';
  const body = { purchaseOrder: samplePo(name) };
  const created = await erp.POST('/v1/purchase-orders', { body });
  expect(created.response.status).toBe(201);
  expect(created.response.headers.get('location')).toBe('/v1/purchase-orders/flexport/API-1');
  expect(created.data).toMatchObject({ provider: 'flexport', name, workflowId: 'po/flexport/API-1' });

  await untilState('flexport', name, (state) => state.status === 'open');
  const read = await auditor.GET('/v1/purchase-orders/{provider}/{name}', flexportPath(name));
  expect(read.response.status).toBe(200);
  expect(flexport(read.data)).toMatchObject({ status: 'open', lines: [{ itemKey: 'A' }, { itemKey: 'B' }] });

  const again = await erp.POST('/v1/purchase-orders', { body });
  expect(again.response.status).toBe(200);
  expect(again.data?.name).toBe(name);
  const other = await erp.POST('/v1/purchase-orders', {
    body: { purchaseOrder: samplePo(name, { memo: 'another body' }) },
  });
  expect(other.response.status).toBe(409);
  expect(other.error).toMatchObject({ status: 409, detail: expect.stringMatching(/different body/) });

  const later = dayAfter(today, 60);
  const amended = await erp.PUT('/v1/purchase-orders/{provider}/{name}', {
    ...flexportPath(name),
    body: { purchaseOrder: samplePo(name, { must_arrive_date: later }) },
  });
  expect(amended.response.status).toBe(200);
  expect(flexport(amended.data).po.must_arrive_date).toBe(later);

  const booked = await erp.POST('/v1/purchase-orders/{provider}/{name}/bookings', {
    ...flexportPath(name),
    body: { name: 'API-1-B1', lines: [{ item_key: 'A', units: 100 }] },
  });
  expect(booked.response.status).toBe(200);
  expect(flexport(booked.data)).toMatchObject({
    status: 'booked',
    lines: [
      { itemKey: 'A', bookedUnits: 100, booking: 'partial' },
      { itemKey: 'B', bookedUnits: 0, booking: 'unbooked' },
    ],
  });

  // The PO's rules refuse a cancel once booked: 409 with the workflow's reason.
  const cancel = await erp.POST('/v1/purchase-orders/{provider}/{name}/cancel', {
    ...flexportPath(name),
    body: { reason: 'too late' },
  });
  expect(cancel.response.status).toBe(409);
  expect(cancel.error?.detail).toMatch(/may not be cancelled since it has an active booking/);

  const closed = await erp.POST('/v1/purchase-orders/{provider}/{name}/close', flexportPath(name));
  expect(closed.response.status).toBe(200);
  expect(viewOf(closed.data).status).toBe('closed');
  // Closing again took effect already: the PO as it is.
  const closedAgain = await erp.POST('/v1/purchase-orders/{provider}/{name}/close', {
    ...flexportPath(name),
    body: {},
  });
  expect(closedAgain.response.status).toBe(200);
  expect(viewOf(closedAgain.data).status).toBe('closed');
}, 180_000);

test('cancel with a reason; a cancel still under way when the wait runs out answers 202', async () => {
  const [quick, slow] = ['API-2', 'API-3'];
  for (const name of [quick, slow]) {
    const created = await erp.POST('/v1/purchase-orders', {
      body: { purchaseOrder: samplePo(name) },
    });
    expect(created.response.status).toBe(201);
  }
  await Promise.all([quick, slow].map((name) => untilState('flexport', name, (s) => s.status === 'open')));

  const reason = 'samples no longer needed';
  const cancelled = await erp.POST('/v1/purchase-orders/{provider}/{name}/cancel', {
    ...flexportPath(quick),
    body: { reason },
  });
  expect(cancelled.response.status).toBe(200);
  expect(viewOf(cancelled.data).status).toBe('cancelled');
  expect(viewOf(cancelled.data).history.some((entry) => entry.cause.includes(reason))).toBe(true);

  // The provider answers slowly: the cancel is accepted and still under way after a second.
  await setSandboxLatency(3000);
  try {
    const pending = await erp.POST('/v1/purchase-orders/{provider}/{name}/cancel', {
      ...flexportPath(slow),
      params: { ...flexportPath(slow).params, header: { Prefer: 'wait=1' } },
      body: {},
    });
    expect(pending.response.status).toBe(202);
    expect(pending.response.headers.get('location')).toBe('/v1/purchase-orders/flexport/API-3');
    expect(pending.response.headers.get('preference-applied')).toBe('wait=1');
    expect(pending.data).toMatchObject({
      name: slow,
      provider: 'flexport',
      request: 'cancel',
      outcome: 'in_progress',
      location: '/v1/purchase-orders/flexport/API-3',
    });
  } finally {
    await setSandboxLatency(0);
  }
  await untilState('flexport', slow, (state) => state.status === 'cancelled');
  const read = await erp.GET('/v1/purchase-orders/{provider}/{name}', flexportPath(slow));
  expect(read.data?.status).toBe('cancelled');
}, 180_000);

test('a Flxpoint PO: submitted, read and cancelled through the same API', async () => {
  const name = 'API-FLX-1';
  const created = await erp.POST('/v1/purchase-orders', {
    body: { provider: 'flxpoint', purchaseOrder: sampleFlxpointPurchaseOrder(name) },
  });
  expect(created.response.status).toBe(201);
  expect(created.response.headers.get('location')).toBe('/v1/purchase-orders/flxpoint/API-FLX-1');
  await untilState('flxpoint', name, (state) => state.status === 'open');
  const read = await erp.GET('/v1/purchase-orders/{provider}/{name}', {
    params: { path: { provider: 'flxpoint', name } },
  });
  expect(read.data).toMatchObject({
    provider: 'flxpoint',
    name,
    status: 'open',
    providerId: expect.any(Number),
  });
  const booking = await erp.POST('/v1/purchase-orders/{provider}/{name}/bookings', {
    params: { path: { provider: 'flxpoint', name } },
    body: {},
  });
  expect(booking.response.status).toBe(409);
  expect(booking.error?.detail).toMatch(/^book refused: Flxpoint has no bookings/);
  const cancelled = await erp.POST('/v1/purchase-orders/{provider}/{name}/cancel', {
    params: { path: { provider: 'flxpoint', name } },
    body: { reason: 'ordered twice' },
  });
  expect(cancelled.response.status).toBe(200);
  expect(cancelled.data?.status).toBe('cancelled');
}, 180_000);

test('a name with a slash, percent-encoded in the path', async () => {
  const name = 'API/4';
  const created = await erp.POST('/v1/purchase-orders', {
    body: { purchaseOrder: samplePo(name) },
  });
  expect(created.response.status).toBe(201);
  expect(created.response.headers.get('location')).toBe('/v1/purchase-orders/flexport/API%2F4');
  const read = await erp.GET('/v1/purchase-orders/{provider}/{name}', flexportPath(name));
  expect(read.response.status).toBe(200);
  expect(read.data?.name).toBe(name);
});

test('list: by name at any provider, and every PO a page at a time with page tokens', async () => {
  // The earlier tests' POs (API-1, API-2, API-3, API/4, API-FLX-1): visibility settles first.
  const expected = ['API-1', 'API-2', 'API-3', 'API/4'];
  const count = async (query: string) =>
    (await suite.stack.client.workflow.count(`PoProvider = "flexport" AND ${query}`)).count;
  const settled = async () =>
    (await count('PoStatus != "submitting"')) === expected.length &&
    (await count('PoStatus IN ("closed", "cancelled")')) === 3;
  for (const deadline = Date.now() + 30_000; !(await settled());) {
    if (Date.now() > deadline) throw new Error('visibility never listed the POs as they are');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const byName = await auditor.GET('/v1/purchase-orders', { params: { query: { name: 'API-FLX-1' } } });
  expect(byName.response.status).toBe(200);
  expect(byName.data?.purchaseOrders).toEqual([
    expect.objectContaining({ name: 'API-FLX-1', provider: 'flxpoint', workflowId: 'po/flxpoint/API-FLX-1' }),
  ]);

  const names: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page = await auditor.GET('/v1/purchase-orders', {
      params: { query: { provider: 'flexport', pageSize: '3', ...(pageToken ? { pageToken } : {}) } },
    });
    expect(page.response.status).toBe(200);
    expect(page.data!.purchaseOrders.length).toBeLessThanOrEqual(3);
    names.push(...page.data!.purchaseOrders.map((po) => po.name));
    pageToken = page.data!.nextPageToken;
    pages += 1;
  } while (pageToken !== undefined && pages < 10);
  expect(pages).toBeGreaterThanOrEqual(2);
  expect(names.sort()).toEqual(expected.sort());

  const statuses = await auditor.GET('/v1/purchase-orders', {
    params: { query: { status: 'closed,cancelled', provider: 'flexport' } },
  });
  expect(statuses.data!.purchaseOrders.map((po) => po.name).sort()).toEqual(['API-1', 'API-2', 'API-3']);
}, 120_000);

test('a batch: a result per PO (started, already followed, refused with its fields), nothing half-done', async () => {
  const result = await erp.POST('/v1/purchase-orders:batch', {
    body: {
      purchaseOrders: [
        { purchaseOrder: samplePo('API-B1') },
        { purchaseOrder: samplePo('API-1') },
        { purchaseOrder: { ...samplePo('API-B2'), incoterm: 'FOO' as 'FOB' } },
        { provider: 'flxpoint', purchaseOrder: sampleFlxpointPurchaseOrder('API-B3') },
      ],
    },
  });
  expect(result.response.status).toBe(200);
  expect(result.data?.results).toEqual([
    expect.objectContaining({ index: 0, name: 'API-B1', outcome: 'started', location: expect.any(String) }),
    expect.objectContaining({ index: 1, name: 'API-1', outcome: 'already_followed' }),
    expect.objectContaining({
      index: 2,
      name: 'API-B2',
      outcome: 'refused',
      errors: [
        { path: 'purchaseOrder.incoterm', message: expect.stringMatching(/^"FOO" is an Invalid incoterm/) },
      ],
    }),
    expect.objectContaining({ index: 3, name: 'API-B3', provider: 'flxpoint', outcome: 'started' }),
  ]);
  expect(await notStarted('flexport', 'API-B2')).toBe(true);
  await untilState('flexport', 'API-B1', (state) => state.status === 'open');
}, 120_000);

test('an adoption: a PO made at the provider followed from now on (201), and again (200)', async () => {
  const name = 'API-ADOPT-1';
  await madeAtProvider(suite.stack.sandbox.url, name, 'acknowledged');
  const adopted = await erp.POST('/v1/adoptions', { body: { name } });
  expect(adopted.response.status).toBe(201);
  expect(flexport(adopted.data)).toMatchObject({ name, adopted: { provider: 'flexport' } });
  const again = await erp.POST('/v1/adoptions', { body: { name } });
  expect(again.response.status).toBe(200);
  const missing = await erp.POST('/v1/adoptions', { body: { name: 'API-NOWHERE' } });
  expect(missing.response.status).toBe(422);
  expect(missing.error?.errors?.[0]?.path).toBe('name');
}, 120_000);

test('Idempotency-Key: the same request again is answered as the first time; another request is refused', async () => {
  const body = { purchaseOrder: samplePo('API-IDEM') };
  const params = { header: { 'Idempotency-Key': 'erp-batch-7-line-1' } };
  const first = await erp.POST('/v1/purchase-orders', { params, body });
  expect(first.response.status).toBe(201);
  const replayed = await erp.POST('/v1/purchase-orders', { params, body });
  expect(replayed.response.status).toBe(201);
  expect(replayed.response.headers.get('idempotent-replayed')).toBe('true');
  const reused = await erp.POST('/v1/purchase-orders', {
    params,
    body: { purchaseOrder: samplePo('API-IDEM-2') },
  });
  expect(reused.response.status).toBe(422);
  expect(await notStarted('flexport', 'API-IDEM-2')).toBe(true);
});

test('bad input: each gets its problem document naming the reason, and nothing starts', async () => {
  const problem = (error: unknown) => error as Problem;
  const expectProblem = (answer: { response: Response; error?: unknown }, status: number, detail: RegExp) => {
    expect(answer.response.status).toBe(status);
    expect(answer.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problem(answer.error)).toMatchObject({ status, detail: expect.stringMatching(detail) });
  };

  // Wrong and missing fields: every one named, by its path from the top of the request.
  const bad = {
    ...samplePo('API-BAD'),
    incoterm: 'FOO',
    colour: 'blue',
  } as unknown as Schemas['FlexportPurchaseOrder'];
  const fields = await erp.POST('/v1/purchase-orders', { body: { purchaseOrder: bad } });
  expectProblem(fields, 422, /not a valid purchase order for flexport/);
  expect(problem(fields.error).errors).toEqual([
    { path: 'purchaseOrder.incoterm', message: expect.stringMatching(/^"FOO" is an Invalid incoterm/) },
    { path: 'purchaseOrder.colour', message: 'is not a known field' },
  ]);
  const missing = await erp.POST('/v1/purchase-orders', {
    body: {} as Schemas['CreatePurchaseOrderRequest'],
  });
  expectProblem(missing, 422, /not a valid purchase order request/);
  expect(problem(missing.error).errors).toEqual([{ path: 'purchaseOrder', message: 'is required' }]);

  // Not JSON at all; a PO over its size limit.
  const notJson = await erp.POST('/v1/purchase-orders', {
    body: { purchaseOrder: samplePo('API-BAD') },
    bodySerializer: () => '{"purchaseOrder": {',
  });
  expectProblem(notJson, 400, /not valid JSON/);
  const huge = await erp.POST('/v1/purchase-orders', {
    body: { purchaseOrder: samplePo('API-BAD', { memo: 'x'.repeat(280 * 1024) }) },
  });
  expectProblem(huge, 413, /too large/);

  // No such provider, no such PO, a bad page token, an unknown filter.
  const provider = await erp.GET('/v1/purchase-orders/{provider}/{name}', {
    params: { path: { provider: 'dhl' as 'flexport', name: 'API-1' } },
  });
  expectProblem(provider, 404, /dhl/);
  const nowhere = await erp.GET('/v1/purchase-orders/{provider}/{name}', flexportPath('API-NOWHERE'));
  expectProblem(nowhere, 404, /API-NOWHERE/);
  const token = await erp.GET('/v1/purchase-orders', { params: { query: { pageToken: 'not-a-token' } } });
  expectProblem(token, 400, /^pageToken: /);
  const filter = await erp.GET('/v1/purchase-orders', {
    params: { query: { colour: 'blue' } as { name?: string } },
  });
  expectProblem(filter, 400, /^colour: not a parameter/);
  const status = await erp.GET('/v1/purchase-orders', { params: { query: { status: 'lost' } } });
  expectProblem(status, 400, /"lost" is not a status/);

  // No token, an unknown one, a read token that writes.
  expectProblem(await anonymous.GET('/v1/purchase-orders'), 401, /no bearer token/);
  const unknown = clientOf(base, 'guessed-token');
  expectProblem(await unknown.GET('/v1/purchase-orders'), 401, /not one of POFLOW_API_TOKENS/);
  const readOnly = await auditor.POST('/v1/purchase-orders', {
    body: { purchaseOrder: samplePo('API-BAD') },
  });
  expectProblem(readOnly, 403, /may only read/);

  expect(await notStarted('flexport', 'API-BAD')).toBe(true);
}, 60_000);

test('over the rate limit: 429 with Retry-After', async () => {
  const limited = createApiServer({
    client: suite.stack.client,
    providers: {
      flexport: { baseUrl: suite.stack.sandbox.url, apiToken: 'sandbox', embedded: true, apiTokenSet: false },
      flxpoint: { baseUrl: suite.stack.sandbox.url, apiToken: 'sandbox', embedded: true, apiTokenSet: false },
    },
    tokens: TOKENS,
    rateLimit: 2,
    logger: pino({ level: 'silent' }),
  });
  await limited.listen({ port: 0, host: '127.0.0.1' });
  try {
    const client = clientOf(
      `http://127.0.0.1:${(limited.server.address() as AddressInfo).port}`,
      TOKENS[0]!.token,
    );
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.GET('/v1/purchase-orders/{provider}/{name}', flexportPath('API-1')),
      ),
    );
    const refused = answers.filter((answer) => answer.response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused[0]!.error).toMatchObject({ status: 429 });
  } finally {
    await limited.close();
  }
});

test('every operation was exercised, and every answer checked against the document', () => {
  const operations = [...OPERATIONS.values()];
  for (const operationId of operations) {
    expect({ operationId, checked: [...checked].some((key) => key.startsWith(`${operationId} `)) }).toEqual({
      operationId,
      checked: true,
    });
  }
  const statuses = new Set([...checked].map((key) => Number(key.split(' ')[1])));
  expect([...statuses].sort()).toEqual([200, 201, 202, 400, 401, 403, 404, 409, 413, 422, 429]);
});
