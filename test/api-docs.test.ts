/**
 * The ERP API describes itself without a token: `/v1/openapi.json` is the committed document, and
 * `/docs` is a reference page a real browser (Debian's Chromium under playwright-core) renders
 * from assets poflow serves itself, listing every operation, with no request leaving the server.
 * No Temporal here: the server's client connects lazily and the docs never ask it.
 */
import { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../client/api/server';
import { API_ROUTES } from '../client/api/routes';
import { buildOpenApiDocument } from '../client/api/openapi';
import { ARTIFACTS, launchChromium } from './support/browser';

let app: FastifyInstance;
let base: string;
let browser: Browser;

beforeAll(async () => {
  const unused = { baseUrl: 'http://127.0.0.1:9', apiToken: 'unused', embedded: false, apiTokenSet: true };
  app = createApiServer({
    client: new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) }),
    providers: { flexport: unused, flxpoint: unused },
    tokens: [{ name: 'docs-test', token: 'docs-test-token', access: 'write' }],
    rateLimit: 50,
    logger: pino({ level: 'silent' }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

test('/v1/openapi.json answers without a token: the committed document', async () => {
  const response = await fetch(`${base}/v1/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const served = await response.json();
  expect(served).toEqual(buildOpenApiDocument());
  expect(served).toEqual(JSON.parse(readFileSync(path.join(__dirname, '..', 'docs/openapi.json'), 'utf8')));
  // The API itself still wants one.
  expect((await fetch(`${base}/v1/purchase-orders`)).status).toBe(401);
  // The page's assets are a fixed few files of swagger-ui-dist, nothing else of the disk.
  const other = await fetch(`${base}/docs/package.json`);
  expect(other.status).toBe(404);
  expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
});

test('/docs renders in Chromium and lists every operation, all from this server', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) elsewhere.push(url);
  });
  const failed: string[] = [];
  page.on('requestfailed', (request) => failed.push(request.url()));
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  try {
    const response = await page.goto(`${base}/docs`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    await page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${API_ROUTES.length}`, null, {
      timeout: 30_000,
    });
    expect(await page.textContent('.info .title')).toContain('poflow ERP API');
    const operations = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => ({
        method: block.querySelector('.opblock-summary-method')?.textContent?.trim(),
        path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path'),
        summary: block.querySelector('.opblock-summary-description')?.textContent?.trim(),
        operationId: block.querySelector('.opblock-summary-operation-id')?.textContent?.trim(),
      })),
    );
    const expected = API_ROUTES.map((route) => ({
      method: route.method,
      path: route.path,
      summary: route.summary,
      operationId: route.operationId,
    }));
    const sort = (list: { operationId?: string }[]) =>
      [...list].sort((a, b) => (a.operationId ?? '').localeCompare(b.operationId ?? ''));
    expect(sort(operations)).toEqual(sort(expected));
    // The schemas are there too (the models section names the components).
    await page.waitForSelector('.models', { timeout: 30_000 });
    expect(await page.textContent('.models')).toContain('FlexportPurchaseOrderView');
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs.png'), fullPage: false });
    expect(elsewhere).toEqual([]);
    expect(failed).toEqual([]);
  } finally {
    await page.close();
  }
}, 90_000);
