/**
 * Flexport's API over HTTP (`got` + `zod`). The HTTP client never retries: Temporal does, so every
 * failure is mapped by `toFailure` (../http.ts) to an ApplicationFailure that tells it whether (and
 * when) to try again. The API token goes into the Authorization header and nowhere else: not into
 * errors, not into logs.
 */
import type { Got } from 'got';
import { z } from 'zod';
import { ProviderEvent } from '../../workflows/flexport/provider-event';
import type { PurchaseOrder } from '../../workflows/flexport/purchase-order';
import { parseResponse, providerHttp, toFailure } from '../http';

export interface FlexportClientOptions {
  baseUrl: string;
  apiToken: string;
  /** Per-request timeout; a timeout is retried like a 504. */
  timeoutMs?: number;
}

const Ref = z.looseObject({ id: z.number().int() });

export const FlexportPurchaseOrder = z.looseObject({
  _object: z.literal('/purchase_order'),
  id: z.number().int(),
  name: z.string(),
  status: z.string(),
  cargo_ready_date: z.string().nullish(),
  must_arrive_date: z.string().nullish(),
  /** Not in Flexport's reference (the sandbox sends it); read when present. */
  acknowledged_at: z.string().nullish(),
  purchase_order_version: z.looseObject({ id: z.number().int(), version_number: z.number().int() }).nullish(),
});
export type FlexportPurchaseOrder = z.output<typeof FlexportPurchaseOrder>;

export const FlexportLineItem = z.looseObject({
  id: z.number().int(),
  item_key: z.string(),
  units: z.number(),
});

