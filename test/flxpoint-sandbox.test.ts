/**
 * The Flxpoint emulator over real HTTP, driven through `FlxpointClient` and raw requests:
 * creation, the 409 read-back, validation, auth, counterpart statuses, cancel and void, the
 * 2 requests/second limit with its per-second counts, and how failures map for Temporal.
 */
import { ApplicationFailure } from '@temporalio/common';
import got from 'got';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlxpointClient, type FlxpointPo } from '../activities/flxpoint/client';
import { startSandbox, type Sandbox } from '../sandbox/server';
import type { FlxpointPurchaseOrder } from '../workflows/flxpoint/purchase-order';
import { flxpointLifecycle, isTerminalFlxpointStatus } from '../workflows/flxpoint/status';
import { sampleFlxpointPurchaseOrder as samplePo } from './support/flxpoint-purchase-orders';
import { freePort } from './support/ports';

const TOKEN = 'sandbox';

function startFlxpoint(): Promise<Sandbox> {
  return startSandbox({ port: 0, apiToken: TOKEN });
}

/** Raw requests; a 429 is retried after its Retry-After so the tests' own pace never fails them. */
function rawClient(url: string) {
  return got.extend({
    prefixUrl: url,
    headers: { 'x-api-token': TOKEN },
    responseType: 'json',
    throwHttpErrors: false,
    retry: { limit: 5, methods: ['GET', 'POST', 'PUT'], statusCodes: [429] },
  });
}

/** Retries what Temporal would retry, after the failure's nextRetryDelay. */
async function asTemporalWould<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApplicationFailure) || err.nonRetryable || attempt === 10) throw err;
      await sleep(Number(err.nextRetryDelay ?? 1000));
    }
  }
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof ApplicationFailure))
    throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

/** Waits for the start of the next epoch second, so a burst lands inside one window. */
async function nextSecond(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 5);
}

