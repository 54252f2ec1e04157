/** Enumerations from Flexport's PurchaseOrder / PurchaseOrderLineItem reference (API v3). */

export const PO_STATUSES = ['open', 'closed', 'cancelled'] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

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
export type PartyRole = (typeof PARTY_ROLES)[number];

/** The request enum omits DPU but the tutorial and the response enum list it, so it is accepted. */
export const INCOTERMS = [
  'EXW',
  'FOB',
  'FAS',
  'FCA',
  'CPT',
  'CFR',
  'CIF',
  'CIP',
  'DAT',
  'DPU',
  'DAP',
  'DDP',
] as const;

export const TRANSPORTATION_MODES = ['air', 'ocean', 'truck', 'rail'] as const;
export type TransportationMode = (typeof TRANSPORTATION_MODES)[number];

export const PORT_CODE_TYPES = ['unlocode', 'iata', 'icao', 'us_cbp'] as const;
export type PortCodeType = (typeof PORT_CODE_TYPES)[number];

export const PRIORITIES = ['high', 'standard'] as const;
export const LINE_TYPES = ['main_line', 'sub_line', 'component_line'] as const;
export const ORDER_CLASSES = [
  'purchase_order',
  'sales_order',
  'transfer_order',
  'delivery_order',
  'work_order',
] as const;
export const FREIGHT_PAYMENT_TERMS = ['freight_collect', 'freight_prepaid'] as const;

// prettier-ignore
export const UNITS_OF_MEASURE = [
  'BBL', 'CAR', 'CGM', 'CKG', 'CM', 'CM2', 'CTN', 'CYK', 'DOZ', 'DPC', 'DPR', 'DS', 'FBM', 'G', 'GBQ', 'GR',
  'GRL', 'HUN', 'IRG', 'JWL', 'K', 'KG', 'KM3', 'KM', 'KWH', 'L', 'LNM', 'M', 'M2', 'M3', 'MBQ', 'NO', 'OSG',
  'PCS', 'PDG', 'PFL', 'PK', 'PRS', 'PTG', 'PX', 'RHG', 'RUG', 'T', 'TDWB', 'THS', 'W', 'X', '20', '21',
  '2W', '43', 'AS', 'BA', 'BC', 'BD', 'BG', 'BJ', 'BK', 'BN', 'BO', 'BU', 'BX', 'CA', 'CB', 'CC', 'CF', 'CG',
  'CI', 'CN', 'CP', 'CQ', 'CR', 'CS', 'CT', 'CX', 'CY', 'DF', 'DH', 'DIS', 'DR', 'DZ', 'EA', 'FT', 'GA',
  'GRAM', 'GS', 'IN', 'JO', 'JR', 'LB', 'LF', 'LT', 'MM', 'MP', 'MR', 'MT', 'OZ', 'PC', 'PQ', 'PR', 'PS',
  'PT', 'QT', 'RA', 'RL', 'RM', 'RO', 'SC', 'SF', 'SH', 'SI', 'SJ', 'SL', 'SM', 'SO', 'SQ', 'ST', 'SV', 'SX',
  'SY', 'TE', 'TN', 'TO', 'UN', 'YD', 'Z3',
] as const;

/** Flexport v2 booking statuses; the sandbox uses submitted and booked. */
export const BOOKING_STATUSES = ['draft', 'submitted', 'booked', 'shipment', 'archived'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Shipment milestones the counterpart can advance through, in order. */
export const SHIPMENT_MILESTONES = ['departed', 'arrived', 'customs_released', 'delivered_in_full'] as const;
export type ShipmentMilestone = (typeof SHIPMENT_MILESTONES)[number];
