/**
 * The ERP API's section of `npm run bench`: POs per second submitted through `POST
 * /v1/purchase-orders` against the same number started directly with the Temporal client
 * (`startPurchaseOrder`, what the API calls underneath), in alternating rounds so both meet the
 * same load; then `GET` of one open PO at a steady rate, its latency p50/p99.
 */
import type { Client } from '@temporalio/client';
import { startPurchaseOrder } from '../client/purchase-orders';
import { TEMPLATE } from './book';
import { latencyOf, pool, type Latency } from './stats';

export interface ApiRun {
  /** POs per round and rounds (each round: direct, then through the API). */
  perRound: number;
  rounds: number;
  inFlight: number;
  directPerSecond: number;
  apiPerSecond: number;
  /** Answers other than 201 from the API (a bench that measured failures measured nothing). */
  apiFailures: number;
  get: Latency & { count: number; perSecond: number; failures: number };
}

export interface ApiTarget {
  /** `http://127.0.0.1:<port>/v1` */
  url: string;
  token: string;
}

export async function apiSection(
  client: Client,
  api: ApiTarget,
  prefix: string,
  options: { perRound: number; rounds: number; inFlight: number; getPerSecond: number; getSeconds: number },
): Promise<ApiRun> {
  const { perRound, rounds, inFlight } = options;
  let directMs = 0;
  let apiMs = 0;
  let apiFailures = 0;
  for (let round = 0; round < rounds; round++) {
    const name = (path: string, i: number) => `${prefix}-${path}-${round}-${String(i).padStart(4, '0')}`;
    directMs += await timed(() =>
      pool(perRound, inFlight, async (i) => {
        await startPurchaseOrder(client, { ...TEMPLATE, name: name('D', i) });
      }),
    );
    apiMs += await timed(() =>
      pool(perRound, inFlight, async (i) => {
        const response = await fetch(`${api.url}/purchase-orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ purchaseOrder: { ...TEMPLATE, name: name('A', i) } }),
        });
        await response.arrayBuffer();
        if (response.status !== 201) apiFailures += 1;
      }),
    );
  }
  const total = perRound * rounds;
  const readName = `${prefix}-D-0-0000`;
  return {
    perRound,
    rounds,
    inFlight,
    directPerSecond: total / (directMs / 1000),
    apiPerSecond: total / (apiMs / 1000),
    apiFailures,
    get: await steadyReads(
      `${api.url}/purchase-orders/flexport/${encodeURIComponent(readName)}`,
      api,
      options,
    ),
  };
}

async function timed(run: () => Promise<void>): Promise<number> {
  const began = performance.now();
  await run();
  return performance.now() - began;
}

/** `GET` at a steady rate (not back to back: the figure is the latency an ERP polling at that rate sees). */
async function steadyReads(
  url: string,
  api: ApiTarget,
  options: { getPerSecond: number; getSeconds: number },
): Promise<ApiRun['get']> {
  const headers = { authorization: `Bearer ${api.token}` };
  // The reads start once the POs just submitted are open (their creates at the provider would
  // otherwise be measured too); the PO read is then cached on the worker: the figure is a cached PO's.
  const submitting = `${new URL(url).origin}/v1/purchase-orders?status=submitting&pageSize=1`;
  for (let tries = 0; tries < 600; tries++) {
    const page = (await (await fetch(submitting, { headers })).json()) as { purchaseOrders?: unknown[] };
    const view = (await (await fetch(url, { headers })).json()) as { status?: string };
    if (page.purchaseOrders?.length === 0 && view.status === 'open') break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const count = options.getPerSecond * options.getSeconds;
  const latencies: number[] = [];
  let failures = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const due = began + (i * 1000) / options.getPerSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      const sent = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
      if (response.status !== 200) failures += 1;
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  return { count, perSecond: count / seconds, failures, ...latencyOf(latencies) };
}
