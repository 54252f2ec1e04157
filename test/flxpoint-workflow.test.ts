/**
 * The Flxpoint PO workflow end to end on the time-skipping server, against the sandbox's Flxpoint
 * emulator over HTTP. Flxpoint pushes nothing: the counterpart side moves a PO's status and the
 * workflow's polling picks it up once skipped time reaches the next read.
 * One environment per test: time skipping is global to a server.
 */
import type { Duration } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import got from 'got';
import type { FlxpointPo } from '../activities/flxpoint/client';
import { PurchaseOrderRejected, startPurchaseOrder } from '../client/purchase-orders';
import {
  flxpointAmendUpdate,
  flxpointCancelUpdate,
  type FlxpointPoView,
} from '../workflows/flxpoint/messages';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';
import {
  refusal,
  startHarness,
  until,
  type FlxpointHandle,
  type Harness,
  type HarnessOptions,
} from './support/po-harness';
import { timeSkippingEnv } from './support/temporal';

let harness: Harness;

async function startEnv(options: HarnessOptions = {}): Promise<void> {
  harness = await startHarness(await timeSkippingEnv(), {}, options);
}

afterEach(async () => {
  await harness.close();
  await harness.env.teardown();
});

const untilState = (handle: FlxpointHandle, ready: (state: FlxpointPoView) => boolean) =>
  until<FlxpointPoView>(handle, ready);

/** Moves the PO at Flxpoint, as its source or an operator there would. */
async function flxpointMoves(number: string, status: string, reason?: string): Promise<void> {
  await harness.flxpointAdmin('POST', `/purchase-orders/${number}/status`, { status, reason });
}

/** Lets workflow time pass (timers fire, activities run in real time) without awaiting a result. */
async function skip(duration: Duration): Promise<void> {
  await harness.env.sleep(duration);
}

/**
 * The POs Flxpoint holds under this number, read with the sandbox's own token. The test's reads
 * share the workflows' 2 requests/second, so a 429 is waited out.
 */
async function atFlxpoint(number: string): Promise<FlxpointPo[]> {
  return got
    .get(`${harness.sandbox.url}/flxpoint/purchase-orders`, {
      searchParams: { purchaseOrderNumber: number },
      headers: { 'x-api-token': 'sandbox' },
      retry: { limit: 3, statusCodes: [429] },
    })
    .json<FlxpointPo[]>();
}

test('submitted, polled through processing to acknowledged with backoff, then voided at Flxpoint: cancelled', async () => {
  await startEnv();
  const handle = await harness.startFlxpoint(sampleFlxpointPurchaseOrder('FLX-1001'));
  expect(handle.workflowId).toBe('po/flxpoint/FLX-1001');
  const open = await untilState(handle, (s) => s.status === 'open');
  expect(open).toMatchObject({ provider: 'flxpoint', name: 'FLX-1001', flxpointStatus: 'unprocessed', acknowledged: false }); // prettier-ignore
  expect(open.providerId).toEqual(expect.any(Number));
  // The first read is a minute after the create, the wait after it two minutes.
  expect(open.nextPoll).toEqual({ at: expect.any(String), afterMs: 120_000 });

  await skip('61 seconds'); // an unchanged read: the next wait doubles
  const unchanged = await untilState(handle, (s) => s.nextPoll?.afterMs === 240_000);
  expect(unchanged.flxpointStatus).toBe('unprocessed');

  await flxpointMoves('FLX-1001', 'processing');
  await skip('2 minutes');
  const processing = await untilState(handle, (s) => s.flxpointStatus === 'processing');
  expect(processing.nextPoll?.afterMs).toBe(120_000); // a change starts the schedule again

  await flxpointMoves('FLX-1001', 'processed');
  await flxpointMoves('FLX-1001', 'acknowledged');
  await skip('61 seconds');
  const acknowledged = await untilState(handle, (s) => s.acknowledged);
  expect(acknowledged).toMatchObject({ status: 'open', flxpointStatus: 'acknowledged' });
  expect(acknowledged.history.map((h) => h.change ?? h.to)).toEqual([
    'submitting',
    'open',
    'Flxpoint processing',
    'acknowledged',
  ]);

  // Sent to the source: poflow no longer cancels it.
  expect(await refusal(handle.executeUpdate(flxpointCancelUpdate, { args: [undefined] }))).toBe(
    'Purchase order FLX-1001 may not be cancelled since Flxpoint has sent it to the source (it is acknowledged)',
  );

  await flxpointMoves('FLX-1001', 'voided', 'source is out of stock');
  await skip('2 minutes');
  const final = await handle.result();
  expect(final).toMatchObject({ status: 'cancelled', flxpointStatus: 'voided', statusReason: 'source is out of stock' }); // prettier-ignore
  expect(final.history.at(-1)?.cause).toBe('Flxpoint status voided: source is out of stock');
  expect(final.nextPoll).toBeUndefined();

  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(SearchAttributes.PoStatus)).toBe('cancelled');
  expect(described.typedSearchAttributes.get(SearchAttributes.PoProvider)).toBe('flxpoint');
  expect(described.typedSearchAttributes.get(SearchAttributes.PoSellerRef)).toBe('77');
});

