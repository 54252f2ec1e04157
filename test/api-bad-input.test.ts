/**
 * The ERP API refusing what it must: missing and wrong fields, bodies too large, bad JSON, an
 * unknown provider, no token, a bad token, a read token writing, too many requests, a bad page
 * token, an Idempotency-Key used again. Each is its 4xx problem document naming the reason (never
 * a 500), and nothing is started for it: no workflow, no PO at the provider.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { call as sandboxCall } from './support/sandbox-api';
import { samplePurchaseOrder } from './support/purchase-orders';
import { stackPerFile, type Json } from './support/stack';
import { apiPerFile, poPath, READ_TOKEN, type ApiResponse } from './support/api-server';

const suite = stackPerFile();
const api = apiPerFile(suite);
/** The same stack behind a server that takes one request a second per token. */
const limited = apiPerFile(suite, { rateLimit: 1 });
const today = Date.now();

const submit = (body: unknown, options: { headers?: Record<string, string>; token?: string | null } = {}) =>
  api.call('POST', '/v1/purchase-orders', { body, ...options });

/** A problem document: its status, content type and `type`, and the fields it names. */
function expectProblem(response: ApiResponse, status: number, detail: RegExp, errors?: Json[]): void {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    type: expect.stringMatching(/^urn:poflow:problem:/),
    status,
    title: expect.any(String),
  });
  expect(response.status).toBe(status);
  expect(response.body.detail).toMatch(detail);
  if (errors) expect(response.body.errors).toEqual(errors);
}

/** Nothing of this PO anywhere: no workflow at either provider, no PO at the sandbox's Flexport. */
async function expectNothingStarted(name: string): Promise<void> {
  for (const provider of ['flexport', 'flxpoint']) {
    const described = suite.stack.client.workflow.getHandle(`po/${provider}/${name}`).describe();
    await expect(described).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }
  const listed = await sandboxCall(
    suite.stack.sandbox,
    'GET',
    `/purchase_orders?f.name=${encodeURIComponent(name)}`,
  );
  expect(listed.body.data.total_count).toBe(0);
}

test('missing and wrong fields: 422 naming each field in the CLI words', async () => {
  const po = samplePurchaseOrder('API-BAD-1', today) as Json;
  po.incoterm = 'FOO';
  po.line_items[1].units = 'many';
  po.colour = 'blue';
  const wrong = await submit({ purchaseOrder: po });
  expectProblem(wrong, 422, /not a valid purchase order for flexport/, [
    { path: 'purchaseOrder.incoterm', message: expect.stringMatching(/^"FOO" is an Invalid incoterm/) },
    { path: 'purchaseOrder.line_items[1].units', message: 'units must be a whole number' },
    { path: 'purchaseOrder.colour', message: 'is not a known field' },
  ]);

  const missing = await submit({ purchaseOrder: { name: 'API-BAD-2' } });
  expectProblem(missing, 422, /not a valid purchase order/);
  expect(missing.body.errors).toEqual(
    expect.arrayContaining([{ path: 'purchaseOrder.line_items', message: expect.any(String) }]),
  );
  const none = await submit({ settings: { autoClose: 'off' } });
  expectProblem(none, 422, /not a valid purchase order request/, [
    { path: 'purchaseOrder', message: 'is required' },
  ]);
  const unknown = await submit({ purchaseOrder: samplePurchaseOrder('API-BAD-3', today), priority: 'high' });
  expectProblem(unknown, 422, /"priority" not known/, [
    { path: 'priority', message: 'is not a known field' },
  ]);
  const settings = await submit({
    purchaseOrder: samplePurchaseOrder('API-BAD-4', today),
    settings: { autoClose: 'soon', colour: 1 },
  });
  expectProblem(settings, 422, /not a valid purchase order for flexport/);
  expect(settings.body.errors.map((e: Json) => e.path).sort()).toEqual([
    'settings.autoClose',
    'settings.colour',
  ]);
  const notObject = await submit([1, 2]);
  expectProblem(notObject, 422, /expected a JSON object/);

  const booking = await api.call('POST', poPath('flexport', 'API-BAD-1', '/bookings'), {
    body: { lines: [{ item_key: 'A', units: 0 }] },
  });
  expectProblem(booking, 422, /not a valid booking/);
  expect(booking.body.errors[0].path).toMatch(/^lines\[0\]\.units$/);
  const cancel = await api.call('POST', poPath('flexport', 'API-BAD-1', '/cancel'), { body: { reason: 42 } });
  expectProblem(cancel, 422, /not a valid cancel request/, [{ path: 'reason', message: expect.any(String) }]);
  const amend = await api.call('PUT', poPath('flexport', 'API-BAD-1'), { body: { po: {} } });
  expectProblem(amend, 422, /not a valid amendment/, [{ path: 'po', message: 'is not a known field' }]);
  // An update of a PO poflow does not follow: 404.
  const absent = await api.call('POST', poPath('flexport', 'API-NOBODY', '/cancel'), { body: {} });
  expectProblem(absent, 404, /no purchase order "API-NOBODY" at flexport/);
  const read = await api.call('GET', poPath('flexport', 'API-NOBODY'));
  expectProblem(read, 404, /no purchase order "API-NOBODY" at flexport/);

  for (const name of ['API-BAD-1', 'API-BAD-2', 'API-BAD-3', 'API-BAD-4', 'API-NOBODY'])
    await expectNothingStarted(name);
});

