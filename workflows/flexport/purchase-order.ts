/**
 * A purchase order as users submit it: Flexport's v3 create-or-update body, with every rule and
 * enum the provider documents, so a bad PO is refused with field-level reasons before a workflow
 * starts. Workflow-safe: imported by workflow code, so no Node built-ins here.
 *
 * Over 300 lines because it is one schema: Flexport's documented fields, enums and rules in one
 * closure built once per worker thread (core/shared-schemas.ts); split, the parts would only
 * import each other.
 */
import { z } from 'zod';
import { parseWith, type FieldIssue, type Parsed } from '../core/parsing';
import { buildOnce } from '../core/shared-schemas';

export const PO_STATUSES = ['open', 'closed', 'cancelled'] as const;
export const PARTY_ROLES = [
  'buyer',
  'seller',
  'owner',
  'shipper',
  'consignee',
  'freight_forwarder',
  'notify_party',
  'customs_broker',
  'carrier',
  'manufacturer',
  'buyers_agent',
  'sellers_agent',
] as const;
// The tutorial lists DPU among the accepted incoterms and the response enum carries it; the
// create enum of the reference omits it. We accept it.
export const INCOTERMS = [
  'EXW',
  'FCA',
  'CPT',
  'CIP',
  'DAT',
  'DPU',
  'DAP',
  'DDP',
  'FAS',
  'FOB',
  'CFR',
  'CIF',
] as const;
export const TRANSPORTATION_MODES = ['ocean', 'air', 'truck', 'rail'] as const;
export const PORT_CODE_TYPES = ['unlocode', 'iata', 'icao', 'us_cbp'] as const;
export const LINE_TYPES = ['main_line', 'sub_line', 'component_line'] as const;
export const PRIORITIES = ['high', 'standard'] as const;
export const UNITS_OF_MEASURE = [
  'BBL',
  'CAR',
  'CGM',
  'CKG',
  'CM',
  'CM2',
  'CTN',
  'CYK',
  'DOZ',
  'DPC',
  'DPR',
  'DS',
  'FBM',
  'G',
  'GBQ',
  'GR',
  'GRL',
  'HUN',
  'IRG',
  'JWL',
  'K',
  'KG',
  'KM3',
  'KM',
  'KWH',
  'L',
  'LNM',
  'M',
  'M2',
  'M3',
  'MBQ',
  'NO',
  'OSG',
  'PCS',
  'PDG',
  'PFL',
  'PK',
  'PRS',
  'PTG',
  'PX',
  'RHG',
  'RUG',
  'T',
  'TDWB',
  'THS',
  'W',
  'X',
  '20',
  '21',
  '2W',
  '43',
  'AS',
  'BA',
  'BC',
  'BD',
  'BG',
  'BJ',
  'BK',
  'BN',
  'BO',
  'BU',
  'BX',
  'CA',
  'CB',
  'CC',
  'CF',
  'CG',
  'CI',
  'CN',
  'CP',
  'CQ',
  'CR',
  'CS',
  'CT',
  'CX',
  'CY',
  'DF',
  'DH',
  'DIS',
  'DR',
  'DZ',
  'EA',
  'FT',
  'GA',
  'GRAM',
  'GS',
  'IN',
  'JO',
  'JR',
  'LB',
  'LF',
  'LT',
  'MM',
  'MP',
  'MR',
  'MT',
  'OZ',
  'PC',
  'PQ',
  'PR',
  'PS',
  'PT',
  'QT',
  'RA',
  'RL',
  'RM',
  'RO',
  'SC',
  'SF',
  'SH',
  'SI',
  'SJ',
  'SL',
  'SM',
  'SO',
  'SQ',
  'ST',
  'SV',
  'SX',
  'SY',
  'TE',
  'TN',
  'TO',
  'UN',
  'YD',
  'Z3',
] as const;