test('an operator cancels before Flxpoint processes it: the cancel endpoint is called, the PO ends cancelled', async () => {
  await startEnv();
  const handle = await harness.startFlxpoint(sampleFlxpointPurchaseOrder('FLX-1002'), {
    poll: { firstSeconds: 30, maxSeconds: 300 },
  });
  const { providerId } = await untilState(handle, (s) => s.status === 'open');
  await flxpointMoves('FLX-1002', 'processing');

  const view = await handle.executeUpdate(flxpointCancelUpdate, { args: ['customer changed their mind'] });
  expect(view).toMatchObject({ status: 'cancelled', flxpointStatus: 'canceled' });
  expect(view.pending).toBeUndefined();
  expect(await atFlxpoint('FLX-1002')).toMatchObject([
    { id: providerId, purchaseOrderStatus: { handle: 'canceled' }, cancelReason: 'customer changed their mind' }, // prettier-ignore
  ]);
  expect((await handle.result()).status).toBe('cancelled');
});

test('a PO number already at Flxpoint before the workflow starts is adopted: Flxpoint keeps one PO', async () => {
  await startEnv();
  const existing = await harness.flxpoint.createPurchaseOrder(sampleFlxpointPurchaseOrder('FLX-1003'));
  if (existing.outcome !== 'created') throw new Error('FLX-1003 should be new');

  const handle = await harness.startFlxpoint(sampleFlxpointPurchaseOrder('FLX-1003'));
  const open = await untilState(handle, (s) => s.status === 'open');
  expect(open.providerId).toBe(existing.po.id);
  expect(open.history.at(-1)?.cause).toBe(`Flxpoint already had the PO as ${existing.po.id}`);
  expect((await atFlxpoint('FLX-1003')).map((po) => po.id)).toEqual([existing.po.id]);

  // Submitting it again starts nothing: the workflow id is the number.
  const again = await startPurchaseOrder(harness.client, sampleFlxpointPurchaseOrder('FLX-1003'), { provider: 'flxpoint' }); // prettier-ignore
  expect(again).toEqual({ workflowId: 'po/flxpoint/FLX-1003', name: 'FLX-1003', alreadyStarted: true });
  await handle.executeUpdate(flxpointCancelUpdate, { args: [undefined] });
});

test("a refused create (401) needs attention with Flxpoint's reason; an amendment resubmits it, a cancel ends it without a call", async () => {
  await startEnv({ flxpointApiToken: 'revoked-token' });
  const handle = await harness.startFlxpoint(sampleFlxpointPurchaseOrder('FLX-1004'));
  const refused = await untilState(handle, (s) => s.status === 'needs_attention');
  expect(refused.lastError).toMatchObject({
    status: 401,
    during: 'create',
    message: 'Missing or invalid X-API-TOKEN',
  });
  expect(refused.history.at(-1)?.cause).toBe('Flxpoint refused create (401): Missing or invalid X-API-TOKEN');

  const otherNumber = sampleFlxpointPurchaseOrder('FLX-OTHER');
  expect(await refusal(handle.executeUpdate(flxpointAmendUpdate, { args: [otherNumber] }))).toBe(
    'purchaseOrderNumber can not change: this is purchase order FLX-1004',
  );
  // Still the revoked token: the resubmission is refused the same way, with the amended request kept.
  const amended = await handle.executeUpdate(flxpointAmendUpdate, {
    args: [sampleFlxpointPurchaseOrder('FLX-1004', { note: 'second try' })],
  });
  expect(amended).toMatchObject({ status: 'needs_attention', po: { note: 'second try' } });
  expect(amended.history.map((h) => h.to)).toEqual(['submitting', 'needs_attention', 'submitting', 'needs_attention']); // prettier-ignore

  const view = await handle.executeUpdate(flxpointCancelUpdate, { args: ['wrong token'] });
  expect(view.status).toBe('cancelled');
  expect(view.history.at(-1)?.cause).toBe('wrong token');
  expect(await atFlxpoint('FLX-1004')).toEqual([]);
});

