/**
 * One PO under a flood, and one PO's standard life, on a local dev server with the real sandbox:
 *
 * - events per second one PO absorbs: N distinct provider events sent to one open PO
 *   (`CONCURRENCY` in flight), timed until the PO has applied the last, twice: through the webhook
 *   delivery path (`deliverEvent`, which lets events that pile up for one PO share a signal) and
 *   as one raw signal per event (`--raw`, the only way before). A raw sender resends what the
 *   server refuses because the run holds its limit of signals (10,000): under a steady flood the
 *   run cannot continue as new (the server fails every workflow task that more than 100 signals
 *   overtake), so that limit is the backpressure. Each way checks that the PO applied every event
 *   exactly once. The baseline, measured in the same run, is how fast the same dev server accepts
 *   one signal per event to a workflow nobody runs;
 * - history events of the standard lifecycle: submit -> open -> book -> booking confirmed ->
 *   departed -> arrived -> delivered in full -> closed, each provider event delivered on its own,
 *   with the PO's notifications to an ERP endpoint (a sandbox inbox) and without (`notifyErp: false`),
 *   measured in the same run.
 *
 * Run: npx tsx bench/flood.ts [events] [--raw] [--lifecycle-only] [--json]
 * (results also in bench/results/flood.json, or flood-lifecycle.json with --lifecycle-only)
 */
import { ServiceError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, until, type Harness, type PoHandle } from '../test/support/po-harness';
import { samplePurchaseOrder } from '../test/support/purchase-orders';
import { devServerEnv } from '../test/support/temporal';
import { runReports } from '../test/support/workflow-tasks';
import { ensureWorkflowBundle } from '../worker/workflow-bundle';
import { deliverEvent } from '../webhooks/delivery';
import { historyEventCounts, notificationCost } from './notification-cost';
import { bookUpdate, closeUpdate, providerEventSignal } from '../workflows/flexport/messages';
import { type ProviderEvent } from '../workflows/flexport/provider-event';
import { pingWorkflow } from '../workflows/ping';

const args = process.argv.slice(2);
const JSON_OUT = args.includes('--json');
const RAW = args.includes('--raw');
const LIFECYCLE_ONLY = args.includes('--lifecycle-only');
const EVENTS = Number(args.find((a) => /^\d+$/.test(a)) ?? 5_000);
const CONCURRENCY = 64;
const RESULTS_FILE = path.join(__dirname, 'results', LIFECYCLE_ONLY ? 'flood-lifecycle.json' : 'flood.json');
const ERP_SECRET = 'bench-erp-secret-0123456789';

/** A document filed on the PO: routed to it by name, recorded and otherwise ignored by it. */
function noise(id: number, poName: string): ProviderEvent {
  const at = new Date().toISOString();
  const data = { purchase_order: { _object: '/purchase_order', name: poName } };
  return {
    _object: '/event',
    id,
    version: 2,
    type: '/purchase_order#document_uploaded',
    created_at: at,
    occurred_at: at,
    data,
  };
}

type Send = (handle: PoHandle, event: ProviderEvent) => Promise<unknown>;
const rawSignal: Send = (handle, event) => handle.signal(providerEventSignal, event);

/** Signals refused because the run had taken its limit, and sent again. */
let signalsResent = 0;
const SIGNAL_LIMIT_REACHED = 'exceeded workflow execution limit for signal events';

/** One raw signal, sent again (after a pause) while the run refuses it for its signal limit. */
const rawSignalResent: Send = async (handle, event) => {
  for (;;) {
    try {
      return await rawSignal(handle, event);
    } catch (err) {
      if (!(err instanceof ServiceError) || !String(err.cause?.message).includes(SIGNAL_LIMIT_REACHED)) {
        throw err;
      }
      signalsResent += 1;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
};

/** Sends every event with `CONCURRENCY` signals in flight. */
async function signalAll(send: (event: ProviderEvent) => Promise<unknown>, events: ProviderEvent[]) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < events.length) await send(events[next++]!);
    }),
  );
}

/** Signals accepted per second by the server, to a workflow no worker runs. */
async function acceptRate(env: TestWorkflowEnvironment, events: ProviderEvent[]): Promise<number> {
  const handle = await env.client.workflow.start(pingWorkflow, {
    taskQueue: 'bench-nobody-polls',
    workflowId: `bench-signal-sink-${Date.now()}`,
  });
  const started = performance.now();
  await signalAll((event) => handle.signal(providerEventSignal, event), events);
  const seconds = (performance.now() - started) / 1000;
  await handle.terminate('benchmark done');
  return events.length / seconds;
}