describe('Flxpoint sandbox', () => {
  let sandbox: Sandbox;
  let raw: ReturnType<typeof rawClient>;
  let client: FlxpointClient;

  beforeAll(async () => {
    sandbox = await startFlxpoint();
    raw = rawClient(`${sandbox.url}/flxpoint`);
    client = new FlxpointClient({ baseUrl: `${sandbox.url}/flxpoint`, apiToken: TOKEN });
  });
  afterAll(() => sandbox.close());

  /** Creates a PO that must be new. */
  async function create(body: FlxpointPurchaseOrder): Promise<FlxpointPo> {
    const created = await asTemporalWould(() => client.createPurchaseOrder(body));
    if (created.outcome !== 'created') throw new Error(`${body.purchaseOrderNumber} already exists`);
    return created.po;
  }

  test('create answers 201 with the PO, its addresses and items with ids', async () => {
    const response = await raw.post<Record<string, unknown>>('purchase-orders', {
      json: samplePo('FLX-CREATE'),
    });
    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.any(Number),
      purchaseOrderNumber: 'FLX-CREATE',
      orderId: 5001,
      sourceId: 77,
      purchaseOrderStatus: { name: 'Unprocessed', handle: 'unprocessed' },
      purchaseOrderType: { abbreviation: 'PO' },
      shippedStatus: 'Not Started',
      shippingAddress: { id: expect.any(Number), firstName: 'Joe', lastName: 'Smith', countryCode: 'US' },
      billingAddress: { id: expect.any(Number), companyName: 'Acme' },
      purchaseOrderItems: [
        { id: expect.any(Number), orderItemId: 9001, sku: 'WIDGET-1', quantity: 3, lineItemNumber: 1 },
        {
          id: expect.any(Number),
          orderItemId: 9002,
          inventoryVariantId: 4242,
          quantity: 2,
          lineItemNumber: 2,
        },
      ],
      totalQuantity: 5,
      totalItems: 2,
      acknowledgedAt: null,
      canceledAt: null,
      voidedAt: null,
      voidedReason: null,
      cancelReason: null,
      processingErrorReason: null,
      generatedAt: expect.any(String),
      lastModifiedAt: expect.any(String),
    });
  });

  test('a reused PO number answers 409; the client reports it and adopts the existing PO, making no second one', async () => {
    const first = await create(samplePo('FLX-DUP'));

    const conflict = await raw.post<{ message: string }>('purchase-orders', { json: samplePo('FLX-DUP') });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.body.message).toBe('PO Number is already in use.');

    const again = await asTemporalWould(() => client.createPurchaseOrder(samplePo('FLX-DUP')));
    expect(again).toEqual({ outcome: 'number_in_use' });
    const adopted = await asTemporalWould(() => client.adoptPurchaseOrder(samplePo('FLX-DUP')));
    expect(adopted).toMatchObject({ id: first.id, purchaseOrderNumber: 'FLX-DUP' });

    const listed = await raw.get<unknown[]>('purchase-orders', {
      searchParams: { purchaseOrderNumber: 'FLX-DUP' },
    });
    expect(listed.body).toHaveLength(1);
  });

  test('the number of another order is never adopted', async () => {
    await create(samplePo('FLX-TAKEN'));
    const failure = await failureOf(
      asTemporalWould(() => client.adoptPurchaseOrder(samplePo('FLX-TAKEN', { orderId: 6002 }))),
    );
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(failure.message).toMatch(/FLX-TAKEN is already in use by purchase order \d+/);
  });

  test('a bad request answers 400 naming the field, and the client rejects it for good', async () => {
    const { orderId: _omitted, ...withoutOrderId } = samplePo('FLX-BAD');
    const missing = await raw.post<{ message: string }>('purchase-orders', { json: withoutOrderId });
    expect(missing.statusCode).toBe(400);
    expect(missing.body.message).toBe('orderId is required');

    const zeroQuantity = samplePo('FLX-BAD');
    zeroQuantity.purchaseOrderItems[0]!.quantity = 0;
    const failure = await failureOf(asTemporalWould(() => client.createPurchaseOrder(zeroQuantity)));
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(failure.message).toBe('purchaseOrderItems[0].quantity: must be at least 1');

    const noSkuNorVariant = samplePo('FLX-BAD', { purchaseOrderItems: [{ orderItemId: 1, quantity: 1 }] });
    const unmatched = await raw.post<{ message: string }>('purchase-orders', { json: noSkuNorVariant });
    expect(unmatched.body.message).toBe(
      'purchaseOrderItems[0].sku: needs a sku or an inventoryVariantId to match inventory',
    );
  });

  test('a missing or wrong X-API-TOKEN answers 401, and the failure never carries the token', async () => {
    const anonymous = await got.get(`${sandbox.url}/flxpoint/purchase-orders`, { throwHttpErrors: false });
    expect(anonymous.statusCode).toBe(401);

    const secret = 'not-the-token-9f8e7d';
    const wrong = new FlxpointClient({ baseUrl: `${sandbox.url}/flxpoint`, apiToken: secret });
    const failure = await failureOf(wrong.getPurchaseOrder(1));
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(
      JSON.stringify({ message: failure.message, details: failure.details, stack: failure.stack }),
    ).not.toContain(secret);
  });

  test('statuses advanced from the counterpart side read back with their timestamps and mapping', async () => {
    const po = await create(samplePo('FLX-ADVANCE'));
    for (const status of ['processing', 'processed', 'acknowledged']) {
      const moved = await raw.post(`${sandbox.url}/_sandbox/flxpoint/purchase-orders/FLX-ADVANCE/status`, {
        prefixUrl: '',
        json: { status },
      });
      expect(moved.statusCode).toBe(200);
    }
    const read = await asTemporalWould(() => client.getPurchaseOrder(po.id));
    expect(read.purchaseOrderStatus).toEqual({ name: 'Acknowledged', handle: 'acknowledged' });
    expect(read.acknowledgedAt).toEqual(expect.any(String));
    expect(read).toMatchObject({ sentAt: expect.any(String) });
    expect(flxpointLifecycle(read)).toEqual({ status: 'open', acknowledged: true });

    await create(samplePo('FLX-ERROR'));
    await raw.post(`${sandbox.url}/_sandbox/flxpoint/purchase-orders/FLX-ERROR/status`, {
      prefixUrl: '',
      json: { status: 'processing_error', reason: 'Source rejected SKU WIDGET-1' },
    });
    const failed = await asTemporalWould(() => client.findPurchaseOrderByNumber('FLX-ERROR'));
    expect(failed?.processingErrorReason).toBe('Source rejected SKU WIDGET-1');
    expect(flxpointLifecycle(failed!)).toEqual({
      status: 'needs_attention',
      acknowledged: false,
      reason: 'Source rejected SKU WIDGET-1',
    });
  });

  test('cancel is recorded, repeats harmlessly, and a canceled PO cannot be voided', async () => {
    const po = await create(samplePo('FLX-CANCEL'));
    const canceled = await asTemporalWould(() =>
      client.cancelPurchaseOrder(po.id, 'customer changed their mind'),
    );
    expect(canceled).toMatchObject({
      purchaseOrderStatus: { handle: 'canceled' },
      canceledAt: expect.any(String),
      cancelReason: 'customer changed their mind',
    });
    expect(flxpointLifecycle(canceled)).toEqual({
      status: 'cancelled',
      acknowledged: false,
      reason: 'customer changed their mind',
    });
    const repeated = await asTemporalWould(() => client.cancelPurchaseOrder(po.id));
    expect(repeated.canceledAt).toBe(canceled.canceledAt);

    const failure = await failureOf(asTemporalWould(() => client.voidPurchaseOrder(po.id)));
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(failure.message).toBe('Purchase order FLX-CANCEL is canceled');

    const other = await create(samplePo('FLX-VOID'));
    const voided = await asTemporalWould(() => client.voidPurchaseOrder(other.id, 'entered twice'));
    expect(voided).toMatchObject({ voidedAt: expect.any(String), voidedReason: 'entered twice' });
  });
});

