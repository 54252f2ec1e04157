/**
 * The reconciler under the rule `adopt`, over the whole stack: the webhooks about a PO made in
 * Flexport's UI reach a receiver that drops them (it follows the rule `drop`, as a receiver that
 * was down loses them), and the reconciler's catch-up from `GET /events` finds them, adopts the PO
 * and delivers every event to it: one execution, each event applied once.
 */
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { FlexportClient } from '../activities/flexport/client';
import { flexportEventFeed } from '../webhooks/reconciler/flexport-event-feed';
import { unknownPoAdoption } from '../webhooks/adoption';
import { poflowLogger } from '../infra/logger';
import { deliverEvent } from '../webhooks/delivery';
import { startWebhookReceiver } from '../webhooks/receiver';
import { startReconciler } from '../webhooks/reconciler/runner';
import { routeEvent } from '../webhooks/routing';
import { sign } from '../webhooks/signature';
import { stateQuery } from '../workflows/flexport/messages';
import { type ProviderEvent } from '../workflows/flexport/provider-event';
import { reconcilerStateQuery, reconcilerWorkflowId } from '../workflows/reconciler';
import { madeAtProvider, providerEvents } from './support/adoption';
import { until } from './support/po-harness';
import { stackPerFile } from './support/stack';
import { workerDefaults } from './support/temporal';

const suite = stackPerFile();
const flexport = () => new FlexportClient({ baseUrl: suite.stack.sandbox.url, apiToken: 'sandbox' });

/** The events routed to this PO by name, the shipment's included (its metadata names the PO). */
const eventsFor = (name: string) =>
  providerEvents(suite.stack.sandbox.url, (e) => {
    const route = routeEvent(e);
    return route.kind !== 'none' && route.poNames.includes(name);
  });

const executions = async (name: string) =>
  (await suite.stack.client.workflow.count(`WorkflowId = "po/flexport/${name}"`)).count;

test("the receiver dropped a shipped PO's webhooks; the reconciler's catch-up adopts it and applies every event once", async () => {
  // prettier-ignore
  const name = 'PO-REC-ADOPT';
  const made = await madeAtProvider(suite.stack.sandbox.url, name, 'shipped');
  const events = await eventsFor(name);
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['/purchase_order#created', '/purchase_order#acknowledged', '/shipment#created', '/shipment_leg#departed'])); // prettier-ignore
  // The stack's receiver got them all and, following no rule `adopt`, started nothing.
  expect(await executions(name)).toBe(0);

  const connection = await NativeConnection.connect({ address: suite.stack.temporalAddress });
  const reconciler = await startReconciler(suite.stack.client, {
    connection,
    namespace: 'default',
    dataConverter: workerDefaults.dataConverter,
    flexport: flexportEventFeed(flexport(), { baseUrl: suite.stack.sandbox.url, apiToken: 'sandbox' }),
    adoption: unknownPoAdoption(suite.stack.client, flexport()),
    pollIntervalMs: 300,
    settleMs: 0,
    logger: poflowLogger('webhooks', { write: () => {} }),
  });
  try {
    const handle = suite.stack.client.workflow.getHandle(`po/flexport/${name}`);
    await eventually(() => handle.describe(), 60_000);
    const state = await until(handle, (s) => events.every((e) => s.seenEventIds.includes(e.id)), 60_000);
    expect(state).toMatchObject({
      status: 'booked',
      acknowledged: true,
      providerId: made.id,
      shipments: [
        expect.objectContaining({ id: made.shipmentId, milestones: { departed: expect.any(String) } }),
      ],
      adopted: { provider: 'flexport', providerId: made.id, trigger: expect.stringMatching(/^event \/purchase_order#created #\d+ about a PO poflow did not follow$/) }, // prettier-ignore
    });
    expect(state.eventsApplied).toBe(events.length);
    expect(state.history.filter((h) => h.change === 'adopted')).toHaveLength(1);
    expect(await executions(name)).toBe(1);
    const totals = (await reconcilerStateQueryOf()).totals;
    expect(totals.unknownPo).toBe(0);

    // The same events once more, as a receiver back up would deliver them: nothing applied twice.
    const adoption = unknownPoAdoption(suite.stack.client, flexport());
    for (const event of events) {
      const report = await deliverEvent(event, { client: suite.stack.client, provider: 'flexport', adoption }); // prettier-ignore
      expect(report).toMatchObject({ signalled: [`po/flexport/${name}`], adopted: [] });
    }
    await waitForSignals(handle, events);
    expect((await handle.query(stateQuery)).eventsApplied).toBe(events.length);
    expect(await executions(name)).toBe(1);
  } finally {
    await reconciler.close();
    await connection.close();
  }
});

