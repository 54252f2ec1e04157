/**
 * Bookings (API v2): `POST /bookings`, then `POST /booking_line_items` against PO line items.
 * Booked units are tracked per PO line item so the PO amendment rules bite. The counterpart
 * confirms a booking (submitted -> booked), which creates its shipment.
 */
import { z } from 'zod';
import type { Context } from './context';
import { BOOKING_STATUSES, type PortCodeType, type TransportationMode } from './enums';
import { badRequest, collectionRef, notFound, objectRef, unprocessable, type Paginated } from './envelopes';
import { messages } from './messages';
import { paginate, type PageRequest } from './paging';
import type { PurchaseOrders } from './purchase-orders';
import { intParam, parseFilters } from './query';
import { parseBody } from './schemas/common';
import { BookingLineItemSchema, BookingSchema, type BookingInput } from './schemas/booking';
import type { Shipments } from './shipments';
import { nextId, type BookingLineItemRecord, type BookingRecord } from './state';

const BookingFilters = z.object({
  'f.status': z.enum(BOOKING_STATUSES).optional(),
  'f.shipment.id': intParam.optional(),
  /** The reference lists `f.name` without saying more; matched exactly, like the PO list's. */
  'f.name': z.string().optional(),
});

const BookingLineItemFilters = z.object({
  'f.booking.id': intParam.optional(),
  'f.purchase_order_line_item.id': intParam.optional(),
  'f.purchase_order.id': intParam.optional(),
});

/** Port code fields of a booking, with the code type each one carries. */
type PortField = [field: string, code: string | null, type: PortCodeType];

export class Bookings {
  constructor(
    private readonly ctx: Context,
    private readonly purchaseOrders: PurchaseOrders,
    private readonly shipments: Shipments,
  ) {}

  create(body: unknown): BookingRecord {
    const input = parseBody(BookingSchema, body, true);
    const { network, state, now } = this.ctx;
    const mode = transportationMode(input);
    for (const ref of [input.shipper_entity_ref, input.consignee_entity_ref]) {
      if (!network.entity(ref)) throw unprocessable(messages.unknownCompany(ref));
    }
    for (const [field, ref] of [
      ['origin_address_ref', input.origin_address_ref],
      ['destination_address_ref', input.destination_address_ref],
    ] as const) {
      if (ref !== null && !network.location(ref)) throw unprocessable(messages.unknownLocation(field, ref));
    }
    const [origin, destination] = (['origin', 'destination'] as const).map((end) => this.portOf(input, end));
    const at = now().toISOString();
    const booking: BookingRecord = {
      id: nextId(state, 'booking'),
      status: 'submitted',
      created_at: at,
      updated_at: at,
      input,
      transportation_mode: mode,
      origin_port: origin ?? null,
      destination_port: destination ?? null,
      shipment_id: null,
    };
    state.bookings.push(booking);
    this.ctx.recordChanged('booking', booking);
    return booking;
  }

  addLineItem(body: unknown): BookingLineItemRecord {
    const input = parseBody(BookingLineItemSchema, body, true);
    const booking = this.find(input.booking_id);
    if (booking.status !== 'submitted') {
      throw unprocessable(
        `Booking ${booking.id} is ${booking.status}: line items can only be added while submitted`,
      );
    }
    const { po, version, line, id } = this.purchaseOrders.findLineItem(input.purchase_order_line_item_id);
    if (version.input.status !== 'open') {
      throw unprocessable(`Purchase order ${po.name} is ${version.input.status} and can not be booked`);
    }
    const remaining = line.units - this.purchaseOrders.bookedUnits(id);
    if (input.units > remaining) {
      const item = `line item ${line.item_key} of purchase order ${po.name}`;
      throw unprocessable(`Cannot book ${input.units} units of ${item}: ${remaining} units remain unbooked`);
    }
    const record: BookingLineItemRecord = {
      id: nextId(this.ctx.state, 'booking_line_item'),
      booking_id: booking.id,
      purchase_order_id: po.id,
      purchase_order_line_item_id: id,
      units: input.units,
      created_at: this.ctx.now().toISOString(),
    };
    this.ctx.state.bookingLineItems.push(record);
    booking.updated_at = record.created_at;
    this.ctx.recordChanged('booking_line_item', record);
    this.ctx.recordChanged('booking', booking);
    return record;
  }

  /**
   * The forwarder confirms: submitted -> booked, and the shipment comes into being, its metadata
   * naming the booking's POs unless `poMetadata` is false.
   */
  confirm(id: number, { poMetadata = true }: { poMetadata?: boolean } = {}): BookingRecord {
    const booking = this.find(id);
    if (booking.status !== 'submitted')
      throw unprocessable(`Booking ${id} is ${booking.status}, not submitted`);
    if (!this.ctx.state.bookingLineItems.some((b) => b.booking_id === id)) {
      throw unprocessable(`Booking ${id} has no booking line items`);
    }
    booking.status = 'booked';
    booking.updated_at = this.ctx.now().toISOString();
    booking.shipment_id = this.shipments.create(booking, poMetadata).id;
    this.ctx.recordChanged('booking', booking);
    return booking;
  }

  find(id: number): BookingRecord {
    const booking = this.ctx.state.bookings.find((b) => b.id === id);
    if (!booking) throw notFound('booking', id);
    return booking;
  }

