/** The Flexport client against the sandbox over HTTP: what each failure tells Temporal's retrying. */
import { ApplicationFailure } from '@temporalio/common';
import { FlexportClient } from '../activities/flexport/client';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { freePort } from './support/ports';
import { samplePurchaseOrder } from './support/purchase-orders';
import { PurchaseOrder } from '../workflows/flexport/purchase-order';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, apiToken: 'secret-token-123' });
});
afterAll(async () => sandbox.close());

const po = (name: string, overrides = {}) =>
  PurchaseOrder.parse(samplePurchaseOrder(name, Date.now(), overrides));

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

test('creates a PO and reads back its id, version and line item ids', async () => {
  const client = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'secret-token-123' });
  const created = await client.createOrUpdatePurchaseOrder(po('PO-CLIENT'));
  expect(created).toMatchObject({
    name: 'PO-CLIENT',
    status: 'open',
    purchase_order_version: { version_number: 1 },
  });
  const again = await client.createOrUpdatePurchaseOrder({ ...po('PO-CLIENT'), memo: 'v2' });
  expect(again).toMatchObject({ id: created.id, purchase_order_version: { version_number: 2 } });
  expect((await client.listPurchaseOrderLineItems(created.id)).map((l) => l.item_key).sort()).toEqual([
    'A',
    'B',
  ]);
});

test('a 422 is non-retryable ProviderRejected with the provider message and status', async () => {
  const client = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'secret-token-123' });
  const err = await failure(
    client.createOrUpdatePurchaseOrder(po('PO-BAD', { origin_location_ref: 'nowhere' })),
  );
  expect(err).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
  expect(err.message).toBe(
    'Unknown origin_location_ref nowhere: location_ref requires a network location set up under the parent company',
  );
  expect(err.details).toEqual([{ status: 422, code: 'unprocessable_entity' }]);
});

test('a 503 with Retry-After is retryable and asks for that delay', async () => {
  const client = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'secret-token-123' });
  await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ serverErrorRate: 1, retryAfterSeconds: 7 }),
  });
  try {
    const err = await failure(client.getPurchaseOrder(1));
    expect(err).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false, nextRetryDelay: 7000 });
    expect(err.message).toContain('Code 503: Service Unavailable');
  } finally {
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }); // prettier-ignore
  }
});

test('a refused connection is retryable ProviderUnreachable', async () => {
  const client = new FlexportClient({
    baseUrl: `http://127.0.0.1:${await freePort()}`,
    apiToken: 'secret-token-123',
  });
  expect(await failure(client.getPurchaseOrder(1))).toMatchObject({
    type: 'ProviderUnreachable',
    nonRetryable: false,
  });
});

test('the API token never shows in a failure', async () => {
  const client = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'wrong-token-456' });
  const err = await failure(client.getPurchaseOrder(1));
  expect(err).toMatchObject({ type: 'ProviderRejected', details: [{ status: 401, code: 'unauthorized' }] });
  expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain('wrong-token-456');
});

test('follows `next` links with their own query: every event once, in order, across pages', async () => {
  const client = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'secret-token-123' });
  for (const name of ['PO-PAGE-1', 'PO-PAGE-2', 'PO-PAGE-3'])
    await client.createOrUpdatePurchaseOrder(po(name));
  const ids: number[] = [];
  let page = await client.listEvents({ per: 2 });
  for (;;) {
    ids.push(...page.events.map((event) => event.id));
    if (!page.next) break;
    page = await client.listEvents({ cursor: page.next });
  }
  expect(ids.length).toBeGreaterThanOrEqual(3);
  expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));

  const all = (await client.listEvents({ per: 100 })).events;
  const third = all[2]!.occurred_at!;
  const since = await client.listEvents({ occurredAfter: third, per: 100 });
  expect(since.events.map((event) => event.id)).toEqual(
    all.filter((event) => event.occurred_at! >= third).map((event) => event.id),
  );
});