test('a Flxpoint status that needs attention is shown with its reason, and a recovered one reopens', async () => {
  await startEnv();
  const handle = await harness.startFlxpoint(sampleFlxpointPurchaseOrder('FLX-1005'));
  await untilState(handle, (s) => s.status === 'open');
  await flxpointMoves('FLX-1005', 'processing_error', 'Source rejected SKU WIDGET-1');
  await skip('61 seconds');
  const attention = await untilState(handle, (s) => s.status === 'needs_attention');
  expect(attention).toMatchObject({ flxpointStatus: 'processing_error', statusReason: 'Source rejected SKU WIDGET-1' }); // prettier-ignore

  await flxpointMoves('FLX-1005', 'processing');
  await skip('61 seconds');
  await untilState(handle, (s) => s.status === 'open' && s.flxpointStatus === 'processing');
  await handle.executeUpdate(flxpointCancelUpdate, { args: [undefined] });
});

test('a PO read again and again continues as new after 20 reads with its whole state, one timer per read', async () => {
  await startEnv();
  const po = sampleFlxpointPurchaseOrder('FLX-1006');
  const handle = await harness.startFlxpoint(po, { poll: { firstSeconds: 1, maxSeconds: 1 } });
  const open = await untilState(handle, (s) => s.status === 'open');
  const firstRun = (await handle.describe()).runId;
  // A read a second (each waits its turn at the pacer): the 20th ends the first run.
  for (let skipped = 0; (await handle.describe()).runId === firstRun; skipped += 5) {
    if (skipped > 120) throw new Error('no continue-as-new after two minutes of reads');
    await skip('5 seconds');
  }
  await flxpointMoves('FLX-1006', 'processing');
  await skip('3 seconds');
  const processing = await untilState(handle, (s) => s.flxpointStatus === 'processing');
  expect(processing).toMatchObject({ status: 'open', providerId: open.providerId });
  expect(processing.history.map((h) => h.change ?? h.to)).toEqual(['submitting', 'open', 'Flxpoint processing']); // prettier-ignore

  const history = await harness.client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory();
  const count = (type: temporal.api.enums.v1.EventType) =>
    (history.events ?? []).filter((e) => e.eventType === type).length;
  const { EventType } = temporal.api.enums.v1;
  expect(count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)).toBe(1);
  expect(count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(1 + 1 + 20); // the create, its `opened` to the ERP, then 20 reads
  expect(count(EventType.EVENT_TYPE_TIMER_STARTED)).toBe(20);
  expect(count(EventType.EVENT_TYPE_TIMER_CANCELED)).toBe(0);
  await handle.executeUpdate(flxpointCancelUpdate, { args: [undefined] });
});

test('a bad Flxpoint PO is refused field by field before anything starts', async () => {
  await startEnv();
  const { orderId: _omitted, ...withoutOrderId } = sampleFlxpointPurchaseOrder('FLX-BAD');
  const err = await startPurchaseOrder(
    harness.client,
    { ...withoutOrderId, purchaseOrderItems: [] },
    {
      provider: 'flxpoint',
      poll: { firstSeconds: 10, maxSeconds: 5 },
    },
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PurchaseOrderRejected);
  expect((err as PurchaseOrderRejected).issues).toEqual([
    { path: 'orderId', message: 'expected a Flxpoint id (integer)' },
    { path: 'purchaseOrderItems', message: 'a purchase order needs at least one item' },
    { path: 'settings.poll.maxSeconds', message: 'maxSeconds must not be below firstSeconds' },
  ]);
});
