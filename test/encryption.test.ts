/**
 * Payload encryption end to end: a Flexport PO with prices and a contact's e-mail, and a Flxpoint
 * PO with a ship-to address, submitted through `poflow` as a user does. The server's raw history
 * (read without the codec) holds none of it; the `state` query, `poflow status` and the Web UI
 * (through the codec server) show all of it.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { AesGcmCodec } from '../codec/aes-gcm';
import { parseCodecKeys } from '../codec/keys';
import { stateQuery } from '../workflows/flexport/messages';
import { ARTIFACTS, launchChromium } from './support/browser';
import { TEST_CODEC_KEYS } from './support/codec';
import { stackPerFile } from './support/stack';

const suite = stackPerFile();
const dir = mkdtempSync(path.join(tmpdir(), 'poflow-encryption-'));
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const CONTACT = { name: 'Mei Chen', email: 'mei.chen@shenzhen-widgets.example', phone: '+86-755-5550-1234' };
const flexportPo = {
  ...JSON.parse(readFileSync(path.join(__dirname, '..', 'examples', 'po-1001-widgets.json'), 'utf8')),
  name: 'PO-ENC-1',
  parties: [
    { role: 'buyer', external_ref: 'acme-us' },
    { role: 'seller', external_ref: 'shenzhen-widgets', contacts: [CONTACT] },
  ],
};
const flxpointPo = {
  ...JSON.parse(readFileSync(path.join(__dirname, '..', 'examples', 'flxpoint-po.json'), 'utf8')),
  purchaseOrderNumber: 'FLX-ENC-1',
};
/** What must never reach the server in clear: prices, addresses, e-mails, phone numbers, people. */
const COMMERCIAL = ['4.65', '5.10', CONTACT.email, CONTACT.phone, CONTACT.name, 'person@example.com', '1000 1st Lane', '1-555-123-4567', 'Joe Smith', 'Loading dock'.toLowerCase()]; // prettier-ignore

function file(name: string, body: unknown): string {
  const at = path.join(dir, name);
  writeFileSync(at, JSON.stringify(body));
  return at;
}

/** Every event of the run as the server stores it: protobuf bytes, no codec anywhere near. */
async function rawHistory(workflowId: string): Promise<Buffer> {
  const connection = await Connection.connect({ address: suite.stack.temporalAddress });
  try {
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId },
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
  } finally {
    await connection.close();
  }
}

/** The same history with every payload decrypted: the control that the search can find them. */
async function decryptedHistory(raw: Buffer): Promise<string> {
  const codec = new AesGcmCodec(parseCodecKeys(TEST_CODEC_KEYS, 'test keys'));
  const history = temporal.api.history.v1.History.decode(raw);
  const found: string[] = [];
  const walk = async (node: unknown): Promise<void> => {
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.metadata && record.data instanceof Uint8Array) {
      const [clear] = await codec.decode([record as temporal.api.common.v1.IPayload]);
      found.push(Buffer.from(clear!.data ?? []).toString('utf8'));
      return;
    }
    for (const value of Object.values(record)) await walk(value);
  };
  await walk(history);
  return found.join('\n');
}

