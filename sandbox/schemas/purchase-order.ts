/** The body of `POST /purchase_orders` and `POST /purchase_orders/{id}` (CreatePurchaseOrder, v3). */
import { z } from 'zod';
import {
  FREIGHT_PAYMENT_TERMS,
  INCOTERMS,
  LINE_TYPES,
  ORDER_CLASSES,
  PARTY_ROLES,
  PORT_CODE_TYPES,
  PO_STATUSES,
  PRIORITIES,
  TRANSPORTATION_MODES,
  UNITS_OF_MEASURE,
} from '../enums';
import { messages } from '../messages';
import { integer, isoDate, nullable, oneOf, textual } from './common';

const transportationMode = oneOf(TRANSPORTATION_MODES, messages.invalidTransportationMode);
const incoterm = oneOf(INCOTERMS, messages.invalidIncoterm);

const Port = z.object({ code: z.string().min(1), code_type: z.enum(PORT_CODE_TYPES) });

// A line's currency may be left to the PO's (reference: the PO's currency_code is "required if
// there is no currency_code in each line item"); the rule is checked with the PO as a whole.
const Money = z.object({ amount: textual, currency_code: z.string().min(1).optional() });

const Contact = z.object({
  name: nullable(z.string()),
  phone: nullable(z.string()),
  email: nullable(z.string()),
  fax: nullable(z.string()),
  department: nullable(z.string()),
});

const Party = z
  .object({
    role: z.enum(PARTY_ROLES),
    external_ref: z.string().min(1),
    location_ref: nullable(z.string()),
    contacts: z.array(Contact).nullish(),
    contact: z.array(Contact).nullish(),
  })
  .transform(({ contact, contacts, ...party }) => ({ ...party, contacts: contacts ?? contact ?? [] }));

/** Metadata comes as `{key: [values]}` or as `[{key, value}]`; both are kept as the former. */
const Metadata = nullable(
  z.union([
    z.record(
      z.string(),
      z.union([z.array(textual), textual]).transform((v) => (Array.isArray(v) ? v : [v])),
    ),
    z
      .array(z.object({ key: z.string(), value: z.union([z.array(textual), textual]) }))
      .transform((pairs) =>
        Object.fromEntries(pairs.map(({ key, value }) => [key, Array.isArray(value) ? value : [value]])),
      ),
  ]),
).transform((v) => v ?? {});

const Product = z.object({
  sku: nullable(textual),
  name: nullable(z.string()),
  product_category: nullable(z.string()),
  color: nullable(z.string()),
  country_of_origin: nullable(z.string()),
  dangerous: nullable(z.boolean()),
  ean_ucc_13: nullable(textual),
  ean_ucc_8: nullable(textual),
  lot_number: nullable(textual),
  size: nullable(z.string()),
  style: nullable(z.string()),
  upc: nullable(textual),
});

const DestinationLocation = z.object({
  location_ref: z.string().min(1),
  units: nullable(integer),
});

const LineItem = z.object({
  item_key: textual.pipe(z.string().min(1)),
  line_item_number: nullable(integer),
  product: Product,
  must_arrive_date: nullable(isoDate),
  cargo_ready_date: nullable(isoDate),
  transportation_mode: nullable(transportationMode),
  incoterm: nullable(incoterm),
  origin_port: nullable(Port),
  destination_port: nullable(Port),
  origin_location_ref: nullable(z.string()),
  destination_locations: nullable(z.array(DestinationLocation)).transform((v) => v ?? []),
  units: integer.pipe(z.number().int().min(0)),
  unit_cost: nullable(Money),
  line_type: nullable(z.enum(LINE_TYPES)).transform((v) => v ?? 'main_line'),
  unit_of_measure: nullable(oneOf(UNITS_OF_MEASURE, () => messages.unknownUnitOfMeasure)).transform(
    (v) => v ?? 'EA',
  ),
  parent_line_key: nullable(z.string()),
  hs_codes: nullable(z.array(z.object({ code: z.string(), country_code: z.string() }))).transform(
    (v) => v ?? [],
  ),
  measurements: nullable(
    z.array(z.object({ measure_type: z.string(), unit_of_measure: z.string(), value: textual })),
  ).transform((v) => v ?? []),
  metadata: Metadata,
});

export const PurchaseOrderSchema = z.object({
  name: textual.pipe(z.string().min(1)),
  memo: nullable(z.string()),
  status: nullable(oneOf(PO_STATUSES, messages.invalidStatus)).transform((v) => v ?? 'open'),
  order_class: nullable(z.enum(ORDER_CLASSES)),
  order_type: nullable(z.string()),
  issue_date: nullable(isoDate),
  freight_payment_terms: nullable(z.enum(FREIGHT_PAYMENT_TERMS)),
  parties: z.array(Party),
  currency_code: nullable(z.string()),
  origin_port: nullable(Port),
  destination_port: nullable(Port),
  must_arrive_date: nullable(isoDate),
  cargo_ready_date: nullable(isoDate),
  transportation_mode: transportationMode,
  incoterm,
  origin_location_ref: nullable(z.string()),
  destination_location_refs: nullable(z.array(z.string())).transform((v) => v ?? []),
  priority: nullable(z.enum(PRIORITIES)).transform((v) => v ?? 'standard'),
  line_items: z
    .custom<unknown[]>((v) => Array.isArray(v) && v.length > 0, { error: messages.noLineItems })
    .pipe(z.array(LineItem)),
  metadata: Metadata,
});

export type PurchaseOrderInput = z.output<typeof PurchaseOrderSchema>;
export type LineItemInput = PurchaseOrderInput['line_items'][number];
export type PortInput = z.output<typeof Port>;
