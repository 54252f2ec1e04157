/**
 * `poflow import` as a real subprocess against the dev server, the sandbox and a worker: bad files
 * start nothing and say where every problem is; 500 POs start with bounded concurrency, and the
 * same file again starts nothing twice (the workflow id is the idempotency key).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generatePurchaseOrdersCsv } from '../examples/generate-purchase-orders-csv';
import { jsonOf, stackPerFile } from './support/stack';

const EXAMPLES = path.join(__dirname, '..', 'examples');
const dir = mkdtempSync(path.join(tmpdir(), 'poflow-import-'));
const suite = stackPerFile();
const { poflow } = suite;

function file(name: string, text: string): string {
  const out = path.join(dir, name);
  writeFileSync(out, text);
  return out;
}

/** How many PO workflows the server has whose name starts so, once visibility has caught up. */
async function countStarted(prefix: string, expected: number): Promise<number> {
  const query = `PoName STARTS_WITH "${prefix}"`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { count } = await suite.stack.client.workflow.count(query);
    if (count >= expected || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('a file with bad rows starts nothing and reports every bad row with its row number and column', async () => {
  const lines = generatePurchaseOrdersCsv({ count: 6, prefix: 'PO-BADFILE' }).trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const cell = (row: number, column: string, value: string) => {
    const cells = lines[row - 1]!.split(',');
    cells[header.indexOf(column)] = value;
    lines[row - 1] = cells.join(',');
  };
  cell(2, 'units', '12.5');
  cell(4, 'incoterm', 'FOX');
  cell(7, 'unit_of_measure', 'BOXES');
  const csv = file('bad.csv', `${lines.join('\n')}\n`);

  const unknownColumn = file('columns.csv', 'po_name,untis\nPO-X,5\n');
  const badJson = file('bad.json', JSON.stringify([{ name: 'PO-J1', incoterm: 'FOB' }]));
  // Refused files start nothing, so they run concurrently: each is a Node start.
  const [result, human, columns, json, xlsx] = await Promise.all([
    poflow('import', csv, '--json'),
    poflow('import', csv),
    poflow('import', unknownColumn),
    poflow('import', badJson, '--json'),
    poflow('import', file('pos.xlsx', ''), '--json'),
  ]);
  expect(result.code).toBe(2);
  const report = jsonOf(result);
  expect(report).toMatchObject({ total: 6, started: 0, already_started: 0 });
  expect(
    report.problems.map((p: { row: number; po: string; field: string }) => [p.row, p.po, p.field]),
  ).toEqual([
    [2, 'PO-BADFILE-00001', 'units'],
    [4, 'PO-BADFILE-00002', 'incoterm'],
    [7, 'PO-BADFILE-00003', 'unit_of_measure'],
  ]);
  expect(report.problems[0].message).toBe('units must be a whole number');
  expect(report.problems[1].message).toMatch(
    /^is "FOX" here but "FCA" on row 3; every row of a PO must agree$/,
  );

  expect(human.code).toBe(2);
  expect(human.stdout).toContain('row 2 (PO-BADFILE-00001): units: units must be a whole number\n');
  expect(human.stdout).toContain('bad.csv: 3 of 6 purchase orders have problems; nothing was started. Fix them, or pass --start-valid to start the 3 valid ones.'); // prettier-ignore

  expect(columns.code).toBe(2);
  expect(columns.stdout).toContain('row 1: untis: is not a known column\n');

  expect(json.code).toBe(2);
  expect(jsonOf(json).problems).toContainEqual({ item: 1, po: 'PO-J1', field: 'transportation_mode', message: 'is required' }); // prettier-ignore
  expect(xlsx.code).toBe(2);
  expect(await countStarted('PO-BADFILE', 0)).toBe(0);
  expect(await countStarted('PO-J', 0)).toBe(0);

  // Told to, it starts the valid ones and still reports the rest.
  const some = await poflow('import', csv, '--start-valid', '--json');
  expect(some.code).toBe(2);
  expect(jsonOf(some)).toMatchObject({ total: 6, invalid: 3, started: 3, already_started: 0 });
  expect(await countStarted('PO-BADFILE', 3)).toBe(3);
});

test('500 POs from a CSV start with bounded concurrency; the same file again starts nothing', async () => {
  const csv = file('bulk.csv', generatePurchaseOrdersCsv({ count: 500, prefix: 'PO-BULK' }));
  const first = await poflow('import', csv, '--concurrency', '16', '--json');
  expect(first.code).toBe(0);
  expect(jsonOf(first)).toMatchObject({ total: 500, invalid: 0, started: 500, already_started: 0, refused: 0, failed: 0 }); // prettier-ignore
  expect(jsonOf(first).results[0]).toEqual({ name: 'PO-BULK-00001', source: 'row 2', outcome: 'started', workflowId: 'po/flexport/PO-BULK-00001' }); // prettier-ignore
  expect(await countStarted('PO-BULK', 500)).toBe(500);

  const second = await poflow('import', csv);
  expect(second.code).toBe(0);
  expect(second.stdout.trim()).toBe(
    'bulk.csv: 500 purchase orders: 0 started, 500 already submitted, 0 refused, 0 failed',
  );
  expect(second.stderr).toBe(''); // no progress bar without a terminal
  expect(await suite.stack.client.workflow.count('PoName STARTS_WITH "PO-BULK"')).toEqual({
    count: 500,
    groups: [],
  });
}, 300_000);

test('the JSON and CSV examples import, and re-importing them is harmless', async () => {
  const pos = ['po-1001-widgets.json', 'po-1002-textiles.json'].map((f) => JSON.parse(readFileSync(path.join(EXAMPLES, f), 'utf8'))); // prettier-ignore
  const json = file('examples.json', JSON.stringify(pos));
  expect(jsonOf(await poflow('import', json, '--json'))).toMatchObject({ format: 'json', started: 2 });
  expect(jsonOf(await poflow('import', json, '--json'))).toMatchObject({ started: 0, already_started: 2 });
  const csv = path.join(EXAMPLES, 'purchase-orders.csv');
  expect(jsonOf(await poflow('import', csv, '--auto-close', '10', '--json'))).toMatchObject({ format: 'csv', started: 3 }); // prettier-ignore
  // A PO started a moment ago answers once a worker has taken its first task: on a busy machine
  // the first query may time out, so ask until it answers.
  const status = await suite.statusUntil('PO-2002', (po) => po.settings !== undefined);
  expect(status.settings).toEqual({
    provider: 'flexport',
    autoClose: { after: 'delivered_in_full', days: 10 },
    quietCheckHours: 24,
  });
}, 240_000);
