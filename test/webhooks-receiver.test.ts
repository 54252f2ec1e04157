/**
 * The receiver against a real dev server: signatures, status codes, routing to existing, finished
 * and unknown PO workflows (through metadata and through the PoShipmentIds search attribute), 503
 * when Temporal cannot be reached, and logs that never carry a secret or a signature.
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { poflowLogger } from '../infra/logger';
import { startWebhookReceiver, type WebhookReceiver } from '../webhooks/receiver';
import { sign } from '../webhooks/signature';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { pingWorkflow } from '../workflows/ping';
import { payloadValue } from './support/codec';
import { freePort } from './support/ports';
import { devServerEnv, workerDefaults } from './support/temporal';

const SECRET = 'whsec-current-0123456789abcdef';
const PREVIOUS_SECRET = 'whsec-previous-fedcba9876543210';
const run = Date.now();
const poName = (label: string) => `PO-RCV-${label}-${run}`;

let env: TestWorkflowEnvironment;
let receiver: WebhookReceiver;
const logLines: string[] = [];
const logger = poflowLogger('webhooks', { write: (line: string) => void logLines.push(line) });

beforeAll(async () => {
  env = await devServerEnv();
  receiver = await startWebhookReceiver({
    port: 0,
    secrets: [PREVIOUS_SECRET, SECRET],
    client: env.client,
    maxBodyBytes: 16 * 1024,
    logger,
  });
});

afterAll(async () => {
  await receiver?.close();
  await env?.teardown();
});

let nextEventId = run;
function event(type: string, data: Record<string, unknown>) {
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
const poEvent = (name: string) => event('/purchase_order#acknowledged', { _object: '/purchase_order', name });

async function post(body: string, headers: Record<string, string> = {}, path = '/webhooks/flexport') {
  return fetch(`${receiver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}
const signed = (body: string, secret = SECRET) => ({ 'x-hub-signature-256': sign(body, secret) });

/** A PO workflow nobody runs: the server still records every signal it accepts. */
async function idlePoWorkflow(name: string, shipmentIds?: string[]): Promise<WorkflowHandle> {
  return env.client.workflow.start(pingWorkflow, {
    taskQueue: 'nobody-polls',
    workflowId: `po/flexport/${name}`,
    typedSearchAttributes: shipmentIds
      ? [
          { key: SearchAttributes.PoProvider, value: 'flexport' },
          { key: SearchAttributes.PoShipmentIds, value: shipmentIds },
        ]
      : [],
  });
}

async function signalledEvents(handle: WorkflowHandle): Promise<{ name: string; event: { id: number } }[]> {
  const history = await handle.fetchHistory();
  const signals = (history.events ?? []).flatMap((e) => e.workflowExecutionSignaledEventAttributes ?? []);
  return Promise.all(
    signals.map(async (signal) => ({
      name: signal.signalName!,
      event: await payloadValue<{ id: number }>(signal.input!.payloads![0]!),
    })),
  );
}

test('a signed PO event is signalled to its PO workflow and answered 200', async () => {
  const handle = await idlePoWorkflow(poName('A'));
  const body = JSON.stringify(poEvent(poName('A')));
  const response = await post(body, signed(body));
  expect(response.status).toBe(200);
  expect(await signalledEvents(handle)).toEqual([{ name: 'providerEvent', event: JSON.parse(body) }]);
});

test('a repeat of an event the receiver delivered is answered 200, counted as a duplicate and not sent again', async () => {
  const handle = await idlePoWorkflow(poName('DUP'));
  const body = JSON.stringify(poEvent(poName('DUP')));
  const before = receiver.counts.duplicate;
  expect(await (await post(body, signed(body))).json()).toEqual({
    received: true,
    eventId: JSON.parse(body).id,
  });
  const repeat = await post(body, signed(body));
  expect({ status: repeat.status, body: await repeat.json() }).toEqual({
    status: 200,
    body: { received: true, eventId: JSON.parse(body).id, duplicate: true },
  });
  expect(receiver.counts.duplicate).toBe(before + 1);
  expect(await signalledEvents(handle)).toHaveLength(1);
});

test('a delivery signed with the previous secret is accepted during a rotation, SHA-1 only if enabled', async () => {
  const handle = await idlePoWorkflow(poName('ROT'));
  const body = JSON.stringify(poEvent(poName('ROT')));
  expect((await post(body, signed(body, PREVIOUS_SECRET))).status).toBe(200);
  expect((await post(body, { 'x-hub-signature': sign(body, SECRET, 'sha1') })).status).toBe(401);
  expect(await signalledEvents(handle)).toHaveLength(1);
});

