/**
 * What one delivery may cost, against a real dev server and the sandbox over HTTP: a signed
 * shipment event naming thousands of POs reaches at most MAX_POS_PER_EVENT of them, looked up and
 * adopted EVENT_FAN_OUT_CONCURRENCY at a time, the rest logged by count and counted in a metric;
 * and events that gather for one PO travel in messages of at most MAX_BATCH_BYTES of JSON, an
 * event larger than that alone.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FlexportClient } from '../activities/flexport/client';
import { registry } from '../infra/metrics';
import { unknownPoAdoption } from '../webhooks/adoption';
import { startSandbox, type Sandbox } from '../sandbox/server';
import {
  deliverEvent,
  EVENT_FAN_OUT_CONCURRENCY,
  MAX_BATCH_BYTES,
  MAX_EVENTS_PER_SIGNAL,
  MAX_POS_PER_EVENT,
  nextBatchLength,
  type UnknownPoAdoption,
} from '../webhooks/delivery';
import { startWebhookReceiver } from '../webhooks/receiver';
import { sign } from '../webhooks/signature';
import { poflowLogger } from '../infra/logger';
import { pingWorkflow } from '../workflows/ping';
import type { ProviderEvent } from '../workflows/flexport/provider-event';
import { madeAtProvider } from './support/adoption';
import { payloadValue } from './support/codec';
import { devServerEnv } from './support/temporal';

const SECRET = 'whsec-fan-out-0123456789abcdef';
const run = Date.now();

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;

beforeAll(async () => {
  [env, sandbox] = await Promise.all([devServerEnv(), startSandbox({ port: 0 })]);
});

afterAll(async () => {
  await sandbox?.close();
  await env?.teardown();
});

let nextEventId = run;
function event(type: string, data: Record<string, unknown>): ProviderEvent {
  return {
    _object: '/event',
    id: ++nextEventId,
    version: 2,
    type,
    created_at: '2024-05-01T10:00:00.000Z',
    occurred_at: '2024-05-01T09:59:00.000Z',
    data,
  };
}

/** The real adoption, with how many of its calls were under way at once. */
function countingAdoption(real: UnknownPoAdoption) {
  const seen = { calls: 0, inFlight: 0, most: 0, names: [] as string[] };
  const adoption: UnknownPoAdoption = {
    ...real,
    async adopt(name, events) {
      seen.calls++;
      seen.names.push(name);
      seen.most = Math.max(seen.most, ++seen.inFlight);
      try {
        return await real.adopt(name, events);
      } finally {
        seen.inFlight--;
      }
    },
  };
  return { adoption, seen };
}

async function posBeyondCapCounted(): Promise<number> {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith('poflow_webhook_event_pos_beyond_cap_total{provider="flexport"}')); // prettier-ignore
  return line ? Number(line.split(' ').at(-1)) : 0;
}

test('a shipment event naming thousands of POs reaches the first MAX_POS_PER_EVENT, a few at a time; the rest are counted', async () => {
  // One PO the provider has (adopted), then POs it does not know (looked up, refused): 2,500.
  const known = `PO-FAN-KNOWN-${run}`;
  await madeAtProvider(sandbox.url, known, 'open');
  const names = [known, ...Array.from({ length: 2_499 }, (_, i) => `PO-FAN-${run}-${i}`)];
  const lastName = names.at(-1)!;

  const logLines: string[] = [];
  const { adoption, seen } = countingAdoption(
    unknownPoAdoption(env.client, new FlexportClient({ baseUrl: sandbox.url, apiToken: 'sandbox' })),
  );
  const receiver = await startWebhookReceiver({
    port: 0,
    secrets: [SECRET],
    client: env.client,
    adoption,
    logger: poflowLogger('webhooks', { write: (line: string) => void logLines.push(line) }),
  });
  const countedBefore = await posBeyondCapCounted();
  try {
    const body = JSON.stringify(
      event('/shipment#departed', {
        _object: '/shipment',
        id: 7_700_000 + (run % 100_000),
        metadata: { purchase_order: names },
      }),
    );
    const response = await fetch(`${receiver.url}/webhooks/flexport`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, SECRET) },
      body,
    });
    expect(response.status).toBe(200);

    // Looked up and adopted a few at a time, and only the first MAX_POS_PER_EVENT of them.
    expect(seen.most).toBeLessThanOrEqual(32);
    expect(seen.calls).toBeLessThanOrEqual(1_000);
    expect(seen.most).toBeLessThanOrEqual(EVENT_FAN_OUT_CONCURRENCY);
    expect(seen.calls).toBe(MAX_POS_PER_EVENT);
    expect(new Set(seen.names)).toEqual(new Set(names.slice(0, MAX_POS_PER_EVENT)));
    expect(receiver.counts).toMatchObject({ adoptedPo: 1, unknownPo: 1 });
    expect((await env.client.workflow.getHandle(`po/flexport/${known}`).describe()).status.name).toBe(
      'RUNNING',
    );

    // The rest: counted in the metric and logged by count only, never by name.
    const beyond = names.length - MAX_POS_PER_EVENT;
    expect((await posBeyondCapCounted()) - countedBefore).toBe(beyond);
    const capped = logLines.map((l) => JSON.parse(l)).filter((l) => l.beyondCap !== undefined);
    expect(capped).toEqual([expect.objectContaining({ beyondCap: beyond, maxPosPerEvent: MAX_POS_PER_EVENT, source: 'receiver' })]); // prettier-ignore
    expect(logLines.some((l) => l.includes(lastName))).toBe(false);
  } finally {
    await receiver.close();
  }
}, 120_000);

