/**
 * Reading a PO poflow did not create from Flexport, for adoption: the PO with its line items, the
 * bookings that carry its units, their shipments and the milestones they reached, and the PO as a
 * create body rebuilt from the provider's resource (what a later amendment, close or cancel starts
 * from). Read only. A PO that cannot be adopted is refused with the reason.
 */
import { z } from 'zod';
import type { AdoptionSnapshot } from '../../workflows/flexport/adoption';
import { parsePurchaseOrder, type PurchaseOrder } from '../../workflows/flexport/purchase-order';
import type { FlexportClient } from './client';
import { milestoneDates } from './shipment-milestones';

export type AdoptionRead =
  { ok: true; snapshot: AdoptionSnapshot; po: PurchaseOrder } | { ok: false; reason: string };

/** The PO named `name` at Flexport (one buyer and seller per name: the workflow id has only the name). */
export async function readByName(
  flexport: FlexportClient,
  name: string,
  trigger: string,
): Promise<AdoptionRead> {
  const found: Record<string, unknown>[] = [];
  for await (const po of flexport.listPurchaseOrders({ name })) found.push(po);
  if (found.length === 0) return { ok: false, reason: `flexport has no purchase order named ${name}` };
  if (found.length > 1) {
    return {
      ok: false,
      reason:
        `flexport has ${found.length} purchase orders named ${name} (different buyer or seller); ` +
        'poflow follows one PO per name',
    };
  }
  return readResource(flexport, found[0]!, trigger);
}

/**
 * A PO resource as `GET /purchase_orders?expand=line_items` lists it, completed with its bookings and
 * shipments.
 */
export async function readResource(
  flexport: FlexportClient,
  raw: Record<string, unknown>,
  trigger: string,
): Promise<AdoptionRead> {
  const resource = Resource.safeParse(raw);
  if (!resource.success) {
    const issue = resource.error.issues[0]!;
    return {
      ok: false,
      reason: `unexpected flexport purchase order at ${issue.path.join('.')}: ${issue.message}`,
    };
  }
  const po = resource.data;
  if (po.status !== 'open') return { ok: false, reason: `${po.status} at flexport: nothing to follow` };
  if (po.archived_at)
    return { ok: false, reason: `archived at flexport ${po.archived_at}: nothing to follow` };
  const body = parsePurchaseOrder(createBodyOf(po));
  if (!body.ok) {
    const issues = body.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return { ok: false, reason: `flexport's purchase order does not pass poflow's checks: ${issues}` };
  }
  const lineItemIds = Object.fromEntries(po.line_items.data.map((l) => [l.item_key, l.id]));
  const itemKeys = new Map(po.line_items.data.map((l) => [l.id, l.item_key]));
  const bookings = await bookingsOf(flexport, po, itemKeys);
  const shipmentIds = [
    ...new Set(bookings.flatMap((b) => (b.shipmentId === undefined ? [] : [b.shipmentId]))),
  ];
  const shipments: AdoptionSnapshot['shipments'] = [];
  for (const id of shipmentIds)
    shipments.push({ id, milestones: milestoneDates(await flexport.getShipment(id)) });
  const snapshot: AdoptionSnapshot = {
    provider: 'flexport',
    providerId: po.id,
    version: po.purchase_order_version?.version_number,
    createdAt: po.created_at,
    updatedAt: po.updated_at ?? undefined,
    acknowledgedAt: po.acknowledged_at ?? undefined,
    lineItemIds,
    bookings,
    shipments,
    trigger,
  };
  return { ok: true, snapshot, po: body.value };
}

async function bookingsOf(
  flexport: FlexportClient,
  po: Resource,
  itemKeys: Map<number, string>,
): Promise<AdoptionSnapshot['bookings']> {
  const linesByBooking = new Map<number, { itemKey: string; units: number }[]>();
  for (const line of await flexport.listPurchaseOrderBookingLineItems(po.id)) {
    const itemKey = itemKeys.get(line.purchase_order_line_item.id);
    if (itemKey === undefined) continue; // a line item the latest version no longer has
    const lines = linesByBooking.get(line.booking.id) ?? [];
    linesByBooking.set(line.booking.id, [...lines, { itemKey, units: line.units }]);
  }
  const bookings: AdoptionSnapshot['bookings'] = [];
  for (const [id, lines] of linesByBooking) {
    const booking = await flexport.getBooking(id);
    if (booking.status === 'archived') continue;
    bookings.push({
      providerId: booking.id,
      name: booking.name,
      status: booking.status,
      shipmentId: booking.shipment?.id,
      createdAt: booking.created_at ?? po.created_at,
      lines,
    });
  }
  return bookings;
}

const Ref = z.looseObject({ ref: z.string().nullish() });
const Place = z.looseObject({
  address: z.looseObject({ unlocode: z.string().nullish() }).nullish(),
  details: z.array(z.looseObject({ _object: z.string(), port_code: z.string().nullish() })).nullish(),
});
const Entry = z.record(z.string(), z.unknown());

