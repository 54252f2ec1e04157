/**
 * Operators' requests racing a provider write still in flight, end to end on the time-skipping
 * server against the sandbox: the sandbox takes the PO while its line-item read answers 503, so
 * the create (or amendment) has landed at the provider and its answer has not reached poflow yet.
 * Whatever comes in between, poflow and the provider end in the same state.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { amendUpdate, cancelUpdate, stateQuery } from '../workflows/flexport/messages';
import { harnessFor, until } from './support/po-harness';
import { samplePurchaseOrder } from './support/purchase-orders';

const harness = harnessFor('each test');
let now: number;

beforeEach(async () => {
  now = await harness().env.currentTimeMs();
});

/** Every PO write lands at the provider; its answer never comes back until the faults are lifted. */
const holdAnswers = () =>
  harness().admin('PUT', '/faults', { serverErrorRate: 1, routeFamilies: ['purchase_order_line_items'], retryAfterSeconds: 1 }); // prettier-ignore

async function atProvider(name: string): Promise<{ id: number; status: string }[]> {
  const response = await fetch(`${harness().sandbox.url}/purchase_orders?f.name=${name}`, {
    headers: { authorization: 'Bearer sandbox' },
  });
  return ((await response.json()) as { data: { data: { id: number; status: string }[] } }).data.data;
}

async function untilAtProvider(name: string, ready: (po: { status: string; id: number }) => boolean) {
  for (let tries = 0; tries < 300; tries++) {
    const [po] = await atProvider(name);
    if (po && ready(po)) return po;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PO ${name} never got there at the provider: ${JSON.stringify(await atProvider(name))}`);
}

test('a cancel during a create that has landed but not answered is sent once the create answers', async () => {
  await holdAnswers();
  const handle = await harness().start(samplePurchaseOrder('PO-RACE-CANCEL', now));
  const created = await untilAtProvider('PO-RACE-CANCEL', (po) => po.status === 'open');

  // The cancel's update answers once the cancel itself has been answered, not when it is queued.
  const cancelling = await handle.startUpdate(cancelUpdate, {
    args: ['raced the create'],
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  expect(await until(handle, (s) => s.endRequested !== undefined)).toMatchObject({
    status: 'submitting',
    endRequested: { status: 'cancelled', by: 'operator' },
  });
  await harness().admin('PUT', '/faults', {});

  expect(await cancelling.result()).toMatchObject({ status: 'cancelled' });
  const done = await handle.result();
  expect(done.history.at(-1)!.cause).toContain('cancelled: raced the create');
  expect(done.status).toBe('cancelled');
  expect(done.providerId).toBe(created.id);
  expect(await atProvider('PO-RACE-CANCEL')).toEqual([expect.objectContaining({ id: created.id, status: 'cancelled' })]); // prettier-ignore
});

test('cancelled at the provider while an amendment is landing: the amendment does not leave it reopened', async () => {
  const handle = await harness().start(samplePurchaseOrder('PO-RACE-AMEND', now));
  const open = await until(handle, (s) => s.status === 'open');
  await holdAnswers();
  const amending = handle.executeUpdate(amendUpdate, { args: [samplePurchaseOrder('PO-RACE-AMEND', now, { memo: 'amended' })] }); // prettier-ignore
  await until(handle, (s) => s.pending?.intent === 'amend');
  await untilAtProvider('PO-RACE-AMEND', () => true);
  // The counterpart cancels in its own UI: a full replacement with status cancelled.
  await fetch(`${harness().sandbox.url}/purchase_orders/${open.providerId}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sandbox', 'content-type': 'application/json' },
    body: JSON.stringify({ ...samplePurchaseOrder('PO-RACE-AMEND', now), status: 'cancelled' }),
  });
  await harness().deliverEvents(handle);
  // Kept while the amendment is in flight, weighed once it is answered: that write reopened it, so the cancel is sent again.
  expect(await handle.query(stateQuery)).toMatchObject({ status: 'open', providerCopy: { status: 'cancelled' } }); // prettier-ignore
  await harness().admin('PUT', '/faults', {});

  await amending;
  const done = await handle.result();
  expect(done.status).toBe('cancelled');
  expect(await atProvider('PO-RACE-AMEND')).toEqual([expect.objectContaining({ status: 'cancelled' })]);
});
