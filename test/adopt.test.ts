/**
 * `poflow adopt <name>` against the whole stack: POs made in the provider's UI (the sandbox's
 * admin side) in each state, adopted by the CLI, then followed like any other PO.
 */
import { FlexportClient } from '../activities/flexport/client';
import { SandboxCounterpart } from '../client/sandbox-counterpart';
import { madeAtProvider, PROVIDER_STATES, type ProviderState } from './support/adoption';
import { jsonOf, stackPerFile, type Json } from './support/stack';

const suite = stackPerFile();
const flexport = () => new FlexportClient({ baseUrl: suite.stack.sandbox.url, apiToken: 'sandbox' });

/** The PO's latest resource at the provider, line items embedded. */
async function atProvider(name: string): Promise<Record<string, unknown>> {
  for await (const po of flexport().listPurchaseOrders({ name })) return po;
  throw new Error(`no PO ${name} at the sandbox`);
}

/** Which activities the workflow ran, by type. */
async function activitiesRun(name: string): Promise<string[]> {
  const history = await suite.stack.client.workflow.getHandle(`po/flexport/${name}`).fetchHistory();
  return (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name!] : [])); // prettier-ignore
}

const EXPECTED: Record<ProviderState, (po: Json) => void> = {
  open: (po) => expect(po).toMatchObject({ status: 'open', acknowledged: false, bookings: [] }),
  acknowledged: (po) => expect(po).toMatchObject({ status: 'open', acknowledged: true }),
  partly_booked: (po) =>
    expect(po).toMatchObject({
      status: 'booked',
      lines: [expect.objectContaining({ itemKey: 'A', bookedUnits: 200, booking: 'partial' }), expect.objectContaining({ itemKey: 'B', bookedUnits: 0, booking: 'unbooked' })], // prettier-ignore
    }),
  shipped: (po) =>
    expect(po).toMatchObject({
      status: 'booked',
      acknowledged: true,
      milestones: { departed: expect.any(String) },
      lines: [expect.objectContaining({ booking: 'full' }), expect.objectContaining({ booking: 'full' })],
      shipments: [expect.objectContaining({ milestones: { departed: expect.any(String) } })],
    }),
};

test.each(PROVIDER_STATES)(
  'a PO made in the provider UI, %s there, is adopted as it stands; nothing is sent back',
  async (state) => {
    // prettier-ignore
    const name = `PO-UI-${state}`;
    const made = await madeAtProvider(suite.stack.sandbox.url, name, state);
    const before = await atProvider(name);

    const adopted = await suite.poflow('adopt', name, '--json');
    expect(adopted.code).toBe(0);
    expect(jsonOf(adopted)).toMatchObject({ name, workflowId: `po/flexport/${name}`, outcome: 'adopted' });

    const po = await suite.statusUntil(name, (view) => view.adopted !== undefined);
    EXPECTED[state](po);
    expect(po).toMatchObject({
      providerId: made.id,
      adopted: { provider: 'flexport', providerId: made.id, trigger: 'poflow adopt' },
      settings: { autoClose: false },
    });
    expect(po.history[0]).toMatchObject({ change: 'adopted', cause: expect.stringContaining(`from flexport purchase order ${made.id}`) }); // prettier-ignore
    // Provider-side truth: no create, no update; the PO at the provider is as it was.
    expect(await activitiesRun(name)).not.toContain('submitPurchaseOrder');
    expect(await atProvider(name)).toEqual(before);

    // The Web UI says so: the summary and the details.
    const described = await suite.stack.client.workflow.getHandle(`po/flexport/${name}`).describe();
    expect(await described.staticSummary()).toContain(`adopted from flexport id ${made.id}`);
    expect(await described.staticDetails()).toContain(`**Adopted** from flexport purchase order ${made.id}`);

    // A second adoption starts nothing.
    expect(jsonOf(await suite.poflow('adopt', name, '--json'))).toMatchObject({
      outcome: 'already_followed',
    });
  },
);