/** How one open PO took a flood: events applied per second, and its workflow tasks meanwhile. */
interface Absorbed {
  perSecond: number;
  /** Runs of the PO's chain of continue-as-new the flood went through. */
  runs: number;
  longestTaskMs: number;
  tasksOverOneSecond: number;
  failedOrTimedOutTasks: number;
}

/** Events per second one open PO applies, from the first sent to the last one applied. */
async function absorb(harness: Harness, count: number, send: Send): Promise<Absorbed> {
  const name = `PO-FLOOD-BENCH-${Date.now()}`;
  const handle = await harness.start(samplePurchaseOrder(name, Date.now()));
  await until(handle, (s) => s.status === 'open', 60_000);
  const firstRunId = (await handle.describe()).runId;
  const events = Array.from({ length: count }, (_, i) => noise(2_000_000 + i, name));
  const started = performance.now();
  await signalAll((event) => send(handle, event), events);
  // Signals to one workflow are applied in the order the server took them: this one comes last.
  const sentinel = noise(events.at(-1)!.id + 1, name);
  await rawSignalResent(handle, sentinel);
  const final = await until(handle, (s) => s.seenEventIds.includes(sentinel.id), 600_000);
  const seconds = (performance.now() - started) / 1000;
  await handle.terminate('benchmark done');
  if (final.eventsApplied !== events.length + 1) {
    throw new Error(`${name} applied ${final.eventsApplied} events, not ${events.length + 1}`);
  }
  const runs = await runReports(harness.client, handle.workflowId, firstRunId);
  return {
    perSecond: (events.length + 1) / seconds,
    runs: runs.length,
    longestTaskMs: Math.max(...runs.map((r) => r.longestTaskMs)),
    tasksOverOneSecond: runs.reduce((sum, r) => sum + r.tasksOverOneSecond, 0),
    failedOrTimedOutTasks: runs.reduce((sum, r) => sum + r.failedTasks.length + r.timedOutTasks, 0),
  };
}

/** Signals each new provider event about the PO on its own and waits until it is applied. */
async function deliverOneByOne(harness: Harness, handle: PoHandle): Promise<void> {
  for (const event of await harness.newEvents(handle)) {
    await handle.signal(providerEventSignal, event);
    await until(handle, (s) => s.seenEventIds.includes(event.id));
  }
  await harness.deliverEvents(handle); // marks them delivered
}

async function standardLifecycle(harness: Harness, notifyErp: boolean) {
  const name = `PO-LIFE-BENCH-${notifyErp ? 'ERP' : 'QUIET'}-${Date.now()}`;
  const handle = await harness.start(samplePurchaseOrder(name, Date.now()), { notifyErp });
  await until(handle, (s) => s.status === 'open', 60_000);
  const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
  const { shipment } = await harness.admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
  await deliverOneByOne(harness, handle);
  for (const to of ['departed', 'arrived', 'delivered_in_full']) {
    await harness.admin('POST', `/shipments/${shipment.id}/advance`, { to });
    await deliverOneByOne(harness, handle);
  }
  await handle.executeUpdate(closeUpdate, { args: [undefined] });
  const final = await handle.result();
  const { total, of: count } = await historyEventCounts(handle);
  return {
    status: final.status,
    milestones: Object.keys(final.milestones),
    historyEvents: total,
    timersStarted: count('TIMER_STARTED'),
    timersCanceled: count('TIMER_CANCELED'),
    searchAttributeUpserts: count('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'),
    workflowTasks: count('WORKFLOW_TASK_COMPLETED'),
    notificationsDelivered: final.notifications?.delivered ?? 0,
  };
}

/** The same life with and without notifications to the ERP, and what they add. */
async function lifecycleWithAndWithoutNotifications(harness: Harness) {
  const withoutNotifications = await standardLifecycle(harness, false);
  return notificationCost(withoutNotifications, await standardLifecycle(harness, true));
}

function printLifecycle(lifecycle: Awaited<ReturnType<typeof standardLifecycle>>, label: string): void {
  const counts = [
    `${lifecycle.historyEvents} history events`,
    `${lifecycle.timersStarted} timers started`,
    `${lifecycle.timersCanceled} cancelled`,
    `${lifecycle.searchAttributeUpserts} search-attribute upserts`,
    `${lifecycle.workflowTasks} workflow tasks`,
    `${lifecycle.notificationsDelivered} notifications`,
  ];
  console.log(`standard lifecycle ${label} (${lifecycle.status}): ${counts.join(', ')}`);
}

