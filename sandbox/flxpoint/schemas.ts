/**
 * Flxpoint's (deprecated) Create Purchase Order request as the emulator checks it, written from
 * Flxpoint's reference and not imported from poflow: an emulator that shared the schema it checks
 * would accept whatever poflow sends. Unlike poflow, Flxpoint generates a number when none is given.
 */
import { z } from 'zod';

export const FLXPOINT_PO_STATUSES = [
  'unprocessed',
  'processing',
  'processed',
  'acknowledged',
  'voided',
  'canceled',
  'po_number_exceeds_max_length',
  'duplicate',
  'additional_info_required',
  'cross_docked',
  'processing_error',
] as const;
export type FlxpointPoStatus = (typeof FLXPOINT_PO_STATUSES)[number];

const PO_TYPES = ['PO', 'FR', 'TO', 'SPO', 'FO'] as const;
const LENGTH_UNITS = ['inch', 'centimeter'] as const;
const MASS_UNITS = ['pound', 'ounce', 'gram', 'kilogram'] as const;

const id = z.number({ error: 'expected a Flxpoint id (integer)' }).int('expected an integer');
const amount = z.number({ error: 'expected a number' }).nonnegative('must not be negative');
const text = z.string().optional();
const nonEmpty = z.string().min(1, 'must not be empty');

/** Every field optional: Flxpoint stores what it is given. */
const Address = z.object({
  name: text,
  firstName: text,
  lastName: text,
  companyName: text,
  addressLine1: text,
  addressLine2: text,
  city: text,
  postal: text,
  state: text,
  stateCode: text,
  country: text,
  countryCode: z
    .string()
    .regex(/^[A-Z]{2}$/, 'expected an ISO 3166 alpha-2 country code such as "US"')
    .optional(),
  email: z.email('expected an email address').optional(),
  phone: text,
});

const KeyValue = z.object({ key: z.string().min(1, 'is required'), value: z.string() });

/** Flxpoint matches an item to inventory by its SKU or its variant: one of them must be there. */
const Item = z
  .object({
    orderItemId: id,
    quantity: z
      .number({ error: 'expected a whole quantity' })
      .int('expected an integer')
      .positive('must be at least 1'),
    inventoryVariantId: id.optional(),
    sku: nonEmpty.optional(),
    title: text,
    upc: text,
    mpn: text,
    cost: amount.optional(),
    weight: amount.optional(),
    weightUnit: z.enum(MASS_UNITS).optional(),
    length: amount.optional(),
    width: amount.optional(),
    height: amount.optional(),
    dimensionUnit: z.enum(LENGTH_UNITS).optional(),
    attributes: z.array(KeyValue).optional(),
    bundleComponents: z.array(z.object({ orderItemBundleComponentId: id })).optional(),
  })
  .refine((item) => item.sku !== undefined || item.inventoryVariantId !== undefined, {
    message: 'needs a sku or an inventoryVariantId to match inventory',
    path: ['sku'],
  });

export const CreatePurchaseOrderRequest = z.object({
  purchaseOrderNumber: z.string().trim().min(1, 'must not be empty').optional(),
  purchaseOrderType: z.enum(PO_TYPES).optional(),
  /** Non-null: the PO starts in that status (how the sandbox's tests set one up). */
  purchaseOrderStatus: z.enum(FLXPOINT_PO_STATUSES).nullable().optional(),
  orderId: id,
  sourceId: id,
  shippingAddress: Address,
  billingAddress: Address,
  purchaseOrderItems: z.array(Item).min(1, 'a purchase order needs at least one item'),
  purchaseOrderAttributes: z.array(KeyValue).optional(),
  note: text,
  totalCost: amount.optional(),
  estimatedShippingCost: amount.optional(),
  estimatedDropshipFee: amount.optional(),
  shippingDistance: amount.optional(),
  suppressTracking: z.boolean().optional(),
  fflInfoRequired: z.boolean().optional(),
  holdUntil: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' }).optional(),
  rateShoppedId: text,
  sourceShippingMethodId: id.optional(),
  crossDockPurchaseOrderId: id.optional(),
  packageWeight: amount.optional(),
  packageWeightUnit: z.enum(MASS_UNITS).optional(),
  packageLength: amount.optional(),
  packageWidth: amount.optional(),
  packageHeight: amount.optional(),
  packageDimensionUnit: z.enum(LENGTH_UNITS).optional(),
  accountingSynced: z.boolean().nullable().optional(),
  externalAccountingId: z.string().nullable().optional(),
});
export type CreatePurchaseOrderRequest = z.output<typeof CreatePurchaseOrderRequest>;
