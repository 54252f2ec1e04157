/** Bodies of `POST /bookings` and `POST /booking_line_items` (Flexport API v2). */
import { z } from 'zod';
import { INCOTERMS } from '../enums';
import { messages } from '../messages';
import { integer, isoDate, nullable, oneOf } from './common';

const incoterm = nullable(oneOf(INCOTERMS, messages.invalidIncoterm));
const code = nullable(z.string().min(1));

const OceanBooking = z.object({
  is_lcl: z.boolean().default(false),
  incoterm,
  wants_pickup_service: z.boolean().default(false),
  wants_delivery_service: nullable(z.boolean()),
  origin_port_loc_code: code,
  origin_port_us_cbp_port_code: code,
  destination_port_loc_code: code,
  destination_port_us_cbp_port_code: code,
  container_counts: nullable(z.record(z.string(), z.number().int().min(0))),
});

const AirBooking = z.object({
  incoterm,
  wants_pickup_service: z.boolean().default(false),
  wants_delivery_service: nullable(z.boolean()),
  origin_port_loc_code: code,
  origin_port_iata_code: code,
  origin_port_icao_code: code,
  origin_port_us_cbp_port_code: code,
  destination_port_loc_code: code,
  destination_port_iata_code: code,
  destination_port_icao_code: code,
  destination_port_us_cbp_port_code: code,
});

const TruckingBooking = z.object({
  is_ltl: z.boolean().default(false),
  payment_terms: nullable(z.enum(['collect', 'prepaid'])),
  description_of_products: nullable(z.string()),
});

export const BookingSchema = z.object({
  name: z.string().min(1),
  shipper_entity_ref: z.string().min(1),
  consignee_entity_ref: z.string().min(1),
  notify_party: nullable(z.string()),
  origin_address_ref: z.string().min(1),
  destination_address_ref: nullable(z.string()),
  cargo_ready_date: isoDate,
  delivery_date: nullable(isoDate),
  wants_export_customs_service: z.boolean().default(false),
  wants_import_customs_service: z.boolean().default(false),
  special_instructions: nullable(z.string()),
  ocean_booking: nullable(OceanBooking),
  air_booking: nullable(AirBooking),
  trucking_booking: nullable(TruckingBooking),
  metadata: nullable(z.record(z.string(), z.array(z.string()))),
});
export type BookingInput = z.output<typeof BookingSchema>;

export const BookingLineItemSchema = z.object({
  booking_id: integer,
  purchase_order_line_item_id: integer,
  units: integer.pipe(z.number().int().min(1)),
});
export type BookingLineItemInput = z.output<typeof BookingLineItemSchema>;
