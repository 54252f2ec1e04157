/**
 * The operations endpoints of `poflow start` as an operator's scraper and probes see them: a real
 * `poflow start` subprocess (dev server, sandbox, workers, receiver) on free ports. `/metrics`
 * carries poflow's metrics and the Temporal SDK's worker metrics, and the numbers move as a PO
 * goes through; `/healthz` and `/readyz` answer on POFLOW_METRICS_PORT and on the receiver's port;
 * every part logs through poflow's one logger, secrets never in it; SIGTERM lets a webhook request
 * in flight finish, then stops the whole stack cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './support/ports';
import { jsonOf, runCli } from './support/stack';
import { PROJECT_ROOT } from '../worker/temporal-binaries';
import { sign } from '../webhooks/signature';

const WEBHOOK_SECRET = 'operations-test-webhook-secret';

const dir = mkdtempSync(path.join(tmpdir(), 'poflow-operations-'));
let poflow: ChildProcess | undefined;
let output = '';
let env: NodeJS.ProcessEnv = {};
let metricsUrl = '';
let receiverUrl = '';

beforeAll(async () => {
  const [temporal, ui, sandbox, webhooks, metrics, codec] = await Promise.all(
    Array.from({ length: 6 }, freePort),
  );
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    POFLOW_DATA_DIR: dir,
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    SANDBOX_PORT: String(sandbox),
    WEBHOOK_PORT: String(webhooks),
    POFLOW_METRICS_PORT: String(metrics),
    POFLOW_CODEC_PORT: String(codec),
    POFLOW_PO_COUNT_INTERVAL_SECONDS: '1',
    WEBHOOK_SECRET,
  };
  metricsUrl = `http://127.0.0.1:${metrics}`;
  receiverUrl = `http://127.0.0.1:${webhooks}`;
  poflow = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'poflow.js'), 'start'], { cwd: PROJECT_ROOT, env }); // prettier-ignore
  poflow.stdout!.on('data', (chunk) => (output += chunk));
  poflow.stderr!.on('data', (chunk) => (output += chunk));
  await until(() => output.includes('Press Ctrl-C to stop.'), 240_000, () => `poflow start never came up:\n${output}`); // prettier-ignore
}, 300_000);

afterAll(() => {
  if (poflow?.exitCode === null) poflow.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function until(ready: () => boolean | Promise<boolean>, timeoutMs: number, why: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function scrape(): Promise<string> {
  const response = await fetch(`${metricsUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The sum of every sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => own.includes(`${key}="${value}"`)))
      sum += Number(match[3]);
  }
  return sum;
}

test('health and readiness on the metrics port and on the receiver', async () => {
  for (const base of [metricsUrl, receiverUrl]) {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  }
  const ready = await fetch(`${metricsUrl}/readyz`);
  expect({ status: ready.status, body: await ready.json() }).toEqual({
    status: 200,
    body: { status: 'ready', checks: { temporal: 'ok', workers: 'ok', flexport: 'ok', flxpoint: 'ok' } },
  });
  const receiverReady = await fetch(`${receiverUrl}/readyz`);
  expect({ status: receiverReady.status, body: await receiverReady.json() }).toEqual({
    status: 200,
    body: { status: 'ready', checks: { temporal: 'ok' } },
  });
});

test("metrics name poflow's and the SDK's series, and the numbers move as a PO goes through", async () => {
  const before = await scrape();
  for (const name of [
    'poflow_provider_request_duration_seconds',
    'poflow_webhook_deliveries_total',
    'poflow_reconciler_events_recovered_total',
    'poflow_reconciler_lag_seconds',
    'poflow_alerts_total',
    'poflow_purchase_orders',
    'poflow_purchase_orders_late',
  ]) {
    expect(before).toContain(`# TYPE ${name} `);
  }
  // The SDK's own worker metrics, from its Prometheus exporter.
  expect(before).toMatch(/^temporal_worker_task_slots_available\{/m);
  expect(before).toMatch(/^temporal_request\{/m);

  const submitted = await runCli({ cliEnv: env }, ['submit', path.join(PROJECT_ROOT, 'examples', 'po-1001-widgets.json'), '--json']); // prettier-ignore
  expect(submitted.code).toBe(0);
  expect(jsonOf(submitted)).toMatchObject({ name: 'PO-1001' });
  // An unsigned delivery is refused: counted with its reason.
  const refused = await fetch(`${receiverUrl}/webhooks/flexport`, { method: 'POST', body: '{}' });
  expect(refused.status).toBe(401);

  let after = '';
  await until(
    async () => {
      after = await scrape();
      return (
        sample(after, 'poflow_provider_request_duration_seconds_count', { provider: 'flexport', endpoint: 'POST /purchase_orders', outcome: '2xx' }) >= 1 && // prettier-ignore
        sample(after, 'poflow_webhook_deliveries_total', { outcome: 'delivered' }) >= 1 &&
        sample(after, 'poflow_purchase_orders', { status: 'open' }) >= 1
      );
    },
    120_000,
    () =>
      `the numbers never moved:\n${after
        .split('\n')
        .filter((l) => l.startsWith('poflow_'))
        .join('\n')}`,
  );
  expect(sample(after, 'poflow_webhook_deliveries_total', { outcome: 'refused', reason: 'signature' })).toBe(
    1,
  );
  expect(sample(after, 'poflow_provider_request_duration_seconds_sum', { endpoint: 'POST /purchase_orders' })).toBeGreaterThan(0); // prettier-ignore
  expect(sample(after, 'temporal_workflow_completed') + sample(after, 'temporal_workflow_task_execution_latency_count')).toBeGreaterThan(0); // prettier-ignore
}, 180_000);

test("every part logs JSON lines through poflow's logger, and no secret reaches it", () => {
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { service: string; component: string; msg: string });
  expect(lines.filter((line) => line.service !== 'poflow')).toEqual([]);
  const components = new Set(lines.map((line) => line.component));
  for (const component of ['temporal-sdk', 'sandbox', 'webhooks']) {
    expect(components).toContain(component);
  }
  // The SDK's worker lines come through its runtime logger, not its own console output.
  expect(lines.some((line) => line.component === 'temporal-sdk' && /Worker state changed/.test(line.msg))).toBe(true); // prettier-ignore
  expect(output).not.toContain(WEBHOOK_SECRET);
});

test('SIGTERM lets a webhook request in flight finish, then stops the whole stack cleanly', async () => {
  const body = JSON.stringify({
    _object: '/event',
    id: Date.now(),
    version: 2,
    type: '/purchase_order#acknowledged',
    created_at: new Date().toISOString(),
    occurred_at: new Date().toISOString(),
    data: { _object: '/purchase_order', name: 'PO-1001' },
  });
  // The request's head and half its body are in before SIGTERM; the rest comes once poflow is stopping.
  const answer = new Promise<number>((resolve, reject) => {
    const inFlight = request(`${receiverUrl}/webhooks/flexport`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-hub-signature-256': sign(body, WEBHOOK_SECRET),
      },
    });
    inFlight.once('response', (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    inFlight.once('error', reject);
    inFlight.write(body.slice(0, 40));
    void until(
      () => output.includes('stopping...'),
      30_000,
      () => 'SIGTERM never reached poflow',
    ).then(() => inFlight.end(body.slice(40)), reject);
  });
  const exited = new Promise<number | null>((resolve) => poflow!.once('exit', (code) => resolve(code)));
  await new Promise((resolve) => setTimeout(resolve, 500));
  poflow!.kill('SIGTERM');
  expect(await answer).toBe(200);
  expect(await exited).toBe(0);
  await expect(fetch(`${metricsUrl}/healthz`)).rejects.toThrow();
}, 120_000);