/** The schemas, built once per worker thread (workflows/core/shared-schemas.ts). */
function purchaseOrderSchemas() {
  /** "is required" for a missing field, else the given reason. */
  const reason =
    (expected: (input: unknown) => string) =>
    (issue: { input?: unknown }): string =>
      issue.input === undefined ? 'is required' : expected(issue.input);

  /** The provider's own wording where it documents one (tutorial, "Error Status 422"). */
  const enumOf = <T extends readonly [string, ...string[]]>(values: T, what: string, listValues = true) =>
    z.enum(values, {
      error: reason((input) => {
        const list = listValues ? `; expected one of ${values.join(', ')}` : '';
        return `${JSON.stringify(input)} is ${what}${list}`;
      }),
    });

  const IsoDate = z.iso.date({ error: reason(() => 'expected a calendar date YYYY-MM-DD') });
  const Text = z
    .string({ error: reason(() => 'expected text') })
    .trim()
    .min(1, 'must not be empty');
  const Decimal = z.union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()], {
    error: reason(() => 'expected a decimal number such as "4.65"'),
  });
  // Negative strings convert too, so that "-5" is refused for being negative, not for its form.
  const WholeNumberText = z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number);
  /**
   * The tutorial sends `"units": "500"` and the provider reads it as 500: whole-number strings are
   * accepted.
   */
  const Units = z
    .union([z.number(), WholeNumberText], { error: reason(() => 'units must be a whole number') })
    .pipe(z.number().int('units must be a whole number').min(0, 'units must not be negative'));
  /** Product codes are strings at the provider; the reference's update sample sends some as numbers. */
  const Code = z.union([z.string(), z.number().int().transform(String)]);

  const PORT_CODE_FORMATS: Record<(typeof PORT_CODE_TYPES)[number], { pattern: RegExp; shape: string }> = {
    unlocode: { pattern: /^[A-Z]{2}[A-Z2-9]{3}$/, shape: 'a 5-character UN/LOCODE such as CNSHA' },
    iata: { pattern: /^[A-Z]{3}$/, shape: 'a 3-letter IATA code' },
    icao: { pattern: /^[A-Z]{4}$/, shape: 'a 4-letter ICAO code' },
    us_cbp: { pattern: /^\d{4,5}$/, shape: 'a 4- or 5-digit US CBP port code' },
  };

  const Port = z
    .strictObject({ code: Text, code_type: enumOf(PORT_CODE_TYPES, 'not a port code type') })
    .check((ctx) => {
      const format = PORT_CODE_FORMATS[ctx.value.code_type];
      if (!format.pattern.test(ctx.value.code)) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value.code,
          path: ['code'],
          message: `invalid port code ${JSON.stringify(ctx.value.code)}: expected ${format.shape}`,
        });
      }
    });

  const Money = z.strictObject({
    _object: z.literal('/money').optional(),
    amount: Decimal,
    currency_code: z
      .string()
      .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as USD')
      .nullish(),
  });

  const Metadata = z.union([
    z.record(z.string(), z.array(z.string())),
    z.array(z.strictObject({ key: Text, value: z.union([z.string(), z.array(z.string())]) })),
  ]);

  const Party = z.strictObject({
    role: enumOf(PARTY_ROLES, 'not a party role'),
    external_ref: Text,
    location_ref: Text.nullish(),
    contact: z.array(z.record(z.string(), z.unknown())).nullish(),
    contacts: z.array(z.record(z.string(), z.unknown())).nullish(),
  });

  const Product = z.strictObject(
    {
      sku: z
        .string({ error: 'product_sku must be specified' })
        .trim()
        .min(1, 'product_sku must be specified'),
      name: z
        .string()
        .trim()
        .min(
          1,
          'product_name cannot be empty for a new product (omit it for a SKU already in the product library)',
        )
        .nullish(),
      product_category: z.string().nullish(),
      color: z.string().nullish(),
      country_of_origin: z.string().nullish(),
      dangerous: z.boolean().nullish(),
      ean_ucc_13: Code.nullish(),
      ean_ucc_8: Code.nullish(),
      lot_number: Code.nullish(),
      size: z.string().nullish(),
      style: z.string().nullish(),
      upc: Code.nullish(),
    },
    { error: reason(() => 'expected a product {sku, name}') },
  );

  const LineItem = z.strictObject({
    item_key: Text,
    line_item_number: z.number().int().min(1).nullish(),
    product: Product,
    units: Units,
    unit_cost: Money.nullish(),
    line_type: enumOf(LINE_TYPES, 'not a line type').default('main_line'),
    parent_line_key: Text.nullish(),
    unit_of_measure: enumOf(UNITS_OF_MEASURE, 'an Unknown unit of measure', false).default('EA'),
    must_arrive_date: IsoDate.nullish(),
    cargo_ready_date: IsoDate.nullish(),
    transportation_mode: enumOf(TRANSPORTATION_MODES, 'an invalid transportation mode').nullish(),
    incoterm: enumOf(INCOTERMS, 'an Invalid incoterm').nullish(),
    origin_port: Port.nullish(),
    destination_port: Port.nullish(),
    origin_location_ref: Text.nullish(),
    destination_locations: z.array(z.strictObject({ location_ref: Text, units: Units.nullish() })).nullish(),
    measurements: z
      .array(
        z.strictObject({
          _object: z.literal('/line_item_measurement').optional(),
          measure_type: Text,
          unit_of_measure: Text,
          value: Decimal,
        }),
      )
      .nullish(),
    hs_codes: z
      .array(
        z.strictObject({
          _object: z.literal('/hs_code').optional(),
          code: z.string().regex(/^\d{4}(\.?\d{2}){0,3}$/, 'expected an HS code such as 6109.10.00.07'),
          country_code: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code'),
          description: z.string().nullish(),
        }),
      )
      .nullish(),
    metadata: Metadata.nullish(),
  });

  const PurchaseOrderShape = z.strictObject({
    name: Text,
    memo: z.string().nullish(),
    status: enumOf(PO_STATUSES, 'not a valid Purchase Order Status').default('open'),
    order_class: z
      .literal('purchase_order', { error: 'order_class must be purchase_order for a purchase order' })
      .default('purchase_order'),
    order_type: z.string().nullish(),
    issue_date: IsoDate.nullish(),
    freight_payment_terms: enumOf(
      ['freight_collect', 'freight_prepaid'],
      'not a freight payment term',
    ).nullish(),
    priority: enumOf(PRIORITIES, 'not a priority').default('standard'),
    parties: z.array(Party, { error: reason(() => 'parties must be a list of {role, external_ref}') }),
    currency_code: z
      .string()
      .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as USD')
      .nullish(),
    origin_port: Port.nullish(),
    destination_port: Port.nullish(),
    must_arrive_date: IsoDate.nullish(),
    cargo_ready_date: IsoDate.nullish(),
    transportation_mode: enumOf(TRANSPORTATION_MODES, 'an invalid transportation mode'),
    incoterm: enumOf(INCOTERMS, 'an Invalid incoterm'),
    origin_location_ref: Text.nullish(),
    destination_location_refs: z.array(Text).nullish(),
    line_items: z.array(LineItem, { error: reason(() => 'line_items must be an array of line items') }),
    metadata: Metadata.nullish(),
  });

  type Issue = { path: (string | number)[]; message: string };

  /** Rules across fields: the tutorial's 422 messages and the reference's constraints. */
  function crossFieldIssues(po: z.output<typeof PurchaseOrderShape>): Issue[] {
    const issues: Issue[] = [];
    for (const role of ['buyer', 'seller', 'owner'] as const) {
      const count = po.parties.filter((p) => p.role === role).length;
      if (count > 1) issues.push({ path: ['parties'], message: `only one ${role} party is allowed` });
    }
    if (!po.parties.some((p) => p.role === 'seller')) {
      issues.push({ path: ['parties'], message: 'a seller party is required' });
    }
    if (po.line_items.length === 0) {
      issues.push({
        path: ['line_items'],
        message: 'You must specify at least one line item under po_line_items',
      });
    }
    if (!datesInOrder(po.cargo_ready_date, po.must_arrive_date)) {
      issues.push({ path: ['cargo_ready_date'], message: 'cargo_ready_date must precede must_arrive_date' });
    }
    const keys = new Set<string>();
    po.line_items.forEach((line, i) => {
      if (keys.has(line.item_key)) {
        issues.push({
          path: ['line_items', i, 'item_key'],
          message: `Purchase Order ${po.name} has multiple line items with same item key`,
        });
      }
      keys.add(line.item_key);
      const cargoReady = line.cargo_ready_date ?? po.cargo_ready_date;
      const mustArrive = line.must_arrive_date ?? po.must_arrive_date;
      if (!datesInOrder(cargoReady, mustArrive)) {
        issues.push({
          path: ['line_items', i, 'cargo_ready_date'],
          message: 'cargo_ready_date must precede must_arrive_date',
        });
      }
      if (!po.currency_code && !line.unit_cost?.currency_code) {
        issues.push({
          path: ['line_items', i, 'unit_cost', 'currency_code'],
          message: 'currency_code is required here when the purchase order has none',
        });
      }
    });
    po.line_items.forEach((line, i) => {
      const path = ['line_items', i, 'parent_line_key'];
      if (line.line_type === 'main_line') {
        if (line.parent_line_key) {
          issues.push({ path, message: 'parent_line_key can not be set on a main line item' });
        }
      } else if (!line.parent_line_key) {
        issues.push({ path, message: `a ${line.line_type} needs the parent_line_key of its main line` });
      } else if (line.parent_line_key === line.item_key || !keys.has(line.parent_line_key)) {
        issues.push({
          path,
          message: `no other line item has item_key ${JSON.stringify(line.parent_line_key)}`,
        });
      }
    });
    return issues;
  }

  function datesInOrder(
    cargoReady: string | null | undefined,
    mustArrive: string | null | undefined,
  ): boolean {
    return !cargoReady || !mustArrive || cargoReady < mustArrive;
  }

  const PurchaseOrder = PurchaseOrderShape.check((ctx) => {
    for (const issue of crossFieldIssues(ctx.value)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, ...issue });
    }
  });

  /** What an operator asks of the `book` update; everything defaults from the PO. */
  const Booking = z.strictObject({
    /** Unique per PO; the provider is searched by it before a booking is created. */
    name: Text.optional(),
    cargo_ready_date: IsoDate.optional(),
    transportation_mode: enumOf(TRANSPORTATION_MODES, 'an invalid transportation mode').optional(),
    /** Units per line item; omitted: every unit not yet booked. */
    lines: z.array(z.strictObject({ item_key: Text, units: Units.pipe(z.number().min(1)) })).optional(),
  });
  return { Port, Party, LineItem, PurchaseOrder, Booking };
}