function printNotificationCost(cost: Awaited<ReturnType<typeof lifecycleWithAndWithoutNotifications>>): void {
  printLifecycle(cost.withoutNotifications, 'without ERP notifications');
  printLifecycle(cost.withNotifications, 'with ERP notifications   ');
  const perNotification = `${cost.extraHistoryEventsPerNotification} per notification`;
  const added = `${cost.extraHistoryEvents} history events (${perNotification})`;
  console.log(`notifications add ${added}, ${cost.ratio} x the lifecycle without`);
}

/** An ERP inbox in the harness's sandbox that every PO of this run notifies. */
function erpInbox(url: string) {
  return {
    endpoints: [{ url: `${url}/_sandbox/inbox/erp`, secret: ERP_SECRET, label: 'erp' }],
    namespace: 'default',
  };
}

async function main(): Promise<void> {
  await ensureWorkflowBundle();
  const env = await devServerEnv();
  const harness = await startHarness(env, {}, { notify: erpInbox });
  await harness.admin('PUT', '/inbox/erp', { secret: ERP_SECRET });
  try {
    if (LIFECYCLE_ONLY) {
      const cost = await lifecycleWithAndWithoutNotifications(harness);
      mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
      writeFileSync(
        RESULTS_FILE,
        JSON.stringify({ at: new Date().toISOString(), node: process.version, ...cost }, null, 2) + '\n',
      );
      if (JSON_OUT) console.log(JSON.stringify(cost));
      else printNotificationCost(cost);
      return;
    }
    const events = Array.from({ length: EVENTS }, (_, i) => noise(1_000_000 + i, 'PO-NOBODY'));
    await acceptRate(env, events.slice(0, 500)); // warm-up
    // One workflow takes at most 10,000 signals: the baseline is measured on 5,000 at most.
    const baselinePerSecond = await acceptRate(env, events.slice(0, 5_000));
    const delivery = { client: env.client, provider: 'flexport' as const };
    const absorbed: Record<string, Absorbed> = {
      webhookDelivery: await absorb(harness, EVENTS, (_, event) => deliverEvent(event, delivery)),
    };
    if (RAW) absorbed.signalPerEvent = await absorb(harness, EVENTS, rawSignalResent);
    const cost = await lifecycleWithAndWithoutNotifications(harness);
    const lifecycle = cost.withNotifications;
    const result = {
      at: new Date().toISOString(),
      node: process.version,
      events: EVENTS,
      concurrency: CONCURRENCY,
      baselineSignalsAcceptedPerSecond: Math.round(baselinePerSecond),
      eventsAbsorbedPerSecond: Object.fromEntries(
        Object.entries(absorbed).map(([k, v]) => [k, Math.round(v.perSecond)]),
      ),
      workflowTasks: absorbed,
      rawSignalsResent: RAW ? signalsResent : undefined,
      ratioToBaseline: Object.fromEntries(
        Object.entries(absorbed).map(([k, v]) => [k, Number((v.perSecond / baselinePerSecond).toFixed(3))]),
      ),
      standardLifecycle: lifecycle,
      notificationCost: cost,
    };
    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 2) + '\n');
    if (JSON_OUT) {
      console.log(JSON.stringify(result));
    } else {
      console.log(
        `${EVENTS} provider events to one PO, ${CONCURRENCY} signals in flight, Node ${process.version}`,
      );
      const accepted = result.baselineSignalsAcceptedPerSecond.toString().padStart(7);
      console.log(`baseline: signals the dev server accepts   ${accepted} /s`);
      for (const [how, { perSecond, ...tasks }] of Object.entries(absorbed)) {
        const applied = Math.round(perSecond).toString().padStart(7);
        const toBaseline = (perSecond / baselinePerSecond).toFixed(3);
        console.log(`one PO applies (${how.padEnd(16)})       ${applied} /s   ${toBaseline} x baseline`);
        const taskCounts = [
          `longest ${tasks.longestTaskMs} ms`,
          `${tasks.tasksOverOneSecond} took 1 s or more`,
          `${tasks.failedOrTimedOutTasks} failed or timed out`,
        ];
        console.log(`  its workflow tasks over ${tasks.runs} runs: ${taskCounts.join(', ')}`);
      }
      if (RAW) console.log(`raw signals refused for the run's signal limit and sent again: ${signalsResent}`);
      printNotificationCost(cost);
      console.log(`-> ${path.relative(process.cwd(), RESULTS_FILE)}`);
    }
  } finally {
    await harness.close();
    await env.teardown();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
