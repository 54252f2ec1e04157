/** The domain core wired together, free of HTTP: what the routes call. */
import { Bookings } from './bookings';
import { Links, type Context, type RecordChanged } from './context';
import { EventLog } from './events';
import type { Network } from './network';
import { PurchaseOrders } from './purchase-orders';
import { Shipments } from './shipments';
import type { State } from './state';

export interface Domain {
  ctx: Context;
  purchaseOrders: PurchaseOrders;
  bookings: Bookings;
  shipments: Shipments;
  events: EventLog;
}

export interface DomainOptions {
  now?: () => Date;
  recordChanged?: RecordChanged;
}

export function createDomain(state: State, network: Network, options: DomainOptions = {}): Domain {
  const { now = () => new Date(), recordChanged = () => {} } = options;
  const events = new EventLog(state, now);
  events.onEvent((event) => recordChanged('event', event));
  const ctx: Context = { state, network, events, links: new Links(), now, recordChanged };
  const purchaseOrders = new PurchaseOrders(ctx);
  const shipments = new Shipments(ctx);
  const bookings = new Bookings(ctx, purchaseOrders, shipments);
  return { ctx, purchaseOrders, bookings, shipments, events };
}
