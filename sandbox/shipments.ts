/**
 * Shipments (API v2): born when a booking is confirmed, then advanced by the counterpart
 * through the milestones departed, arrived, customs released and delivered in full. Each step
 * sets the actual dates, files a document and emits Flexport's milestone events.
 */
import { z } from 'zod';
import type { Context } from './context';
import { SHIPMENT_MILESTONES, type ShipmentMilestone, type TransportationMode } from './enums';
import { collectionRef, notFound, objectRef, unprocessable, type Paginated } from './envelopes';
import { paginate, type PageRequest } from './paging';
import { intParam, parseFilters } from './query';
import { nextId, type BookingRecord, type DocumentRecord, type ShipmentRecord } from './state';

const DAY_MS = 86_400_000;
const TRANSIT_DAYS: Record<TransportationMode, number> = { ocean: 24, air: 3, truck: 5, rail: 14 };

/** Events emitted on reaching each milestone, in order. */
const MILESTONE_EVENTS: Record<ShipmentMilestone, string[]> = {
  departed: ['/shipment_leg#departed'],
  arrived: ['/shipment_leg#arrived'],
  customs_released: ['/shipment#customs_entry_release_status_released'],
  delivered_in_full: ['/shipment_leg#delivered', '/shipment#delivered_in_full'],
};

const MILESTONE_DOCUMENTS: Record<ShipmentMilestone, (mode: TransportationMode) => string> = {
  departed: (mode) =>
    mode === 'air' ? 'airway_bill' : mode === 'ocean' ? 'bill_of_lading' : 'proof_of_pickup',
  arrived: () => 'arrival_notice',
  customs_released: () => 'customs_entry',
  delivered_in_full: () => 'proof_of_delivery',
};

const DocumentFilters = z.object({ 'f.shipment.id': intParam.optional() });
const LegFilters = DocumentFilters;

export class Shipments {
  constructor(private readonly ctx: Context) {}

  create(booking: BookingRecord, poMetadata = true): ShipmentRecord {
    const { state, now } = this.ctx;
    const at = now();
    const departure = Date.parse(`${booking.input.cargo_ready_date}T00:00:00Z`) + 2 * DAY_MS;
    const arrival = departure + TRANSIT_DAYS[booking.transportation_mode] * DAY_MS;
    const shipment: ShipmentRecord = {
      id: nextId(state, 'shipment'),
      booking_id: booking.id,
      leg_id: nextId(state, 'shipment_leg'),
      created_at: at.toISOString(),
      updated_at: at.toISOString(),
      milestones: {},
      ...(poMetadata ? {} : { untagged: true }),
      estimated: {
        departure: new Date(departure).toISOString(),
        arrival: new Date(arrival).toISOString(),
        delivered_in_full: new Date(arrival + 4 * DAY_MS).toISOString(),
      },
    };
    state.shipments.push(shipment);
    this.ctx.recordChanged('shipment', shipment);
    this.fileDocument(shipment, 'booking_confirmation');
    this.emit('/shipment#created', shipment);
    this.emit('/shipment#booking_confirmed', shipment);
    return shipment;
  }

  /**
   * One milestone forward, or every milestone up to and including `to`; `at` is when they
   * happened when the counterpart reports them late (default now).
   */
  advance(id: number, to?: ShipmentMilestone, at?: string): ShipmentRecord {
    const shipment = this.find(id);
    const reached = SHIPMENT_MILESTONES.filter((m) => shipment.milestones[m]).length;
    const target = to === undefined ? reached : SHIPMENT_MILESTONES.indexOf(to);
    if (reached === SHIPMENT_MILESTONES.length) {
      throw unprocessable(`Shipment ${id} has already been delivered in full`);
    }
    if (target < reached) throw unprocessable(`Shipment ${id} has already reached ${to}`);
    for (const milestone of SHIPMENT_MILESTONES.slice(reached, target + 1)) {
      shipment.milestones[milestone] = at ?? this.ctx.now().toISOString();
      shipment.updated_at = this.ctx.now().toISOString();
      this.ctx.recordChanged('shipment', shipment);
      this.fileDocument(shipment, MILESTONE_DOCUMENTS[milestone](this.booking(shipment).transportation_mode));
      for (const type of MILESTONE_EVENTS[milestone]) this.emit(type, shipment, at);
    }
    return shipment;
  }

  find(id: number): ShipmentRecord {
    const shipment = this.ctx.state.shipments.find((s) => s.id === id);
    if (!shipment) throw notFound('shipment', id);
    return shipment;
  }

  list(paging: PageRequest, requestUrl: URL): Paginated<unknown> {
    return paginate(this.ctx.state.shipments, paging, requestUrl, (s) => this.render(s));
  }

  listLegs(query: unknown, paging: PageRequest, requestUrl: URL): Paginated<unknown> {
    const f = parseFilters(LegFilters, query);
    const matches = this.ctx.state.shipments
      .filter((s) => f['f.shipment.id'] === undefined || s.id === f['f.shipment.id'])
      .map((s) => ({ ...s, id: s.leg_id, shipment: s }));
    return paginate(matches, paging, requestUrl, (leg) => this.renderLeg(leg.shipment));
  }