test('huge bodies, bad JSON, another content type, an unknown provider: 4xx problems', async () => {
  // Over the PO limit (256 KB of JSON) but under the request's: the CLI's message, 413.
  const big = samplePurchaseOrder('API-BIG-1', today, { memo: 'x'.repeat(270 * 1024) });
  expectProblem(await submit({ purchaseOrder: big }), 413, /too large/, [
    {
      path: 'purchaseOrder',
      message: expect.stringMatching(/^the purchase order is \d+ KB of JSON; at most 256 KB/),
    },
  ]);
  // Over the request's limit: refused while reading it.
  const huge = samplePurchaseOrder('API-BIG-2', today, { memo: 'x'.repeat(2 * 1024 * 1024) });
  expectProblem(await submit({ purchaseOrder: huge }), 413, /too large/);
  const amendHuge = await api.call('PUT', poPath('flexport', 'API-BIG-1'), { body: { purchaseOrder: big } });
  expectProblem(amendHuge, 413, /too large/);

  const badJson = await api.call('POST', '/v1/purchase-orders', { raw: '{"purchaseOrder": {' });
  expectProblem(badJson, 400, /not valid JSON/);
  const proto = await api.call('POST', '/v1/purchase-orders', { raw: '{"__proto__": {"admin": true}}' });
  expectProblem(proto, 400, /__proto__/);
  const text = await api.call('POST', '/v1/purchase-orders', {
    raw: 'name=PO',
    headers: { 'content-type': 'text/plain' },
  });
  expectProblem(text, 415, /must be JSON/);

  const provider = await submit({ provider: 'dhl', purchaseOrder: samplePurchaseOrder('API-DHL-1', today) });
  expectProblem(provider, 422, /not a valid purchase order request/, [
    { path: 'provider', message: '"dhl" is not a provider; expected one of flexport, flxpoint' },
  ]);
  const inPath = await api.call('GET', poPath('dhl', 'API-DHL-1'));
  expectProblem(inPath, 404, /provider: "dhl" is not a provider/);
  const disagree = await submit({
    provider: 'flexport',
    purchaseOrder: samplePurchaseOrder('API-DHL-2', today),
    settings: { provider: 'flxpoint' },
  });
  expectProblem(disagree, 422, /not a valid purchase order request/, [
    { path: 'settings.provider', message: "must be the request's provider, flexport" },
  ]);
  const method = await api.call('DELETE', poPath('flexport', 'API-DHL-1'));
  expectProblem(method, 405, /DELETE is not a method/);
  expect(method.headers.get('allow')).toBe('GET, PUT, HEAD');

  for (const name of ['API-BIG-1', 'API-BIG-2', 'API-DHL-1', 'API-DHL-2']) await expectNothingStarted(name);
});

test('no token, a bad token: 401; a read token writing: 403; too many requests: 429', async () => {
  const po = { purchaseOrder: samplePurchaseOrder('API-AUTH-1', today) };
  const none = await submit(po, { token: null });
  expectProblem(none, 401, /no bearer token/);
  expect(none.headers.get('www-authenticate')).toBe('Bearer realm="poflow"');
  const bad = await submit(po, { token: 'not-a-token-of-this-server' });
  expectProblem(bad, 401, /not one of POFLOW_API_TOKENS/);
  expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer realm="poflow", error="invalid_token"$/);
  const basic = await submit(po, { token: null, headers: { authorization: 'Basic ZXJwOnNlY3JldA==' } });
  expectProblem(basic, 401, /not one of POFLOW_API_TOKENS/);
  const reader = await submit(po, { token: READ_TOKEN });
  expectProblem(reader, 403, /the token bi may only read/);
  const reads = await api.call('GET', '/v1/purchase-orders?pageSize=1', { token: READ_TOKEN });
  expect(reads.status).toBe(200);

  // One request a second: of five at once, at most two fit (the window may turn once meanwhile).
  const burst = await Promise.all(
    Array.from({ length: 5 }, () => limited.call('GET', '/v1/purchase-orders?pageSize=1')),
  );
  const refused = burst.filter((response) => response.status === 429);
  expect(refused.length).toBeGreaterThanOrEqual(3);
  expectProblem(refused[0]!, 429, /more than 1 requests a second with this token \(POFLOW_API_RATE_LIMIT\)/);
  expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  // Another token has its own budget.
  const other = await limited.call('GET', '/v1/purchase-orders?pageSize=1', { token: READ_TOKEN });
  expect(other.status).toBe(200);

  await expectNothingStarted('API-AUTH-1');
});