  list(query: unknown, paging: PageRequest, requestUrl: URL): Paginated<unknown> {
    const f = parseFilters(BookingFilters, query);
    const matches = this.ctx.state.bookings.filter(
      (b) =>
        (f['f.status'] === undefined || b.status === f['f.status']) &&
        (f['f.shipment.id'] === undefined || b.shipment_id === f['f.shipment.id']) &&
        (f['f.name'] === undefined || b.input.name === f['f.name']),
    );
    return paginate(matches, paging, requestUrl, (b) => this.render(b));
  }

  listLineItems(query: unknown, paging: PageRequest, requestUrl: URL): Paginated<unknown> {
    const f = parseFilters(BookingLineItemFilters, query);
    const matches = this.ctx.state.bookingLineItems.filter(
      (b) =>
        (f['f.booking.id'] === undefined || b.booking_id === f['f.booking.id']) &&
        (f['f.purchase_order_line_item.id'] === undefined ||
          b.purchase_order_line_item_id === f['f.purchase_order_line_item.id']) &&
        (f['f.purchase_order.id'] === undefined || b.purchase_order_id === f['f.purchase_order.id']),
    );
    return paginate(matches, paging, requestUrl, (b) => this.renderLineItem(b));
  }

  render(booking: BookingRecord) {
    const { network, links } = this.ctx;
    const { input } = booking;
    return {
      _object: '/booking',
      id: booking.id,
      name: input.name,
      status: booking.status,
      shipment: booking.shipment_id
        ? objectRef('/shipment', booking.shipment_id, links.url(`/shipments/${booking.shipment_id}`))
        : null,
      shipper_entity: network.companyEntity(input.shipper_entity_ref),
      consignee_entity: network.companyEntity(input.consignee_entity_ref),
      notify_party: input.notify_party,
      transportation_mode: booking.transportation_mode,
      ocean_booking: input.ocean_booking && { _object: '/ocean/booking', ...input.ocean_booking },
      air_booking: input.air_booking && { _object: '/air/booking', ...input.air_booking },
      trucking_booking: input.trucking_booking && { _object: '/trucking/booking', ...input.trucking_booking },
      origin_address: network.locationAddress(input.origin_address_ref),
      destination_address: input.destination_address_ref
        ? network.locationAddress(input.destination_address_ref)
        : null,
      cargo_ready_date: input.cargo_ready_date,
      delivery_date: input.delivery_date,
      wants_export_customs_service: input.wants_export_customs_service,
      wants_import_customs_service: input.wants_import_customs_service,
      special_instructions: input.special_instructions,
      booking_line_items: collectionRef(
        '/purchase_orders/booking_line_item',
        links.url(`/booking_line_items?f.booking.id=${booking.id}`),
      ),
      created_at: booking.created_at,
      updated_at: booking.updated_at,
      metadata: input.metadata ?? {},
    };
  }

  renderLineItem(item: BookingLineItemRecord) {
    const { links } = this.ctx;
    return {
      _object: '/purchase_orders/booking_line_item',
      id: item.id,
      booking: objectRef('/booking', item.booking_id, links.url(`/bookings/${item.booking_id}`)),
      purchase_order_line_item: objectRef(
        '/purchase_orders/line_item',
        item.purchase_order_line_item_id,
        links.url(`/purchase_order_line_items/${item.purchase_order_line_item_id}`),
      ),
      purchase_order: objectRef(
        '/purchase_order',
        item.purchase_order_id,
        links.url(`/purchase_orders/${item.purchase_order_id}`),
      ),
      units: item.units,
      created_at: item.created_at,
    };
  }

  /** The UN/LOCODE of one end of the booking; every code given must be a known port. */
  private portOf(input: BookingInput, end: 'origin' | 'destination'): string | undefined {
    const ocean = input.ocean_booking;
    const air = input.air_booking;
    const fields: PortField[] = [
      [
        `${end}_port_loc_code`,
        ocean?.[`${end}_port_loc_code`] ?? air?.[`${end}_port_loc_code`] ?? null,
        'unlocode',
      ],
      [
        `${end}_port_us_cbp_port_code`,
        ocean?.[`${end}_port_us_cbp_port_code`] ?? air?.[`${end}_port_us_cbp_port_code`] ?? null,
        'us_cbp',
      ],
      [`${end}_port_iata_code`, air?.[`${end}_port_iata_code`] ?? null, 'iata'],
      [`${end}_port_icao_code`, air?.[`${end}_port_icao_code`] ?? null, 'icao'],
    ];
    let unlocode: string | undefined;
    for (const [, code, type] of fields) {
      if (code === null) continue;
      const port = this.ctx.network.port(code, type);
      if (!port) throw unprocessable(messages.invalidPortCode(code, type), 'invalid_port_code');
      unlocode ??= port.unlocode;
    }
    return unlocode;
  }
}

function transportationMode(input: BookingInput): TransportationMode {
  const modes: TransportationMode[] = [];
  if (input.ocean_booking) modes.push('ocean');
  if (input.air_booking) modes.push('air');
  if (input.trucking_booking) modes.push('truck');
  if (modes.length !== 1) {
    throw badRequest(
      'missing_required_field',
      'Exactly one of ocean_booking, air_booking or trucking_booking is required',
    );
  }
  return modes[0]!;
}
