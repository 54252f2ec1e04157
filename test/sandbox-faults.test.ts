/** Fault injection over HTTP: 503/504 shares, dropped / duplicated / reordered deliveries, retries. */
import { startSandbox, type Sandbox } from '../sandbox/server';
import { call, purchaseOrder, startReceiver, waitFor } from './support/sandbox-api';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function setup(options: Parameters<typeof startSandbox>[0], status?: (n: number) => number) {
  const receiver = await startReceiver(status);
  opened.push(receiver);
  const sandbox = await startSandbox({ port: 0, webhooks: [{ url: receiver.url, secret: 's' }], ...options });
  opened.push(sandbox);
  return { sandbox, receiver };
}

/** Emits `n` events: one PO created plus n-1 amendments. */
async function emitEvents(sandbox: Sandbox, n: number) {
  for (let i = 0; i < n; i += 1) {
    const res = await call(
      sandbox,
      'POST',
      '/purchase_orders',
      purchaseOrder('PO-FAULTS', { memo: `v${i}` }),
    );
    expect(res.status).toBe(200);
  }
}

async function deliveries(sandbox: Sandbox) {
  return (await call(sandbox, 'GET', '/_sandbox/deliveries', undefined, null)).body.data;
}

it('answers a seeded share of requests with 503 / 504 and Retry-After, reproducibly', async () => {
  const statuses = async (seed: number) => {
    const sandbox = await startSandbox({
      port: 0,
      seed,
      faults: { serverErrorRate: 0.5, gatewayTimeoutShare: 0.3, retryAfterSeconds: 2 },
    });
    opened.push(sandbox);
    const seen: number[] = [];
    for (let i = 0; i < 40; i += 1) seen.push((await call(sandbox, 'GET', '/purchase_orders')).status);
    return { seen, sandbox };
  };
  const first = await statuses(42);
  const again = await statuses(42);
  expect(again.seen).toEqual(first.seen);
  const failed = first.seen.filter((s) => s !== 200).length;
  expect(failed).toBeGreaterThan(8);
  expect(failed).toBeLessThan(32);
  expect(first.seen).toContain(503);
  expect(first.seen).toContain(504);

  let res;
  do res = await call(first.sandbox, 'GET', '/purchase_orders');
  while (res.status === 200);
  expect(res.headers['retry-after']).toBe('2');
  expect(res.body).toEqual(
    res.status === 503
      ? {
          _object: '/api/error',
          status: 503,
          code: 'service_unavailable',
          message: 'Error message received from Http Server, Code 503: Service Unavailable.',
        }
      : {
          _object: '/api/error',
          status: 504,
          code: 'gateway_timeout',
          message: 'Error message received from Http Server, Code 504: Gateway Time-out.',
        },
  );
});

it('sets faults at run time through the admin endpoint, per route family', async () => {
  const { sandbox } = await setup({});
  const put = await call(
    sandbox,
    'PUT',
    '/_sandbox/faults',
    { serverErrorRate: 1, routeFamilies: ['events'], seed: 7 },
    null,
  );
  expect(put.status).toBe(200);
  expect(put.body.data).toMatchObject({ serverErrorRate: 1, routeFamilies: ['events'] });
  expect((await call(sandbox, 'GET', '/events')).status).toBe(503);
  expect((await call(sandbox, 'GET', '/purchase_orders')).status).toBe(200);
  const bad = await call(sandbox, 'PUT', '/_sandbox/faults', { serverErrorRate: 2 }, null);
  expect(bad.status).toBe(422);
  await call(sandbox, 'PUT', '/_sandbox/faults', {}, null);
  expect((await call(sandbox, 'GET', '/events')).status).toBe(200);
});

it('adds latency', async () => {
  const { sandbox } = await setup({ faults: { latencyMs: 150 } });
  const started = Date.now();
  await call(sandbox, 'GET', '/purchase_orders');
  expect(Date.now() - started).toBeGreaterThanOrEqual(140);
});

it('drops deliveries, which GET /events still lists', async () => {
  const { sandbox, receiver } = await setup({ seed: 3, faults: { webhookDropRate: 0.5 } });
  await emitEvents(sandbox, 12);
  await waitFor(async () => (await deliveries(sandbox)).pending === 0);
  const stats = await deliveries(sandbox);
  expect(stats.dropped).toBeGreaterThan(0);
  expect(stats.delivered).toBeGreaterThan(0);
  expect(stats.dropped + stats.delivered).toBe(12);
  expect(receiver.received).toHaveLength(stats.delivered);

  const events = (await call(sandbox, 'GET', '/events?per=100')).body.data.data as Array<{ id: number }>;
  expect(events).toHaveLength(12);
  const deliveredIds = new Set(receiver.received.map((r) => r.event.id));
  const droppedIds = stats.deliveries
    .filter((d: { outcome: string }) => d.outcome === 'dropped')
    .map((d: { event_id: number }) => d.event_id);
  expect(droppedIds.length).toBe(stats.dropped);
  for (const id of droppedIds) {
    expect(deliveredIds.has(id)).toBe(false);
    expect(events.map((e) => e.id)).toContain(id);
  }
});

