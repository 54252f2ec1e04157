/**
 * End to end on the dev server: the real PO workflow and worker, the real sandbox delivering
 * signed webhooks over HTTP to the receiver, and (with faults) the reconciler. POs move only
 * through what the provider's side does in the sandbox and the events it emits.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EventFeed } from '../webhooks/reconciler/activities';
import { flexportEventFeed } from '../webhooks/reconciler/flexport-event-feed';
import type { FaultOptions } from '../sandbox/faults';
import { poflowLogger } from '../infra/logger';
import { startReconciler, type RunningReconciler } from '../webhooks/reconciler/runner';
import { startWebhookReceiver, type WebhookReceiver } from '../webhooks/receiver';
import { routeEvent } from '../webhooks/routing';
import { sign } from '../webhooks/signature';
import { bookUpdate, stateQuery, type PoView } from '../workflows/flexport/messages';
import { ProviderEvent } from '../workflows/flexport/provider-event';
import { startHarness, until, type Harness, type PoHandle } from './support/po-harness';
import { samplePurchaseOrder } from './support/purchase-orders';
import { devServerEnv } from './support/temporal';
import { testDataConverter } from './support/codec';

const SECRET = 'whsec-e2e-5f2b8c1d9e7a4f60';
const silent = poflowLogger('webhooks', { write: () => {} });

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

interface Stack {
  harness: Harness;
  receiver: WebhookReceiver;
  feed: EventFeed;
  reconciler?: RunningReconciler;
  close(): Promise<void>;
}

/** Receiver first (the sandbox needs its URL), then sandbox + worker, then the reconciler if asked. */
async function startStack(options: { faults?: FaultOptions; reconcile?: boolean } = {}): Promise<Stack> {
  const receiver = await startWebhookReceiver({
    port: 0,
    secrets: [SECRET],
    client: env.client,
    logger: silent,
  });
  const harness = await startHarness(env, {
    webhooks: [{ url: `${receiver.url}/webhooks/flexport`, secret: SECRET }],
    faults: options.faults,
    seed: 7,
  });
  const feed = flexportEventFeed(harness.flexport, { baseUrl: harness.sandbox.url, apiToken: 'sandbox' });
  const reconciler = options.reconcile
    ? await startReconciler(env.client, {
        connection: env.nativeConnection,
        namespace: 'default',
        dataConverter: testDataConverter,
        flexport: feed,
        pollIntervalMs: 500,
        settleMs: 1000,
        logger: silent,
      })
    : undefined;
  return {
    harness,
    receiver,
    feed,
    reconciler,
    async close() {
      await reconciler?.close();
      await harness.close();
      await receiver.close();
    },
  };
}

/** The seller acknowledges, the forwarder confirms the booking and runs the shipment to `to`. */
async function playProviderSide(stack: Stack, handle: PoHandle, to: 'departed' | 'delivered_in_full') {
  const { harness } = stack;
  const open = await until(handle, (s) => s.providerId !== undefined, 60_000);
  await harness.admin('POST', `/purchase_orders/${open.providerId}/acknowledge`);
  await until(handle, (s) => s.acknowledged, 60_000);
  const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
  const confirmed = await harness.admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
  const shipmentId = (confirmed as { shipment: { id: number } }).shipment.id;
  await until(handle, (s) => s.bookings.some((b) => b.shipmentId === shipmentId), 60_000);
  await harness.admin('POST', `/shipments/${shipmentId}/advance`, { to });
  return until(handle, (s) => Boolean(s.milestones[to]), 60_000);
}

/** Every event the sandbox ever emitted, through the reconciler's own feed. */
async function allEvents(feed: EventFeed): Promise<ProviderEvent[]> {
  let page = await feed.eventPage({});
  const events = [...page.events];
  while (page.next) {
    page = await feed.eventPage({ next: page.next });
    events.push(...page.events);
  }
  return events.map((event) => ProviderEvent.parse(event));
}

function eventIdsConcerning(events: ProviderEvent[], name: string): number[] {
  return events
    .filter((event) => {
      const route = routeEvent(event);
      return route.kind !== 'none' && route.poNames.includes(name);
    })
    .map((event) => event.id);
}

/** Waits until the PO's workflow has taken in every event the sandbox emitted about it. */
async function everyEventSeen(stack: Stack, name: string): Promise<PoView> {
  const expected = eventIdsConcerning(await allEvents(stack.feed), name);
  const handle = stack.harness.client.workflow.getHandle(`po/flexport/${name}`);
  return until(handle, (s) => expected.every((id) => s.seenEventIds.includes(id)), 60_000);
}

