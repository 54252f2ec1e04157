/**
 * Flxpoint allows 2 requests per second per token. 50 POs submitted at once must never exceed
 * that at the sandbox: the Flxpoint task queue's rate limit does it, not a sleep anywhere.
 *
 * On the dev server, not the time-skipping one: that one ignores `maxTaskQueueActivitiesPerSecond`
 * (measured: 20 activities in one second), while the dev server's matching service enforces it in
 * real time. Its default of 4 partitions per task queue splits the rate into 4 buckets that fire
 * together (measured: up to 4 in one second), so the dev server runs task queues with a single
 * partition (`SINGLE_PARTITION_TASK_QUEUES`), as docs/flxpoint.md asks of a cluster for `poflow-flxpoint`.
 *
 * The server's limit is a token bucket whose burst equals the rate: when the queue turns busy,
 * pollers already waiting take 2 tasks at once and a third 0.5 s later, so the very first second
 * can count 3 (measured in about half the runs), and Flxpoint answers that one request 429 with
 * Retry-After, which Temporal waits out. From then on the spacing is 0.5 s: 2 every second.
 */
import got from 'got';
import type { FlxpointPoView } from '../workflows/messages';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';
import { startHarness, until, type Harness } from './support/po-harness';
import { devServerEnv } from './support/temporal';

const PO_COUNT = 50;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(await devServerEnv());
});

afterAll(async () => {
  await harness.close();
  await harness.env.teardown();
});

interface TokenStats {
  total: number;
  maxPerSecond: number;
  rateLimited: number;
  perSecond: { second: number; count: number }[];
}

test(`${PO_COUNT} POs submitted at once keep to 2 Flxpoint requests a second`, async () => {
  const started = Date.now();
  // Reads start 5 s after each create, so polls compete with the creates for the same budget.
  const handles = await Promise.all(
    Array.from({ length: PO_COUNT }, (_, i) =>
      harness.startFlxpoint(sampleFlxpointPurchaseOrder(`FLX-RATE-${i}`), {
        poll: { firstSeconds: 5, maxSeconds: 60 },
      }),
    ),
  );
  for (const handle of handles) {
    await until<FlxpointPoView>(handle, (s) => s.status === 'open', 60_000);
  }
  const elapsedMs = Date.now() - started;

  const stats = await got
    .get(`${harness.sandbox.url}/_sandbox/flxpoint/stats`)
    .json<{ limitPerSecond: number; maxPerSecond: number; tokens: Record<string, TokenStats> }>();
  const [token] = Object.values(stats.tokens);
  expect(stats.limitPerSecond).toBe(2);
  expect(token!.total).toBeGreaterThanOrEqual(PO_COUNT);
  const [first, ...rest] = token!.perSecond.map((s) => s.count);
  expect(first).toBeLessThanOrEqual(3); // the start-up burst, at most one request over
  expect(Math.max(...rest)).toBeLessThanOrEqual(2);
  expect(token!.rateLimited).toBeLessThanOrEqual(1);
  // The limit did the pacing: 50 creates at 2 a second take about 25 s.
  expect(elapsedMs).toBeGreaterThanOrEqual(((PO_COUNT - 2) / 2) * 1000);
}, 120_000);
