/**
 * `poflow adopt <number> --provider flxpoint` against the whole stack: POs made in Flxpoint's UI
 * (the sandbox's counterpart side) in each status, adopted by the CLI, then followed by polling
 * like any Flxpoint PO. Adoption reads by number only; nothing is written to Flxpoint until an
 * operator cancels.
 */
import { flxpointMoves, madeAtFlxpoint } from './support/flxpoint-purchase-orders';
import { flxpointRequests } from './support/flxpoint-requests';
import { expectBadInput, jsonOf, stackPerFile, type Json } from './support/stack';

const suite = stackPerFile();
const FLXPOINT = ['--provider', 'flxpoint'];
const FAST_POLLING = ['--poll-first', '1', '--poll-max', '2'];
const sandboxUrl = () => suite.stack.sandbox.url;
const statusUntil = (number: string, ready: (po: Json) => boolean) =>
  suite.statusUntil(number, ready, ...FLXPOINT);

/**
 * The requests the sandbox's Flxpoint API answered about this PO (by number or by id). One refused
 * with 429 is not among them: the earlier tests' POs still poll, so a read can meet the rate limit
 * and is then sent again after its Retry-After.
 */
async function requestsAbout(number: string, id: number): Promise<string[]> {
  const log = await flxpointRequests(sandboxUrl());
  return log
    .filter((r) => r.status !== 429)
    .filter(
      (r) => r.url.includes(`purchaseOrderNumber=${encodeURIComponent(number)}`) || r.url.includes(`/${id}`),
    ) // prettier-ignore
    .map((r) => `${r.method} ${r.url.replace(/\?.*/, '')}`);
}

async function activitiesRun(number: string): Promise<string[]> {
  const history = await suite.stack.client.workflow.getHandle(`po/flxpoint/${number}`).fetchHistory();
  return (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name!] : [])); // prettier-ignore
}

// prettier-ignore
const STATES: [flxpointStatus: string, expected: Json][] = [
  ['unprocessed', { status: 'open', acknowledged: false }],
  ['acknowledged', { status: 'open', acknowledged: true }],
  ['processing_error', { status: 'needs_attention', acknowledged: false, statusReason: 'no stock at the source' }],
];

test.each(STATES)(
  'a PO made in Flxpoint UI, %s there, is adopted as it stands; only reads reach Flxpoint',
  async (flxpointStatus, expected) => {
    const number = `FLX-UI-${flxpointStatus}`;
    const id = await madeAtFlxpoint(sandboxUrl(), number, flxpointStatus, 'no stock at the source');

    const adopted = await suite.poflow('adopt', number, ...FLXPOINT, ...FAST_POLLING, '--json');
    expect(adopted.code).toBe(0);
    expect(jsonOf(adopted)).toMatchObject({ name: number, workflowId: `po/flxpoint/${number}`, outcome: 'adopted', status: expected.status, providerStatus: flxpointStatus }); // prettier-ignore

    // Polled at once on the fast schedule: a read has come back when `nextPoll` has moved on.
    const po = await statusUntil(number, (view) => view.adopted !== undefined);
    expect(po).toMatchObject({
      ...expected,
      provider: 'flxpoint',
      providerId: id,
      flxpointStatus,
      po: { purchaseOrderNumber: number, orderId: 5001, sourceId: 77 },
      adopted: { provider: 'flxpoint', providerId: id, trigger: 'poflow adopt' },
    });
    expect(po.history[0]).toMatchObject({ change: 'adopted', from: expected.status, to: expected.status, cause: expect.stringContaining(`from flxpoint purchase order ${id} (Flxpoint status ${flxpointStatus}`) }); // prettier-ignore
    // The create request rebuilt from Flxpoint's answer is the one the UI made, items and all.
    expect(po.po.purchaseOrderItems).toEqual([
      { orderItemId: 9001, quantity: 3, sku: 'WIDGET-1', cost: 2.5 },
      { orderItemId: 9002, quantity: 2, inventoryVariantId: 4242 },
    ]);

    // Provider-side truth: the adoption read it by number, the workflow only polls it by id.
    await statusUntil(number, (view) => view.history.length >= 1 && view.nextPoll && Date.parse(view.nextPoll.at) > Date.parse(view.adopted.at) + 1500); // prettier-ignore
    const sent = await requestsAbout(number, id);
    expect(sent[0]).toBe('GET /purchase-orders');
    expect(sent.filter((r) => !r.startsWith('GET '))).toEqual([]);
    expect(sent).toContain(`GET /purchase-orders/${id}`);
    expect(await activitiesRun(number)).not.toContain('createFlxpointPurchaseOrder');

    // The Web UI says so.
    const described = await suite.stack.client.workflow.getHandle(`po/flxpoint/${number}`).describe();
    expect(await described.staticSummary()).toContain(`adopted from flxpoint id ${id}`);
    expect(await described.staticDetails()).toContain(`**Adopted** from flxpoint purchase order ${id}, status ${flxpointStatus}`); // prettier-ignore

    // A second adoption starts nothing and reads nothing.
    const before = (await flxpointRequests(sandboxUrl())).length;
    const again = await suite.poflow('adopt', number, ...FLXPOINT, '--json');
    expect(jsonOf(again)).toMatchObject({ outcome: 'already_followed' });
    const after = await requestsAbout(number, id);
    expect(after.filter((r) => r === 'GET /purchase-orders')).toHaveLength(1);
    expect((await flxpointRequests(sandboxUrl())).slice(before).filter((r) => r.url.includes('purchaseOrderNumber'))).toEqual([]); // prettier-ignore
  },
);