test('an adopted PO is followed like any other: events move it on, the rest is booked, and a close keeps the provider PO as it was', async () => {
  // prettier-ignore
  const name = 'PO-UI-FOLLOWED';
  const made = await madeAtProvider(suite.stack.sandbox.url, name, 'partly_booked');
  expect((await suite.poflow('adopt', name, '--json')).code).toBe(0);
  await suite.statusUntil(name, (po) => po.status === 'booked');

  // The rest of the units, booked through poflow against the provider's own line item ids.
  const booked = await suite.poflow('book', name, '--json');
  expect(booked.code).toBe(0);
  const po = await suite.statusUntil(name, (view) => view.lines.every((l: Json) => l.booking === 'full'));
  expect(po.bookings).toHaveLength(2);

  // The counterpart confirms and ships; the webhooks reach the adopted workflow.
  const counterpart = new SandboxCounterpart(suite.stack.sandbox.url);
  const shipmentId = await counterpart.confirmBooking(po.bookings[1].providerId);
  await counterpart.advanceShipment(shipmentId, 'delivered_in_full');
  await suite.statusUntil(name, (view) => view.shipments.some((s: Json) => s.id === shipmentId && s.milestones.delivered_in_full)); // prettier-ignore

  // Closing sends the PO rebuilt from the provider's resource: only the status (and version) change there.
  const before = await atProvider(name);
  expect((await suite.poflow('close', name, '--json')).code).toBe(0);
  await suite.statusUntil(name, (view) => view.status === 'closed');
  const after = await atProvider(name);
  const unversioned = (resource: Record<string, unknown>) => {
    const { status: _s, purchase_order_version: _v, updated_at: _u, line_items, ...rest } = resource;
    const lines = (line_items as { data: Record<string, unknown>[] }).data.map(({ purchase_order_version: _lv, ...line }) => line); // prettier-ignore
    return { ...rest, lines };
  };
  expect(after.status).toBe('closed');
  expect(unversioned(after)).toEqual(unversioned(before));
  expect(made.id).toBe(after.id);
});

test('a PO the provider has closed, or does not have, is refused with the reason (exit code 2)', async () => {
  const name = 'PO-UI-CLOSED';
  await madeAtProvider(suite.stack.sandbox.url, name, 'open');
  const counterpart = new SandboxCounterpart(suite.stack.sandbox.url);
  const current = await atProvider(name);
  // Cancelled in the provider's UI: the same full replacement with another status.
  await counterpart.createPurchaseOrder({ ...(await rebuilt(current)), status: 'cancelled' });

  const closed = await suite.poflow('adopt', name, '--json');
  expect(closed.code).toBe(2);
  expect(jsonOf(closed)).toMatchObject({
    outcome: 'refused',
    reason: 'cancelled at flexport: nothing to follow',
  });
  const missing = await suite.poflow('adopt', 'PO-NOWHERE', '--json');
  expect(missing.code).toBe(2);
  expect(jsonOf(missing)).toMatchObject({ outcome: 'refused', reason: 'flexport has no purchase order named PO-NOWHERE' }); // prettier-ignore
  // Neither started anything.
  const count = await suite.stack.client.workflow.count(`WorkflowId = "po/flexport/${name}" OR WorkflowId = "po/flexport/PO-NOWHERE"`); // prettier-ignore
  expect(count.count).toBe(0);
});

test('bad input is refused before anything is read: both a name and --all, flags without --all, a bad date, --all for Flxpoint', async () => {
  // prettier-ignore
  const cases: [string[], RegExp][] = [
    [['adopt', 'PO-1', '--all'], /<name>: give a PO name or --all, not both/],
    [['adopt', 'PO-1', '--status', 'open'], /--status, --updated-since: only with --all/],
    [['adopt', '--all', '--updated-since', 'yesterday'], /--updated-since: "yesterday" is not a date/],
    [['adopt', '--all', '--status', 'shipped'], /--status: "shipped" is not a PO status at the provider/],
    [['adopt', '--all', '--provider', 'flxpoint'], /--all: not for flxpoint: Flxpoint's API reference \(Create Purchase Order\) documents no paged listing/],
    [['adopt'], /<name>: the PO to adopt/],
  ];
  for (const [args, message] of cases) {
    const result = await suite.poflow(...args, '--json');
    expect({ args, code: result.code, error: jsonOf(result).error }).toEqual({ args, code: 2, error: expect.stringMatching(message) }); // prettier-ignore
  }
});

/** The create body the adoption read rebuilds from a resource, as a person's next save in the UI would send it. */
async function rebuilt(resource: Record<string, unknown>) {
  const { createBodyOf } = await import('../activities/flexport/adoption-read');
  return createBodyOf(resource as Parameters<typeof createBodyOf>[0]);
}
