/**
 * Reading ERP exports for `poflow import`, without Temporal: grouping rows into POs, and every
 * problem pointed at the row and column (CSV) or the item and field (JSON) where it can be fixed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generatePurchaseOrdersCsv } from '../examples/generate-purchase-orders-csv';
import { CSV_COLUMNS, planImport } from '../client/import-file';
import { poBodyOf } from '../client/purchase-orders';
import { parsePurchaseOrder } from '../workflows/flexport/purchase-order';

const EXAMPLES = path.join(__dirname, '..', 'examples');
const HEADER =
  'po_name,buyer_ref,seller_ref,currency,incoterm,transportation_mode,origin_port,destination_port,cargo_ready_date,must_arrive_date,item_key,sku,product_name,units,unit_cost,unit_of_measure,hs_code,hs_country';
/** Flexport's body, checked as on 2026-01-01. */
const flexport2026 = {
  nameField: 'name',
  linesField: 'line_items',
  validate: (body: unknown) => parsePurchaseOrder(body, { createdOn: '2026-01-01' }),
};
const csv = (...rows: string[]) => planImport('csv', [HEADER, ...rows].join('\n'), flexport2026);

test('rows with the same po_name form one PO, in the Flexport v3 create body', () => {
  const plan = csv(
    'PO-1,acme-us,shenzhen-widgets,USD,FOB,ocean,CNYTN,USLAX,2030-03-02,2030-04-15,1,WID-100,"Widget, blue",500,4.65,EA,8479.89,US',
    'PO-2,acme-eu,ningbo-textiles,EUR,FCA,ocean,CNNGB,NLRTM,2030-03-02,2030-04-15,A,TS-1,Shirt,10,2,PCS,,',
    // Later rows of a PO may leave the PO columns empty.
    'PO-1,,,,,,,,,,2,WID-200,,200,5.10,,,',
  );
  expect(plan.problems).toEqual([]);
  expect(plan.valid.map((po) => [po.name, po.source])).toEqual([
    ['PO-1', 'rows 2, 4'],
    ['PO-2', 'row 3'],
  ]);
  expect(plan.valid[0]!.po).toMatchObject({
    name: 'PO-1',
    parties: [
      { role: 'buyer', external_ref: 'acme-us' },
      { role: 'seller', external_ref: 'shenzhen-widgets' },
    ],
    currency_code: 'USD',
    incoterm: 'FOB',
    transportation_mode: 'ocean',
    origin_port: { code: 'CNYTN', code_type: 'unlocode' },
    destination_port: { code: 'USLAX', code_type: 'unlocode' },
    cargo_ready_date: '2030-03-02',
    must_arrive_date: '2030-04-15',
    line_items: [
      {
        item_key: '1',
        product: { sku: 'WID-100', name: 'Widget, blue' },
        units: 500,
        unit_cost: { amount: '4.65', currency_code: 'USD' },
        unit_of_measure: 'EA',
        hs_codes: [{ code: '8479.89', country_code: 'US' }],
      },
      {
        item_key: '2',
        product: { sku: 'WID-200' },
        units: 200,
        unit_cost: { amount: '5.10', currency_code: 'USD' },
      },
    ],
  });
});

test('every bad row is reported with its row number, PO and column, and its PO is not valid', () => {
  const plan = csv(
    'PO-1,acme-us,shenzhen-widgets,USD,FOB,ocean,CNYTN,USLAX,2030-03-02,2030-04-15,1,WID-100,Widget,500,4.65,EA,,',
    'PO-1,acme-us,ningbo-textiles,USD,FOB,ocean,CNYTN,USLAX,2030-03-02,2030-04-15,2,WID-200,Widget,5x,4.65,BOX,6109.10,',
    'PO-2,acme-us,shenzhen-widgets,USD,FOB,boat,CNYTN,LAX,2030-03-02,2030-04-15,1,,Widget,5,4.65,EA,,',
    ',acme-us,shenzhen-widgets,USD,FOB,ocean,CNYTN,USLAX,2030-03-02,2030-04-15,1,W,Widget,5,4.65,EA,,',
    'PO-3,acme-us',
    'PO-4,acme-us,shenzhen-widgets,USD,FOB,ocean,CNYTN,USLAX,2030-03-02,2030-04-15,1,W,Widget,5,4.65,EA,,',
  );
  expect(plan.total).toBe(3);
  expect(plan.valid.map((po) => po.name)).toEqual(['PO-4']);
  expect(plan.invalid).toBe(2);
  expect(plan.problems.map((p) => [p.row, p.po, p.field])).toEqual([
    [3, 'PO-1', 'seller_ref'],
    [3, 'PO-1', 'hs_country'],
    [3, 'PO-1', 'units'],
    [3, 'PO-1', 'unit_of_measure'],
    [4, 'PO-2', 'destination_port'],
    [4, 'PO-2', 'transportation_mode'],
    [4, 'PO-2', 'sku'],
    [5, undefined, 'po_name'],
    [6, undefined, '(row)'],
  ]);
  const message = (row: number, field: string) => plan.problems.find((p) => p.row === row && p.field === field)!.message; // prettier-ignore
  expect(message(3, 'seller_ref')).toBe('is "ningbo-textiles" here but "shenzhen-widgets" on row 2; every row of a PO must agree'); // prettier-ignore
  expect(message(3, 'hs_country')).toBe('is required with hs_code');
  expect(message(3, 'units')).toBe('units must be a whole number');
  expect(message(4, 'transportation_mode')).toMatch(/"boat" is an invalid transportation mode/);
  expect(message(4, 'destination_port')).toMatch(/invalid port code "LAX"/);
  expect(message(5, 'po_name')).toBe('is required');
  expect(message(6, '(row)')).toBe('has 2 values; the header has 18 columns');
});

