/** The PO as users submit it: the seed documents' own examples, and every documented rule. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePurchaseOrder } from '../workflows/flexport/purchase-order';
import { purchaseOrderWorkflowId } from '../workflows/core/identity';
import { parseWith, type FieldIssue } from '../workflows/core/parsing';
import { PoSettings } from '../workflows/core/settings';
import { samplePurchaseOrder, type PurchaseOrderInput } from './support/purchase-orders';

const seedExample = (file: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'seed-examples', file), 'utf8'));

function issuesOf(input: unknown, createdOn?: string): FieldIssue[] {
  const parsed = parsePurchaseOrder(input, { createdOn });
  return parsed.ok ? [] : parsed.issues;
}

const today = Date.parse('2030-03-01T00:00:00Z');
const withPo = (overrides: Partial<PurchaseOrderInput>) => samplePurchaseOrder('PO-9', today, overrides);
const line = (i: number) => samplePurchaseOrder('PO-9', today).line_items[i]!;

describe('the seed documents own examples', () => {
  test("the tutorial's create body passes (units sent as a string are read as a number)", () => {
    const parsed = parsePurchaseOrder(seedExample('000-tutorial-create.json'));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value.line_items[0]!.units).toBe(500);
  });

  test('the tutorial example dates from 2004: refused for a PO created today', () => {
    expect(issuesOf(seedExample('000-tutorial-create.json'), '2030-03-01')).toEqual([
      {
        path: 'must_arrive_date',
        message: "Must arrive date 2004-08-10 is before the order's creation date 2030-03-01",
      },
    ]);
  });

  test("the reference's create sample, as printed with collapsed objects, gets field-level errors", () => {
    expect(issuesOf(seedExample('001-reference-create-sample.json'))).toEqual([
      { path: 'line_items[0].product.sku', message: 'product_sku must be specified' },
      { path: 'line_items[0].unit_cost.amount', message: 'is required' },
      { path: 'line_items[0].destination_locations[0].location_ref', message: 'is required' },
    ]);
  });

  test("the reference's update sample sends line_items as an object and a 4-letter UN/LOCODE", () => {
    expect(issuesOf(seedExample('001-reference-update-sample.json'))).toEqual([
      {
        path: 'origin_port.code',
        message: 'invalid port code "USLA": expected a 5-character UN/LOCODE such as CNSHA',
      },
      { path: 'line_items', message: 'line_items must be an array of line items' },
    ]);
  });

  test("the third-party recipe's invented body is not Flexport's shape, and says where", () => {
    const issues = issuesOf(seedExample('003-recipe-create.json'));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'parties', message: 'is required' },
        { path: 'transportation_mode', message: 'is required' },
        { path: 'incoterm', message: 'is required' },
        { path: 'line_items[0].item_key', message: 'is required' },
        { path: 'line_items[0].units', message: 'is required' },
        { path: 'line_items[1].unit_of_measure', message: '"pieces" is an Unknown unit of measure' },
        { path: 'line_items[1].quantity', message: 'is not a known field' },
        { path: 'must_arrive_by', message: 'is not a known field' },
      ]),
    );
  });
});

describe('documented rules', () => {
  test('a valid PO passes with the documented defaults', () => {
    const parsed = parsePurchaseOrder(withPo({}), { createdOn: '2030-03-01' });
    expect(parsed.ok && parsed.value).toMatchObject({
      status: 'open',
      priority: 'standard',
      order_class: 'purchase_order',
    });
    expect(parsed.ok && parsed.value.line_items[0]).toMatchObject({
      line_type: 'main_line',
      unit_of_measure: 'EA',
    });
  });

  test.each<[string, Partial<PurchaseOrderInput>, FieldIssue[]]>([
    [
      'duplicate item keys',
      { line_items: [line(0), { ...line(1), item_key: 'A' }] },
      [
        {
          path: 'line_items[1].item_key',
          message: 'Purchase Order PO-9 has multiple line items with same item key',
        },
      ],
    ],
    [
      'no line items',
      { line_items: [] },
      [{ path: 'line_items', message: 'You must specify at least one line item under po_line_items' }],
    ],
    [
      'cargo ready after must arrive',
      { cargo_ready_date: '2030-05-01', must_arrive_date: '2030-04-01' },
      [
        { path: 'cargo_ready_date', message: 'cargo_ready_date must precede must_arrive_date' },
        { path: 'line_items[0].cargo_ready_date', message: 'cargo_ready_date must precede must_arrive_date' },
        { path: 'line_items[1].cargo_ready_date', message: 'cargo_ready_date must precede must_arrive_date' },
      ],
    ],
    [
      'an unknown unit of measure on the third line',
      { line_items: [line(0), line(1), { ...line(1), item_key: 'C', unit_of_measure: 'pieces' as never }] },
      [{ path: 'line_items[2].unit_of_measure', message: '"pieces" is an Unknown unit of measure' }],
    ],
    [
      'an invalid incoterm and transportation mode',
      { incoterm: 'FOO' as never, transportation_mode: 'boat' as never },
      [
        { path: 'transportation_mode', message: expect.stringMatching(/^"boat" is an invalid transportation mode; expected one of ocean, air, truck, rail$/) }, // prettier-ignore
        {
          path: 'incoterm',
          message: expect.stringMatching(/^"FOO" is an Invalid incoterm; expected one of EXW, /),
        },
      ],
    ],
    ['an invalid status', { status: 'done' as never }, [{ path: 'status', message: expect.stringMatching(/^"done" is not a valid Purchase Order Status/) }]], // prettier-ignore
    [
      'no seller',
      { parties: [{ role: 'buyer', external_ref: 'acme-us' }] },
      [{ path: 'parties', message: 'a seller party is required' }],
    ],
    [
      'a sub line without a parent, a main line with one',
      {
        line_items: [
          { ...line(0), parent_line_key: 'B' },
          { ...line(1), line_type: 'sub_line' },
        ],
      },
      [
        {
          path: 'line_items[0].parent_line_key',
          message: 'parent_line_key can not be set on a main line item',
        },
        {
          path: 'line_items[1].parent_line_key',
          message: 'a sub_line needs the parent_line_key of its main line',
        },
      ],
    ],
    [
      'no currency anywhere',
      { currency_code: undefined, line_items: [{ ...line(0), unit_cost: { amount: '1.00' } }] },
      [{ path: 'line_items[0].unit_cost.currency_code', message: 'currency_code is required here when the purchase order has none' }], // prettier-ignore
    ],
    [
      'a port code of the wrong shape',
      { destination_port: { code: 'LAX', code_type: 'icao' } },
      [{ path: 'destination_port.code', message: 'invalid port code "LAX": expected a 4-letter ICAO code' }],
    ],
    [
      'an order class other than purchase_order',
      { order_class: 'sales_order' as never },
      [{ path: 'order_class', message: 'order_class must be purchase_order for a purchase order' }],
    ],
  ])('refuses %s', (_what, overrides, expected) => {
    expect(issuesOf(withPo(overrides))).toEqual(expected);
  });

  test('a sub line pointing at its main line passes', () => {
    expect(issuesOf(withPo({ line_items: [line(0), { ...line(1), line_type: 'sub_line', parent_line_key: 'A' }] }))).toEqual([]); // prettier-ignore
  });
});

describe('settings and identity', () => {
  test('default: Flexport, auto-close 30 days after delivered in full, quiet check after 24 hours', () => {
    expect(PoSettings.parse({})).toEqual({
      provider: 'flexport',
      autoClose: { after: 'delivered_in_full', days: 30 },
      quietCheckHours: 24,
    });
    expect(PoSettings.parse({ provider: 'flxpoint', autoClose: false, quietCheckHours: false })).toEqual({
      provider: 'flxpoint',
      autoClose: false,
      quietCheckHours: false,
    });
    expect(parseWith(PoSettings, { quietCheckHours: 0 })).toMatchObject({
      ok: false,
      issues: [{ path: 'quietCheckHours' }],
    });
    expect(parseWith(PoSettings, { provider: 'dhl' })).toMatchObject({
      ok: false,
      issues: [{ path: 'provider' }],
    });
  });

  test('one workflow id per provider and PO name', () => {
    expect(purchaseOrderWorkflowId('flexport', 'PO 123')).toBe('po/flexport/PO 123');
  });
});
