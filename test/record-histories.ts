/**
 * Records PO workflow histories for the replay test: `npx tsx test/record-histories.ts [scenario...]`
 * (every scenario when none is named). Runs a few lives of a PO on the time-skipping server
 * against the sandbox and writes each history to test/histories/<scenario>.json. Re-record only
 * on purpose: the point of the files is that today's workflow code must replay what yesterday's
 * code wrote, so a new scenario is recorded alone and the old files stay as they are.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { adoptionSettings } from '../client/commands/adopt';
import { adoptByName } from '../providers/flexport/adoption';
import { adoptFlxpointByNumber } from '../providers/flxpoint/adoption';
import { ensureWorkflowBundle } from '../worker/workflow-bundle';
import {
  amendUpdate,
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  providerEventsSignal,
  stateQuery,
} from '../workflows/flexport/messages';
import { flxpointCancelUpdate, type FlxpointPoView } from '../workflows/flxpoint/messages';
import {
  flxpointMoves,
  madeAtFlxpoint,
  sampleFlxpointPurchaseOrder,
} from './support/flxpoint-purchase-orders';
import { startHarness, until, type FlxpointHandle, type Harness, type PoHandle } from './support/po-harness';
import { dayAfter, samplePurchaseOrder } from './support/purchase-orders';
import { timeSkippingEnv } from './support/temporal';

export const HISTORIES_DIR = path.join(__dirname, 'histories');

const HOUR_MS = 3_600_000;
const RECORDER_SECRET = 'recorder-secret-0123456789';
const DAY_MS = 24 * HOUR_MS;

/** How long the sandbox holds every API request while a write's answer is held back. */
const HOLD_MS = 12_000;

/**
 * Starts poflow's next provider write (`write`, an update that sends one) and returns once the
 * provider has applied it but before poflow has its answer: every API request is held HOLD_MS, the
 * write (POST /purchase_orders) goes through, and the activity's follow-up read of the line items
 * is held; the hold is then lifted for later requests (the harness's event reads). `answered`
 * settles with the update.
 */
