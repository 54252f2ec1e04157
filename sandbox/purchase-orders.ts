/**
 * Purchase orders (API v3): create-or-update by name + buyer + seller as a full replacement
 * that bumps the version, update by id, versions, line items, and the documented 422 rules.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Context } from './context';
import { PO_STATUSES } from './enums';
import { collectionRef, notFound, objectRef, unprocessable, type Paginated } from './envelopes';
import { messages } from './messages';
import type { PageRequest } from './paging';
import { paginate } from './paging';
import { boolParam, intParam, parseFilters, timeParam } from './query';
import { parseBody } from './schemas/common';
import {
  PurchaseOrderSchema,
  type LineItemInput,
  type PortInput,
  type PurchaseOrderInput,
} from './schemas/purchase-order';
import { nextId, type PurchaseOrderRecord, type PurchaseOrderVersion } from './state';

const PurchaseOrderFilters = z.object({
  'f.archived_at.exists': boolParam.optional(),
  'f.status': z.enum(PO_STATUSES).optional(),
  'f.buyer_ref': z.string().optional(),
  'f.seller_ref': z.string().optional(),
  'f.buyer_entity_ref': z.string().optional(),
  'f.seller_entity_ref': z.string().optional(),
  'f.roles': z.string().optional(),
  'f.shipment.id': intParam.optional(),
  'f.name': z.string().optional(),
  'f.updated_at.lt': timeParam.optional(),
  'f.updated_at.gt': timeParam.optional(),
  'f.created_at.lt': timeParam.optional(),
  'f.created_at.gt': timeParam.optional(),
});

const LineItemFilters = z.object({
  'f.purchase_order.id': intParam.optional(),
  'f.line_item_number': intParam.optional(),
  'f.item_key': z.string().optional(),
  'f.purchase_order_version.id': intParam.optional(),
});

interface LineItemView {
  id: number;
  po: PurchaseOrderRecord;
  version: PurchaseOrderVersion;
  line: LineItemInput;
  index: number;
}

export class PurchaseOrders {
  constructor(private readonly ctx: Context) {}

  /** `POST /purchase_orders`: creates, or replaces the PO with the same name, buyer and seller. */
  upsert(body: unknown): PurchaseOrderRecord {
    const input = parseBody(PurchaseOrderSchema, body);
    const { buyer, seller } = this.resolveParties(input);
    const sameName = this.ctx.state.purchaseOrders.filter((po) => po.name === input.name);
    const existing = sameName.find((po) => po.buyer_ref === buyer && po.seller_ref === seller);
    if (existing) return this.replace(existing, input);
    // The former seller now named in another role is a role change, not a new PO.
    if (sameName.some((po) => po.seller_ref === buyer)) {
      throw unprocessable(messages.sellerRoleChange(input.name));
    }
    return this.create(input, buyer, seller);
  }

  /** `POST /purchase_orders/{id}`: a full replacement; name, buyer and seller never change. */
  updateById(id: number, body: unknown): PurchaseOrderRecord {
    const po = this.find(id);
    const input = parseBody(PurchaseOrderSchema, body);
    const { buyer, seller } = this.resolveParties(input);
    if (input.name !== po.name) throw unprocessable(messages.nameChange(po.name, input.name));
    if (seller !== po.seller_ref) throw unprocessable(messages.sellerRoleChange(po.name));
    if (buyer !== po.buyer_ref) throw unprocessable(messages.buyerChange(po.name));
    return this.replace(po, input);
  }

  /** The counterpart (the seller) acknowledges the PO: no new version, one event. */
  acknowledge(id: number): PurchaseOrderRecord {
    const po = this.find(id);
    po.acknowledged_at = this.ctx.now().toISOString();
    this.emit('/purchase_order#acknowledged', po);
    return po;
  }

  find(id: number): PurchaseOrderRecord {
    const po = this.ctx.state.purchaseOrders.find((p) => p.id === id);
    if (!po) throw notFound('purchase order', id);
    return po;
  }

  version(po: PurchaseOrderRecord, versionId?: number): PurchaseOrderVersion {
    if (versionId === undefined) return latest(po);
    const version = po.versions.find((v) => v.id === versionId);
    if (!version) throw notFound('purchase order version', versionId);
    return version;
  }

  list(query: unknown, paging: PageRequest, requestUrl: URL, expand: boolean): Paginated<unknown> {
    const f = parseFilters(PurchaseOrderFilters, query);
    const { network } = this.ctx;
    const roles = f['f.roles']?.split(',').map((r) => r.trim());
    const onShipment =
      f['f.shipment.id'] === undefined ? undefined : this.purchaseOrderIdsOnShipment(f['f.shipment.id']);
    const matches = this.ctx.state.purchaseOrders.filter((po) => {
      const v = latest(po);
      const created = Date.parse(po.created_at);
      const updated = Date.parse(v.created_at);
      return (
        (f['f.archived_at.exists'] === undefined || f['f.archived_at.exists'] === (v.archived_at !== null)) &&
        (f['f.status'] === undefined || v.input.status === f['f.status']) &&
        (f['f.buyer_ref'] === undefined || network.companyRef(po.buyer_ref) === f['f.buyer_ref']) &&
        (f['f.seller_ref'] === undefined || network.companyRef(po.seller_ref) === f['f.seller_ref']) &&
        (f['f.buyer_entity_ref'] === undefined || po.buyer_ref === f['f.buyer_entity_ref']) &&
        (f['f.seller_entity_ref'] === undefined || po.seller_ref === f['f.seller_entity_ref']) &&
        (roles === undefined ||
          this.partyRefs(po, v).some((p) => roles.includes(p.role) && p.ref === network.primaryEntityRef)) &&
        (onShipment === undefined || onShipment.has(po.id)) &&
        (f['f.name'] === undefined || po.name === f['f.name']) &&
        (f['f.updated_at.lt'] === undefined || updated < f['f.updated_at.lt']) &&
        (f['f.updated_at.gt'] === undefined || updated > f['f.updated_at.gt']) &&
        (f['f.created_at.lt'] === undefined || created < f['f.created_at.lt']) &&
        (f['f.created_at.gt'] === undefined || created > f['f.created_at.gt'])
      );
    });
    return paginate(matches, paging, requestUrl, (po) => this.render(po, latest(po), expand));
  }

  lineItem(id: number) {
    const view = this.lineItemViews().find((l) => l.id === id);
    if (!view) throw notFound('purchase order line item', id);
    return this.renderLineItem(view);
  }

  listLineItems(query: unknown, paging: PageRequest, requestUrl: URL): Paginated<unknown> {
    const f = parseFilters(LineItemFilters, query);
    const versionId = f['f.purchase_order_version.id'];
    const views = this.lineItemViews(versionId).filter(
      (l) =>
        (f['f.purchase_order.id'] === undefined || l.po.id === f['f.purchase_order.id']) &&
        (f['f.line_item_number'] === undefined || lineNumber(l) === f['f.line_item_number']) &&
        (f['f.item_key'] === undefined || l.line.item_key === f['f.item_key']),
    );
    return paginate(views, paging, requestUrl, (l) => this.renderLineItem(l));
  }

  /** The line item with this id on the PO's latest version (bookings are made against these). */
  findLineItem(id: number): LineItemView {
    const view = this.lineItemViews().find((l) => l.id === id);
    if (!view) throw notFound('purchase order line item', id);
    return view;
  }

  render(po: PurchaseOrderRecord, version: PurchaseOrderVersion, expandLineItems: boolean) {
    const { network, links } = this.ctx;
    const input = version.input;
    const lineItemsLink = links.url(`/purchase_order_line_items?f.purchase_order.id=${po.id}`);
    const views = this.viewsOf(po, version);
    return {
      _object: '/purchase_order',
      id: po.id,
      name: po.name,
      memo: input.memo,
      status: input.status,
      order_class: input.order_class ?? 'purchase_order',
      order_type: input.order_type,
      issue_date: input.issue_date,
      freight_payment_terms: input.freight_payment_terms,
      priority: input.priority,
      incoterm: input.incoterm,
      transportation_mode: input.transportation_mode,
      cargo_ready_date: input.cargo_ready_date,
      must_arrive_date: input.must_arrive_date,
      currency_code: input.currency_code,
      origin_port: this.place(input.origin_port),
      destination_port: this.place(input.destination_port),
      origin_address: input.origin_location_ref ? network.locationAddress(input.origin_location_ref) : null,
      destination_addresses: input.destination_location_refs.map((ref) => network.locationAddress(ref)),
      parties: this.partyRefs(po, version).map((party) => ({
        _object: 'purchase_orders/party',
        role: party.role,
        company_entity: network.companyEntity(party.ref),
        location_address: party.location_ref ? network.locationAddress(party.location_ref) : null,
        contacts: party.contacts.map((c) => ({ _object: 'purchase_orders/contact', ...c })),
      })),
      line_items: expandLineItems
        ? {
            _object: '/api/collections/paginated',
            prev: null,
            next: null,
            total_count: views.length,
            data: views.map((l) => this.renderLineItem(l)),
          }
        : collectionRef('/purchase_orders/line_item', lineItemsLink),
      purchase_order_version: {
        _object: '/purchase_order_version',
        id: version.id,
        version_number: version.number,
        created_at: version.created_at,
      },
      archived_at: version.archived_at,
      acknowledged_at: po.acknowledged_at,
      created_at: po.created_at,
      updated_at: version.created_at,
      metadata: input.metadata,
    };
  }

  /** Units booked per PO line item id, over bookings that are not archived. */
  bookedUnits(lineItemId: number): number {
    const { bookings, bookingLineItems } = this.ctx.state;
    return bookingLineItems
      .filter((b) => b.purchase_order_line_item_id === lineItemId)
      .filter((b) => bookings.find((k) => k.id === b.booking_id)?.status !== 'archived')
      .reduce((sum, b) => sum + b.units, 0);
  }

  private create(input: PurchaseOrderInput, buyer: string, seller: string): PurchaseOrderRecord {
    const { state, now } = this.ctx;
    const createdAt = now().toISOString();
    this.validate(input, createdAt);
    const po: PurchaseOrderRecord = {
      id: nextId(state, 'purchase_order'),
      name: input.name,
      buyer_ref: buyer,
      seller_ref: seller,
      created_at: createdAt,
      acknowledged_at: null,
      line_item_ids: {},
      versions: [],
    };
    this.addVersion(po, input, createdAt);
    state.purchaseOrders.push(po);
    this.emit('/purchase_order#created', po);
    return po;
  }

  private replace(po: PurchaseOrderRecord, input: PurchaseOrderInput): PurchaseOrderRecord {
    this.validate(input, po.created_at);
    const current = latest(po);
    for (const [itemKey, lineItemId] of Object.entries(po.line_item_ids)) {
      const booked = this.bookedUnits(lineItemId);
      if (booked === 0) continue;
      const line = input.line_items.find((l) => l.item_key === itemKey);
      if (!line) throw unprocessable(messages.removeBookedLineItems);
      if (line.units < booked) throw unprocessable(messages.fewerUnitsThanBooked);
    }
    const cancelling = input.status === 'cancelled' && current.input.status !== 'cancelled';
    if (cancelling && Object.values(po.line_item_ids).some((id) => this.bookedUnits(id) > 0)) {
      throw unprocessable(messages.cancelWithActiveBooking(po.name));
    }
    // Re-sending the current PO changes nothing, so it makes no version and no event.
    if (isDeepStrictEqual(input, current.input)) return po;
    this.addVersion(po, input, this.ctx.now().toISOString());
    const statusChanged = input.status !== current.input.status;
    const type =
      statusChanged && input.status === 'cancelled'
        ? '/purchase_order#cancelled'
        : statusChanged && input.status === 'closed'
          ? '/purchase_order#closed'
          : '/purchase_order#updated';
    this.emit(type, po);
    return po;
  }

  private addVersion(po: PurchaseOrderRecord, input: PurchaseOrderInput, at: string): void {
    const previous = po.versions.at(-1);
    for (const line of input.line_items) {
      po.line_item_ids[line.item_key] ??= nextId(this.ctx.state, 'line_item');
      const { sku, name } = line.product;
      if (sku && name) this.ctx.network.rememberProduct({ sku, name });
    }
    po.versions.push({
      id: nextId(this.ctx.state, 'purchase_order_version'),
      number: po.versions.length + 1,
      created_at: at,
      archived_at: input.status === 'cancelled' ? (previous?.archived_at ?? at) : null,
      input,
    });
  }

  /** Every change to a PO is an event: this is also where it is marked for saving. */
  private emit(type: string, po: PurchaseOrderRecord): void {
    this.ctx.recordChanged('purchase_order', po);
    const version = latest(po);
    const context = type.split('#')[1]!;
    this.ctx.events.emit(type, {
      _object: '/order_management_event_data',
      context: {
        _object: `/order_management_event_data/${context}_context`,
        purchase_order_version_id: version.id,
      },
      purchase_order: this.render(po, version, false),
    });
  }

  /** Seller required; every party names a known legal entity; buyer defaults to the primary entity. */
  private resolveParties(input: PurchaseOrderInput): { buyer: string; seller: string } {
    for (const party of input.parties) {
      if (!this.ctx.network.entity(party.external_ref)) {
        throw unprocessable(messages.unknownCompany(party.external_ref));
      }
    }
    const seller = input.parties.find((p) => p.role === 'seller')?.external_ref;
    if (!seller) throw unprocessable(messages.sellerRequired);
    const buyer =
      input.parties.find((p) => p.role === 'buyer')?.external_ref ?? this.ctx.network.primaryEntityRef;
    return { buyer, seller };
  }

  private validate(input: PurchaseOrderInput, createdAt: string): void {
    const { network } = this.ctx;
    const keys = input.line_items.map((l) => l.item_key);
    if (new Set(keys).size !== keys.length) throw unprocessable(messages.duplicateItemKey(input.name));

    const locationRefs: Array<[string, string | null]> = [
      ['origin_location_ref', input.origin_location_ref],
      ...input.destination_location_refs.map((ref): [string, string] => ['destination_location_ref', ref]),
      ...input.parties.map((p): [string, string | null] => ['seller_location_ref', p.location_ref]),
      ...input.line_items.flatMap((l): Array<[string, string | null]> => [
        ['origin_location_ref', l.origin_location_ref],
        ...l.destination_locations.map((d): [string, string] => ['destination_location_ref', d.location_ref]),
      ]),
    ];
    for (const [field, ref] of locationRefs) {
      if (ref !== null && !network.location(ref)) throw unprocessable(messages.unknownLocation(field, ref));
    }

    for (const port of [
      input.origin_port,
      input.destination_port,
      ...input.line_items.flatMap((l) => [l.origin_port, l.destination_port]),
    ]) {
      if (port && !network.port(port.code, port.code_type)) {
        throw unprocessable(messages.invalidPortCode(port.code, port.code_type), 'invalid_port_code');
      }
    }

    for (const line of input.line_items) {
      const { sku, name } = line.product;
      if (!sku) throw unprocessable(messages.productSkuMissing(line.item_key));
      if (!name && !network.product(sku)) throw unprocessable(messages.productNameEmpty(sku));
      if (line.unit_cost && !line.unit_cost.currency_code && !input.currency_code) {
        throw unprocessable(messages.currencyMissing(line.item_key));
      }
    }

    const creationDate = createdAt.slice(0, 10);
    for (const dates of [input, ...input.line_items]) {
      const { cargo_ready_date: cargoReady, must_arrive_date: mustArrive } = dates;
      if (mustArrive && mustArrive < creationDate) {
        throw unprocessable(messages.mustArriveBeforeCreation(mustArrive, creationDate));
      }
      if (cargoReady && mustArrive && cargoReady >= mustArrive) {
        throw unprocessable(messages.cargoReadyAfterMustArrive(cargoReady, mustArrive));
      }
    }
  }

  /** Buyer, seller and owner always; owner defaults to the buyer. */
  private partyRefs(po: PurchaseOrderRecord, version: PurchaseOrderVersion) {
    const given = version.input.parties.map((p) => ({
      role: p.role,
      ref: p.external_ref,
      location_ref: p.location_ref,
      contacts: p.contacts,
    }));
    const implied = (role: 'buyer' | 'owner', ref: string) =>
      given.some((p) => p.role === role) ? [] : [{ role, ref, location_ref: null, contacts: [] }];
    return [...implied('buyer', po.buyer_ref), ...given, ...implied('owner', po.buyer_ref)];
  }

  private place(port: PortInput | null) {
    const known = port && this.ctx.network.port(port.code, port.code_type);
    return known ? this.ctx.network.place(known) : null;
  }

  private purchaseOrderIdsOnShipment(shipmentId: number): Set<number> {
    const { shipments, bookingLineItems } = this.ctx.state;
    const shipment = shipments.find((s) => s.id === shipmentId);
    if (!shipment) return new Set();
    return new Set(
      bookingLineItems.filter((b) => b.booking_id === shipment.booking_id).map((b) => b.purchase_order_id),
    );
  }

  private viewsOf(po: PurchaseOrderRecord, version: PurchaseOrderVersion): LineItemView[] {
    return version.input.line_items.map((line, index) => ({
      id: po.line_item_ids[line.item_key]!,
      po,
      version,
      line,
      index,
    }));
  }

  /** Line items of every PO's latest version, or of one given version. */
  private lineItemViews(versionId?: number): LineItemView[] {
    return this.ctx.state.purchaseOrders.flatMap((po) => {
      if (versionId === undefined) return this.viewsOf(po, latest(po));
      const version = po.versions.find((v) => v.id === versionId);
      return version ? this.viewsOf(po, version) : [];
    });
  }

  private renderLineItem(view: LineItemView) {
    const { network, links } = this.ctx;
    const { po, line } = view;
    const library = line.product.sku ? network.product(line.product.sku) : undefined;
    return {
      _object: '/purchase_orders/line_item',
      id: view.id,
      purchase_order: objectRef('/purchase_order', po.id, links.url(`/purchase_orders/${po.id}`)),
      purchase_order_version: { _object: '/purchase_order_version', id: view.version.id },
      line_item_number: lineNumber(view),
      item_key: line.item_key,
      line_type: line.line_type,
      parent_line_key: line.parent_line_key,
      units: line.units,
      unit_cost: line.unit_cost
        ? {
            _object: '/money',
            amount: line.unit_cost.amount,
            currency_code: line.unit_cost.currency_code ?? view.version.input.currency_code,
          }
        : null,
      product: {
        _object: 'purchase_orders/line_item_product',
        ...line.product,
        name: line.product.name ?? library?.name ?? null,
      },
      incoterm: line.incoterm,
      transportation_mode: line.transportation_mode,
      unit_of_measure: line.unit_of_measure,
      must_arrive_date: line.must_arrive_date,
      cargo_ready_date: line.cargo_ready_date,
      origin_port: this.place(line.origin_port),
      origin_address: line.origin_location_ref ? network.locationAddress(line.origin_location_ref) : null,
      destination_port: this.place(line.destination_port),
      destination_addresses: line.destination_locations.map((d) => ({
        _object: '/purchase_orders/line_items/destination_address',
        units: d.units,
        address: network.locationAddress(d.location_ref),
      })),
      hs_codes: line.hs_codes.map((h) => ({ _object: '/hs_code', ...h })),
      measurements: line.measurements.map((m) => ({ _object: '/line_item_measurement', ...m })),
      booking_line_items: collectionRef(
        '/purchase_orders/booking_line_item',
        links.url(`/booking_line_items?f.purchase_order_line_item.id=${view.id}`),
      ),
      metadata: line.metadata,
    };
  }
}

function latest(po: PurchaseOrderRecord): PurchaseOrderVersion {
  return po.versions.at(-1)!;
}

function lineNumber(view: LineItemView): number {
  return view.line.line_item_number ?? view.index + 1;
}
