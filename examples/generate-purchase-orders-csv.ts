/**
 * Writes a CSV of many POs in the `poflow import` format, for trying the importer at volume:
 *
 *   npx tsx examples/generate-purchase-orders-csv.ts 500 > /tmp/pos.csv
 *
 * Deterministic for a given count, prefix and first cargo-ready date (default: 60 days from today,
 * so the dates are always in the future).
 */
import { CSV_COLUMNS } from '../client/import-file';

const LANES = [
  {
    buyer: 'acme-us',
    seller: 'shenzhen-widgets',
    currency: 'USD',
    incoterm: 'FOB',
    origin: 'CNYTN',
    destination: 'USLAX',
    from: 'lex_corp_warehouse',
    to: 'los_angeles',
  },
  {
    buyer: 'acme-eu',
    seller: 'ningbo-textiles',
    currency: 'EUR',
    incoterm: 'FCA',
    origin: 'CNNGB',
    destination: 'NLRTM',
    from: 'ningbo_factory',
    to: 'rotterdam_dc',
  },
  {
    buyer: 'acme-us',
    seller: 'saigon-garments',
    currency: 'USD',
    incoterm: 'DAP',
    origin: 'VNSGN',
    destination: 'USOAK',
    from: '',
    to: 'oakland_dc',
  },
];
const HEADER = [
  'po_name',
  'buyer_ref',
  'seller_ref',
  'currency',
  'incoterm',
  'transportation_mode',
  'origin_port',
  'destination_port',
  'origin_location_ref',
  'destination_location_ref',
  'cargo_ready_date',
  'must_arrive_date',
  'item_key',
  'sku',
  'product_name',
  'units',
  'unit_cost',
  'unit_of_measure',
];

export interface GenerateOptions {
  count: number;
  /** PO names are `<prefix>-00001` and up. */
  prefix?: string;
  /** YYYY-MM-DD of the first PO's cargo-ready date; later POs follow a day apart, cycling monthly. */
  firstCargoReadyDate?: string;
}

export function generatePurchaseOrdersCsv(options: GenerateOptions): string {
  const prefix = options.prefix ?? 'PO-GEN';
  const first = Date.parse(`${options.firstCargoReadyDate ?? daysFromToday(60)}T00:00:00.000Z`);
  const rows = [HEADER.join(',')];
  for (let i = 0; i < options.count; i++) {
    const lane = LANES[i % LANES.length]!;
    const cargoReady = addDays(first, i % 30);
    const mustArrive = addDays(first, (i % 30) + 45);
    const name = `${prefix}-${String(i + 1).padStart(5, '0')}`;
    for (let line = 1; line <= 1 + (i % 3); line++) {
      const sku = `SKU-${String(((i * 7 + line) % 97) + 1).padStart(3, '0')}`;
      const units = 100 * (1 + ((i + line) % 9));
      const unitCost = (1.5 + ((i * line) % 40) / 4).toFixed(2);
      rows.push(
        [
          name,
          lane.buyer,
          lane.seller,
          lane.currency,
          lane.incoterm,
          'ocean',
          lane.origin,
          lane.destination,
          lane.from,
          lane.to,
          cargoReady,
          mustArrive,
          String(line),
          sku,
          `Product ${sku}`,
          String(units),
          unitCost,
          'EA',
        ].join(','),
      );
    }
  }
  return `${rows.join('\n')}\n`;
}

function addDays(start: number, days: number): string {
  return new Date(start + days * 86_400_000).toISOString().slice(0, 10);
}

function daysFromToday(days: number): string {
  return addDays(Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`), days);
}

// Every header is a documented column: the generator cannot drift from the importer.
for (const column of HEADER) {
  if (!CSV_COLUMNS.some((known) => known.name === column)) throw new Error(`unknown CSV column ${column}`);
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 500);
  if (!Number.isInteger(count) || count < 1) {
    console.error('usage: generate-purchase-orders-csv.ts [count] [prefix]');
    process.exit(2);
  }
  process.stdout.write(generatePurchaseOrdersCsv({ count, prefix: process.argv[3] }));
}
