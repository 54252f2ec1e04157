/**
 * The ERP API end to end, as an ERP calls it over HTTP: the real server in front of the dev
 * server, the sandbox (Flexport and Flxpoint) and both workers. Submit, read until open, amend,
 * book, cancel with a reason, close; an update that outlives its wait (202); list with filters and
 * page tokens; a batch of good, duplicate and bad POs; 50 identical submits at once; a Flxpoint PO.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { registry } from '../infra/metrics';
import { call as sandboxCall } from './support/sandbox-api';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';
import { samplePurchaseOrder } from './support/purchase-orders';
import { stackPerFile, jsonOf, type Json } from './support/stack';
import { apiPerFile, poPath } from './support/api-server';

const suite = stackPerFile();
const api = apiPerFile(suite);
const today = Date.now();
const FAST_POLLING = { poll: { firstSeconds: 1, maxSeconds: 2 } };

const submit = (body: unknown, headers: Record<string, string> = {}) =>
  api.call('POST', '/v1/purchase-orders', { body, headers });

/** The POs of this name at the sandbox's Flexport. */
async function flexportPosNamed(name: string): Promise<number> {
  const listed = await sandboxCall(
    suite.stack.sandbox,
    'GET',
    `/purchase_orders?f.name=${encodeURIComponent(name)}`,
  );
  expect(listed.status).toBe(200);
  return listed.body.data.total_count;
}

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await suite.stack.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

test('submit, read until open, submit again, amend, book, close: as `status --json` shows it', async () => {
  const po = samplePurchaseOrder('API-1001', today);
  const path = poPath('flexport', 'API-1001');
  const created = await submit({ purchaseOrder: po });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(path);
  expect(created.body).toMatchObject({
    name: 'API-1001',
    provider: 'flexport',
    workflowId: 'po/flexport/API-1001',
  });
  expect(created.body.uiUrl).toContain('/workflows/po%2Fflexport%2FAPI-1001');

  const open = await api.readUntil(path, (view) => view.status === 'open');
  expect(open.history.at(-1)).toMatchObject({ to: 'open' });
  // The same document as the CLI's, field for field.
  const cli = jsonOf(await suite.poflow('status', 'API-1001', '--json'));
  const read = (await api.call('GET', path)).body;
  expect(Object.keys(read).sort()).toEqual(Object.keys(cli).sort());
  expect(read).toMatchObject({
    status: cli.status,
    history: cli.history,
    po: cli.po,
    workflowId: cli.workflowId,
  });

  // The name is the idempotency key: the same body is the PO followed, another one a conflict.
  const again = await submit({ purchaseOrder: po });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ name: 'API-1001', status: 'open' });
  const other = await submit({ purchaseOrder: { ...po, memo: 'a different PO by the same name' } });
  expect(other.status).toBe(409);
  expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(other.body.detail).toMatch(/already followed at flexport with a different body.*amend it with PUT/);

  const amended = await api.call('PUT', path, {
    body: { purchaseOrder: { ...po, memo: 'amended by the ERP' } },
  });
  expect(amended.status).toBe(200);
  expect(amended.body).toMatchObject({ status: 'open', po: { memo: 'amended by the ERP' } });

  const booked = await api.call('POST', poPath('flexport', 'API-1001', '/bookings'), { body: {} });
  expect(booked.status).toBe(200);
  expect(booked.body.status).toBe('booked');
  // A rule of the lifecycle, in the provider's words: a conflict with the PO's state.
  const cancel = await api.call('POST', poPath('flexport', 'API-1001', '/cancel'), {
    body: { reason: 'late' },
  });
  expect(cancel.status).toBe(409);
  expect(cancel.body).toMatchObject({
    status: 409,
    detail: 'cancel refused: Purchase order API-1001 may not be cancelled since it has an active booking',
  });

  const closed = await api.call('POST', poPath('flexport', 'API-1001', '/close'));
  expect(closed.status).toBe(200);
  expect(closed.body.status).toBe('closed');
  expect(closed.body.history.at(-1)).toMatchObject({
    to: 'closed',
    cause: expect.stringMatching(/closed by erp$/),
  });
  // A close repeated is the PO as it is, not a failure.
  const closedAgain = await api.call('POST', poPath('flexport', 'API-1001', '/close'), { body: {} });
  expect(closedAgain.status).toBe(200);
  expect(closedAgain.body.status).toBe('closed');
  expect(await flexportPosNamed('API-1001')).toBe(1);
});

