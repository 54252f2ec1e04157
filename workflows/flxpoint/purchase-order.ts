/**
 * A Flxpoint purchase order as users submit it: Flxpoint's (deprecated) Create Purchase Order
 * request, with its required fields and enums. Workflow-safe: no Node built-ins.
 *
 * poflow requires `purchaseOrderNumber` although Flxpoint can generate one: the number is the PO's
 * name, and the name is the workflow id, which is what makes a second submission harmless.
 */
import { z } from 'zod';
import { buildOnce } from '../core/shared-schemas';

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

export const FLXPOINT_PO_TYPES = ['PO', 'FR', 'TO', 'SPO', 'FO'] as const;
const DIMENSION_UNITS = ['inch', 'centimeter'] as const;
const WEIGHT_UNITS = ['pound', 'ounce', 'gram', 'kilogram'] as const;

/** The schemas, built once per worker thread (workflows/core/shared-schemas.ts). */
function flxpointSchemas() {
  const Id = z.number({ error: 'expected a Flxpoint id (integer)' }).int('expected an integer');
  const Measure = z.number({ error: 'expected a number' }).nonnegative('must not be negative');

  const FlxpointAddress = z.object({
    name: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    addressLine1: z.string().optional(),
    addressLine2: z.string().optional(),
    city: z.string().optional(),
    postal: z.string().optional(),
    state: z.string().optional(),
    country: z.string().optional(),
    stateCode: z.string().optional(),
    countryCode: z
      .string()
      .regex(/^[A-Z]{2}$/, 'expected an ISO 3166 alpha-2 country code such as "US"')
      .optional(),
    email: z.email('expected an email address').optional(),
    phone: z.string().optional(),
    companyName: z.string().optional(),
  });

  const Attribute = z.object({ key: z.string().min(1, 'is required'), value: z.string() });

  const FlxpointPurchaseOrderItem = z
    .object({
      orderItemId: Id,
      quantity: z
        .number({ error: 'expected a whole quantity' })
        .int('expected an integer')
        .positive('must be at least 1'),
      inventoryVariantId: Id.optional(),
      sku: z.string().min(1, 'must not be empty').optional(),
      cost: Measure.optional(),
      title: z.string().optional(),
      weightUnit: z.enum(WEIGHT_UNITS).optional(),
      weight: Measure.optional(),
      dimensionUnit: z.enum(DIMENSION_UNITS).optional(),
      length: Measure.optional(),
      width: Measure.optional(),
      height: Measure.optional(),
      upc: z.string().optional(),
      mpn: z.string().optional(),
      attributes: z.array(Attribute).optional(),
      bundleComponents: z.array(z.object({ orderItemBundleComponentId: Id })).optional(),
    })
    .refine((item) => item.sku !== undefined || item.inventoryVariantId !== undefined, {
      message: 'needs a sku or an inventoryVariantId to match inventory',
      path: ['sku'],
    });

  const FlxpointPurchaseOrder = z.object({
    purchaseOrderNumber: z
      .string({ error: 'is required: poflow names the PO (and its workflow) after it' })
      .trim()
      .min(1, 'must not be empty'),
    purchaseOrderType: z.enum(FLXPOINT_PO_TYPES).optional(),
    purchaseOrderStatus: z.enum(FLXPOINT_PO_STATUSES).nullable().optional(),
    orderId: Id,
    sourceId: Id,
    shippingAddress: FlxpointAddress,
    billingAddress: FlxpointAddress,
    note: z.string().optional(),
    totalCost: Measure.optional(),
    estimatedShippingCost: Measure.optional(),
    estimatedDropshipFee: Measure.optional(),
    suppressTracking: z.boolean().optional(),
    fflInfoRequired: z.boolean().optional(),
    holdUntil: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' }).optional(),
    rateShoppedId: z.string().optional(),
    packageDimensionUnit: z.enum(DIMENSION_UNITS).optional(),
    packageLength: Measure.optional(),
    packageWidth: Measure.optional(),
    packageHeight: Measure.optional(),
    packageWeightUnit: z.enum(WEIGHT_UNITS).optional(),
    packageWeight: Measure.optional(),
    crossDockPurchaseOrderId: Id.optional(),
    purchaseOrderItems: z.array(FlxpointPurchaseOrderItem).min(1, 'a purchase order needs at least one item'),
    purchaseOrderAttributes: z.array(Attribute).optional(),
    sourceShippingMethodId: Id.optional(),
    shippingDistance: Measure.optional(),
    accountingSynced: z.boolean().nullable().optional(),
    externalAccountingId: z.string().nullable().optional(),
  });
  return { FlxpointAddress, FlxpointPurchaseOrderItem, FlxpointPurchaseOrder };
}

export const { FlxpointAddress, FlxpointPurchaseOrderItem, FlxpointPurchaseOrder } = buildOnce(
  'flxpoint-purchase-order',
  flxpointSchemas,
);
export type FlxpointPurchaseOrder = z.infer<typeof FlxpointPurchaseOrder>;

/** An address at a glance: who, which city, which country. */
export function flxpointAddressLabel(address: z.infer<typeof FlxpointAddress>): string {
  return [address.name, address.city, address.countryCode].filter(Boolean).join(', ') || '-';
}

/** How an item is matched to inventory, for people: its SKU, else its variant. */
export function flxpointItemLabel(item: FlxpointPurchaseOrder['purchaseOrderItems'][number]): string {
  return item.sku ?? `variant ${item.inventoryVariantId}`;
}
