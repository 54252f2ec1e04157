/**
 * Flxpoint allows 2 requests per second per token. What poflow guarantees (docs/flxpoint.md):
 * no PO is lost or made twice, every 429 is waited out for its Retry-After, and no 5 seconds carry
 * more than 10 of poflow's requests, whatever the start-up burst. The sandbox logs every request
 * it answered with its arrival time, and these tests check exactly that, over every window.
 *
 * On the dev server: the time-skipping server ignores task-queue rate limits. The limit that makes
 * the guarantee is the activities' own pacing (one request every 550 ms, no burst); the server's
 * task-queue limit is a token bucket that lets a burst through after an idle spell.
 */
import type { FlxpointPoView } from '../workflows/flxpoint/messages';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';
import {
  busiestWindow,
  flxpointRequests,
  MAX_PER_WINDOW,
  notCreatedOnce,
  type LoggedRequest,
} from './support/flxpoint-requests';
import { harnessFor, until, type FlxpointHandle } from './support/po-harness';
import { devServerEnv } from './support/temporal';

/** Requests from another user of the same token, who is not poflow. */
const NEIGHBOUR = 'NEIGHBOUR';
const harness = harnessFor('the file', { env: devServerEnv });

async function poflowRequests(): Promise<LoggedRequest[]> {
  return (await flxpointRequests(harness().sandbox.url)).filter((r) => !r.url.includes(NEIGHBOUR));
}

/** Each number exactly once at Flxpoint: nothing lost, nothing made twice. */
async function expectEachCreatedOnce(numbers: string[]): Promise<void> {
  expect(await notCreatedOnce(harness().sandbox.url, numbers)).toEqual([]);
}

async function startAll(prefix: string, count: number, poll: { firstSeconds: number; maxSeconds: number }) {
  const numbers = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const handles = await Promise.all(
    numbers.map((n) => harness().startFlxpoint(sampleFlxpointPurchaseOrder(n), { poll })),
  );
  return { numbers, handles };
}

/** How long each read refused since `since` waited before it was sent again; waits for all of them. */
async function untilSentAgain(since: number): Promise<{ url: string; waitedMs: number }[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const log = await poflowRequests();
    const refused = log.filter((r) => r.status === 429 && r.method === 'GET' && r.at >= since);
    const retries = refused.map((r) => ({ url: r.url, at: r.at, again: log.find((next) => next.url === r.url && next.at > r.at) })); // prettier-ignore
    const waiting = retries.filter((r) => !r.again);
    if (waiting.length === 0) return retries.map((r) => ({ url: r.url, waitedMs: r.again!.at - r.at }));
    if (Date.now() > deadline) throw new Error(`refused reads never sent again: ${waiting.map((r) => r.url).join(', ')}`); // prettier-ignore
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function allOpen(handles: FlxpointHandle[]): Promise<void> {
  for (const handle of handles) await until<FlxpointPoView>(handle, (s) => s.status === 'open', 90_000);
}

test('50 POs submitted at once: each made once, and no 5 seconds carry more than 10 requests', async () => {
  const started = Date.now();
  // Reads start 5 s after each create, so polls compete with the creates for the same budget.
  const { numbers, handles } = await startAll('FLX-RATE', 50, { firstSeconds: 5, maxSeconds: 60 });
  await allOpen(handles);
  const elapsedMs = Date.now() - started;

  await expectEachCreatedOnce(numbers);
  const log = await poflowRequests();
  expect(log.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(50);
  expect(log.filter((r) => r.sentAt === undefined)).toEqual([]);
  expect(busiestWindow(log).count).toBeLessThanOrEqual(MAX_PER_WINDOW);
  // The pacing did it: 50 creates, each at least 550 ms after the one before.
  expect(elapsedMs).toBeGreaterThanOrEqual(49 * 550);
  // Their polling would only slow the next test down.
  await Promise.all(handles.map((handle) => handle.terminate('rate-limit test done')));
}, 180_000);

test('a neighbour on the same token takes the whole budget: every 429 is waited out, nothing is lost', async () => {
  // POs that read their status every second or two keep poflow's requests coming.
  const polled = await startAll('FLX-BUSY', 4, { firstSeconds: 1, maxSeconds: 2 });
  await allOpen(polled.handles);

  // For 6 seconds another client sends 2 requests at the start of every second: Flxpoint answers
  // poflow's requests in those seconds 429 with Retry-After: 1. Meanwhile 5 more POs are created.
  const neighbourStarted = Date.now();
  const neighbour = (async () => {
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
      await Promise.allSettled([1, 2].map(() => harness().flxpoint.findPurchaseOrderByNumber(NEIGHBOUR)));
    }
  })();
  const created = await startAll('FLX-LATE', 5, { firstSeconds: 1, maxSeconds: 2 });
  await neighbour;
  await allOpen(created.handles);

  await expectEachCreatedOnce([...polled.numbers, ...created.numbers]);
  // A read names its PO in the URL, and a PO's next read waits for this one: the next request
  // for the same URL is the refused one sent again. Creates are checked by the count above.
  const retries = await untilSentAgain(neighbourStarted);
  expect(retries.length).toBeGreaterThan(0);
  expect(retries.filter((retry) => retry.waitedMs < 1000)).toEqual([]);
  const log = await poflowRequests();
  // Over the whole file, 429s and retries included.
  expect(busiestWindow(log).count).toBeLessThanOrEqual(MAX_PER_WINDOW);
}, 180_000);
