/**
 * The rule `adopt` for events about POs poflow does not follow (POFLOW_UNKNOWN_PO_EVENTS), over the
 * whole stack: the sandbox delivers its webhooks to a receiver that adopts, and deliveries race
 * each other and `poflow adopt` for the same PO.
 */
import { Client } from '@temporalio/client';
import pino from 'pino';
import { FlexportClient } from '../activities/flexport/client';
import { unknownPoAdoption } from '../webhooks/adoption';
import { SandboxCounterpart } from '../client/sandbox-counterpart';
import { deliverEvent } from '../webhooks/delivery';
import { startWebhookReceiver, type WebhookReceiver } from '../webhooks/receiver';
import { stateQuery } from '../workflows/flexport/messages';
import { madeAtProvider, providerEvents } from './support/adoption';
import { until } from './support/po-harness';
import { samplePurchaseOrder } from './support/purchase-orders';
import { jsonOf, stackPerFile } from './support/stack';

const suite = stackPerFile();
const flexport = () => new FlexportClient({ baseUrl: suite.stack.sandbox.url, apiToken: 'sandbox' });

/** Every event the sandbox logged about this PO, oldest first. */
const eventsAbout = (name: string) =>
  providerEvents(suite.stack.sandbox.url, (e) => JSON.stringify(e.data).includes(`"name":"${name}"`));

/** Executions under this PO's workflow id, over every run: 1 when nothing was started twice. */
async function executions(name: string): Promise<number> {
  return (await suite.stack.client.workflow.count(`WorkflowId = "po/flexport/${name}"`)).count;
}

test('a webhook for a PO made in the provider UI starts its workflow by adoption, with the event applied once', async () => {
  // prettier-ignore
  const secret = 'adopting-receiver-secret';
  const receiver: WebhookReceiver = await startWebhookReceiver({
    port: 0,
    secrets: [secret],
    client: suite.stack.client,
    adoption: unknownPoAdoption(suite.stack.client, flexport()),
    logger: pino({ level: 'silent' }),
  });
  const counterpart = new SandboxCounterpart(suite.stack.sandbox.url);
  const registered = await fetch(`${suite.stack.sandbox.url}/_sandbox/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${receiver.url}/webhooks/flexport`, secret }),
  });
  expect(registered.status).toBe(200);
  try {
    // Made in the UI, then acknowledged there: two webhooks about a PO poflow does not follow yet,
    // and `poflow adopt` racing them.
    const names = ['PO-EVT-1', 'PO-EVT-2', 'PO-EVT-3'];
    const adoptions = names.map(async (name) => {
      const made = await counterpart.createPurchaseOrder(samplePurchaseOrder(name, Date.now()));
      const cli = suite.poflow('adopt', name, '--json');
      await counterpart.acknowledge(made.id);
      return { name, cli: jsonOf(await cli) };
    });
    for (const { name, cli } of await Promise.all(adoptions)) {
      expect(['adopted', 'already_followed']).toContain(cli.outcome);
      const handle = suite.stack.client.workflow.getHandle(`po/flexport/${name}`);
      const events = await eventsAbout(name);
      expect(events.map((e) => e.type)).toEqual(['/purchase_order#created', '/purchase_order#acknowledged']);
      const state = await until(handle, (s) => events.every((e) => s.seenEventIds.includes(e.id)));
      expect(state).toMatchObject({ status: 'open', acknowledged: true, eventsApplied: 2 });
      expect(state.history.filter((h) => h.change === 'adopted')).toHaveLength(1);
      expect(await executions(name)).toBe(1);
    }
    expect(receiver.counts.unknownPo).toBe(0);
  } finally {
    await receiver.close();
  }
});