test('the raw history holds no price, address or e-mail; the state query and poflow status show them', async () => {
  const submitted = await suite.poflow('submit', file('flexport.json', flexportPo), '--json');
  expect(submitted.code).toBe(0);
  const flx = await suite.poflow('submit', file('flxpoint.json', flxpointPo), '--provider', 'flxpoint', '--json'); // prettier-ignore
  expect(flx.code).toBe(0);
  const status = await suite.statusUntil('PO-ENC-1', (po) => po.status === 'open');
  const flxStatus = await suite.statusUntil('FLX-ENC-1', (po) => po.providerId !== undefined, '--provider', 'flxpoint'); // prettier-ignore

  for (const [workflowId, po] of [
    ['po/flexport/PO-ENC-1', flexportPo],
    ['po/flxpoint/FLX-ENC-1', flxpointPo],
  ] as const) {
    const raw = await rawHistory(workflowId);
    const clear = raw.toString('latin1').toLowerCase();
    const secrets = COMMERCIAL.filter((s) => JSON.stringify(po).toLowerCase().includes(s.toLowerCase()));
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    expect(secrets.filter((s) => clear.includes(s.toLowerCase()))).toEqual([]);
    // Controls: the search reads this history (the name is in the clear search attributes, the
    // key id in every payload), and decrypted, the same history holds every one of them.
    expect(clear).toContain(workflowId.split('/')[2]!.toLowerCase());
    expect(clear).toContain('test-1');
    const decrypted = (await decryptedHistory(raw)).toLowerCase();
    expect(secrets.filter((s) => !decrypted.includes(s.toLowerCase()))).toEqual([]);
  }

  const state = await suite.stack.client.workflow.getHandle('po/flexport/PO-ENC-1').query(stateQuery);
  expect(state.po.line_items.map((l) => l.unit_cost?.amount)).toEqual(['4.65', '5.10']);
  expect(JSON.stringify(state.po.parties)).toContain(CONTACT.email);
  expect(JSON.stringify(status.po)).toContain(CONTACT.email);
  expect(status.po.line_items[0].unit_cost.amount).toBe('4.65');
  expect(JSON.stringify(flxStatus)).toContain('1000 1st Lane');
  expect(JSON.stringify(flxStatus)).toContain('person@example.com');
}, 120_000);

test('the Web UI shows the encrypted inputs through the codec server', async () => {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
  const inputOf = async (workflowId: string, expected: string): Promise<string> => {
    await page.goto(`${suite.stack.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText(expected).first().waitFor({ timeout: 30_000 });
    // The input's card shows its first lines; maximized, all of it.
    await page.getByRole('button', { name: 'Maximize' }).first().click();
    await page.getByText('"unit_cost"').or(page.getByText('"purchaseOrderItems"')).first().waitFor({ timeout: 10_000 }); // prettier-ignore
    return (await page.locator('body').textContent()) ?? '';
  };
  const flexport = await inputOf('po/flexport/PO-ENC-1', CONTACT.email);
  await page.screenshot({ path: path.join(ARTIFACTS, 'encryption-ui-input.png'), fullPage: true });
  expect(flexport).toContain(CONTACT.phone);
  expect(flexport).toContain('"4.65"');
  const flxpoint = await inputOf('po/flxpoint/FLX-ENC-1', '1000 1st Lane');
  expect(flxpoint).toContain('person@example.com');
  expect(flxpoint).toContain('"cost": 2.5');
  expect(flexport + flxpoint).not.toContain('binary/encrypted');
  await page.close();
}, 90_000);

test('the codec server answers the Web UI only: CORS for its origin, 400 naming the field', async () => {
  const origin = new URL(suite.stack.uiUrl).origin;
  const preflight = await fetch(`${suite.stack.codecUrl}/decode`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' }, // prettier-ignore
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
  expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
  const stranger = await fetch(`${suite.stack.codecUrl}/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } }); // prettier-ignore
  expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

  const post = (route: string, body: unknown) =>
    fetch(`${suite.stack.codecUrl}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) }); // prettier-ignore
  const clear = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"amount":"4.65"}').toString('base64') }; // prettier-ignore
  const encoded = (await (await post('/encode', { payloads: [clear] })).json()) as { payloads: { metadata: Record<string, string>; data: string }[] }; // prettier-ignore
  expect(Buffer.from(encoded.payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe(
    'test-1',
  );
  expect(Buffer.from(encoded.payloads[0]!.data, 'base64').toString('latin1')).not.toContain('4.65');
  const decoded = await post('/decode', encoded);
  expect(decoded.headers.get('access-control-allow-origin')).toBe(origin);
  expect(await decoded.json()).toEqual({ payloads: [clear] });

  const bad = await post('/decode', { payloads: [{ data: 'not base64!' }] });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({ error: 'bad_request', message: 'payloads.0.data: must be base64' });
});