export const { Port, Party, LineItem, PurchaseOrder, Booking } = buildOnce(
  'purchase-order',
  purchaseOrderSchemas,
);
export type LineItem = z.output<typeof LineItem>;
export type PurchaseOrder = z.output<typeof PurchaseOrder>;
export type Booking = z.output<typeof Booking>;

export interface ParseOptions {
  /**
   * The PO's creation date (YYYY-MM-DD): the provider refuses a must-arrive date before it.
   * Left out, the check is skipped (e.g. for documentation examples dated 2004).
   */
  createdOn?: string;
}

export function parsePurchaseOrder(input: unknown, options: ParseOptions = {}): Parsed<PurchaseOrder> {
  const parsed = parseWith(PurchaseOrder, input);
  if (!parsed.ok || !options.createdOn) return parsed;
  const issues = mustArriveIssues(parsed.value, options.createdOn);
  return issues.length ? { ok: false, issues } : parsed;
}

function mustArriveIssues(po: PurchaseOrder, createdOn: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const check = (date: string | null | undefined, path: string) => {
    if (date && date < createdOn) {
      issues.push({
        path,
        message: `Must arrive date ${date} is before the order's creation date ${createdOn}`,
      });
    }
  };
  check(po.must_arrive_date, 'must_arrive_date');
  po.line_items.forEach((line, i) => check(line.must_arrive_date, `line_items[${i}].must_arrive_date`));
  return issues;
}

export function partyRef(po: PurchaseOrder, role: 'buyer' | 'seller'): string | undefined {
  return po.parties.find((p) => p.role === role)?.external_ref;
}
