/**
 * `poflow` on Flxpoint POs, as operators run it: a real subprocess against the dev server, the
 * sandbox's Flxpoint emulator and both workers (the Flxpoint one rate-limited). Flxpoint pushes
 * nothing: the sandbox's counterpart side moves a PO's status and the workflow's polling (every
 * second or two here, through `--poll-first` and `--poll-max`) brings it to `status`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  flxpointMoves as movedAtFlxpoint,
  sampleFlxpointPurchaseOrder,
} from './support/flxpoint-purchase-orders';
import { expectBadInput, jsonOf, runCli, stackPerFile, type Json } from './support/stack';

const EXAMPLE = path.join(__dirname, '..', 'examples', 'flxpoint-po.json');
const dir = mkdtempSync(path.join(tmpdir(), 'poflow-cli-flxpoint-'));
const suite = stackPerFile();
const { poflow } = suite;
const FLXPOINT = ['--provider', 'flxpoint'];
const FAST_POLLING = ['--poll-first', '1', '--poll-max', '2'];

/** The example Flxpoint PO, changed, in a temporary file. */
function variant(change: (po: Json) => void): string {
  const po = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  change(po);
  const out = path.join(dir, `${po.purchaseOrderNumber}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(out, JSON.stringify(po));
  return out;
}

function file(name: string, content: unknown): string {
  const out = path.join(dir, name);
  writeFileSync(out, typeof content === 'string' ? content : JSON.stringify(content));
  return out;
}

/** Moves the PO at Flxpoint, as its source or an operator there would. */
const flxpointMoves = (number: string, status: string, reason?: string) =>
  movedAtFlxpoint(suite.stack.sandbox.url, number, status, reason);

/** Flxpoint POs are found with `--provider flxpoint`. */
const statusUntil = (name: string, ready: (po: Json) => boolean) =>
  suite.statusUntil(name, ready, ...FLXPOINT);

test("submit starts a Flxpoint PO once; status follows Flxpoint's status; book, close, amend and a late cancel are refused", async () => {
  const submitted = await poflow('submit', EXAMPLE, ...FLXPOINT, ...FAST_POLLING, '--json');
  expect(submitted.code).toBe(0);
  const link = `${suite.stack.cliEnv.TEMPORAL_UI_URL}/namespaces/default/workflows/po%2Fflxpoint%2FFLX-2001`;
  expect(jsonOf(submitted)).toEqual({ name: 'FLX-2001', workflowId: 'po/flxpoint/FLX-2001', alreadyStarted: false, runId: expect.any(String), uiUrl: link }); // prettier-ignore

  const again = await poflow('submit', EXAMPLE, ...FLXPOINT);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/^PO FLX-2001 was already submitted: nothing new started \(Flxpoint has no update/); // prettier-ignore
  expect(again.stdout).toMatch(/^ {2}status +poflow status FLX-2001 --provider flxpoint$/m);

  const open = await statusUntil('FLX-2001', (po) => po.status === 'open');
  expect(open).toMatchObject({ provider: 'flxpoint', name: 'FLX-2001', flxpointStatus: 'unprocessed', acknowledged: false, providerId: expect.any(Number), workflowId: 'po/flxpoint/FLX-2001', uiUrl: link }); // prettier-ignore
  expect(open.po).toMatchObject({ orderId: 5001, sourceId: 77 });
  // Without --provider, the PO is found at whichever provider has it.
  expect(jsonOf(await poflow('status', 'FLX-2001', '--json'))).toMatchObject({ provider: 'flxpoint', name: 'FLX-2001' }); // prettier-ignore

  await flxpointMoves('FLX-2001', 'acknowledged');
  await statusUntil('FLX-2001', (po) => po.flxpointStatus === 'acknowledged');
  const human = await poflow('status', 'FLX-2001', ...FLXPOINT);
  expect(human.code).toBe(0);
  expect(human.stdout).toContain('PO FLX-2001: open\n');
  expect(human.stdout).toMatch(new RegExp(`^ {2}provider +flxpoint id ${open.providerId}$`, 'm'));
  expect(human.stdout).toMatch(/^ {2}flxpoint status +acknowledged$/m);
  expect(human.stdout).toMatch(/^ {2}flags +acknowledged$/m);
  expect(human.stdout).toMatch(/^ {2}order +5001 to source 77 \(type PO\)$/m);
  expect(human.stdout).toMatch(/^ {2}ships to +Joe Smith, Jacksonville, US$/m);
  expect(human.stdout).toMatch(/^ {2}items +9001 WIDGET-1×3; 9002 variant 4242×2$/m);
  expect(human.stdout).toMatch(
    /^ {2}next +status read \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC \((in \d+ s|due now)\)$/m,
  );
  expect(human.stdout).toMatch(/^ {2}last change +\S+ open → open \(acknowledged\): Flxpoint status acknowledged$/m); // prettier-ignore
  expect(human.stdout).toMatch(new RegExp(`^ {2}web ui +${link.replace(/[.?]/g, '\\$&')}$`, 'm'));

  expectBadInput(await poflow('cancel', 'FLX-2001', ...FLXPOINT, '--json'), /^cancel refused: Purchase order FLX-2001 may not be cancelled since Flxpoint has sent it to the source \(it is acknowledged\)$/); // prettier-ignore
  expectBadInput(await poflow('amend', 'FLX-2001', EXAMPLE, ...FLXPOINT, '--json'), /^amend refused: Purchase order FLX-2001 can only be amended after Flxpoint refused it/); // prettier-ignore
  expectBadInput(await poflow('book', 'FLX-2001', ...FLXPOINT, '--json'), /^book refused: Flxpoint has no bookings/); // prettier-ignore
  const close = await poflow('close', 'FLX-2001', ...FLXPOINT);
  expect(close).toMatchObject({ code: 2, stderr: expect.stringMatching(/^poflow: close refused: Flxpoint has no close/) }); // prettier-ignore

  // Voided at Flxpoint: the workflow ends, and status reads its result.
  await flxpointMoves('FLX-2001', 'voided', 'source out of stock');
  const voided = await statusUntil('FLX-2001', (po) => po.status === 'cancelled');
  expect(voided).toMatchObject({ flxpointStatus: 'voided', statusReason: 'source out of stock' });
  const ended = await poflow('status', 'FLX-2001', ...FLXPOINT, '--history');
  expect(ended.stdout).toContain('PO FLX-2001: cancelled\n');
  expect(ended.stdout).toMatch(/^ {2}flxpoint status +voided: source out of stock$/m);
  expect(ended.stdout).toMatch(/^ {2}next +nothing scheduled$/m);
  expect(ended.stdout).toMatch(/^ {4}\S+ submitting → open: Flxpoint accepted the PO as \d+$/m);
});

test('a PO Flxpoint flags shows its reason; cancel before it reaches the source ends it', async () => {
  const po = variant((p) => (p.purchaseOrderNumber = 'FLX-2002'));
  expect((await poflow('submit', po, ...FLXPOINT, ...FAST_POLLING)).code).toBe(0);
  await statusUntil('FLX-2002', (p) => p.status === 'open');

  await flxpointMoves('FLX-2002', 'processing_error', 'ship-to address incomplete');
  await statusUntil('FLX-2002', (p) => p.status === 'needs_attention');
  const flagged = await poflow('status', 'FLX-2002', ...FLXPOINT);
  expect(flagged.stdout).toContain('PO FLX-2002: needs_attention\n');
  expect(flagged.stdout).toMatch(/^ {2}flxpoint status +processing_error: ship-to address incomplete$/m);

  // No --provider: the only PO by this name is at Flxpoint.
  const cancelled = await poflow('cancel', 'FLX-2002', '--reason', 'customer changed their mind');
  expect(cancelled.code).toBe(0);
  expect(cancelled.stdout).toMatch(/^PO FLX-2002: cancelled$/m);
  expect(cancelled.stdout).toMatch(/^ {2}flxpoint status +canceled: customer changed their mind$/m);
  const again = await poflow('cancel', 'FLX-2002', ...FLXPOINT, '--json');
  expect({ code: again.code, ...jsonOf(again) }).toMatchObject({
    code: 0,
    status: 'cancelled',
    outcome: 'already_done',
  });
  expect(await statusUntil('FLX-2002', () => true)).toMatchObject({ status: 'cancelled', flxpointStatus: 'canceled' }); // prettier-ignore
});

test('a name at both providers: status and cancel ask which; --provider picks one', async () => {
  const flexportPo = path.join(dir, 'both-flexport.json');
  const example = JSON.parse(readFileSync(path.join(__dirname, '..', 'examples', 'po-1001-widgets.json'), 'utf8')); // prettier-ignore
  writeFileSync(flexportPo, JSON.stringify({ ...example, name: 'BOTH-1' }));
  expect((await poflow('submit', flexportPo)).code).toBe(0);
  const flxpointPo = variant((p) => (p.purchaseOrderNumber = 'BOTH-1'));
  expect((await poflow('submit', flxpointPo, ...FLXPOINT, ...FAST_POLLING)).code).toBe(0);

  const which = /^name: purchase order "BOTH-1" exists at flexport and flxpoint: say which with --provider flexport or --provider flxpoint$/; // prettier-ignore
  expectBadInput(await poflow('status', 'BOTH-1', '--json'), which);
  expectBadInput(await poflow('cancel', 'BOTH-1', '--json'), which);
  expect(await suite.statusUntil('BOTH-1', () => true, '--provider', 'flexport')).toMatchObject({ provider: 'flexport' }); // prettier-ignore
  expect(await statusUntil('BOTH-1', () => true)).toMatchObject({ provider: 'flxpoint' });
  expectBadInput(await poflow('status', 'NOWHERE-1', '--json'), /^name: no purchase order "NOWHERE-1" at flexport or flxpoint$/); // prettier-ignore
});

test('bad Flxpoint input is refused before anything connects, with every field and its reason', async () => {
  const down = { cliEnv: { ...suite.stack.cliEnv, TEMPORAL_ADDRESS: '127.0.0.1:1' } };
  const cli = (...args: string[]) => runCli(down, args);
  const bad = variant((po) => {
    po.purchaseOrderNumber = 'FLX-BAD';
    po.orderId = 'abc';
    po.shippingAddress.countryCode = 'USA';
    po.purchaseOrderItems[0].quantity = 0;
    delete po.purchaseOrderItems[1].inventoryVariantId;
  });
  const result = await cli('submit', bad, ...FLXPOINT, '--json');
  expectBadInput(result, /is not a valid purchase order for flxpoint/);
  expect(jsonOf(result).issues).toEqual([
    { path: 'orderId', message: 'expected a Flxpoint id (integer)' },
    {
      path: 'shippingAddress.countryCode',
      message: 'expected an ISO 3166 alpha-2 country code such as "US"',
    },
    { path: 'purchaseOrderItems[0].quantity', message: 'must be at least 1' },
    { path: 'purchaseOrderItems[1].sku', message: 'needs a sku or an inventoryVariantId to match inventory' },
  ]);
  const human = await cli('submit', bad, ...FLXPOINT);
  expect(human.code).toBe(2);
  expect(human.stderr).toContain('  purchaseOrderItems[0].quantity: must be at least 1\n');
  // The Flxpoint request is not a Flexport PO: without --provider it is refused as one.
  expectBadInput(await cli('submit', EXAMPLE, '--json'), /is not a valid purchase order for flexport/);

  expectBadInput(await cli('submit', EXAMPLE, ...FLXPOINT, '--auto-close', '10', '--json'), /^--auto-close, --auto-close-after: not for flxpoint: Flxpoint has no close/); // prettier-ignore
  const pollAtFlexport = await cli('submit', EXAMPLE, '--poll-first', '5', '--json');
  expect(pollAtFlexport.code).toBe(2);
  expect(jsonOf(pollAtFlexport).issues).toEqual([{ path: '--poll-first/--poll-max', message: expect.stringMatching(/read on a schedule \(Flexport pushes its changes\)/) }]); // prettier-ignore
  expectBadInput(
    await cli('book', 'FLX-2001', ...FLXPOINT, '--json'),
    /^book refused: Flxpoint has no bookings/,
  );
  expectBadInput(
    await cli('close', 'FLX-2001', ...FLXPOINT, '--json'),
    /^close refused: Flxpoint has no close/,
  );

  const csv = file('flxpoint.csv', 'po_name,sku,units\nFLX-C1,A,1\n');
  expectBadInput(
    await cli('import', csv, ...FLXPOINT, '--json'),
    /flxpoint\.csv: CSV import is Flexport-only/,
  );

  const good = sampleFlxpointPurchaseOrder('FLX-BADFILE-1');
  const noOrder: Json = sampleFlxpointPurchaseOrder('FLX-BADFILE-2');
  delete noOrder.orderId;
  const badFile = file('bad-flxpoint.json', [good, noOrder, good]);
  const imported = await cli('import', badFile, ...FLXPOINT, '--json');
  expect(imported.code).toBe(2);
  expect(jsonOf(imported)).toMatchObject({ total: 3, invalid: 2, started: 0 });
  expect(jsonOf(imported).problems).toEqual([
    { item: 2, po: 'FLX-BADFILE-2', field: 'orderId', message: 'expected a Flxpoint id (integer)' },
    { item: 3, po: 'FLX-BADFILE-1', field: 'purchaseOrderNumber', message: 'PO FLX-BADFILE-1 appears twice (first as item 1)' }, // prettier-ignore
  ]);
});

test('a JSON import of Flxpoint POs starts each once, the same file again starts nothing, and list shows them', async () => {
  const numbers = ['FLX-IMP-1', 'FLX-IMP-2', 'FLX-IMP-3'];
  const pos = file('flxpoint-pos.json', numbers.map((n, i) => sampleFlxpointPurchaseOrder(n, { orderId: 6001 + i }))); // prettier-ignore

  const first = await poflow('import', pos, ...FLXPOINT, '--json');
  expect(first.code).toBe(0);
  expect(jsonOf(first)).toMatchObject({ format: 'json', total: 3, invalid: 0, started: 3, already_started: 0, refused: 0, failed: 0 }); // prettier-ignore
  expect(jsonOf(first).results[0]).toEqual({ name: 'FLX-IMP-1', source: 'item 1', outcome: 'started', workflowId: 'po/flxpoint/FLX-IMP-1' }); // prettier-ignore

  const second = await poflow('import', pos, ...FLXPOINT);
  expect(second.code).toBe(0);
  expect(second.stdout.trim()).toBe(
    'flxpoint-pos.json: 3 purchase orders: 0 started, 3 already submitted, 0 refused, 0 failed',
  );
  expect(await suite.stack.client.workflow.count('PoName STARTS_WITH "FLX-IMP"')).toMatchObject({ count: 3 });

  // Visibility is eventually consistent: the same query again until the creates have landed.
  let listed: Json;
  for (let i = 0; i < 60; i++) {
    listed = jsonOf(await poflow('list', ...FLXPOINT, '--status', 'open', '--json'));
    if (numbers.every((n) => listed.purchaseOrders.some((po: { name: string }) => po.name === n))) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(listed.purchaseOrders.find((po: { name: string }) => po.name === 'FLX-IMP-1')).toMatchObject({ provider: 'flxpoint', status: 'open', late: false, sellerRef: '77', shipmentIds: [] }); // prettier-ignore
  const human = await poflow('list', ...FLXPOINT, '--status', 'open');
  expect(human.stdout).toMatch(
    /^NAME +PROVIDER +STATUS +LATE +BUYER +SELLER +CARGO READY +MUST ARRIVE +SHIPMENTS$/m,
  );
  expect(human.stdout).toMatch(/^FLX-IMP-1 +flxpoint +open +- +77 +- +-$/m);
});