describe('Flxpoint rate limit', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startFlxpoint();
  });
  afterEach(() => sandbox.close());

  const stats = async () =>
    await got.get(`${sandbox.url}/_sandbox/flxpoint/stats`).json<{
      maxPerSecond: number;
      tokens: Record<
        string,
        { total: number; rateLimited: number; perSecond: { second: number; count: number }[] }
      >;
    }>();

  test('beyond 2 requests in a second answers 429 with Retry-After, and the stats count every second', async () => {
    await nextSecond();
    const burst = await Promise.all(
      Array.from({ length: 5 }, () =>
        got.get(`${sandbox.url}/flxpoint/purchase-orders`, {
          headers: { 'x-api-token': TOKEN },
          throwHttpErrors: false,
          retry: { limit: 0 },
        }),
      ),
    );
    const statuses = burst.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    expect(burst.find((r) => r.statusCode === 429)?.headers['retry-after']).toBe('1');

    const [token] = Object.values((await stats()).tokens);
    expect(token).toMatchObject({ total: 5, rateLimited: 3 });
    expect(token!.perSecond).toEqual([{ second: expect.any(Number), count: 5 }]);
    expect((await stats()).maxPerSecond).toBe(5);
  });

  test('a client kept at 2 requests a second never sees a 429, and no second counts more than 2', async () => {
    const client = new FlxpointClient({ baseUrl: `${sandbox.url}/flxpoint`, apiToken: TOKEN });
    for (let i = 0; i < 6; i++) {
      await client.findPurchaseOrderByNumber(`PACED-${i}`);
      await sleep(500);
    }
    const { maxPerSecond, tokens } = await stats();
    expect(maxPerSecond).toBeLessThanOrEqual(2);
    expect(Object.values(tokens)[0]).toMatchObject({ total: 6, rateLimited: 0 });
  });

  test('a 429 maps to a retryable failure with the Retry-After as nextRetryDelay', async () => {
    const client = new FlxpointClient({ baseUrl: `${sandbox.url}/flxpoint`, apiToken: TOKEN });
    await nextSecond();
    const results = await Promise.allSettled([1, 2, 3].map((id) => client.getPurchaseOrder(id)));
    const limited = results.find((r) => r.status === 'rejected' && r.reason.details?.[0]?.status === 429);
    expect(limited).toBeDefined();
    const failure = (limited as PromiseRejectedResult).reason as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false, nextRetryDelay: 1000 });
  });
});

describe('Flxpoint client failures', () => {
  test('a 503 with Retry-After is retryable after that delay', async () => {
    const unavailable = await startSandbox({
      port: 0,
      apiToken: TOKEN,
      faults: { serverErrorRate: 1, retryAfterSeconds: 7, routeFamilies: ['flxpoint'] },
    });
    try {
      const client = new FlxpointClient({ baseUrl: `${unavailable.url}/flxpoint`, apiToken: TOKEN });
      const failure = await failureOf(client.getPurchaseOrder(1));
      expect(failure).toMatchObject({
        type: 'ProviderUnavailable',
        nonRetryable: false,
        nextRetryDelay: 7000,
      });
    } finally {
      await unavailable.close();
    }
  });

  test("Flexport's fault runs spare Flxpoint unless they name it", async () => {
    const flexportOutage = await startSandbox({ port: 0, apiToken: TOKEN, faults: { serverErrorRate: 1 } });
    try {
      const client = new FlxpointClient({ baseUrl: `${flexportOutage.url}/flxpoint`, apiToken: TOKEN });
      const created = await client.createPurchaseOrder(samplePo('FLX-SPARED'));
      expect(created).toMatchObject({ outcome: 'created' });
    } finally {
      await flexportOutage.close();
    }
  });

  test('a refused connection is retryable', async () => {
    const client = new FlxpointClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, apiToken: TOKEN });
    const failure = await failureOf(client.getPurchaseOrder(1));
    expect(failure).toMatchObject({ type: 'ProviderUnreachable', nonRetryable: false });
  });
});

describe('Flxpoint status mapping', () => {
  const po = (handle: string, reasons: { voidedReason?: string } = {}) => ({
    purchaseOrderStatus: { handle },
    ...reasons,
  });

  test.each([
    ['unprocessed', { status: 'open', acknowledged: false }],
    ['processed', { status: 'open', acknowledged: false }],
    ['cross_docked', { status: 'open', acknowledged: false }],
    ['acknowledged', { status: 'open', acknowledged: true }],
    ['voided', { status: 'cancelled', acknowledged: false, reason: 'voided at Flxpoint' }],
    [
      'duplicate',
      {
        status: 'needs_attention',
        acknowledged: false,
        reason: 'Flxpoint flagged the PO number as a duplicate',
      },
    ],
    [
      'toString',
      { status: 'needs_attention', acknowledged: false, reason: 'unknown Flxpoint status toString' },
    ],
  ])('%s', (handle, expected) => {
    expect(flxpointLifecycle(po(handle))).toEqual(expected);
  });

  test("the provider's reason wins, and only voided and canceled are terminal", () => {
    expect(flxpointLifecycle(po('voided', { voidedReason: 'entered twice' })).reason).toBe('entered twice');
    expect(['voided', 'canceled', 'processing_error', 'acknowledged'].map(isTerminalFlxpointStatus)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
