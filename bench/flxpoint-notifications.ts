/**
 * What ERP notifications cost a Flxpoint PO in history events: the same life with them and
 * without (`notifyErp: false`), in the same run, against the real sandbox (Flxpoint side and an
 * ERP inbox) on the time-skipping server, so the status reads fall at the same workflow times in
 * both lives and the counts compare one to one.
 *
 * The life: submitted, accepted (opened), an unchanged read, `processing` at Flxpoint, then
 * `processing_error` (needs attention), cancelled by an operator; 3 notifications.
 *
 * Run: npx tsx bench/flxpoint-notifications.ts [--json]
 * (results also in bench/results/flxpoint-notifications.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sampleFlxpointPurchaseOrder } from '../test/support/flxpoint-purchase-orders';
import { startHarness, until, type Harness } from '../test/support/po-harness';
import { timeSkippingEnv } from '../test/support/temporal';
import { ensureWorkflowBundle } from '../worker/workflow-bundle';
import { flxpointCancelUpdate, type FlxpointPoView } from '../workflows/flxpoint/messages';
import { historyEventCounts, notificationCost } from './notification-cost';

const JSON_OUT = process.argv.includes('--json');
const RESULTS_FILE = path.join(__dirname, 'results', 'flxpoint-notifications.json');
const ERP_SECRET = 'bench-erp-secret-0123456789';

async function flxpointLifecycle(harness: Harness, notifyErp: boolean) {
  const number = `FLX-LIFE-BENCH-${notifyErp ? 'ERP' : 'QUIET'}`;
  const handle = await harness.startFlxpoint(sampleFlxpointPurchaseOrder(number), { notifyErp });
  const untilState = (ready: (s: FlxpointPoView) => boolean) => until<FlxpointPoView>(handle, ready, 60_000);
  const moves = (status: string, reason?: string) =>
    harness.flxpointAdmin('POST', `/purchase-orders/${number}/status`, { status, reason });
  await untilState((s) => s.status === 'open');
  await harness.env.sleep('61 seconds'); // an unchanged read
  await untilState((s) => s.nextPoll?.afterMs === 240_000);
  await moves('processing');
  await harness.env.sleep('2 minutes');
  await untilState((s) => s.flxpointStatus === 'processing');
  await moves('processing_error', 'Source rejected SKU WIDGET-1');
  await harness.env.sleep('61 seconds');
  await untilState((s) => s.status === 'needs_attention');
  await handle.executeUpdate(flxpointCancelUpdate, { args: ['benchmark done'] });
  const final = await handle.result();
  const { total, of: count } = await historyEventCounts(handle);
  return {
    status: final.status,
    historyEvents: total,
    activities: count('ACTIVITY_TASK_SCHEDULED'),
    timersStarted: count('TIMER_STARTED'),
    workflowTasks: count('WORKFLOW_TASK_COMPLETED'),
    notificationsDelivered: final.notifications?.delivered ?? 0,
  };
}

type Lifecycle = Awaited<ReturnType<typeof flxpointLifecycle>>;

function printLifecycle(lifecycle: Lifecycle, label: string): void {
  const counts = [
    `${lifecycle.historyEvents} history events`,
    `${lifecycle.activities} activities`,
    `${lifecycle.timersStarted} timers started`,
    `${lifecycle.workflowTasks} workflow tasks`,
    `${lifecycle.notificationsDelivered} notifications`,
  ];
  console.log(`Flxpoint lifecycle ${label} (${lifecycle.status}): ${counts.join(', ')}`);
}

/** Both lives on one time-skipping server, then the server and its workers stopped. */
async function bothLives() {
  const env = await timeSkippingEnv();
  const harness = await startHarness(
    env,
    {},
    {
      notify: (url) => ({
        endpoints: [{ url: `${url}/_sandbox/inbox/erp`, secret: ERP_SECRET, label: 'erp' }],
        namespace: 'default',
      }),
    },
  );
  const lives = async () => {
    await harness.admin('PUT', '/inbox/erp', { secret: ERP_SECRET });
    const withoutNotifications = await flxpointLifecycle(harness, false);
    return notificationCost(withoutNotifications, await flxpointLifecycle(harness, true));
  };
  return lives().finally(async () => {
    await harness.close();
    await env.teardown();
  });
}

async function main(): Promise<void> {
  await ensureWorkflowBundle();
  const cost = await bothLives();
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    JSON.stringify({ at: new Date().toISOString(), node: process.version, ...cost }, null, 2) + '\n',
  );
  if (JSON_OUT) return console.log(JSON.stringify(cost));
  printLifecycle(cost.withoutNotifications, 'without ERP notifications');
  printLifecycle(cost.withNotifications, 'with ERP notifications   ');
  const perNotification = `${cost.extraHistoryEventsPerNotification} per notification`;
  const added = `${cost.extraHistoryEvents} history events (${perNotification})`;
  console.log(`notifications add ${added}, ${cost.ratio} x the lifecycle without`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