  listDocuments(query: unknown, paging: PageRequest, requestUrl: URL): Paginated<unknown> {
    const f = parseFilters(DocumentFilters, query);
    const matches = this.ctx.state.documents.filter(
      (d) => f['f.shipment.id'] === undefined || d.shipment_id === f['f.shipment.id'],
    );
    return paginate(matches, paging, requestUrl, (d) => ({
      _object: '/document',
      id: d.id,
      document_type: d.document_type,
      file_name: d.file_name,
      memo: null,
      shipment: objectRef('/shipment', d.shipment_id, this.ctx.links.url(`/shipments/${d.shipment_id}`)),
      created_at: d.created_at,
    }));
  }

  render(shipment: ShipmentRecord) {
    const { network, links, state } = this.ctx;
    const booking = this.booking(shipment);
    const { input } = booking;
    const m = shipment.milestones;
    const poIds = [
      ...new Set(
        state.bookingLineItems.filter((b) => b.booking_id === booking.id).map((b) => b.purchase_order_id),
      ),
    ];
    const pos = poIds.map((id) => state.purchaseOrders.find((p) => p.id === id)!);
    return {
      _object: '/shipment',
      id: shipment.id,
      name: input.name,
      status: status(shipment),
      transportation_mode: booking.transportation_mode,
      freight_type:
        input.wants_import_customs_service || input.destination_address_ref ? 'door_to_door' : 'port_to_port',
      incoterm: input.ocean_booking?.incoterm ?? input.air_booking?.incoterm ?? null,
      priority: 'standard',
      cargo_ready_date: input.cargo_ready_date,
      created_date: shipment.created_at,
      updated_at: shipment.updated_at,
      estimated_departure_date: shipment.estimated.departure,
      actual_departure_date: m.departed ?? null,
      estimated_arrival_date: shipment.estimated.arrival,
      actual_arrival_date: m.arrived ?? null,
      customs_release_date: m.customs_released ?? null,
      estimated_delivered_in_full_date: shipment.estimated.delivered_in_full,
      actual_delivered_in_full_date: m.delivered_in_full ?? null,
      shippers: [network.companyEntity(input.shipper_entity_ref)],
      consignees: [network.companyEntity(input.consignee_entity_ref)],
      buyers: [...new Set(pos.map((p) => p.buyer_ref))].map((ref) => network.companyEntity(ref)),
      sellers: [...new Set(pos.map((p) => p.seller_ref))].map((ref) => network.companyEntity(ref)),
      booking: objectRef('/booking', booking.id, links.url(`/bookings/${booking.id}`)),
      legs: collectionRef('/shipment_leg', links.url(`/shipment_legs?f.shipment.id=${shipment.id}`)),
      documents: collectionRef('/document', links.url(`/documents?f.shipment.id=${shipment.id}`)),
      metadata: shipment.untagged
        ? { ...input.metadata }
        : { ...input.metadata, purchase_order: pos.map((p) => p.name) },
      archived_at: null,
    };
  }

  /** The one main leg, port to port (or address to address for trucking). */
  renderLeg(shipment: ShipmentRecord) {
    const { network, links } = this.ctx;
    const booking = this.booking(shipment);
    const end = (unlocode: string | null, addressRef: string | null) => {
      const port = unlocode ? network.port(unlocode, 'unlocode') : undefined;
      if (port) return network.place(port);
      const location = addressRef ? network.location(addressRef) : undefined;
      return location
        ? {
            _object: '/place',
            name: location.name ?? location.city,
            address: network.locationAddress(location.ref),
            details: [],
          }
        : null;
    };
    return {
      _object: '/shipment_leg',
      id: shipment.leg_id,
      shipment: objectRef('/shipment', shipment.id, links.url(`/shipments/${shipment.id}`)),
      transportation_mode: booking.transportation_mode,
      origin: end(booking.origin_port, booking.input.origin_address_ref),
      destination: end(booking.destination_port, booking.input.destination_address_ref),
      estimated_departure_date: shipment.estimated.departure,
      actual_departure_date: shipment.milestones.departed ?? null,
      estimated_arrival_date: shipment.estimated.arrival,
      actual_arrival_date: shipment.milestones.arrived ?? null,
      actual_delivery_date: shipment.milestones.delivered_in_full ?? null,
    };
  }

  private booking(shipment: ShipmentRecord): BookingRecord {
    return this.ctx.state.bookings.find((b) => b.id === shipment.booking_id)!;
  }

  private fileDocument(shipment: ShipmentRecord, documentType: string): void {
    const document: DocumentRecord = {
      id: nextId(this.ctx.state, 'document'),
      shipment_id: shipment.id,
      document_type: documentType,
      file_name: `${documentType}-${shipment.id}.pdf`,
      created_at: this.ctx.now().toISOString(),
    };
    this.ctx.state.documents.push(document);
    this.ctx.recordChanged('document', document);
  }

  /** Shipment events carry the shipment; leg events carry the leg as resource, plus its shipment. */
  private emit(type: string, shipment: ShipmentRecord, occurredAt?: string): void {
    const rendered = this.render(shipment);
    const resource = type.startsWith('/shipment_leg#') ? this.renderLeg(shipment) : rendered;
    this.ctx.events.emit(type, { _object: '/event_data', resource, shipment: rendered }, occurredAt);
  }
}

function status(shipment: ShipmentRecord): string {
  const m = shipment.milestones;
  if (m.delivered_in_full) return 'final_destination';
  if (m.customs_released) return 'in_transit_to_final_destination';
  if (m.arrived) return 'arrival_port';
  if (m.departed) return 'in_transit_to_arrival_port';
  return 'seller_location';
}
