/**
 * Requests per second of the webhook receiver on this machine, against a baseline measured in the
 * same run: the same fastify setup (raw body, same limit) answering 200 without verifying or
 * signalling. Three receiver loads: signed events that concern no PO (verify + parse only), and
 * signed PO events (verify + parse + one Temporal signal each, to 50 idle PO workflows on a local
 * dev server). Run: npx tsx bench/webhooks.ts [requests] [concurrency]
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import Fastify from 'fastify';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { executableFor } from '../worker/temporal-binaries';
import { poflowLogger } from '../infra/logger';
import { DEFAULT_MAX_BODY_BYTES, startWebhookReceiver } from '../webhooks/receiver';
import { sign } from '../webhooks/signature';
import { pingWorkflow } from '../workflows/ping';

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const SECRET = 'bench-secret';
// Signals spread over many workflows: one workflow accepts at most 10,000 in its history.
const PO_COUNT = 50;

interface Request {
  body: string;
  signature: string;
}

function events(count: number, type: (i: number) => string, poName: (i: number) => string): Request[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date().toISOString();
    const body = JSON.stringify({
      _object: '/event',
      id: i + 1,
      version: 2,
      type: type(i),
      created_at: at,
      occurred_at: at,
      data: {
        _object: '/order_management_event_data',
        purchase_order: { _object: '/purchase_order', name: poName(i) },
      },
    });
    return { body, signature: sign(body, SECRET) };
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(url: URL, request: Request): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': request.signature },
    });
    req.once('error', reject);
    req.once('response', (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    req.end(request.body);
  });
}

/** Sends every request with `CONCURRENCY` in flight; answers requests per second. */
async function load(url: string, requests: Request[]): Promise<number> {
  const target = new URL(url);
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        if ((await post(target, requests[next++]!)) !== 200) failed++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failed > 0) throw new Error(`${failed} requests were not answered 200`);
  return requests.length / seconds;
}

/** The median of three runs: one run alone is at the mercy of GC and the scheduler. */
async function median(url: string, requests: Request[]): Promise<number> {
  const runs = [await load(url, requests), await load(url, requests), await load(url, requests)];
  return runs.sort((a, b) => a - b)[1]!;
}

async function baseline(): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, bodyLimit: DEFAULT_MAX_BODY_BYTES });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/webhooks/flexport', async () => ({ received: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: executableFor('cli'), ip: '127.0.0.1', extraArgs: ['--log-level', 'error'] },
  });
  const base = await baseline();
  const receiver = await startWebhookReceiver({
    port: 0,
    secrets: [SECRET],
    client: env.client,
    logger: poflowLogger('webhooks', { write: () => {} }),
  });
  try {
    const run = Date.now();
    const poName = (i: number) => `PO-BENCH-${run}-${i % PO_COUNT}`;
    for (let i = 0; i < PO_COUNT; i++) {
      await env.client.workflow.start(pingWorkflow, {
        taskQueue: 'bench-nobody-polls',
        workflowId: `po/flexport/${poName(i)}`,
      });
    }
    const unrouted = events(REQUESTS, () => '/invoice#issued', poName);
    const signalled = events(REQUESTS, () => '/purchase_order#acknowledged', poName);
    await load(`${base.url}/webhooks/flexport`, unrouted.slice(0, 200)); // warm-up
    await load(`${receiver.url}/webhooks/flexport`, unrouted.slice(0, 200));

    const baselineRps = await median(`${base.url}/webhooks/flexport`, unrouted);
    const verifyRps = await median(`${receiver.url}/webhooks/flexport`, unrouted);
    const signalRps = await median(`${receiver.url}/webhooks/flexport`, signalled);
    const row = (label: string, rps: number) => {
      const toBaseline = (rps / baselineRps).toFixed(3);
      return `${label.padEnd(52)} ${rps.toFixed(0).padStart(7)} req/s   ${toBaseline} x baseline`;
    };
    console.log(
      `${REQUESTS} requests per load (median of 3), ${CONCURRENCY} in flight, Node ${process.version}`,
    );
    console.log(row('baseline: fastify answering 200, no verification', baselineRps));
    console.log(row('receiver: verify + parse, event concerns no PO', verifyRps));
    console.log(row('receiver: verify + parse + Temporal signal (dev server)', signalRps));
  } finally {
    agent.destroy();
    await receiver.close();
    await base.close();
    await env.teardown();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