export const FlexportBooking = z.looseObject({
  _object: z.literal('/booking'),
  id: z.number().int(),
  name: z.string(),
  status: z.string(),
  shipment: Ref.nullish(),
  created_at: z.string().nullish(),
  /** User-defined `{ key: [values] }`; poflow marks its bookings with the PO they are for. */
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type FlexportBooking = z.output<typeof FlexportBooking>;

export const FlexportBookingLineItem = z.looseObject({
  id: z.number().int(),
  booking: Ref,
  purchase_order_line_item: Ref,
  /** The PO the line item belongs to (the sandbox sends it; Flexport's v2 booking line items carry it). */
  purchase_order: Ref.nullish(),
  units: z.number(),
});

export const FlexportShipment = z.looseObject({
  _object: z.literal('/shipment'),
  id: z.number().int(),
  status: z.string().nullish(),
  actual_departure_date: z.string().nullish(),
  actual_arrival_date: z.string().nullish(),
  customs_release_date: z.string().nullish(),
  actual_delivered_in_full_date: z.string().nullish(),
  booking: Ref.nullish(),
});
export type FlexportShipment = z.output<typeof FlexportShipment>;

/** The body of `POST /bookings` (API v2). */
export interface CreateBookingBody {
  name: string;
  shipper_entity_ref: string;
  consignee_entity_ref: string;
  origin_address_ref: string;
  destination_address_ref: string | null;
  cargo_ready_date: string;
  ocean_booking?: Record<string, unknown>;
  air_booking?: Record<string, unknown>;
  trucking_booking?: Record<string, unknown>;
  metadata?: Record<string, string[]>;
}

/** Bookings of one name, newest first; `more` when the lookup stopped with pages left unread. */
export interface NamedBookings {
  bookings: FlexportBooking[];
  more: boolean;
}

export interface EventPage {
  events: ProviderEvent[];
  /** The absolute link of the next page: pass it back as `cursor`; undefined on the last page. */
  next?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

const Response = z.looseObject({ _object: z.literal('/api/response'), data: z.unknown() });
const Page = z.looseObject({
  _object: z.literal('/api/collections/paginated'),
  next: z.string().nullish(),
  total_count: z.number().int().nullish(),
  data: z.array(z.unknown()),
});

export class FlexportClient {
  private readonly http: Got;

  constructor(options: FlexportClientOptions) {
    this.http = providerHttp('flexport', {
      baseUrl: options.baseUrl,
      headers: { authorization: `Bearer ${options.apiToken}`, 'flexport-version': '3' },
      timeoutMs: options.timeoutMs,
    });
  }

  /**
   * `POST /purchase_orders`: creates the PO, or fully replaces the one with the same name, buyer and
   * seller.
   */
  async createOrUpdatePurchaseOrder(body: PurchaseOrder): Promise<FlexportPurchaseOrder> {
    return this.send('POST', 'purchase_orders', FlexportPurchaseOrder, { json: body });
  }

  async getPurchaseOrder(id: number, options: { versionId?: number } = {}): Promise<FlexportPurchaseOrder> {
    return this.send('GET', `purchase_orders/${id}`, FlexportPurchaseOrder, {
      searchParams: { 'f.purchase_order_version.id': options.versionId },
    });
  }

  /**
   * POs with their line items embedded, oldest first, one page at a time: adoption walks the
   * order book with it (`f.updated_at.gt` takes the POs changed after a time).
   */
  async *listPurchaseOrders(
    filters: { name?: string; status?: string; updatedAfter?: string } = {},
    onTotal?: (total: number) => void,
  ): AsyncGenerator<Record<string, unknown>> {
    yield* this.pages(
      'purchase_orders',
      FlexportPurchaseOrder,
      {
        'f.name': filters.name,
        'f.status': filters.status,
        'f.updated_at.gt': filters.updatedAfter,
        expand: 'line_items',
        sort: 'id',
        direction: 'asc',
        per: 100,
      },
      onTotal,
    );
  }

  /** The booking line items of every booking that carries units of this PO. */
  async listPurchaseOrderBookingLineItems(
    purchaseOrderId: number,
  ): Promise<z.output<typeof FlexportBookingLineItem>[]> {
    return this.all('booking_line_items', FlexportBookingLineItem, {
      'f.purchase_order.id': purchaseOrderId,
    });
  }

  /** Every line item of the PO's latest version: their ids are what bookings point at. */
  async listPurchaseOrderLineItems(purchaseOrderId: number): Promise<z.output<typeof FlexportLineItem>[]> {
    return this.all('purchase_order_line_items', FlexportLineItem, {
      'f.purchase_order.id': purchaseOrderId,
    });
  }

  /** Bookings, newest first, one page at a time (the API filters by status, shipment and name). */
  async *listBookings(
    filters: { status?: string; shipmentId?: number; name?: string } = {},
  ): AsyncGenerator<FlexportBooking> {
    yield* this.pages('bookings', FlexportBooking, {
      'f.status': filters.status,
      'f.shipment.id': filters.shipmentId,
      'f.name': filters.name,
      direction: 'desc',
      per: 100,
    });
  }

  /**
   * The bookings named `name` (`f.name`), newest first, reading at most `maxPages` pages of 100
   * and calling `onPage` after each (an activity heartbeats there). The name is checked here too:
   * the reference does not say how `f.name` matches.
   */
  async bookingsNamed(
    name: string,
    options: { maxPages: number; onPage?: () => void },
  ): Promise<NamedBookings> {
    const bookings: FlexportBooking[] = [];
    let page = await this.send('GET', 'bookings', Page, {
      searchParams: { 'f.name': name, direction: 'desc', per: 100 },
    });
    for (let read = 1; ; read++) {
      for (const one of page.data) {
        const booking = parseResponse(FlexportBooking, one);
        if (booking.name === name) bookings.push(booking);
      }
      options.onPage?.();
      if (!page.next) return { bookings, more: false };
      if (read >= options.maxPages) return { bookings, more: true };
      page = await this.send('GET', page.next, Page, { prefixUrl: '' });
    }
  }

  async getBooking(id: number): Promise<FlexportBooking> {
    return this.send('GET', `bookings/${id}`, FlexportBooking);
  }

  async createBooking(body: CreateBookingBody): Promise<FlexportBooking> {
    return this.send('POST', 'bookings', FlexportBooking, { json: body });
  }

  async listBookingLineItems(bookingId: number): Promise<z.output<typeof FlexportBookingLineItem>[]> {
    return this.all('booking_line_items', FlexportBookingLineItem, { 'f.booking.id': bookingId });
  }

  async createBookingLineItem(body: {
    booking_id: number;
    purchase_order_line_item_id: number;
    units: number;
  }): Promise<z.output<typeof FlexportBookingLineItem>> {
    return this.send('POST', 'booking_line_items', FlexportBookingLineItem, { json: body });
  }

  async getShipment(id: number): Promise<FlexportShipment> {
    return this.send('GET', `shipments/${id}`, FlexportShipment);
  }

  /** One page of `GET /events`, oldest first; `cursor` is the `next` link of the page before. */
  async listEvents(
    options: {
      cursor?: string;
      /** Only events that occurred at or after this time (`f.occurred_at.gte`). */
      occurredAfter?: string;
      shipmentId?: number;
      resourceType?: string;
      per?: number;
    } = {},
  ): Promise<EventPage> {
    const page = options.cursor
      ? await this.send('GET', options.cursor, Page, { prefixUrl: '' })
      : await this.send('GET', 'events', Page, {
          searchParams: {
            'f.occurred_at.gte': options.occurredAfter,
            'f.data.shipment.id': options.shipmentId,
            'f.data.resource._object': options.resourceType,
            direction: 'asc',
            per: options.per ?? 100,
          },
        });
    return { events: page.data.map((e) => parseResponse(ProviderEvent, e)), next: page.next ?? undefined };
  }

  private async all<T extends z.ZodType>(path: string, item: T, query: Query): Promise<z.output<T>[]> {
    const items: z.output<T>[] = [];
    for await (const one of this.pages(path, item, { per: 100, ...query })) items.push(one);
    return items;
  }

  private async *pages<T extends z.ZodType>(
    path: string,
    item: T,
    query: Query,
    onTotal?: (total: number) => void,
  ): AsyncGenerator<z.output<T>> {
    let page = await this.send('GET', path, Page, { searchParams: query });
    if (typeof page.total_count === 'number') onTotal?.(page.total_count);
    for (;;) {
      for (const one of page.data) yield parseResponse(item, one);
      if (!page.next) return;
      // `next` is absolute and already carries the filters.
      page = await this.send('GET', page.next, Page, { prefixUrl: '' });
    }
  }

  /** One HTTP exchange: unwraps `/api/response`, validates `data`, maps every failure. */
  private async send<T extends z.ZodType>(
    method: 'GET' | 'POST',
    url: string,
    schema: T,
    options: RequestOptions = {},
  ): Promise<z.output<T>> {
    let body: unknown;
    try {
      body = await this.http(url, {
        method,
        json: options.json as Record<string, unknown> | undefined,
        // got replaces an absolute link's own query with any searchParams given, even empty ones:
        // a `next` link must go out exactly as the provider wrote it.
        searchParams: options.searchParams
          ? (compact(options.searchParams) as Record<string, string | number | boolean>)
          : undefined,
        prefixUrl: options.prefixUrl,
      }).json();
    } catch (err) {
      throw toFailure(err, method, url);
    }
    return parseResponse(schema, parseResponse(Response, body).data);
  }
}

interface RequestOptions {
  json?: object;
  searchParams?: Query;
  prefixUrl?: string;
}

function compact(query: Query): Query {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
}