test("an adopted PO follows Flxpoint's status by polling, and the operator's cancel is the first write", async () => {
  const number = 'FLX-UI-FOLLOWED';
  const id = await madeAtFlxpoint(sandboxUrl(), number);
  expect((await suite.poflow('adopt', number, ...FLXPOINT, ...FAST_POLLING, '--json')).code).toBe(0);
  await statusUntil(number, (po) => po.adopted !== undefined);

  await flxpointMoves(sandboxUrl(), number, 'processing');
  await statusUntil(number, (po) => po.flxpointStatus === 'processing');
  expect((await requestsAbout(number, id)).filter((r) => !r.startsWith('GET '))).toEqual([]);

  const cancelled = await suite.poflow('cancel', number, ...FLXPOINT, '--reason', 'duplicate of FLX-2001', '--json'); // prettier-ignore
  expect(cancelled.code).toBe(0);
  const po = await statusUntil(number, (view) => view.status === 'cancelled');
  expect(po.history.at(-1)).toMatchObject({ to: 'cancelled' });
  expect((await requestsAbout(number, id)).filter((r) => !r.startsWith('GET '))).toEqual([`PUT /purchase-orders/${id}/cancel`]); // prettier-ignore
});

test('refused and started nothing: voided or canceled at Flxpoint, or no such number; a PO poflow submitted is already followed', async () => {
  await madeAtFlxpoint(sandboxUrl(), 'FLX-UI-VOIDED', 'voided', 'customer went elsewhere');
  const voided = await suite.poflow('adopt', 'FLX-UI-VOIDED', ...FLXPOINT, '--json');
  expect(voided.code).toBe(2);
  expect(jsonOf(voided)).toMatchObject({ outcome: 'refused', reason: 'voided at flxpoint (customer went elsewhere): nothing to follow' }); // prettier-ignore

  await madeAtFlxpoint(sandboxUrl(), 'FLX-UI-CANCELED', 'canceled');
  const canceled = await suite.poflow('adopt', 'FLX-UI-CANCELED', ...FLXPOINT);
  expect(canceled.code).toBe(2);
  expect(canceled.stdout).toContain('PO FLX-UI-CANCELED not adopted: canceled at flxpoint (canceled at Flxpoint): nothing to follow'); // prettier-ignore

  const missing = await suite.poflow('adopt', 'FLX-NOWHERE', ...FLXPOINT, '--json');
  expect(missing.code).toBe(2);
  expect(jsonOf(missing)).toMatchObject({ outcome: 'refused', reason: 'flxpoint has no purchase order numbered FLX-NOWHERE' }); // prettier-ignore

  const none = await suite.stack.client.workflow.count('WorkflowId = "po/flxpoint/FLX-UI-VOIDED" OR WorkflowId = "po/flxpoint/FLX-UI-CANCELED" OR WorkflowId = "po/flxpoint/FLX-NOWHERE"'); // prettier-ignore
  expect(none.count).toBe(0);

  // A PO poflow submitted (and so created at Flxpoint) is followed already.
  const submitted = await suite.poflow('submit', 'examples/flxpoint-po.json', ...FLXPOINT, '--json');
  expect(submitted.code).toBe(0);
  const followed = await suite.poflow('adopt', 'FLX-2001', ...FLXPOINT);
  expect(followed.code).toBe(0);
  expect(followed.stdout).toMatch(/^PO FLX-2001 is already followed by poflow: nothing new started/);
  expect(followed.stdout).toMatch(/status +poflow status FLX-2001 --provider flxpoint$/m);
});

test('--all is refused for Flxpoint, naming why, and auto-close is refused as for any Flxpoint PO', async () => {
  expectBadInput(await suite.poflow('adopt', '--all', ...FLXPOINT, '--json'), /^--all: not for flxpoint: Flxpoint's API reference \(Create Purchase Order\) documents no paged listing of purchase orders/); // prettier-ignore
  expectBadInput(await suite.poflow('adopt', 'FLX-1', ...FLXPOINT, '--auto-close', '10', '--json'), /--auto-close, --auto-close-after: not for flxpoint: Flxpoint has no close/); // prettier-ignore
});
