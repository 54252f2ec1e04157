/**
 * The Temporal Web UI as the PO console. `poflow demo` (a real subprocess) puts POs in several
 * states through the sandbox's counterpart and real webhooks; then the UI's HTTP API and a real
 * browser find them by their search attributes and show a PO's summary and current details.
 * Screenshots land in test-artifacts/.
 */
import type { Browser, Frame, Page } from 'playwright-core';
import path from 'node:path';
import { providerEventSignal, stateQuery } from '../workflows/flexport/messages';
import { ARTIFACTS, launchChromium } from './support/browser';
import { jsonOf, runCli, stackPerFile } from './support/stack';

const TAG = 'ui';
const name = (example: string) => `${example}-${TAG}`;
const suite = stackPerFile();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(() => browser?.close());

test('poflow demo puts POs in several states within a minute', async () => {
  const started = Date.now();
  const demo = await runCli(suite.stack, ['demo', '--tag', TAG, '--json'], 60_000);
  expect(demo.code).toBe(0);
  expect(Date.now() - started).toBeLessThan(60_000);
  const states = Object.fromEntries(
    jsonOf(demo).purchaseOrders.map((po: { name: string; status: string; flags: string[] }) => [po.name, [po.status, ...po.flags]]), // prettier-ignore
  );
  expect(states).toEqual({
    [name('PO-1001')]: ['booked', 'acknowledged'],
    [name('PO-1002')]: ['closed', 'acknowledged'],
    [name('PO-1003')]: ['open', 'acknowledged'],
    [name('PO-1004')]: ['needs_attention', 'not acknowledged'],
    [name('PO-2001')]: ['open', 'not acknowledged'],
    [name('PO-2002')]: ['open', 'not acknowledged'],
    [name('PO-2003')]: ['cancelled', 'not acknowledged'],
  });
  const inTransit = await suite.stack.client.workflow
    .getHandle(`po/flexport/${name('PO-1001')}`)
    .query(stateQuery);
  // Webhooks may arrive in any order.
  expect(Object.keys(inTransit.milestones).sort()).toEqual(['arrived', 'departed']);
  expect(inTransit.lines.map((l) => l.booking)).toEqual(['full', 'partial']);
}, 90_000);

test('the Web UI finds the booked, late POs by search attributes and shows a PO readably', async () => {
  // The provider moves PO-1001's must-arrive date into the past (as a buyer would in Flexport's
  // UI): the `/purchase_order#updated` event the webhook receiver would deliver makes it late.
  const late = suite.stack.client.workflow.getHandle(`po/flexport/${name('PO-1001')}`);
  const before = await late.query(stateQuery);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await late.signal(providerEventSignal, {
    _object: '/event',
    id: 900_000_001,
    type: '/purchase_order#updated',
    data: { purchase_order: { name: before.name, version: (before.providerVersion ?? 0) + 1, cargo_ready_date: '2020-01-01', must_arrive_date: yesterday } }, // prettier-ignore
  });

  const query = 'PoStatus = "booked" AND PoLate = true';
  // Without a browser: the UI's own HTTP API answers the same visibility query.
  expect(await uiApiWorkflowIds(query, 1)).toEqual([late.workflowId]);
  expect(await uiApiWorkflowIds('PoStatus = "needs_attention"', 1)).toEqual([
    `po/flexport/${name('PO-1004')}`,
  ]);

  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`${suite.stack.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
  const row = page.getByRole('link', { name: late.workflowId, exact: true });
  await row.waitFor({ timeout: 20_000 });
  expect(await page.locator('table').first().innerText()).not.toContain(name('PO-1002'));
  await page.screenshot({ path: path.join(ARTIFACTS, 'ui-booked-and-late.png') });

  await row.click();
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const summary = await renderedText(page, `PO ${name('PO-1001')} at flexport: shenzhen-widgets → acme-us`);
  expect(summary).toContain('2 line(s), ocean FOB');
  const details = await renderedText(page, `PO ${name('PO-1001')}: booked`);
  expect(details).toMatch(/flags: acknowledged, late/);
  expect(details).toMatch(/bookings: PO-1001-ui-B1 \(booked\)/);
  expect(details).toMatch(/milestones: .*departed 20/);
  expect(details).toMatch(/milestones: .*arrived 20/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'ui-po-details.png'), fullPage: true });
  await page.close();
}, 90_000);

/** Workflow ids the Web UI's HTTP API lists for a query, polled until visibility catches up. */
async function uiApiWorkflowIds(query: string, expected: number): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${suite.stack.uiUrl}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(query)}`); // prettier-ignore
    expect(response.status).toBe(200);
    const body = (await response.json()) as { executions?: { execution: { workflowId: string } }[] };
    const ids = (body.executions ?? []).map((e) => e.execution.workflowId);
    if (ids.length >= expected || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The UI renders summaries and details as markdown in frames: the text of the one that holds `heading`. */
async function renderedText(page: Page, heading: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    for (const frame of page.frames().filter((f: Frame) => f !== page.mainFrame())) {
      const text = await frame
        .locator('body')
        .innerText()
        .catch(() => '');
      if (text.includes(heading)) return text;
    }
    if (Date.now() > deadline) throw new Error(`no rendered user metadata shows ${JSON.stringify(heading)}`);
    await page.waitForTimeout(250);
  }
}