test("a shipment event that names no PO reaches it through the shipment's booking: the adopting receiver adopts the PO with it", async () => {
  // prettier-ignore
  const name = 'PO-SHIP-UNTAGGED';
  const made = await madeAtProvider(suite.stack.sandbox.url, name, 'shipped', { poMetadata: false });
  const [departed] = await providerEvents(suite.stack.sandbox.url, (e) => e.type === '/shipment_leg#departed' && JSON.stringify(e.data).includes(`"id":${made.shipmentId},`)); // prettier-ignore
  expect(departed).toBeDefined();
  expect(routeEvent(departed!)).toEqual({ kind: 'shipment', shipmentId: made.shipmentId, poNames: [] });
  // The stack's receiver (rule drop) found no PO for it: nothing started.
  expect(await executions(name)).toBe(0);

  const secret = 'untagged-shipment-secret';
  const receiver = await startWebhookReceiver({
    port: 0,
    secrets: [secret],
    client: suite.stack.client,
    adoption: unknownPoAdoption(suite.stack.client, flexport()),
    logger: pino({ level: 'silent' }),
  });
  try {
    const body = JSON.stringify(departed);
    const answer = await fetch(`${receiver.url}/webhooks/flexport`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, secret) },
      body,
    });
    expect(answer.status).toBe(200);
    expect(receiver.counts).toMatchObject({ adoptedPo: 1, unknownPo: 0 });
    const handle = suite.stack.client.workflow.getHandle(`po/flexport/${name}`);
    const state = await until(handle, (s) => s.seenEventIds.includes(departed!.id));
    expect(state).toMatchObject({
      status: 'booked',
      providerId: made.id,
      eventsApplied: 1,
      shipments: [
        expect.objectContaining({ id: made.shipmentId, milestones: { departed: expect.any(String) } }),
      ],
      adopted: { trigger: `event /shipment_leg#departed #${departed!.id} about a PO poflow did not follow` },
    });
    expect(await executions(name)).toBe(1);
  } finally {
    await receiver.close();
  }
});

const reconcilerStateQueryOf = () =>
  suite.stack.client.workflow.getHandle(reconcilerWorkflowId('flexport')).query(reconcilerStateQuery);

/** Every signal sent has been through the workflow: its history holds a task completed after them. */
async function waitForSignals(
  handle: ReturnType<typeof suite.stack.client.workflow.getHandle>,
  events: ProviderEvent[],
): Promise<void> {
  const signalled = async () => {
    const history = await handle.fetchHistory();
    const kinds = (history.events ?? []).map((e) => (e.workflowExecutionSignaledEventAttributes ? 'signal' : e.workflowTaskCompletedEventAttributes ? 'task' : '')); // prettier-ignore
    const lastSignal = kinds.lastIndexOf('signal');
    const lastCompleted = kinds.lastIndexOf('task');
    return lastSignal >= 0 && lastCompleted > lastSignal;
  };
  const deadline = Date.now() + 30_000;
  while (!(await signalled())) {
    if (Date.now() > deadline) throw new Error(`the ${events.length} signals were never processed`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `attempt` again until it resolves, or its last failure after `timeoutMs`. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
