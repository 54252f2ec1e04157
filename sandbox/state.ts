/**
 * Everything the sandbox remembers, as plain JSON-able records: what persistence saves and
 * loads. The domain modules own the rules; this file only fixes the shapes.
 */
import type { BookingStatus, ShipmentMilestone, TransportationMode } from './enums';
import type { NetworkData } from './network';
import type { PurchaseOrderInput } from './schemas/purchase-order';
import type { BookingInput } from './schemas/booking';

export interface PurchaseOrderVersion {
  id: number;
  number: number;
  created_at: string;
  archived_at: string | null;
  input: PurchaseOrderInput;
}

export interface PurchaseOrderRecord {
  id: number;
  name: string;
  buyer_ref: string;
  seller_ref: string;
  created_at: string;
  acknowledged_at: string | null;
  /** Line item ids are stable per item_key across versions, so bookings keep pointing at them. */
  line_item_ids: Record<string, number>;
  versions: PurchaseOrderVersion[];
}

export interface BookingRecord {
  id: number;
  status: BookingStatus;
  created_at: string;
  updated_at: string;
  input: BookingInput;
  transportation_mode: TransportationMode;
  origin_port: string | null;
  destination_port: string | null;
  shipment_id: number | null;
}

export interface BookingLineItemRecord {
  id: number;
  booking_id: number;
  purchase_order_id: number;
  purchase_order_line_item_id: number;
  units: number;
  created_at: string;
}

export interface ShipmentRecord {
  id: number;
  booking_id: number;
  leg_id: number;
  created_at: string;
  updated_at: string;
  milestones: Partial<Record<ShipmentMilestone, string>>;
  estimated: { departure: string; arrival: string; delivered_in_full: string };
  /** The PO names are left out of its `metadata` (a shipment booked by hand or by another integration). */
  untagged?: boolean;
}

export interface DocumentRecord {
  id: number;
  shipment_id: number;
  document_type: string;
  file_name: string;
  created_at: string;
}

export interface EventRecord {
  _object: '/event';
  id: number;
  version: 2;
  type: string;
  created_at: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

/** The kinds of record kept one per row when persisted. */
export type RecordKind =
  'purchase_order' | 'booking' | 'booking_line_item' | 'shipment' | 'document' | 'event';

export type Sequence =
  | 'purchase_order'
  | 'purchase_order_version'
  | 'line_item'
  | 'booking'
  | 'booking_line_item'
  | 'shipment'
  | 'shipment_leg'
  | 'document'
  | 'event';

export interface State {
  sequences: Record<Sequence, number>;
  purchaseOrders: PurchaseOrderRecord[];
  bookings: BookingRecord[];
  bookingLineItems: BookingLineItemRecord[];
  shipments: ShipmentRecord[];
  documents: DocumentRecord[];
  events: EventRecord[];
  /** The network as extended at run time (admin endpoints, products learned from POs). */
  network: NetworkData | null;
}

/** Ids start high and apart per kind, like Flexport's, so an id of the wrong kind never resolves. */
export function emptyState(): State {
  return {
    sequences: {
      purchase_order: 171000,
      purchase_order_version: 500000,
      line_item: 5137000,
      booking: 82000,
      booking_line_item: 930000,
      shipment: 1250000,
      shipment_leg: 3400000,
      document: 7700000,
      event: 0,
    },
    purchaseOrders: [],
    bookings: [],
    bookingLineItems: [],
    shipments: [],
    documents: [],
    events: [],
    network: null,
  };
}

export function nextId(state: State, sequence: Sequence): number {
  state.sequences[sequence] += 1;
  return state.sequences[sequence];
}
