/**
 * `poflow` as operators run it: a real subprocess against the dev server, the sandbox and the
 * webhook receiver, with a worker in this process. Every command, its human and `--json` output,
 * and its exit code: 0 ok, 2 bad input (field and reason), 1 anything else.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../worker/config';
import { expectBadInput, jsonOf, runCli, stackPerFile, type CliResult, type Json } from './support/stack';

const EXAMPLES = path.join(__dirname, '..', 'examples');
const example = (file: string) => path.join(EXAMPLES, file);
const dir = mkdtempSync(path.join(tmpdir(), 'poflow-cli-'));
const suite = stackPerFile();
const { poflow, statusUntil } = suite;

/** A variant of an example PO, written to a temporary file. */
function variant(file: string, change: (po: Json) => void): string {
  const po = JSON.parse(readFileSync(example(file), 'utf8'));
  change(po);
  const out = path.join(dir, `${po.name}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(out, JSON.stringify(po));
  return out;
}

test('submit starts the PO once; status shows it with its flags, dates, next deadline and Web UI link', async () => {
  const submitted = await poflow('submit', example('po-1001-widgets.json'), '--json');
  expect(submitted.code).toBe(0);
  const link = `${suite.stack.cliEnv.TEMPORAL_UI_URL}/namespaces/default/workflows/po%2Fflexport%2FPO-1001`;
  expect(jsonOf(submitted)).toEqual({ name: 'PO-1001', workflowId: 'po/flexport/PO-1001', alreadyStarted: false, runId: expect.any(String), uiUrl: link }); // prettier-ignore

  const again = await poflow('submit', example('po-1001-widgets.json'));
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/^PO PO-1001 was already submitted: nothing new started/);

  const open = await statusUntil('PO-1001', (po) => po.status === 'open');
  expect(open).toMatchObject({
    name: 'PO-1001',
    provider: 'flexport',
    acknowledged: false,
    late: false,
    uiUrl: link,
  });
  expect(open.nextDeadlines.map((d: { kind: string }) => d.kind)).toEqual([
    'quiet_check',
    'cargo_ready_check',
    'must_arrive_check',
  ]);

  const human = await poflow('status', 'PO-1001');
  expect(human.code).toBe(0);
  expect(human.stdout).toContain('PO PO-1001: open\n');
  expect(human.stdout).toMatch(/^ {2}flags +not acknowledged$/m);
  expect(human.stdout).toMatch(/^ {2}must arrive +2030-04-15$/m);
  expect(human.stdout).toMatch(/^ {2}next +quiet check [^;]+; cargo ready check 2030-03-03 00:00 UTC \(in \d+ days\); must arrive check 2030-04-16/m); // prettier-ignore
  expect(human.stdout).toMatch(new RegExp(`^ {2}web ui +${link.replace(/[.?]/g, '\\$&')}$`, 'm'));
});

test('Web UI links: none for a self-hosted cluster without TEMPORAL_UI_URL, the console for Temporal Cloud', async () => {
  const uiUrlOf = (env: NodeJS.ProcessEnv) => loadConfig(env).temporal.uiUrl;
  expect(uiUrlOf({})).toBe('http://127.0.0.1:8233');
  expect(uiUrlOf({ TEMPORAL_ADDRESS: 'temporal.internal:7233' })).toBeUndefined();
  expect(uiUrlOf({ TEMPORAL_ADDRESS: '127.0.0.1:27233' })).toBeUndefined();
  expect(uiUrlOf({ TEMPORAL_ADDRESS: 'purchasing.a1b2c.tmprl.cloud:7233' })).toBe(
    'https://cloud.temporal.io',
  );
  expect(uiUrlOf({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233' })).toBe(
    'https://cloud.temporal.io',
  );
  expect(uiUrlOf({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_UI_URL: 'https://ui.internal' })).toBe('https://ui.internal'); // prettier-ignore

  // The suite's server stands in for a self-hosted cluster: an address, and no Web UI named.
  const { TEMPORAL_UI_URL: _ui, ...cluster } = suite.stack.cliEnv;
  const run = (...args: string[]) => runCli({ cliEnv: cluster }, args);
  const [json, human, list] = await Promise.all([run('status', 'PO-1001', '--json'), run('status', 'PO-1001'), run('list')]); // prettier-ignore
  expect(json.code).toBe(0);
  expect(jsonOf(json)).not.toHaveProperty('uiUrl');
  expect(human.stdout).toContain('PO PO-1001: ');
  expect(list.stdout).toMatch(/purchase orders?$/m);
  for (const output of [json.stdout, human.stdout, list.stdout]) {
    expect(output).not.toMatch(/web ui|cloud\.temporal\.io/i);
  }
});

test('a bad PO is refused before anything starts, with every field and its reason', async () => {
  const bad = variant('po-1002-textiles.json', (po) => {
    po.name = 'PO-BAD';
    po.incoterm = 'FOO';
    po.line_items[1].units = 'many';
    po.colour = 'blue';
  });
  // Independent runs, so concurrent: each is a Node start.
  const [result, human, status, missing, autoClose, provider] = await Promise.all([
    poflow('submit', bad, '--json'),
    poflow('submit', bad),
    poflow('status', 'PO-BAD', '--json'),
    poflow('submit', path.join(dir, 'missing.json'), '--json'),
    poflow('submit', example('po-1001-widgets.json'), '--auto-close', 'soon', '--json'),
    poflow('status', 'PO-1001', '--provider', 'dhl'),
  ]);
  expectBadInput(result, /is not a valid purchase order/);
  expect(jsonOf(result).issues).toEqual([
    { path: 'incoterm', message: expect.stringMatching(/^"FOO" is an Invalid incoterm/) },
    { path: 'line_items[1].units', message: 'units must be a whole number' },
    { path: 'colour', message: 'is not a known field' },
  ]);
  expect(human.code).toBe(2);
  expect(human.stderr).toContain('  line_items[1].units: units must be a whole number\n');
  expectBadInput(status, /^name: no purchase order "PO-BAD" at flexport/);
  expectBadInput(missing, /missing\.json: no such file/);
  expectBadInput(autoClose, /--auto-close/);
  expect(provider.code).toBe(2);
});

test("book, amend, cancel and close: refusals show the workflow's reason with exit code 2", async () => {
  await Promise.all([poflow('submit', example('po-1002-textiles.json')), poflow('submit', example('po-1003-air.json'))]); // prettier-ignore
  await Promise.all([
    statusUntil('PO-1002', (po) => po.status === 'open'),
    statusUntil('PO-1003', (po) => po.status === 'open'),
  ]);

  const booking = path.join(dir, 'booking.json');
  writeFileSync(booking, JSON.stringify({ name: 'PO-1002-B1', lines: [{ item_key: 'TS-S', units: 1000 }] }));
  const booked = await poflow('book', 'PO-1002', booking, '--json');
  expect(booked.code).toBe(0);
  expect(jsonOf(booked)).toMatchObject({ status: 'booked', lines: [{ itemKey: 'TS-S', bookedUnits: 1000, booking: 'partial' }, { itemKey: 'TS-M', bookedUnits: 0, booking: 'unbooked' }] }); // prettier-ignore

  // Refusals change nothing, so they run concurrently.
  const tooMany = path.join(dir, 'booking-500.json');
  writeFileSync(tooMany, JSON.stringify({ lines: [{ item_key: 'TS-S', units: 500 }] }));
  writeFileSync(booking, JSON.stringify({ lines: [{ item_key: 'TS-S', units: 0 }] }));
  const newSeller = variant(
    'po-1002-textiles.json',
    (po) => (po.parties[1].external_ref = 'saigon-garments'),
  );
  const fewerUnits = variant('po-1002-textiles.json', (po) => (po.line_items[0].units = 999));
  const [bookTooMany, bookNothing, cancel, amendSeller, amendUnits, closeUnbooked] = await Promise.all([
    poflow('book', 'PO-1002', tooMany, '--json'),
    poflow('book', 'PO-1002', booking, '--json'),
    poflow('cancel', 'PO-1002', '--json'),
    poflow('amend', 'PO-1002', newSeller, '--json'),
    poflow('amend', 'PO-1002', fewerUnits, '--json'),
    poflow('close', 'PO-1003', '--json'),
  ]);
  expectBadInput(bookTooMany, /^book refused: line item TS-S has 200 units left to book, not 500$/);
  expectBadInput(bookNothing, /booking\.json is not a valid booking/);
  expectBadInput(cancel, /^cancel refused: Purchase order PO-1002 may not be cancelled since it has an active booking$/); // prettier-ignore
  expectBadInput(amendSeller, /^amend refused: can not change the seller role/);
  expectBadInput(amendUnits, /^amend refused: Cannot update a line item to request fewer units than have already been booked/); // prettier-ignore
  expectBadInput(closeUnbooked, /^close refused: Purchase order PO-1003 can only be closed once it has been booked/); // prettier-ignore

  const later = variant('po-1002-textiles.json', (po) => (po.must_arrive_date = '2030-04-30'));
  const amended = await poflow('amend', 'PO-1002', later);
  expect(amended.code).toBe(0);
  expect(amended.stdout).toMatch(/^ {2}must arrive +2030-04-30$/m);

  const closed = await poflow('close', 'PO-1002', '--json');
  expect(closed.code).toBe(0);
  expect(jsonOf(closed).status).toBe('closed');
  // Closing again took effect already: not a failure.
  const again = await poflow('close', 'PO-1002');
  expect(again).toMatchObject({
    code: 0,
    stdout: 'close: purchase order PO-1002 is already closed; nothing to do\n',
  });
  // A finished PO still answers status, from its workflow's result.
  expect((await statusUntil('PO-1002', () => true)).status).toBe('closed');

  const cancelled = await poflow('cancel', 'PO-1003', '--reason', 'samples no longer needed');
  expect(cancelled.code).toBe(0);
  expect(cancelled.stdout).toMatch(/^PO PO-1003: cancelled$/m);
});

test('list filters by status, lateness, buyer, seller and dates through visibility queries', async () => {
  await poflow('submit', example('po-1004-unknown-port.json'));
  await statusUntil('PO-1004', (po) => po.status === 'needs_attention');
  const names = async (...filters: string[]) => {
    // Visibility is eventually consistent: the same query again until it settles.
    let last: CliResult | undefined;
    for (let i = 0; i < 20; i++) {
      last = await poflow('list', ...filters, '--json');
      if (jsonOf(last).purchaseOrders.every((po: { status: string }) => po.status !== 'submitting')) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(last!.code).toBe(0);
    return jsonOf(last!)
      .purchaseOrders.map((po: { name: string }) => po.name)
      .sort();
  };
  // Settled here first (a count costs no Node start), then the CLI's queries run concurrently.
  const count = async (query: string) => (await suite.stack.client.workflow.count(query)).count;
  for (
    const deadline = Date.now() + 30_000;
    Date.now() < deadline;
    await new Promise((r) => setTimeout(r, 300))
  ) {
    if ((await count('PoName IS NOT NULL')) === 4 && (await count('PoStatus = "submitting"')) === 0) break;
  }
  const listed = await Promise.all([
    names(),
    names('--status', 'open'),
    names('--status', 'closed,cancelled'),
    names('--status', 'needs_attention', '--status', 'open'),
    names('--buyer', 'acme-eu'),
    names('--seller', 'shenzhen-widgets', '--no-late'),
    names('--late'),
    names('--must-arrive-from', '2030-04-15', '--must-arrive-to', '2030-04-30'),
    names('--cargo-ready-to', '2030-01-20'),
    names('--seller', 'a "quoted" \\ seller'),
  ]);
  expect(listed).toEqual([
    ['PO-1001', 'PO-1002', 'PO-1003', 'PO-1004'],
    ['PO-1001'],
    ['PO-1002', 'PO-1003'],
    ['PO-1001', 'PO-1004'],
    ['PO-1002'],
    ['PO-1001', 'PO-1004'],
    [],
    ['PO-1001', 'PO-1002'],
    ['PO-1003'],
    [],
  ]);

  const human = await poflow('list', '--status', 'needs_attention');
  expect(human.code).toBe(0);
  expect(human.stdout.split('\n').slice(0, 2)).toEqual([
    expect.stringMatching(
      /^NAME +PROVIDER +STATUS +LATE +BUYER +SELLER +CARGO READY +MUST ARRIVE +SHIPMENTS$/,
    ),
    expect.stringMatching(
      /^PO-1004 +flexport +needs_attention +acme-us +shenzhen-widgets +2030-04-06 +2030-05-20$/,
    ),
  ]);
  expect(human.stdout).toContain(`Web UI: ${suite.stack.cliEnv.TEMPORAL_UI_URL}/namespaces/default/workflows?query=PoName%20IS%20NOT%20NULL%20AND%20PoStatus%20IN%20(%22needs_attention%22)`); // prettier-ignore

  expectBadInput(await poflow('list', '--status', 'shipped', '--json'), /^--status: "shipped" is not a status; expected one of submitting, open, needs_attention, booked, closed, cancelled$/); // prettier-ignore
  expectBadInput(await poflow('list', '--must-arrive-from', '2030-02-30x', '--json'), /^--must-arrive-from: "2030-02-30x" is not a calendar date YYYY-MM-DD$/); // prettier-ignore
});

test('usage errors are bad input; an unreachable Temporal is another failure', async () => {
  expect((await poflow('amend', 'PO-1001')).code).toBe(2);
  expect((await poflow('frobnicate')).code).toBe(2);
  // Input is checked before anything connects: a bad file is bad input even with Temporal down.
  const down = { cliEnv: { ...suite.stack.cliEnv, TEMPORAL_ADDRESS: '127.0.0.1:1' } };
  const badPo = variant('po-1003-air.json', (po) => delete po.incoterm);
  expectBadInput(await runCli(down, ['submit', badPo, '--json']), /is not a valid purchase order/);
  const badCsv = path.join(dir, 'bad.csv');
  writeFileSync(badCsv, 'po_name,units\nPO-9,lots\n');
  expect(await runCli(down, ['import', badCsv])).toMatchObject({ code: 2, stdout: expect.stringContaining('row 2 (PO-9): units: units must be a whole number') }); // prettier-ignore
  // Sizes too: a PO whose name or lines would not fit Temporal's limits starts nothing.
  const longName = path.join(dir, 'long-name.json');
  writeFileSync(longName, JSON.stringify({ ...JSON.parse(readFileSync(example('po-1003-air.json'), 'utf8')), name: 'P'.repeat(5000) })); // prettier-ignore
  expectBadInput(await runCli(down, ['submit', longName, '--json']), /^\S+ is not a valid purchase order for flexport:\n {2}name: is 5000 characters long; at most 255$/); // prettier-ignore
  const manyLines = variant('po-1003-air.json', (po) => {
    po.line_items = Array.from({ length: 1001 }, (_, i) => ({ ...po.line_items[0], item_key: `L${i}` }));
  });
  expectBadInput(await runCli(down, ['submit', manyLines, '--json']), /^ {2}line_items: has 1001 lines; at most 1000 per purchase order/m); // prettier-ignore
  const heavy = variant('po-1003-air.json', (po) => (po.memo = 'x'.repeat(300 * 1024)));
  expectBadInput(await runCli(down, ['submit', heavy, '--json']), /^ {2}\(document\): the purchase order is 3\d\d KB of JSON; at most 256 KB/m); // prettier-ignore

  // An unreachable Temporal is named, with what to do about it.
  const unreachable = await runCli(down, ['status', 'PO-1001', '--json']);
  expect(unreachable.code).toBe(1);
  expect(jsonOf(unreachable).error).toMatch(/^cannot reach Temporal at 127\.0\.0\.1:1 \(namespace default\): check that the cluster runs there .* or unset TEMPORAL_ADDRESS to use the embedded dev server of "poflow start"$/); // prettier-ignore
  const noDevServer = await runCli({ cliEnv: { ...down.cliEnv, TEMPORAL_ADDRESS: '', TEMPORAL_PORT: '1' } }, ['list']); // prettier-ignore
  expect(noDevServer.code).toBe(1);
  expect(noDevServer.stderr).toMatch(/^poflow: cannot reach Temporal at 127\.0\.0\.1:1 \(namespace default\): start the embedded stack with "poflow start"/); // prettier-ignore
});

test('a name not found suggests the closest followed names, at either provider or at the one given', async () => {
  await statusUntil('PO-1001', (po) => po.status === 'open');
  const typo = await poflow('status', 'PO-10001');
  expect(typo.code).toBe(2);
  expect(typo.stderr).toBe(
    'poflow: name: no purchase order "PO-10001" at flexport or flxpoint; did you mean PO-1001?\n',
  );
  expectBadInput(
    await poflow('status', 'PO-1010', '--provider', 'flexport', '--json'),
    /^name: no purchase order "PO-1010" at flexport \(workflow po\/flexport\/PO-1010\); did you mean PO-1001\?$/,
  );
  // Only names within two edits: nothing like it, no suggestion.
  expectBadInput(
    await poflow('status', 'ZZ-9', '--json'),
    /^name: no purchase order "ZZ-9" at flexport or flxpoint$/,
  );
});
