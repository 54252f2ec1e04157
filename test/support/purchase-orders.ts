/** Valid POs against the sandbox's fixture network (test/../sandbox/fixtures/network.json). */
import type { z } from 'zod';
import type { PurchaseOrder } from '../../workflows/flexport/purchase-order';

export type PurchaseOrderInput = z.input<typeof PurchaseOrder>;

const DAY_MS = 86_400_000;

/** A calendar date `days` after `from` (ms since epoch), as YYYY-MM-DD in UTC. */
export function dayAfter(from: number, days: number): string {
  return new Date(from + days * DAY_MS).toISOString().slice(0, 10);
}

/** Acme US buys from Shenzhen Widgets, Yantian to Los Angeles by ocean: parties, terms, route. */
export const FIXTURE_TRADE = {
  parties: [
    { role: 'buyer', external_ref: 'acme-us' },
    { role: 'seller', external_ref: 'shenzhen-widgets' },
  ],
  currency_code: 'USD',
  transportation_mode: 'ocean',
  incoterm: 'FOB',
  origin_port: { code: 'CNYTN', code_type: 'unlocode' },
  destination_port: { code: 'USLAX', code_type: 'unlocode' },
  origin_location_ref: 'lex_corp_warehouse',
  destination_location_refs: ['los_angeles'],
} as const satisfies Partial<PurchaseOrderInput>;

/** 500 of Widget A at 4.65 USD each. */
export function widgetALine(itemKey: string) {
  return {
    item_key: itemKey,
    product: { sku: 'WIDGET-A', name: 'Widget A' },
    units: 500,
    unit_cost: { amount: '4.65', currency_code: 'USD' },
    unit_of_measure: 'EA',
  } as const;
}

/** Two lines of widgets, Yantian to Los Angeles by ocean, ready in 10 days, due in 40. */
export function samplePurchaseOrder(
  name: string,
  today: number,
  overrides: Partial<PurchaseOrderInput> = {},
): PurchaseOrderInput {
  return {
    name,
    ...FIXTURE_TRADE,
    cargo_ready_date: dayAfter(today, 10),
    must_arrive_date: dayAfter(today, 40),
    line_items: [
      widgetALine('A'),
      {
        item_key: 'B',
        product: { sku: 'WIDGET-B', name: 'Widget B' },
        units: 200,
        unit_cost: { amount: '12.00', currency_code: 'USD' },
        unit_of_measure: 'EA',
      },
    ],
    ...overrides,
  };
}