const LineItem = z.looseObject({
  id: z.number().int(),
  item_key: z.string(),
  line_item_number: z.number().int().nullish(),
  line_type: z.string().nullish(),
  parent_line_key: z.string().nullish(),
  units: z.number(),
  unit_cost: Entry.nullish(),
  product: Entry,
  incoterm: z.string().nullish(),
  transportation_mode: z.string().nullish(),
  unit_of_measure: z.string().nullish(),
  must_arrive_date: z.string().nullish(),
  cargo_ready_date: z.string().nullish(),
  origin_port: Place.nullish(),
  destination_port: Place.nullish(),
  origin_address: Ref.nullish(),
  destination_addresses: z
    .array(z.looseObject({ units: z.number().nullish(), address: Ref.nullish() }))
    .nullish(),
  hs_codes: z.array(Entry).nullish(),
  measurements: z.array(Entry).nullish(),
  metadata: z.unknown(),
});

const Resource = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullish(),
  archived_at: z.string().nullish(),
  acknowledged_at: z.string().nullish(),
  purchase_order_version: z.looseObject({ version_number: z.number().int() }).nullish(),
  parties: z.array(
    z.looseObject({
      role: z.string(),
      company_entity: Ref.nullish(),
      location_address: Ref.nullish(),
      contacts: z.array(Entry).nullish(),
    }),
  ),
  origin_port: Place.nullish(),
  destination_port: Place.nullish(),
  origin_address: Ref.nullish(),
  destination_addresses: z.array(Ref.nullish()).nullish(),
  line_items: z.looseObject(
    { data: z.array(LineItem) },
    { error: 'expected line items (expand=line_items)' },
  ),
});
type Resource = z.output<typeof Resource>;

const HEADER_FIELDS = [
  'name',
  'memo',
  'status',
  'order_class',
  'order_type',
  'issue_date',
  'freight_payment_terms',
  'priority',
  'currency_code',
  'must_arrive_date',
  'cargo_ready_date',
  'transportation_mode',
  'incoterm',
  'metadata',
] as const;
const LINE_FIELDS = [
  'item_key',
  'line_item_number',
  'line_type',
  'parent_line_key',
  'units',
  'unit_of_measure',
  'must_arrive_date',
  'cargo_ready_date',
  'transportation_mode',
  'incoterm',
  'metadata',
] as const;

/**
 * Flexport's create body for the PO as it stands: the resource's own fields, parties by their
 * entity refs, addresses by their location refs, ports by their UN/LOCODE (or IATA code). The
 * implied owner (the buyer) is left implied, as the provider stores it.
 */
export function createBodyOf(po: Resource): Record<string, unknown> {
  const buyer = po.parties.find((p) => p.role === 'buyer')?.company_entity?.ref;
  const parties = po.parties
    .filter((p) => !(p.role === 'owner' && p.company_entity?.ref === buyer))
    .map((p) =>
      present({
        role: p.role,
        external_ref: p.company_entity?.ref,
        location_ref: p.location_address?.ref,
        contacts: p.contacts?.length ? p.contacts.map(withoutObject) : undefined,
      }),
    );
  return present({
    ...pick(po, HEADER_FIELDS),
    parties,
    origin_port: portOf(po.origin_port),
    destination_port: portOf(po.destination_port),
    origin_location_ref: po.origin_address?.ref,
    destination_location_refs: po.destination_addresses?.flatMap((a) => (a?.ref ? [a.ref] : [])),
    line_items: po.line_items.data.map((line) =>
      present({
        ...pick(line, LINE_FIELDS),
        product: present(withoutObject(line.product)),
        unit_cost: line.unit_cost ?? undefined,
        origin_port: portOf(line.origin_port),
        destination_port: portOf(line.destination_port),
        origin_location_ref: line.origin_address?.ref,
        destination_locations: line.destination_addresses?.length
          ? line.destination_addresses.map((d) => present({ location_ref: d.address?.ref, units: d.units }))
          : undefined,
        hs_codes: line.hs_codes?.length ? line.hs_codes : undefined,
        measurements: line.measurements?.length ? line.measurements : undefined,
      }),
    ),
  });
}

function portOf(place: z.output<typeof Place> | null | undefined) {
  if (!place) return undefined;
  if (place.address?.unlocode) return { code: place.address.unlocode, code_type: 'unlocode' };
  const air = place.details?.find((d) => d._object === '/air/port')?.port_code;
  return air ? { code: air, code_type: 'iata' } : undefined;
}

function pick(from: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, from[f]]));
}

function withoutObject(entry: Record<string, unknown>): Record<string, unknown> {
  const { _object: _dropped, ...rest } = entry;
  return rest;
}

/** Without the fields the provider left null or empty: the body says only what the PO has. */
function present(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== null && v !== undefined));
}
