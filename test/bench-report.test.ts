/**
 * The benchmark's own arithmetic and process accounting (bench/), without a stack: `npm run bench`
 * is too slow for the suite, so the parts that turn measurements into figures are checked here.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { throughputOf } from '../bench/book';
import { comparison } from '../bench/compare';
import { chartSvg, figuresOf, type BenchResults } from '../bench/report';
import { treeRss } from '../bench/stack';
import { latencyOf, pool, quantile } from '../bench/stats';

test('quantiles by nearest rank', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  expect(quantile(hundred, 0.5)).toBe(50);
  expect(quantile(hundred, 0.99)).toBe(99);
  expect(latencyOf([7])).toEqual({ p50Ms: 7, p99Ms: 7 });
  expect(quantile([], 0.5)).toBeNaN();
});

test('a pool never has more than its limit in flight and runs every task once', async () => {
  let inFlight = 0;
  let most = 0;
  const ran: number[] = [];
  await pool(20, 3, async (i) => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    ran.push(i);
    inFlight--;
  });
  expect(most).toBe(3);
  expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

test('throughput of a stretch of the book counts from the end of the stretch before it', () => {
  const openedAt = [500, 1000, 1500, 2000, 4000, 6000];
  expect(throughputOf(openedAt, 0, 2)).toBe(2); // 2 POs in the first second
  expect(throughputOf(openedAt, 4, 6)).toBe(0.5); // 2 POs from 2 s to 6 s
});

const mib = (label: string, rssMiB: number) => ({ pid: 1, label, rssMiB });
const results: BenchResults = {
  label: 'sample',
  scale: {
    name: 'default',
    book: 1000,
    inFlight: 32,
    pings: 300,
    imported: 1000,
    replayRounds: 25,
    cliRuns: 5,
    floodEvents: 2000,
  },
  startedAt: '2026-12-02T06:00:00.000Z',
  seconds: 600,
  machine: { cpus: 2, node: 'v20', loadAverageAtStart: [1, 1, 1], loadAverageAtEnd: [1, 1, 1] },
  ping: { count: 300, perSecond: 20, p50Ms: 100, p99Ms: 200 },
  book: { count: 1000, perSecond: 6, p50Ms: 5000, p99Ms: 7000, notOpen: {}, windows: [8, 6, 4], firstTenth: 8, lastTenth: 4 }, // prettier-ignore
  rss: [
    { openPos: 0, processes: [mib('node poflow.js start', 300), mib('temporal server start-dev', 100)] },
    { openPos: 100, processes: [mib('node poflow.js start', 400), mib('temporal server start-dev', 100)] },
    { openPos: 1000, processes: [mib('node poflow.js start', 1300), mib('temporal server start-dev', 100)] },
  ],
  webhooks: { eventsPerSecond: 50, count: 1000, toOk: { p50Ms: 20, p99Ms: 90 }, toVisible: { p50Ms: 40, p99Ms: 300 }, notOk: 0, notVisible: 0, unchecked: 0 }, // prettier-ignore
  imported: { count: 1000, seconds: 60, commandSeconds: 20, notOpen: 0 },
  replay: { histories: 100, perSecond: 50, baselinePerSecond: 100 },
  cli: { nodeMs: 50, helpMs: 500, statusMs: 1000 },
  flood: { events: 2000, baselineSignalsAcceptedPerSecond: 400, eventsAbsorbedPerSecond: { webhookDelivery: 300 }, ratioToBaseline: { webhookDelivery: 0.75 }, standardLifecycle: { status: 'closed', historyEvents: 60, workflowTasks: 15 } }, // prettier-ignore
};

test('figures stand beside their targets, scaled ones projected to 10,000 POs', () => {
  const figures = Object.fromEntries(figuresOf(results).map((f) => [f.what, f]));
  expect(figures['ratio POs/s : pings/s']).toMatchObject({ value: '0.30', met: false });
  expect(figures['ratio last tenth : first tenth']).toMatchObject({ value: '0.50', met: false });
  // 900 MiB over 900 POs from the first tenth on: 1 MiB per PO, so 1,400 + 9,000 at 10,000.
  expect(figures['RSS per open PO (slope, 100 to 1000 open)']).toMatchObject({ value: '1024 KiB' });
  expect(figures['RSS at 10000 open POs, projected from the slope']).toMatchObject({ value: '10400 MiB', met: false }); // prettier-ignore
  expect(figures['webhook to visible in state, 50/s']).toMatchObject({ met: false });
  expect(figures['import of 10000, projected linearly']).toMatchObject({ value: '600 s', met: true });
  expect(figures['events one PO absorbs (webhookDelivery, 2000 events)']?.value).toBe('300 /s (0.75 x the 400/s the server accepts)'); // prettier-ignore
  expect(figures['RSS, all processes, 1000 open POs']?.value).toBe(
    '1400 MiB (poflow.js start 1300, temporal 100)',
  );
});

test('the chart is one SVG with both panels, and a comparison puts two runs side by side', () => {
  const svg = chartSvg(results);
  expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  expect(svg).toContain('pingWorkflow 20.0/s');
  const after = figuresOf({ ...results, ping: { ...results.ping, perSecond: 10 } });
  expect(comparison(figuresOf(results), after)).toContain(
    '| a | ratio POs/s : pings/s | 0.30 | 0.60 | >= 0.5 | met |',
  );
});

test("a process tree's RSS includes the children it started", async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const tree = treeRss(process.pid);
    expect(tree.find((p) => p.pid === child.pid)).toMatchObject({ rssMiB: expect.any(Number) });
    expect(tree.every((p) => p.rssMiB > 0)).toBe(true);
  } finally {
    child.kill();
    await once(child, 'exit');
  }
});