const MILESTONES = ['arrived', 'customs_released', 'delivered_in_full', 'departed'];

test('a PO reaches acknowledged, booked and delivered in full from sandbox webhooks alone', async () => {
  const stack = await startStack();
  try {
    const handle = await stack.harness.start(samplePurchaseOrder(`PO-E2E-HAPPY-${Date.now()}`, Date.now()));
    const { name } = await playProviderSide(stack, handle, 'delivered_in_full');
    // Deliveries run in parallel: the last milestone can land before the others.
    const delivered = await everyEventSeen(stack, name);
    expect(delivered).toMatchObject({ status: 'booked', acknowledged: true });
    expect(Object.keys(delivered.milestones).sort()).toEqual(MILESTONES);
    expect(stack.receiver.counts.refused).toEqual({ signature: 0, malformed: 0, tooLarge: 0 });
  } finally {
    await stack.close();
  }
});

test('forged, malformed and oversized deliveries are refused and change nothing', async () => {
  const stack = await startStack();
  try {
    const handle = await stack.harness.start(samplePurchaseOrder(`PO-E2E-FORGED-${Date.now()}`, Date.now()));
    const before = await until(handle, (s) => s.status === 'open', 60_000);
    const url = `${stack.receiver.url}/webhooks/flexport`;
    const cancel = JSON.stringify({
      _object: '/event', id: 999_999, version: 2, type: '/purchase_order#cancelled',
      created_at: new Date().toISOString(), occurred_at: new Date().toISOString(),
      data: { purchase_order: { _object: '/purchase_order', name: before.name } },
    }); // prettier-ignore
    const post = (body: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post(cancel, { 'x-hub-signature-256': sign(cancel, 'a-guessed-secret') })).status).toBe(
      401,
    );
    expect((await post(cancel, {})).status).toBe(401);
    const truncated = cancel.slice(0, 40);
    expect((await post(truncated, { 'x-hub-signature-256': sign(truncated, SECRET) })).status).toBe(400);
    const huge = cancel.replace('"data":{', `"data":{"padding":"${'x'.repeat(1024 * 1024)}",`);
    expect((await post(huge, { 'x-hub-signature-256': sign(huge, SECRET) })).status).toBe(413);

    const after = await handle.query(stateQuery);
    expect(after.status).toBe('open');
    expect(after.seenEventIds).not.toContain(999_999);
    expect(after.history).toEqual(before.history);
  } finally {
    await stack.close();
  }
});

test('with 30% of deliveries dropped and the rest duplicated and reordered, reconciliation leaves every PO right', async () => {
  const stack = await startStack({
    faults: { webhookDropRate: 0.3, webhookDuplicateRate: 0.5, webhookReorderWindowMs: 400 },
    reconcile: true,
  });
  try {
    const run = Date.now();
    const plays: Array<{ to: 'departed' | 'delivered_in_full' | undefined }> = [
      { to: 'delivered_in_full' },
      { to: 'delivered_in_full' },
      { to: 'departed' },
      { to: undefined },
    ];
    const finals: PoView[] = await Promise.all(
      plays.map(async ({ to }, i) => {
        const handle = await stack.harness.start(samplePurchaseOrder(`PO-E2E-FAULTS-${i}-${run}`, run));
        if (to) return playProviderSide(stack, handle, to);
        const open = await until(handle, (s) => s.providerId !== undefined, 60_000);
        await stack.harness.admin('POST', `/purchase_orders/${open.providerId}/acknowledge`);
        return until(handle, (s) => s.acknowledged, 60_000);
      }),
    );
    // Lossless: every event about each PO reaches it in the end, whatever the webhooks did.
    const settled = await Promise.all(finals.map((f) => everyEventSeen(stack, f.name)));
    expect(settled.map((f) => [f.status, f.acknowledged, Object.keys(f.milestones).sort()])).toEqual([
      ['booked', true, MILESTONES],
      ['booked', true, MILESTONES],
      ['booked', true, ['departed']],
      ['open', true, []],
    ]);
    const deliveries = await stack.harness.admin('GET', '/deliveries');
    expect(deliveries.dropped).toBeGreaterThan(0);
    expect(deliveries.duplicated).toBeGreaterThan(0);
  } finally {
    await stack.close();
  }
});