it('duplicates deliveries', async () => {
  const { sandbox, receiver } = await setup({ seed: 5, faults: { webhookDuplicateRate: 1 } });
  await emitEvents(sandbox, 3);
  await waitFor(() => receiver.received.length === 6);
  const ids = receiver.received.map((r) => r.event.id as number).sort();
  expect(ids).toEqual([1, 1, 2, 2, 3, 3]);
  const stats = await deliveries(sandbox);
  expect(stats).toMatchObject({ duplicated: 3, delivered: 6 });
});

it('reorders deliveries', async () => {
  const { sandbox, receiver } = await setup({ seed: 11, faults: { webhookReorderWindowMs: 400 } });
  await emitEvents(sandbox, 8);
  await waitFor(() => receiver.received.length === 8);
  const order = receiver.received.map((r) => r.event.id as number);
  expect([...order].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(order).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
});

it('retries with exponential backoff until the endpoint answers 200, within bounds', async () => {
  const { sandbox, receiver } = await setup({ webhookRetry: { initialDelayMs: 30, maxAttempts: 4 } }, (n) =>
    n < 2 ? 503 : 200,
  );
  await emitEvents(sandbox, 1);
  await waitFor(() => receiver.received.length === 1);
  const [delivery] = (await deliveries(sandbox)).deliveries;
  expect(delivery).toMatchObject({ outcome: 'delivered', event_type: '/purchase_order#created' });
  expect(delivery.attempts.map((a: { status: number }) => a.status)).toEqual([503, 503, 200]);
  const gaps = delivery.attempts
    .slice(1)
    .map((a: { at: string }, i: number) => Date.parse(a.at) - Date.parse(delivery.attempts[i].at));
  expect(gaps[0]).toBeGreaterThanOrEqual(25);
  expect(gaps[1]).toBeGreaterThanOrEqual(55);

  const failing = await setup({ webhookRetry: { initialDelayMs: 5, maxAttempts: 3 } }, () => 500);
  await emitEvents(failing.sandbox, 1);
  await waitFor(async () => (await deliveries(failing.sandbox)).failed === 1);
  expect(failing.receiver.requests()).toBe(3);
});

it('registers and removes webhook endpoints through the admin API', async () => {
  const { sandbox } = await setup({});
  const extra = await startReceiver();
  opened.push(extra);
  const added = await call(sandbox, 'POST', '/_sandbox/webhooks', { url: extra.url, secret: 'x' }, null);
  expect(added.status).toBe(200);
  const list = await call(sandbox, 'GET', '/_sandbox/webhooks', undefined, null);
  expect(list.body.data.map((e: { url: string }) => e.url)).toContain(extra.url);
  await emitEvents(sandbox, 1);
  await waitFor(() => extra.received.length === 1);
  expect(
    (await call(sandbox, 'DELETE', `/_sandbox/webhooks/${added.body.data.id}`, undefined, null)).status,
  ).toBe(200);
  await emitEvents(sandbox, 1);
  await new Promise((r) => setTimeout(r, 100));
  expect(extra.received).toHaveLength(1);
});

it('refuses the requests named with a 4xx, before any effect, until the faults change', async () => {
  const { sandbox } = await setup({});
  const refuse = { status: 422, message: 'Refused on purpose', routeFamilies: ['purchase_orders'], methods: ['POST'] }; // prettier-ignore
  expect((await call(sandbox, 'PUT', '/_sandbox/faults', { refuse }, null)).status).toBe(200);
  const refused = await call(sandbox, 'POST', '/purchase_orders', purchaseOrder('PO-REFUSED'));
  expect(refused.status).toBe(422);
  expect(refused.body).toEqual({
    _object: '/api/error',
    status: 422,
    code: 'unprocessable_entity',
    message: 'Refused on purpose',
  });
  expect((await call(sandbox, 'GET', '/purchase_orders')).body.data.total_count).toBe(0);
  expect((await call(sandbox, 'GET', '/events')).status).toBe(200);
  const bad = await call(sandbox, 'PUT', '/_sandbox/faults', { refuse: { status: 503 } }, null);
  expect(bad.status).toBe(422);
  await call(sandbox, 'PUT', '/_sandbox/faults', {}, null);
  expect((await call(sandbox, 'POST', '/purchase_orders', purchaseOrder('PO-REFUSED'))).status).toBe(200);
});
