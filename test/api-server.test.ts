/**
 * The ERP API's parts that need no Temporal: its settings (POFLOW_API_*), the token file `poflow
 * start` generates, token checks, CORS, `Prefer: wait`, page tokens and the Idempotency-Key store
 * (its day and its bound). The server is asked in process (`inject`); what reaches Temporal is in
 * test/api.test.ts and test/api-bad-input.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { ensureApiTokenFile } from '../client/api/command';
import { preferredWait } from '../client/api/context';
import { IdempotencyStore, type StoredAnswer } from '../client/api/idempotency';
import { pageTokenFor, pageTokenOf } from '../client/api/list';
import { createApiServer } from '../client/api/server';
import { tokenVerifier } from '../client/api/auth';
import { ConfigError, loadConfig, parseApiTokens } from '../worker/config';
import { API_TOKENS, ERP_TOKEN } from './support/api-server';

const dir = mkdtempSync(path.join(tmpdir(), 'poflow-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('POFLOW_API_* settings, with every refusal naming the variable and the entry, never the token', () => {
  const api = loadConfig({
    POFLOW_API_TOKENS: `erp:${ERP_TOKEN}, bi:${'b'.repeat(16)}:read`,
    POFLOW_API_PORT: '9600',
    POFLOW_API_HOST: '0.0.0.0',
    POFLOW_API_RATE_LIMIT: '5',
    POFLOW_API_CORS_ORIGINS: 'https://erp.example.com, https://erp2.example.com',
  }).api;
  expect(api).toEqual({
    port: 9600,
    host: '0.0.0.0',
    tokens: [
      { name: 'erp', token: ERP_TOKEN, access: 'write' },
      { name: 'bi', token: 'b'.repeat(16), access: 'read' },
    ],
    tokensSource: 'POFLOW_API_TOKENS',
    rateLimit: 5,
    corsOrigins: ['https://erp.example.com', 'https://erp2.example.com'],
    metricsPort: 9467,
  });
  const defaults = loadConfig({ POFLOW_DATA_DIR: dir, POFLOW_METRICS_PORT: '9999' }).api;
  expect(defaults).toMatchObject({ port: 8600, host: '127.0.0.1', rateLimit: 50, corsOrigins: [] });
  expect(defaults.metricsPort).toBe(9999);

  const refusals: Array<[string, RegExp]> = [
    ['erp', /^POFLOW_API_TOKENS: entry 1: expected name:token or name:token:read$/],
    ['erp:short-token', /^POFLOW_API_TOKENS: entry 1 \(erp\): the token must be 16-256 characters/],
    [`erp:${ERP_TOKEN}:write`, /^POFLOW_API_TOKENS: entry 1: expected name:token or name:token:read$/],
    [`e rp:${ERP_TOKEN}`, /entry 1: the name must be 1-64 of/],
    [
      `erp:${ERP_TOKEN},erp:${'c'.repeat(20)}`,
      /^POFLOW_API_TOKENS: entry 2 \(erp\): the name erp of entry 1 again$/,
    ],
    [`erp:${ERP_TOKEN},bi:${ERP_TOKEN}`, /^POFLOW_API_TOKENS: entry 2 \(bi\): the token of entry 1 again$/],
  ];
  for (const [tokens, message] of refusals) {
    expect(() => loadConfig({ POFLOW_API_TOKENS: tokens })).toThrow(ConfigError);
    expect(() => loadConfig({ POFLOW_API_TOKENS: tokens })).toThrow(message);
    try {
      loadConfig({ POFLOW_API_TOKENS: tokens });
    } catch (err) {
      expect((err as Error).message).not.toContain(ERP_TOKEN);
    }
  }
  expect(() => loadConfig({ POFLOW_API_RATE_LIMIT: 'fast' })).toThrow(
    /^POFLOW_API_RATE_LIMIT: expected a whole number/,
  );
  expect(() => loadConfig({ POFLOW_API_PORT: '70000' })).toThrow(/^POFLOW_API_PORT: /);
});

test('poflow start generates one token into a file only its owner reads, and keeps it', () => {
  const file = path.join(dir, 'data', 'api-tokens');
  expect(ensureApiTokenFile({ POFLOW_API_TOKENS: `erp:${ERP_TOKEN}` }, file)).toBeUndefined();
  expect(ensureApiTokenFile({}, file)).toBe(file);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const tokens = parseApiTokens(readFileSync(file, 'utf8'), file);
  expect(tokens).toEqual([
    { name: 'erp', token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), access: 'write' },
  ]);
  // A second start keeps it.
  expect(ensureApiTokenFile({}, file)).toBeUndefined();
  expect(parseApiTokens(readFileSync(file, 'utf8'), file)).toEqual(tokens);
});

test('a token is known by its digest whatever its length; Bearer only', () => {
  const verify = tokenVerifier(API_TOKENS);
  expect(verify(`Bearer ${ERP_TOKEN}`)).toEqual({ name: 'erp', access: 'write' });
  expect(verify(`bearer  ${ERP_TOKEN}`)).toEqual({ name: 'erp', access: 'write' });
  for (const header of [undefined, '', ERP_TOKEN, `Basic ${ERP_TOKEN}`, `Bearer ${ERP_TOKEN}x`, 'Bearer x']) {
    expect(verify(header)).toBeUndefined();
  }
});

test('CORS is off unless origins are configured, and then only for them', async () => {
  /** The server on a free port, asked over HTTP (as a browser would), then closed. */
  const serving = async (corsOrigins: string[] | undefined, ask: (url: string) => Promise<void>) => {
    const app = createApiServer({
      client: {} as never,
      providers: {} as never,
      tokens: API_TOKENS,
      rateLimit: 100,
      corsOrigins,
      logger: pino({ level: 'silent' }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await ask(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
    } finally {
      await app.close();
    }
  };
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/v1/purchase-orders`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
  await serving(undefined, async (url) => {
    const closed = await preflight(url, 'https://erp.example.com');
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
  });
  await serving(['https://erp.example.com'], async (url) => {
    const allowed = await preflight(url, 'https://erp.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://erp.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    const other = await preflight(url, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // The browser's own request still needs its token.
    const call = await fetch(`${url}/v1/purchase-orders`, { headers: { origin: 'https://erp.example.com' } });
    expect(call.status).toBe(401);
    expect(call.headers.get('access-control-allow-origin')).toBe('https://erp.example.com');
    expect(call.headers.get('access-control-expose-headers')).toContain('location');
  });
});

test('Prefer: wait=N is honoured up to 60 s; anything else is the default', () => {
  expect(preferredWait(undefined, 30)).toEqual({ seconds: 30 });
  expect(preferredWait('wait=10', 30)).toEqual({ seconds: 10, applied: 'wait=10' });
  expect(preferredWait('respond-async, wait=5', 30)).toEqual({ seconds: 5, applied: 'wait=5' });
  expect(preferredWait('return=minimal; wait="7"', 30)).toEqual({ seconds: 7, applied: 'wait=7' });
  expect(preferredWait('wait=600', 30)).toEqual({ seconds: 60, applied: 'wait=60' });
  expect(preferredWait('wait=0', 30)).toEqual({ seconds: 1, applied: 'wait=1' });
  expect(preferredWait(['handling=lenient', 'wait=3'], 30)).toEqual({ seconds: 3, applied: 'wait=3' });
  for (const header of ['wait=soon', 'wait', 'nowait=5', 'wait=-1']) {
    expect(preferredWait(header, 30)).toEqual({ seconds: 30 });
  }
});

test("page tokens carry the server's token, bound to the list's query", () => {
  const serverToken = Buffer.from([0, 1, 2, 250, 251, 252]);
  const token = pageTokenFor(serverToken, 'PoName IS NOT NULL');
  expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(pageTokenOf(token, 'PoName IS NOT NULL')).toEqual(serverToken);
  expect(() => pageTokenOf(token, 'PoName IS NOT NULL AND PoLate = true')).toThrow(/other filters/);
  for (const bad of ['', 'x', '!!!', Buffer.from([2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).toString('base64url')]) {
    expect(() => pageTokenOf(bad, 'PoName IS NOT NULL')).toThrow(/not a page token/);
  }
});

test('Idempotency-Key: one answer per key and request for a day; least recently used go first', async () => {
  let now = 0;
  const store = new IdempotencyStore(2, 1000, () => now);
  let produced = 0;
  const answer =
    (status = 201): (() => Promise<StoredAnswer>) =>
    async () => {
      produced++;
      return { status, headers: { location: `/po/${produced}` }, body: { n: produced } };
    };
  // Two at once with one key: one produced, both answered with it.
  const [a, b] = await Promise.all([
    store.answer('erp', 'k1', 'f1', answer()),
    store.answer('erp', 'k1', 'f1', answer()),
  ]);
  expect([a.body, b.body, a.replayed, b.replayed, produced]).toEqual([{ n: 1 }, { n: 1 }, false, true, 1]);
  await expect(store.answer('erp', 'k1', 'f2', answer())).rejects.toMatchObject({ status: 422 });
  // Keys are per caller.
  expect((await store.answer('bi', 'k1', 'f2', answer())).body).toEqual({ n: 2 });
  // At most two keys: k1 (used least recently) goes.
  await store.answer('erp', 'k2', 'f1', answer());
  expect(store.size).toBe(2);
  expect((await store.answer('erp', 'k1', 'f2', answer())).replayed).toBe(false);
  // A day later (here 1 s) a key is new again.
  now += 1000;
  expect((await store.answer('erp', 'k1', 'f3', answer())).replayed).toBe(false);
  // A 5xx is not kept: the request may be tried again.
  const failed = await store.answer('erp', 'k5', 'f1', answer(503));
  const retried = await store.answer('erp', 'k5', 'f1', answer());
  expect([failed.status, retried.status, retried.replayed]).toEqual([503, 201, false]);
  await expect(store.answer('erp', 'a key with spaces', 'f1', answer())).rejects.toMatchObject({
    status: 400,
  });
});