test('rules across fields point at the column and the row of the line they concern', () => {
  const plan = csv(
    'PO-1,acme-us,shenzhen-widgets,USD,FOB,ocean,CNYTN,USLAX,2030-05-02,2030-04-15,1,W-1,Widget,5,4.65,EA,,',
    'PO-1,,,,,,,,,,1,W-2,Widget,5,4.65,EA,,',
    'PO-2,acme-us,,USD,FOB,ocean,CNYTN,USLAX,2030-03-02,2030-04-15,1,W-1,Widget,5,4.65,EA,,',
  );
  expect(plan.problems).toEqual([
    {
      row: 2,
      po: 'PO-1',
      field: 'cargo_ready_date',
      message: 'cargo_ready_date must precede must_arrive_date',
    },
    {
      row: 3,
      po: 'PO-1',
      field: 'item_key',
      message: 'Purchase Order PO-1 has multiple line items with same item key',
    },
    { row: 4, po: 'PO-2', field: 'seller_ref', message: 'a seller party is required' },
  ]);
});

test('the header is checked first: unknown, repeated and missing columns', () => {
  const plan = planImport('csv', 'PO Name,untis,sku,SKU\nPO-1,5,A,B\n', flexport2026);
  expect(plan.total).toBe(0);
  expect(plan.problems).toEqual([
    { row: 1, field: 'untis', message: 'is not a known column' },
    { row: 1, field: 'sku', message: 'appears twice in the header' },
  ]);
  expect(planImport('csv', 'sku,units\nA,5\n', flexport2026).problems).toEqual([
    { row: 1, field: 'po_name', message: 'is a required column' },
  ]);
  expect(planImport('csv', '', flexport2026).problems).toEqual([
    { field: '(file)', message: 'the file is empty' },
  ]);
  expect(planImport('csv', 'po_name,sku\n"PO-1,A\n', flexport2026).problems[0]).toMatchObject({ field: '(file)', message: expect.stringMatching(/^not valid CSV: /) }); // prettier-ignore
});

test('JSON: an array of PO bodies, problems by item number and field', () => {
  const good = JSON.parse(readFileSync(path.join(EXAMPLES, 'po-1001-widgets.json'), 'utf8'));
  const bad = {
    ...good,
    name: 'PO-BAD',
    incoterm: 'FOO',
    line_items: [{ ...good.line_items[0], units: -1 }],
  };
  const plan = planImport('json', JSON.stringify([good, bad, good]), flexport2026);
  expect(plan.valid.map((po) => po.source)).toEqual(['item 1']);
  expect(plan.problems).toEqual([
    {
      item: 2,
      po: 'PO-BAD',
      field: 'incoterm',
      message: expect.stringMatching(/"FOO" is an Invalid incoterm/),
    },
    { item: 2, po: 'PO-BAD', field: 'line_items[0].units', message: 'units must not be negative' },
    { item: 3, po: 'PO-1001', field: 'name', message: 'PO PO-1001 appears twice (first as item 1)' },
  ]);
  expect(planImport('json', '{"name": "x"}', flexport2026).problems).toEqual([
    { field: '(file)', message: 'expected a JSON array of purchase orders' },
  ]);
  expect(planImport('json', '[{', flexport2026).problems[0]!.message).toMatch(/^not valid JSON: /);
});

test('the examples and the generator are valid today, and use only documented columns', () => {
  const examples = planImport('csv', readFileSync(path.join(EXAMPLES, 'purchase-orders.csv'), 'utf8'), poBodyOf('flexport')); // prettier-ignore
  expect(examples.problems).toEqual([]);
  expect(examples.valid.map((po) => po.name)).toEqual(['PO-2001', 'PO-2002', 'PO-2003']);
  const generated = planImport('csv', generatePurchaseOrdersCsv({ count: 500 }), poBodyOf('flexport'));
  expect(generated.problems).toEqual([]);
  expect(generated.valid).toHaveLength(500);
  expect(new Set(generated.valid.map((po) => po.name)).size).toBe(500);
  expect(CSV_COLUMNS.map((c) => c.name)).toEqual(expect.arrayContaining(HEADER.split(',')));
});

test('a negative number of units is refused for being negative, not for its form', () => {
  const plan = csv(
    'PO-1,acme-us,shenzhen-widgets,USD,FOB,ocean,CNYTN,USLAX,2030-03-02,2030-04-15,1,WID-100,Widget,-5,4.65,EA,,',
  );
  expect(plan.problems).toEqual([
    expect.objectContaining({ row: 2, po: 'PO-1', field: 'units', message: 'units must not be negative' }),
  ]);
});