async function whileWriteAnswerHeld(
  h: Harness,
  write: () => Promise<unknown>,
): Promise<{ answered: Promise<unknown> }> {
  const reads = async () =>
    ((await h.admin('GET', '/request-stats')) as Record<string, { total: number } | undefined>)
      .purchase_order_line_items?.total ?? 0;
  const before = await reads();
  await h.admin('PUT', '/faults', { latencyMs: HOLD_MS });
  const answered = write();
  answered.catch(() => {}); // awaited by the caller
  const deadline = Date.now() + 3 * HOLD_MS;
  while ((await reads()) === before) {
    if (Date.now() > deadline) throw new Error('the write never reached its follow-up read');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await h.admin('PUT', '/faults', {});
  return { answered };
}

/** Each scenario drives one PO (Flexport's or Flxpoint's) to the end of its life and returns its handle. */
const scenarios: Record<string, (h: Harness, now: number) => Promise<WorkflowHandle>> = {
  async 'auto-close-after-delivery'(h, now) {
    const handle = await h.start(samplePurchaseOrder('PO-REC-HAPPY', now));
    const { providerId } = await until(handle, (s) => s.status === 'open');
    await h.admin('POST', `/purchase_orders/${providerId}/acknowledge`);
    const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
    const { shipment } = await h.admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
    await h.admin('POST', `/shipments/${shipment.id}/advance`, { to: 'delivered_in_full' });
    await h.deliverEvents(handle);
    await handle.result();
    return handle;
  },

  async 'rejected-then-amended-then-cancelled'(h, now) {
    const po = samplePurchaseOrder('PO-REC-422', now, { origin_location_ref: 'nowhere' });
    const handle = await h.start(po);
    await until(handle, (s) => s.status === 'needs_attention');
    await handle.executeUpdate(amendUpdate, { args: [{ ...po, origin_location_ref: 'lex_corp_warehouse' }] });
    await handle.executeUpdate(cancelUpdate, { args: ['recorded for replay'] });
    await handle.result();
    return handle;
  },

  async 'amended-dates-late-and-overdue'(h, now) {
    const po = samplePurchaseOrder('PO-REC-LATE', now);
    const handle = await h.start(po);
    await until(handle, (s) => s.status === 'open');
    await handle.executeUpdate(amendUpdate, { args: [{ ...po, must_arrive_date: dayAfter(now, 50) }] });
    await h.env.sleep(52 * DAY_MS);
    await until(handle, (s) => s.late && s.bookingOverdue);
    await handle.executeUpdate(cancelUpdate, { args: ['never shipped'] });
    await handle.result();
    return handle;
  },

  /** The provider's events in one burst (a `providerEvents` signal, a duplicate among them). */
  async 'batched-intake-lifecycle'(h, now) {
    const handle = await h.start(samplePurchaseOrder('PO-REC-BATCHED', now));
    const { providerId } = await until(handle, (s) => s.status === 'open');
    await h.admin('POST', `/purchase_orders/${providerId}/acknowledge`);
    const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
    const { shipment } = await h.admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
    await h.admin('POST', `/shipments/${shipment.id}/advance`, { to: 'delivered_in_full' });
    const events = await h.newEvents(handle);
    await handle.signal(providerEventsSignal, [...events, events[0]!]);
    await until(handle, (s) => Boolean(s.milestones.delivered_in_full));
    await handle.executeUpdate(closeUpdate, { args: [undefined] });
    await handle.result();
    return handle;
  },

  /**
   * Notifications on: the ERP endpoint down at first (a failed round, its wait), then back; an
   * alert for booking overdue; closed once delivered.
   */
  async 'notifications-with-endpoint-outage'(h, now) {
    await h.admin('PUT', '/inbox/erp', { down: true });
    const handle = await h.start(samplePurchaseOrder('PO-REC-NOTIFY', now));
    const { providerId } = await until(handle, (s) => s.status === 'open');
    await until(handle, (s) => Boolean(s.notifications?.failing), 60_000);
    await h.admin('PUT', '/inbox/erp', { down: false });
    await h.env.sleep(12 * DAY_MS);
    await until(handle, (s) => s.bookingOverdue && s.notifications?.pending === 0);
    await h.admin('POST', `/purchase_orders/${providerId}/acknowledge`);
    const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
    const { shipment } = await h.admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
    await h.admin('POST', `/shipments/${shipment.id}/advance`, { to: 'delivered_in_full' });
    await h.deliverEvents(handle);
    await handle.executeUpdate(closeUpdate, { args: [undefined] });
    await handle.result();
    return handle;
  },

  /** Every webhook lost: quiet checks read the PO (acknowledged), then its booking and shipment. */
  async 'quiet-po-fallback-read'(h, now) {
    const handle = await h.start(samplePurchaseOrder('PO-REC-QUIET', now));
    const { providerId } = await until(handle, (s) => s.status === 'open');
    await h.admin('POST', `/purchase_orders/${providerId}/acknowledge`);
    await h.env.sleep(25 * HOUR_MS);
    await until(handle, (s) => s.acknowledged);
    const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
    const { shipment } = await h.admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
    await h.admin('POST', `/shipments/${shipment.id}/advance`, { to: 'delivered_in_full' });
    await h.env.sleep(25 * HOUR_MS);
    await until(handle, (s) => Boolean(s.milestones.delivered_in_full));
    await handle.executeUpdate(closeUpdate, { args: [undefined] });
    await handle.result();
    return handle;
  },

  /** Voided at Flxpoint while poflow's cancel is held in 503s: the cancel lands on a voided PO. */
  async 'flxpoint-voided-while-cancelling'(h) {
    const handle = await h.startFlxpoint(sampleFlxpointPurchaseOrder('FLX-REC-VOIDED'));
    await until<FlxpointPoView>(handle, (s) => s.status === 'open');
    await h.admin('PUT', '/faults', {
      serverErrorRate: 1,
      routeFamilies: ['flxpoint'],
      retryAfterSeconds: 1,
    });
    const cancelling = handle.executeUpdate(flxpointCancelUpdate, { args: ['recorded for replay'] });
    await until<FlxpointPoView>(handle, (s) => s.pending?.intent === 'cancel');
    await h.flxpointAdmin('POST', '/purchase-orders/FLX-REC-VOIDED/status', { status: 'voided' });
    await h.admin('PUT', '/faults', {});
    // The cancel lands on a voided PO (409); its read-back finds it voided and answers cancelled.
    // (Recorded before the read-back: the update failed, the next status read ended the PO.)
    await cancelling;
    await handle.result();
    return handle;
  },

  /** A Flxpoint PO read on its backoff schedule, moved at Flxpoint, then cancelled by an operator. */
  async 'flxpoint-polled-then-cancelled'(h) {
    const number = 'FLX-REC-POLLED';
    const handle = await h.startFlxpoint(sampleFlxpointPurchaseOrder(number));
    await until<FlxpointPoView>(handle, (s) => s.status === 'open');
    await h.env.sleep('61 seconds'); // an unchanged read: the next wait doubles
    await until<FlxpointPoView>(handle, (s) => s.nextPoll?.afterMs === 240_000);
    await h.flxpointAdmin('POST', `/purchase-orders/${number}/status`, { status: 'processing' });
    await h.env.sleep('2 minutes');
    await until<FlxpointPoView>(handle, (s) => s.flxpointStatus === 'processing');
    await handle.executeUpdate(flxpointCancelUpdate, { args: ['recorded for replay'] });
    await handle.result();
    return handle;
  },

  /**
   * A Flxpoint PO with notifications: the ERP endpoint down at first (a failed round, its wait),
   * then back; a status that needs attention, left long enough to alert people; cancelled.
   */
  async 'flxpoint-notifications-with-endpoint-outage'(h) {
    const number = 'FLX-REC-NOTIFY';
    await h.admin('PUT', '/inbox/erp', { down: true });
    const handle = await h.startFlxpoint(sampleFlxpointPurchaseOrder(number), { needsAttentionAlertHours: 1 }); // prettier-ignore
    await until<FlxpointPoView>(handle, (s) => Boolean(s.notifications?.failing), 60_000);
    await h.admin('PUT', '/inbox/erp', { down: false });
    await h.env.sleep('2 minutes');
    await until<FlxpointPoView>(handle, (s) => s.notifications?.pending === 0);
    await h.flxpointAdmin('POST', `/purchase-orders/${number}/status`, { status: 'processing_error', reason: 'recorded for replay' }); // prettier-ignore
    await h.env.sleep('5 minutes');
    await until<FlxpointPoView>(handle, (s) => s.status === 'needs_attention');
    await h.env.sleep('65 minutes');
    await until<FlxpointPoView>(handle, (s) => s.notifications?.delivered === 3);
    await handle.executeUpdate(flxpointCancelUpdate, { args: ['recorded for replay'] });
    await handle.result();
    return handle;
  },

  /** Made in Flxpoint's UI and acknowledged there, adopted, read on its schedule, then canceled at Flxpoint. */
  async 'flxpoint-adopted-then-canceled-at-flxpoint'(h) {
    const number = 'FLX-REC-ADOPTED';
    await madeAtFlxpoint(h.sandbox.url, number, 'acknowledged');
    const reader = { flxpoint: h.flxpoint, turn: async () => {} };
    const adopted = await adoptFlxpointByNumber(
      h.client,
      reader,
      number,
      adoptionSettings({ provider: 'flxpoint' }),
    );
    if (adopted.outcome !== 'adopted') throw new Error(`${number} not adopted: ${adopted.reason}`);
    const handle: FlxpointHandle = h.client.workflow.getHandle(adopted.workflowId);
    await until<FlxpointPoView>(handle, (s) => s.acknowledged && s.nextPoll !== undefined);
    await h.env.sleep('2 minutes');
    await flxpointMoves(h.sandbox.url, number, 'canceled', 'recorded for replay');
    await h.env.sleep('5 minutes');
    await handle.result();
    return handle;
  },

  /** Submitted with a number Flxpoint already has (made in its UI): the create answers 409, the PO is read back, then cancelled. */
  async 'flxpoint-number-in-use-then-cancelled'(h) {
    const number = 'FLX-REC-IN-USE';
    await madeAtFlxpoint(h.sandbox.url, number);
    const handle = await h.startFlxpoint(sampleFlxpointPurchaseOrder(number));
    await until<FlxpointPoView>(handle, (s) => s.status === 'open' && s.providerId !== undefined);
    await handle.executeUpdate(flxpointCancelUpdate, { args: ['recorded for replay'] });
    await handle.result();
    return handle;
  },

  /** A PO made in the provider's UI, acknowledged there, adopted, then booked, delivered and closed through poflow. */
  async 'adopted-then-booked-and-closed'(h, now) {
    const name = 'PO-REC-ADOPTED';
    const made = await h.admin('POST', '/purchase_orders', samplePurchaseOrder(name, now));
    await h.admin('POST', `/purchase_orders/${made.id}/acknowledge`);
    const adopted = await adoptByName(h.client, h.flexport, name, adoptionSettings());
    if (adopted.outcome !== 'adopted') throw new Error(`${name} not adopted: ${adopted.reason}`);
    const handle: PoHandle = h.client.workflow.getHandle(adopted.workflowId);
    await until(handle, (s) => s.acknowledged);
    await h.deliverEvents(handle);
    const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
    const { shipment } = await h.admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
    await h.admin('POST', `/shipments/${shipment.id}/advance`, { to: 'delivered_in_full' });
    await h.deliverEvents(handle);
    await until(handle, (s) => Boolean(s.milestones.delivered_in_full));
    await handle.executeUpdate(closeUpdate, { args: [undefined] });
    await handle.result();
    return handle;
  },

  /**
   * Issue 26: the provider refuses the close the auto_close deadline sends (a 4xx). Fixed code
   * records it and stops auto-closing; code before the fix sent it again at once, round after
   * round (bounded here: three refusals, then the provider takes closes again). Then closed by hand.
   */
  async 'auto-close-refused'(h, now) {
    const name = 'PO-REC-AUTO-CLOSE-REFUSED';
    const handle = await h.start(samplePurchaseOrder(name, now), { autoClose: { after: 'must_arrive_date', days: 0 } }); // prettier-ignore
    const { providerId } = await until(handle, (s) => s.status === 'open');
    await h.admin('POST', `/purchase_orders/${providerId}/acknowledge`);
    await h.deliverEvents(handle);
    await handle.executeUpdate(bookUpdate, { args: [{}] });
    await h.admin('PUT', '/faults', {
      refuse: { status: 422, message: `Purchase order ${name} may not be closed (recorded for replay)`, routeFamilies: ['purchase_orders'], methods: ['POST'] }, // prettier-ignore
    });
    // To the auto-close deadline and no further: before the fix, closes sent back to back keep
    // the time-skipping server from skipping time, so a longer sleep would last for real.
    const po = (await handle.query(stateQuery)).po;
    await h.env.sleep(Date.parse(`${po.must_arrive_date}T00:00:00Z`) - (await h.env.currentTimeMs()) + 1);
    // The first close sent and refused; before the fix, a few more, counted at the provider.
    const closesSent = async () =>
      ((await h.admin('GET', '/request-stats')) as Record<string, { total: number } | undefined>)
        .purchase_orders?.total ?? 0;
    const before = await closesSent();
    const deadline = Date.now() + 60_000;
    for (let i = 0; ; i += 1) {
      if ((await closesSent()) >= before + 3) break;
      if (i % 10 === 9 && (await handle.query(stateQuery)).history.some((e) => e.change === 'auto-close refused')) break; // prettier-ignore
      if (Date.now() > deadline) throw new Error('no auto-close refused');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await h.admin('PUT', '/faults', {});
    // Before the fix, the next round's auto-close may get there first (the operator's close is then refused as busy).
    await handle.executeUpdate(closeUpdate, { args: [undefined] }).catch((err: unknown) => console.log(`operator close: ${String(err)}`)); // prettier-ignore
    await handle.result();
    return handle;
  },

  /**
   * Issue 26: the webhook echo of poflow's own cancel reaches the workflow before the cancel's
   * answer (the provider applied it; the activity's follow-up read is held). Fixed code keeps the
   * operator's reason; code before the fix took the echo for a cancel made at the provider.
   */
  async 'cancel-echo-before-answer'(h, now) {
    const handle = await h.start(samplePurchaseOrder('PO-REC-CANCEL-ECHO', now));
    await until(handle, (s) => s.status === 'open');
    await h.deliverEvents(handle); // its #created, before the race
    const cancelling = await whileWriteAnswerHeld(h, () =>
      handle.executeUpdate(cancelUpdate, { args: ['recorded for replay'] }),
    );
    const echoes = await h.deliverEvents(handle);
    if (!echoes.some((e) => e.type === '/purchase_order#cancelled'))
      throw new Error('no cancel echo delivered');
    await cancelling.answered;
    await handle.result();
    return handle;
  },

  /**
   * Issue 26: the PO is changed at the provider (a person, its UI) while poflow's amendment is in
   * flight, and both webhooks (poflow's echo, the outside change) reach the workflow before the
   * amendment's answer. Fixed code keeps what the provider showed and weighs it by version once
   * the write is answered (the outside change is newer and stands). Then cancelled.
   */
  async 'amend-raced-by-outside-change'(h, now) {
    const po = samplePurchaseOrder('PO-REC-AMEND-RACE', now);
    const handle = await h.start(po);
    await until(handle, (s) => s.status === 'open');
    await h.deliverEvents(handle); // its #created, before the race
    const amended = { ...po, must_arrive_date: dayAfter(now, 45) };
    const amending = await whileWriteAnswerHeld(h, () =>
      handle.executeUpdate(amendUpdate, { args: [amended] }),
    );
    await h.admin('POST', '/purchase_orders', { ...amended, must_arrive_date: dayAfter(now, 50) });
    const events = await h.deliverEvents(handle);
    if (events.filter((e) => e.type === '/purchase_order#updated').length !== 2) {
      throw new Error(`expected poflow's echo and the outside change, got ${events.map((e) => e.type).join(', ')}`); // prettier-ignore
    }
    await amending.answered;
    await handle.executeUpdate(cancelUpdate, { args: ['recorded for replay'] });
    await handle.result();
    return handle;
  },
};

/**
 * A recorded history: the protobuf bytes (base64), because the SDK's JSON history converter trips
 * over the two protobufjs copies npm installs here; the event types ride along for reading.
 */
export interface RecordedHistory {
  workflowId: string;
  eventTypes: string[];
  historyBase64: string;
}

function toRecording(workflowId: string, history: temporal.api.history.v1.IHistory): RecordedHistory {
  return {
    workflowId,
    eventTypes: (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]!),
    historyBase64: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
  };
}

async function main(): Promise<void> {
  await ensureWorkflowBundle();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const named = process.argv.slice(2);
  const unknown = named.filter((name) => !(name in scenarios));
  if (unknown.length > 0) throw new Error(`no such scenario: ${unknown.join(', ')}`);
  for (const [scenario, run] of Object.entries(scenarios)) {
    if (named.length > 0 && !named.includes(scenario)) continue;
    const env = await timeSkippingEnv();
    // Every PO notifies an ERP inbox in the sandbox (and a chat inbox for alerts).
    const harness = await startHarness(
      env,
      {},
      {
        notify: (url) => ({
          endpoints: [{ url: `${url}/_sandbox/inbox/erp`, secret: RECORDER_SECRET, label: 'erp' }],
          alertWebhookUrl: `${url}/_sandbox/inbox/chat`,
          uiUrl: 'http://127.0.0.1:8233',
          namespace: 'default',
        }),
      },
    );
    await harness.admin('PUT', '/inbox/erp', { secret: RECORDER_SECRET });
    await harness.admin('PUT', '/inbox/chat', {});
    try {
      const handle = await run(harness, await env.currentTimeMs());
      const history = await handle.fetchHistory();
      const status = (await handle.query<{ status: string }>(stateQuery.name)).status;
      const file = path.join(HISTORIES_DIR, `${scenario}.json`);
      writeFileSync(file, JSON.stringify(toRecording(handle.workflowId, history), null, 1) + '\n');
      console.log(
        `${scenario}: ${handle.workflowId} ended ${status}, ${history.events?.length} events -> ${file}`,
      );
    } finally {
      await harness.close();
      await env.teardown();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