test('cancel with a reason, kept in the history; a request outliving Prefer: wait answers 202', async () => {
  await Promise.all(
    ['API-1002', 'API-1003'].map((name) => submit({ purchaseOrder: samplePurchaseOrder(name, today) })),
  );
  await api.readUntil(poPath('flexport', 'API-1002'), (view) => view.status === 'open');
  const cancelled = await api.call('POST', poPath('flexport', 'API-1002', '/cancel'), {
    body: { reason: 'withdrawn by the ERP' },
  });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.status).toBe('cancelled');
  // Who asked is the token's name.
  expect(cancelled.body.history.at(-1)).toMatchObject({
    to: 'cancelled',
    cause: expect.stringMatching(/cancelled by erp: withdrawn by the ERP$/),
  });

  // Flexport answers every booking 503 for now: the booking is retried and outlives a 1 s wait.
  await api.readUntil(poPath('flexport', 'API-1003'), (view) => view.status === 'open');
  await sandboxCall(
    suite.stack.sandbox,
    'PUT',
    '/_sandbox/faults',
    { serverErrorRate: 1, routeFamilies: ['bookings'] },
    null,
  );
  try {
    const waiting = await api.call('POST', poPath('flexport', 'API-1003', '/bookings'), {
      body: {},
      headers: { prefer: 'wait=1' },
    });
    expect(waiting.status).toBe(202);
    expect(waiting.headers.get('location')).toBe(poPath('flexport', 'API-1003'));
    expect(waiting.headers.get('preference-applied')).toBe('wait=1');
    expect(waiting.body).toEqual({
      name: 'API-1003',
      provider: 'flexport',
      request: 'book',
      outcome: 'in_progress',
      status: 'open',
      location: poPath('flexport', 'API-1003'),
    });
    // The booking waits for Flexport, which still answers 503.
    const pending = await api.call('GET', poPath('flexport', 'API-1003'));
    expect(pending.body).toMatchObject({ status: 'open', pending: { intent: 'book' } });
  } finally {
    await sandboxCall(suite.stack.sandbox, 'PUT', '/_sandbox/faults', {}, null);
  }
  await api.readUntil(poPath('flexport', 'API-1003'), (view) => view.status === 'booked', 60_000);
});

test('list: filters and page tokens through visibility; name= finds a PO at whichever provider', async () => {
  const names = ['API-L1', 'API-L2', 'API-L3', 'API-L4', 'API-L5'];
  const eu = {
    parties: [
      { role: 'buyer', external_ref: 'acme-eu' },
      { role: 'seller', external_ref: 'shenzhen-widgets' },
    ],
  };
  for (const name of names) {
    const created = await submit({ purchaseOrder: samplePurchaseOrder(name, today, eu as never) });
    expect(created.status).toBe(201);
  }
  const byBuyer = '/v1/purchase-orders?buyerRef=acme-eu&provider=flexport';
  // Visibility follows the workflows a moment later: wait until it shows all five.
  const deadline = Date.now() + 30_000;
  while ((await api.call('GET', byBuyer)).body.purchaseOrders.length < names.length) {
    if (Date.now() > deadline) throw new Error('visibility never listed the five POs');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await api.call('GET', `${byBuyer}&pageSize=2${token ? `&pageToken=${token}` : ''}`);
    expect(page.status).toBe(200);
    expect(page.body.purchaseOrders.length).toBeLessThanOrEqual(2);
    for (const po of page.body.purchaseOrders) {
      expect(po).toMatchObject({
        provider: 'flexport',
        buyerRef: 'acme-eu',
        workflowId: `po/flexport/${po.name}`,
      });
      seen.push(po.name);
    }
    token = page.body.nextPageToken;
    expect(token === undefined || /^[A-Za-z0-9_-]+$/.test(token)).toBe(true);
    pages++;
  } while (token && pages < 10);
  expect(seen.sort()).toEqual(names);
  expect(pages).toBeGreaterThanOrEqual(3);

  const one = await api.call('GET', '/v1/purchase-orders?name=API-L3');
  expect(one.body.purchaseOrders.map((po: Json) => po.name)).toEqual(['API-L3']);
  const late = await api.call('GET', `${byBuyer}&late=true`);
  expect(late.body).toEqual({ purchaseOrders: [] });
  const statuses = await api.call('GET', `${byBuyer}&status=cancelled,closed`);
  expect(statuses.body.purchaseOrders).toEqual([]);
});