test('bad list parameters and page tokens: 400 naming the parameter', async () => {
  const cases: Array<[string, string, RegExp]> = [
    ['pageToken=not*base64', 'pageToken', /not a page token/],
    ['pageToken=AAAA', 'pageToken', /not a page token/],
    ['pageSize=0', 'pageSize', /from 1 to 1000/],
    ['pageSize=many', 'pageSize', /from 1 to 1000/],
    ['status=lost', 'status', /"lost" is not a status/],
    ['provider=dhl', 'provider', /"dhl" is not a provider/],
    ['late=maybe', 'late', /true or false/],
    ['colour=red', 'colour', /not a parameter of this list/],
  ];
  for (const [query, parameter, detail] of cases) {
    const response = await api.call('GET', `/v1/purchase-orders?${query}`);
    expectProblem(response, 400, detail, [{ path: parameter, message: expect.any(String) }]);
  }
  // A token of one list, used with other filters.
  await submit({ purchaseOrder: samplePurchaseOrder('API-PAGE-1', today) });
  await submit({ purchaseOrder: samplePurchaseOrder('API-PAGE-2', today) });
  let first: ApiResponse;
  const deadline = Date.now() + 30_000;
  do {
    first = await api.call('GET', '/v1/purchase-orders?pageSize=1&provider=flexport');
    if (Date.now() > deadline) throw new Error('visibility never listed two POs');
  } while (!first.body.nextPageToken);
  const elsewhere = await api.call(
    'GET',
    `/v1/purchase-orders?pageSize=1&provider=flxpoint&pageToken=${first.body.nextPageToken}`,
  );
  expectProblem(elsewhere, 400, /belongs to a list with other filters/);
});

test('Idempotency-Key: the same request is answered again, nothing done again; another is 422', async () => {
  const key = { 'idempotency-key': 'erp-order-7781-submit' };
  const po = { purchaseOrder: samplePurchaseOrder('API-IDEM-1', today) };
  const first = await submit(po, { headers: key });
  expect(first.status).toBe(201);
  // Keys in another order are the same request.
  const reordered = JSON.parse(JSON.stringify({ purchaseOrder: { ...po.purchaseOrder } }));
  const again = await submit(Object.fromEntries(Object.entries(reordered).reverse()), { headers: key });
  expect(again.status).toBe(201);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.headers.get('location')).toBe(first.headers.get('location'));
  expect(again.body).toEqual(first.body);

  const other = await submit({ purchaseOrder: samplePurchaseOrder('API-IDEM-2', today) }, { headers: key });
  expectProblem(other, 422, /Idempotency-Key "erp-order-7781-submit" was used for another request/, [
    { path: 'Idempotency-Key', message: 'already used for a different request' },
  ]);
  await expectNothingStarted('API-IDEM-2');
  const badKey = await submit(po, { headers: { 'idempotency-key': 'with space' } });
  expectProblem(badKey, 400, /Idempotency-Key: 1-255 visible ASCII characters/);

  // A refusal is an answer too: the same cancel again is the same 404, not a second try.
  const cancelKey = { 'idempotency-key': 'erp-cancel-1' };
  const refusedOnce = await api.call('POST', poPath('flexport', 'API-IDEM-9', '/cancel'), {
    body: {},
    headers: cancelKey,
  });
  const refusedTwice = await api.call('POST', poPath('flexport', 'API-IDEM-9', '/cancel'), {
    body: {},
    headers: cancelKey,
  });
  expectProblem(refusedOnce, 404, /no purchase order/);
  expect([refusedTwice.status, refusedTwice.headers.get('idempotent-replayed')]).toEqual([404, 'true']);
  // Reads ignore the key.
  const read = await api.call('GET', first.headers.get('location')!, { headers: key });
  expect([read.status, read.headers.get('idempotent-replayed')]).toEqual([200, null]);

  const listed = await sandboxCall(suite.stack.sandbox, 'GET', '/purchase_orders?f.name=API-IDEM-1');
  expect(listed.body.data.total_count).toBe(1);
});