test('many deliveries of the events of one unknown PO at once, from two processes: one workflow, each event applied once', async () => {
  // prettier-ignore
  const name = 'PO-EVT-FLOOD';
  await madeAtProvider(suite.stack.sandbox.url, name, 'acknowledged');
  // Changed twice more in the UI: a new must-arrive date, then a memo.
  const counterpart = new SandboxCounterpart(suite.stack.sandbox.url);
  const body = samplePurchaseOrder(name, Date.now());
  const mustArrive = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await counterpart.createPurchaseOrder({ ...body, must_arrive_date: mustArrive });
  await counterpart.createPurchaseOrder({ ...body, must_arrive_date: mustArrive, memo: 'by phone' });
  const events = await eventsAbout(name);
  expect(events.map((e) => e.type)).toEqual(['/purchase_order#created', '/purchase_order#acknowledged', '/purchase_order#updated', '/purchase_order#updated']); // prettier-ignore
  // Two clients stand for two processes (the receiver and the reconciler): no shared batching lane.
  const clients = [suite.stack.client, new Client({ connection: suite.stack.client.connection })];
  const deliveries = clients.flatMap((client) =>
    [...events, ...events].map((event) =>
      deliverEvent(event, { client, provider: 'flexport', adoption: unknownPoAdoption(client, flexport()) }),
    ),
  );
  const reports = await Promise.all(deliveries);
  expect(reports.every((r) => r.signalled.includes(`po/flexport/${name}`))).toBe(true);
  expect(reports.filter((r) => r.adopted.length > 0).length).toBeGreaterThanOrEqual(1);

  const handle = suite.stack.client.workflow.getHandle(`po/flexport/${name}`);
  const state = await until(handle, (s) => events.every((e) => s.seenEventIds.includes(e.id)));
  expect(state.eventsApplied).toBe(events.length);
  expect(new Set(state.seenEventIds).size).toBe(state.seenEventIds.length);
  expect(state.history.filter((h) => h.change === 'adopted')).toHaveLength(1);
  expect(state).toMatchObject({ status: 'open', acknowledged: true, providerVersion: 3, po: { must_arrive_date: mustArrive } }); // prettier-ignore
  expect(await executions(name)).toBe(1);
});

test('the rule drop, and a PO the provider has cancelled under the rule adopt: recorded and dropped, nothing started', async () => {
  // prettier-ignore
  const name = 'PO-EVT-DROPPED';
  await madeAtProvider(suite.stack.sandbox.url, name, 'open');
  const [created] = await eventsAbout(name);
  const dropped = await deliverEvent(created!, { client: suite.stack.client, provider: 'flexport' });
  expect(dropped).toMatchObject({ unknown: [`po/flexport/${name}`], adopted: [], notAdopted: {} });

  const cancelledName = 'PO-EVT-CANCELLED';
  const made = await madeAtProvider(suite.stack.sandbox.url, cancelledName, 'open');
  const body = samplePurchaseOrder(cancelledName, Date.now());
  await new SandboxCounterpart(suite.stack.sandbox.url).createPurchaseOrder({ ...body, status: 'cancelled' });
  const [first] = await eventsAbout(cancelledName);
  const refused = await deliverEvent(first!, { client: suite.stack.client, provider: 'flexport', adoption: unknownPoAdoption(suite.stack.client, flexport()) }); // prettier-ignore
  expect(refused).toMatchObject({
    unknown: [`po/flexport/${cancelledName}`],
    notAdopted: { [`po/flexport/${cancelledName}`]: 'cancelled at flexport: nothing to follow' },
  });
  expect(made.id).toBeGreaterThan(0);
  expect(await executions(name)).toBe(0);
  expect(await executions(cancelledName)).toBe(0);
});

test('an event for a PO whose workflow has ended does not start it again under the rule adopt', async () => {
  const name = 'PO-EVT-ENDED';
  await madeAtProvider(suite.stack.sandbox.url, name, 'open');
  expect((await suite.poflow('adopt', name, '--json')).code).toBe(0);
  expect((await suite.poflow('cancel', name, '--json')).code).toBe(0);
  const handle = suite.stack.client.workflow.getHandle(`po/flexport/${name}`);
  await handle.result();
  const [created] = await eventsAbout(name);
  const report = await deliverEvent(created!, { client: suite.stack.client, provider: 'flexport', adoption: unknownPoAdoption(suite.stack.client, flexport()) }); // prettier-ignore
  expect(report).toMatchObject({ closed: [`po/flexport/${name}`], adopted: [] });
  expect(await executions(name)).toBe(1);
  expect((await handle.query(stateQuery)).status).toBe('cancelled');
});