/** A PO workflow nobody runs: the server records every signal it accepts, and no update is ever taken. */
async function idlePoWorkflow(name: string): Promise<WorkflowHandle> {
  return env.client.workflow.start(pingWorkflow, {
    taskQueue: 'nobody-polls',
    workflowId: `po/flexport/${name}`,
  });
}

async function signalsOf(handle: WorkflowHandle): Promise<{ name: string; events: ProviderEvent[] }[]> {
  const history = await handle.fetchHistory();
  const signals = (history.events ?? []).flatMap((e) => e.workflowExecutionSignaledEventAttributes ?? []);
  return Promise.all(
    signals.map(async (signal) => {
      const value = await payloadValue<ProviderEvent | ProviderEvent[]>(signal.input!.payloads![0]!);
      return { name: signal.signalName!, events: Array.isArray(value) ? value : [value] };
    }),
  );
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

test('events gathering for one PO travel in messages of at most MAX_BATCH_BYTES; a larger event goes alone', async () => {
  const name = `PO-FAN-BYTES-${run}`;
  const handle = await idlePoWorkflow(name);
  const documentEvent = (kib: number) =>
    event('/purchase_order#document_uploaded', {
      purchase_order: { _object: '/purchase_order', name },
      note: 'x'.repeat(kib * 1024),
    });
  // 2.4 MB between them, in far fewer than MAX_EVENTS_PER_SIGNAL: one message by count alone,
  // which Temporal refuses (2 MB). One of them is larger than a batch may be.
  const events = Array.from({ length: 40 }, () => documentEvent(60));
  events[20] = documentEvent(300);
  expect(events.length).toBeLessThan(MAX_EVENTS_PER_SIGNAL);

  // All at once: the first goes as it comes, the others gather behind it. The PO never takes the
  // update (nobody polls), so each batch goes as a `providerEvents` signal after the deadline.
  const reports = await Promise.all(
    events.map((e) => deliverEvent(e, { client: env.client, provider: 'flexport', rpcTimeoutMs: 1_000 })),
  );
  expect(reports.every((r) => r.signalled.includes(handle.workflowId))).toBe(true);

  const signals = await signalsOf(handle);
  const ids = (list: ProviderEvent[]) => list.map((e) => e.id).sort((a, b) => a - b);
  expect(ids(signals.flatMap((s) => s.events))).toEqual(ids(events));
  const batches = signals.filter((s) => s.events.length > 1);
  expect(batches.length).toBeGreaterThan(1);
  for (const batch of batches) {
    expect(batch.events.reduce((sum, e) => sum + bytesOf(e), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  }
  const large = signals.find((s) => s.events.some((e) => e.id === events[20]!.id))!;
  expect(large.events).toHaveLength(1);
  expect(signals.length).toBeLessThan(events.length);
}, 120_000);

test('nextBatchLength: by count, by bytes, and the first always', () => {
  const sizes =
    (...s: number[]) =>
    (i: number) =>
      s[i]!;
  expect(nextBatchLength(0, sizes())).toBe(0);
  expect(nextBatchLength(1, sizes(MAX_BATCH_BYTES * 10))).toBe(1);
  expect(nextBatchLength(3, sizes(MAX_BATCH_BYTES + 1, 10, 10))).toBe(1);
  expect(nextBatchLength(3, sizes(10, MAX_BATCH_BYTES, 10))).toBe(1);
  expect(nextBatchLength(3, sizes(MAX_BATCH_BYTES / 2, MAX_BATCH_BYTES / 2, 1))).toBe(2);
  expect(nextBatchLength(MAX_EVENTS_PER_SIGNAL * 3, () => 100)).toBe(MAX_EVENTS_PER_SIGNAL);
  expect(nextBatchLength(MAX_EVENTS_PER_SIGNAL * 3, () => MAX_BATCH_BYTES / 4)).toBe(4);
});
