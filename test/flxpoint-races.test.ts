/**
 * Operators' cancels racing Flxpoint writes and Flxpoint's own status changes, end to end on the
 * time-skipping server against the sandbox's Flxpoint emulator: its faults hold poflow's request
 * in 503s while the other side moves. Whatever comes in between, poflow and Flxpoint end in the
 * same state, and the operator's cancel gets that state as its answer.
 */
import got from 'got';
import type { FlxpointPo } from '../activities/flxpoint/client';
import { flxpointCancelUpdate, type FlxpointPoView } from '../workflows/flxpoint/messages';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';
import { harnessFor, until, type FlxpointHandle } from './support/po-harness';

const harness = harnessFor('each test');

/** Every Flxpoint request answers 503 until the faults are lifted; the counterpart side still works. */
const holdFlxpoint = () =>
  harness().admin('PUT', '/faults', { serverErrorRate: 1, routeFamilies: ['flxpoint'], retryAfterSeconds: 1 }); // prettier-ignore
const releaseFlxpoint = () => harness().admin('PUT', '/faults', {});

const untilState = (handle: FlxpointHandle, ready: (state: FlxpointPoView) => boolean) =>
  until<FlxpointPoView>(handle, ready);

/** Every PO Flxpoint holds, read on the counterpart side (no faults, no rate limit). */
async function atFlxpoint(number: string): Promise<FlxpointPo[]> {
  const all = (await harness().flxpointAdmin('GET', '/purchase-orders')) as FlxpointPo[];
  return all.filter((po) => po.purchaseOrderNumber === number);
}

/** Flxpoint's own request log: what poflow's requests got as answers. */
async function answered(method: string, path: RegExp): Promise<number[]> {
  const { requests } = await got
    .get(`${harness().sandbox.url}/_sandbox/flxpoint/requests`)
    .json<{ requests: { method: string; url: string; status: number }[] }>();
  return requests.filter((r) => r.method === method && path.test(r.url)).map((r) => r.status);
}

test('a cancel during a create held in 503s waits for it, then cancels the PO Flxpoint took', async () => {
  await holdFlxpoint();
  const handle = await harness().startFlxpoint(sampleFlxpointPurchaseOrder('FLX-RACE-CREATE'));
  await untilState(handle, (s) => s.pending?.intent === 'create');
  const cancelling = handle.executeUpdate(flxpointCancelUpdate, { args: ['raced the create'] });
  const queued = await untilState(handle, (s) => s.cancelAfterCreate !== undefined);
  expect(queued).toMatchObject({ status: 'submitting', cancelAfterCreate: 'raced the create' });
  expect(await atFlxpoint('FLX-RACE-CREATE')).toEqual([]);
  await releaseFlxpoint();

  const view = await cancelling;
  expect(view).toMatchObject({ status: 'cancelled', flxpointStatus: 'canceled' });
  expect(view.pending).toBeUndefined();
  expect(await atFlxpoint('FLX-RACE-CREATE')).toEqual([
    expect.objectContaining({ id: view.providerId, purchaseOrderStatus: expect.objectContaining({ handle: 'canceled' }), cancelReason: 'raced the create' }), // prettier-ignore
  ]);
  expect((await handle.result()).status).toBe('cancelled');
});

test("voided at Flxpoint while poflow's cancel is held in 503s: the refused cancel is read back and answers cancelled", async () => {
  const handle = await harness().startFlxpoint(sampleFlxpointPurchaseOrder('FLX-RACE-VOID'));
  const { providerId } = await untilState(handle, (s) => s.status === 'open');
  await holdFlxpoint();
  const cancelling = handle.executeUpdate(flxpointCancelUpdate, { args: ['customer changed their mind'] });
  await untilState(handle, (s) => s.pending?.intent === 'cancel');
  await harness().flxpointAdmin('POST', '/purchase-orders/FLX-RACE-VOID/status', { status: 'voided', reason: 'source is out of stock' }); // prettier-ignore
  await releaseFlxpoint();

  const view = await cancelling;
  expect(view).toMatchObject({ status: 'cancelled', flxpointStatus: 'voided', statusReason: 'source is out of stock' }); // prettier-ignore
  expect(view.pending).toBeUndefined();
  expect(view.lastError).toBeUndefined();
  // The cancel landed on a voided PO (409), and the read-back found it so.
  const cancels = await answered('PUT', new RegExp(`^/purchase-orders/${providerId}/cancel$`));
  expect(cancels.at(-1)).toBe(409);
  expect(cancels.slice(0, -1).every((status) => status === 503 || status === 504)).toBe(true);
  expect(await atFlxpoint('FLX-RACE-VOID')).toEqual([
    expect.objectContaining({ id: providerId, purchaseOrderStatus: expect.objectContaining({ handle: 'voided' }) }), // prettier-ignore
  ]);
  expect((await handle.result()).status).toBe('cancelled');
});