test('batch: a result per PO; a refused one starts nothing, a duplicate is followed once', async () => {
  const good = samplePurchaseOrder('API-B1', today);
  const bad = { ...samplePurchaseOrder('API-B-BAD', today), incoterm: 'FOO' };
  const response = await api.call('POST', '/v1/purchase-orders:batch', {
    body: {
      purchaseOrders: [
        { purchaseOrder: good },
        { purchaseOrder: samplePurchaseOrder('API-B2', today) },
        { purchaseOrder: good },
        { purchaseOrder: bad },
        { purchaseOrder: samplePurchaseOrder('API-1001', today) },
        {
          provider: 'flxpoint',
          purchaseOrder: sampleFlxpointPurchaseOrder('API-B-FLX'),
          settings: FAST_POLLING,
        },
      ],
    },
  });
  expect(response.status).toBe(200);
  const results = response.body.results;
  expect(results.map((r: Json) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
  // The two copies of API-B1 start at once: one starts it, the other finds it followed.
  expect([results[0].outcome, results[2].outcome].sort()).toEqual(['already_followed', 'started']);
  expect(results[1]).toMatchObject({
    name: 'API-B2',
    provider: 'flexport',
    outcome: 'started',
    location: poPath('flexport', 'API-B2'),
  });
  expect(results[3]).toMatchObject({ name: 'API-B-BAD', outcome: 'refused' });
  expect(results[3].errors).toEqual([
    { path: 'purchaseOrder.incoterm', message: expect.stringMatching(/^"FOO" is an Invalid incoterm/) },
  ]);
  expect(results[4]).toMatchObject({ name: 'API-1001', outcome: 'already_followed' });
  expect(results[5]).toMatchObject({
    name: 'API-B-FLX',
    provider: 'flxpoint',
    outcome: 'started',
    workflowId: 'po/flxpoint/API-B-FLX',
  });

  expect(await workflowExists('po/flexport/API-B-BAD')).toBe(false);
  await api.readUntil(poPath('flexport', 'API-B1'), (view) => view.status === 'open');
  expect(await flexportPosNamed('API-B1')).toBe(1);
  expect(await flexportPosNamed('API-B-BAD')).toBe(0);
});

test('50 identical submits at once start one workflow and one provider PO', async () => {
  const po = samplePurchaseOrder('API-C1', today);
  const answers = await Promise.all(Array.from({ length: 50 }, () => submit({ purchaseOrder: po })));
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((status) => status === 201)).toHaveLength(1);
  expect(statuses.filter((status) => status === 200)).toHaveLength(49);
  expect(new Set(answers.map((a) => a.body.workflowId))).toEqual(new Set(['po/flexport/API-C1']));

  await api.readUntil(poPath('flexport', 'API-C1'), (view) => view.status === 'open');
  const runs = [];
  for await (const run of suite.stack.client.workflow.list({ query: `WorkflowId = "po/flexport/API-C1"` })) {
    runs.push(run);
  }
  expect(runs).toHaveLength(1);
  expect(await flexportPosNamed('API-C1')).toBe(1);
});

test("a Flxpoint PO: submit, read, book refused with Flxpoint's reason, cancel", async () => {
  const po = sampleFlxpointPurchaseOrder('API-FLX-1');
  const path = poPath('flxpoint', 'API-FLX-1');
  const created = await submit({ provider: 'flxpoint', purchaseOrder: po, settings: FAST_POLLING });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(path);
  const open = await api.readUntil(path, (view) => view.status === 'open');
  expect(open).toMatchObject({ provider: 'flxpoint', name: 'API-FLX-1', flxpointStatus: 'unprocessed' });
  const found = await api.call('GET', '/v1/purchase-orders?name=API-FLX-1');
  expect(found.body.purchaseOrders).toEqual([
    expect.objectContaining({ name: 'API-FLX-1', provider: 'flxpoint' }),
  ]);

  const book = await api.call('POST', poPath('flxpoint', 'API-FLX-1', '/bookings'), { body: {} });
  expect(book.status).toBe(409);
  expect(book.body.detail).toMatch(/^book refused: Flxpoint has no bookings/);
  const close = await api.call('POST', poPath('flxpoint', 'API-FLX-1', '/close'));
  expect(close.status).toBe(409);
  expect(close.body.detail).toMatch(/^close refused: /);

  const cancelled = await api.call('POST', poPath('flxpoint', 'API-FLX-1', '/cancel'), {
    body: { reason: 'not needed' },
  });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.status).toBe('cancelled');
  const atFlxpoint = await fetch(`${suite.stack.sandbox.url}/_sandbox/flxpoint/purchase-orders`).then((r) =>
    r.json(),
  );
  expect((atFlxpoint as Json[]).filter((p) => p.purchaseOrderNumber === 'API-FLX-1')).toHaveLength(1);
});

test('a PO name with slashes is one path segment, percent-encoded; health, readiness, metrics', async () => {
  const created = await submit({ purchaseOrder: samplePurchaseOrder('API/2030/7', today) });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe('/v1/purchase-orders/flexport/API%2F2030%2F7');
  const read = await api.call('GET', '/v1/purchase-orders/flexport/API%2F2030%2F7');
  expect(read.status).toBe(200);
  expect(read.body.name).toBe('API/2030/7');

  expect((await api.call('GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
  expect((await api.call('GET', '/readyz', { token: null })).status).toBe(200);
  const metrics = await registry.getSingleMetricAsString('poflow_api_requests_total');
  expect(metrics).toContain('route="/v1/purchase-orders/{provider}/{name}",method="GET",status="200"');
  expect(await registry.getSingleMetricAsString('poflow_api_request_seconds')).toContain(
    'poflow_api_request_seconds_bucket{le="0.1",route="/v1/purchase-orders",method="POST",status="201"}',
  );
});