test('forged, unsigned, malformed and oversized requests are refused and signal nothing', async () => {
  const name = poName('REFUSED');
  const handle = await idlePoWorkflow(name);
  const good = JSON.stringify(poEvent(name));
  const tampered = good.replace('acknowledged', 'cancelled');
  expect((await post(tampered, signed(good))).status).toBe(401);
  expect((await post(good)).status).toBe(401);
  expect((await post(good, signed(good, 'guessed-secret'))).status).toBe(401);

  const notJson = '{"_object":"/event",';
  expect((await post(notJson, signed(notJson))).status).toBe(400);
  const noId = JSON.stringify({ ...poEvent(name), id: undefined });
  const refused = await post(noId, signed(noId));
  expect(refused.status).toBe(400);
  expect(await refused.json()).toMatchObject({
    error: 'malformed_event',
    reason: expect.stringContaining('id'),
  });

  const huge = JSON.stringify(event('/purchase_order#updated', { _object: '/purchase_order', name, memo: 'x'.repeat(20_000) })); // prettier-ignore
  expect((await post(huge, signed(huge))).status).toBe(413);

  expect(await signalledEvents(handle)).toEqual([]);
  expect(receiver.counts.refused).toMatchObject({
    signature: expect.any(Number),
    malformed: expect.any(Number),
  });
  expect(receiver.counts.refused.tooLarge).toBeGreaterThanOrEqual(1);
});

test('other methods and paths answer 405 and 404; /healthz answers 200', async () => {
  const get = await fetch(`${receiver.url}/webhooks/flexport`);
  expect(get.status).toBe(405);
  expect(get.headers.get('allow')).toBe('POST');
  expect((await post('{}', {}, '/webhooks/flxpoint')).status).toBe(404);
  expect((await post('{}', {}, '/healthz')).status).toBe(405);
  const health = await fetch(`${receiver.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', counts: { delivered: expect.any(Number) } });
});

test('an event for a PO poflow does not know is recorded and dropped, with 200', async () => {
  const before = receiver.counts.unknownPo;
  const body = JSON.stringify(poEvent(poName('NOBODY')));
  expect((await post(body, signed(body))).status).toBe(200);
  expect(receiver.counts.unknownPo).toBe(before + 1);
  await expect(env.client.workflow.getHandle(`po/flexport/${poName('NOBODY')}`).describe()).rejects.toThrow();
  const warning = logLines.map((l) => JSON.parse(l)).find((l) => l.rule === 'record-and-drop');
  expect(warning).toMatchObject({ eventType: '/purchase_order#acknowledged', workflowIds: [`po/flexport/${poName('NOBODY')}`] }); // prettier-ignore
});

test('an event for a finished PO is delivered and ignored: 200, and no new lifecycle', async () => {
  const name = poName('DONE');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'receiver-done', ...workerDefaults }); // prettier-ignore
  await worker.runUntil(env.client.workflow.execute(pingWorkflow, { taskQueue: 'receiver-done', workflowId: `po/flexport/${name}` })); // prettier-ignore
  const before = receiver.counts.closedPo;
  const body = JSON.stringify(poEvent(name));
  expect((await post(body, signed(body))).status).toBe(200);
  expect(receiver.counts.closedPo).toBe(before + 1);
  const runs = [];
  for await (const execution of env.client.workflow.list({ query: `WorkflowId = "po/flexport/${name}"` })) runs.push(execution); // prettier-ignore
  expect(runs).toHaveLength(1);
});

test('a shipment event goes to every PO in its metadata, or to the POs that recorded the shipment', async () => {
  const [one, two] = [poName('SHIP1'), poName('SHIP2')];
  const handles = [await idlePoWorkflow(one, ['1250001']), await idlePoWorkflow(two, ['1250001'])];
  const named = JSON.stringify(
    event('/shipment#booking_confirmed', { resource: { _object: '/shipment', id: 1250001, metadata: { purchase_order: [one, two] } } }), // prettier-ignore
  );
  expect((await post(named, signed(named))).status).toBe(200);

  await waitFor(async () => (await visibleIds(`PoShipmentIds = "1250001" AND WorkflowId STARTS_WITH "po/flexport/PO-RCV-SHIP"`)).length >= 2); // prettier-ignore
  const unnamed = JSON.stringify(
    event('/shipment_leg#departed', { shipment: { _object: '/shipment', id: 1250001 } }),
  );
  expect((await post(unnamed, signed(unnamed))).status).toBe(200);

  for (const handle of handles) {
    const ids = (await signalledEvents(handle)).map((s) => s.event.id);
    expect(ids).toEqual([JSON.parse(named).id, JSON.parse(unnamed).id]);
  }
});

test('with Temporal unreachable the receiver answers 503 so the provider retries', async () => {
  const unreachable = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }),
  });
  const down = await startWebhookReceiver({ port: 0, secrets: [SECRET], client: unreachable, rpcTimeoutMs: 1500, logger }); // prettier-ignore
  try {
    const body = JSON.stringify(poEvent(poName('DOWN')));
    const response = await fetch(`${down.url}/webhooks/flexport`, {
      method: 'POST',
      headers: signed(body),
      body,
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(down.counts.unavailable).toBe(1);
  } finally {
    await down.close();
    await unreachable.connection.close();
  }
});

test('logs name the event and its workflows, and never a secret or a signature', () => {
  const delivered = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'event delivered');
  expect(delivered).toMatchObject({ eventId: expect.any(Number), eventType: expect.any(String), workflowIds: expect.any(Array) }); // prettier-ignore
  const all = logLines.join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(PREVIOUS_SECRET);
  expect(all).not.toMatch(/sha(256|1)=[0-9a-f]{20}/);
  expect(all).not.toMatch(/[0-9a-f]{40}/);
});

async function visibleIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of env.client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
