/**
 * A long life: a flood of provider events, delivered the way the webhook receiver does, makes the
 * PO continue as new; it carries its whole state over, dedupe set included. The dev server (a real
 * Temporal server) is needed: the time-skipping server does not report history size.
 */
import { deliverEvent } from '../webhooks/delivery';
import { providerEventSignal } from '../workflows/flexport/messages';
import { type ProviderEvent } from '../workflows/flexport/provider-event';
import { harnessFor, until } from './support/po-harness';
import { samplePurchaseOrder } from './support/purchase-orders';
import { devServerEnv } from './support/temporal';

const harness = harnessFor('the file', { env: devServerEnv });

const FLOOD = 4_500;

test('continue-as-new under a flood of events keeps the state and the dedupe set', async () => {
  const name = `PO-FLOOD-${Date.now()}`;
  // A large PO shows how often the next run's input carries it (issue 26, finding 8: it was three times).
  const memo = 'm'.repeat(100_000);
  const handle = await harness().start(samplePurchaseOrder(name, Date.now(), { memo }));
  const open = await until(handle, (s) => s.status === 'open');
  await harness().admin('POST', `/purchase_orders/${open.providerId}/acknowledge`);
  const before = await harness().deliverEvents(handle);
  const acknowledged = before.find((e) => e.type === '/purchase_order#acknowledged');
  const firstRunId = (await handle.describe()).runId;

  const noise = (id: number): ProviderEvent => ({
    _object: '/event',
    id,
    version: 2,
    type: '/purchase_order#document_uploaded',
    created_at: new Date().toISOString(),
    occurred_at: new Date().toISOString(),
    data: { purchase_order: { _object: '/purchase_order', name } },
  });
  const delivery = { client: harness().client, provider: 'flexport' as const };
  for (let start = 0; start < FLOOD; start += 250) {
    const batch = Array.from({ length: 250 }, (_, i) => noise(1_000_000 + start + i));
    await Promise.all(batch.map((event) => deliverEvent(event, delivery)));
  }
  const last = 1_000_000 + FLOOD - 1;
  const after = await until(handle, (s) => s.seenEventIds.includes(last), 120_000);

  expect((await handle.describe()).runId).not.toBe(firstRunId);
  const { events } = await harness().client.workflow.getHandle(handle.workflowId).fetchHistory();
  const input = events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
  const inputBytes = input.reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0);
  expect(inputBytes).toBeGreaterThan(memo.length);
  expect(inputBytes).toBeLessThan(1.5 * memo.length);
  expect(after).toMatchObject({ status: 'open', acknowledged: true, providerId: open.providerId });
  expect(after.history.filter((h) => h.change === 'acknowledged')).toHaveLength(1);
  expect(after.seenEventIds).toHaveLength(before.length + FLOOD);
  expect(after.seenEventIds.slice(0, before.length)).toEqual(before.map((e) => e.id));

  // Duplicates from before the continue-as-new are still recognised: only the fresh sentinel is new.
  const sentinel = noise(2_000_000);
  await handle.signal(providerEventSignal, acknowledged!);
  await handle.signal(providerEventSignal, noise(last));
  await handle.signal(providerEventSignal, sentinel);
  const final = await until(handle, (s) => s.seenEventIds.includes(sentinel.id));
  expect(final.ignoredEvents.slice(-2).map((e) => e.id)).toEqual([
    after.ignoredEvents.at(-1)!.id,
    sentinel.id,
  ]);
  expect(final.history).toEqual(after.history);
});
