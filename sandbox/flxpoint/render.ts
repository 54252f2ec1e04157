/**
 * A stored PO in the shape of Flxpoint's `PurchaseOrder` response: a faithful subset of the
 * documented fields (ids, addresses, status, items, timestamps, reasons, totals).
 */
import type { FlxpointPoStatus } from './schemas';
import type { AddressRecord, FlxpointPoRecord, ItemRecord } from './store';

/**
 * The response's display names; the documented `PO/FR #` names are deprecated for
 * `Fulfillment Request #`.
 */
const STATUS_NAMES: Record<FlxpointPoStatus, string> = {
  unprocessed: 'Unprocessed',
  processing: 'Processing',
  processed: 'Processed',
  acknowledged: 'Acknowledged',
  voided: 'Voided',
  canceled: 'Canceled',
  po_number_exceeds_max_length: 'Fulfillment Request # Exceeds Max Length',
  duplicate: 'Duplicate Fulfillment Request #',
  additional_info_required: 'Additional Info Required',
  cross_docked: 'Cross Docked',
  processing_error: 'Processing Error',
};

const PO_TYPES = {
  PO: { id: 1, name: 'Purchase Order', abbreviation: 'PO', handle: 'purchase_order' },
  FR: { id: 2, name: 'Fulfillment Request', abbreviation: 'FR', handle: 'fulfillment_request' },
  TO: { id: 3, name: 'Transfer Order', abbreviation: 'TO', handle: 'transfer_order' },
  SPO: { id: 4, name: 'Stocking Purchase Order', abbreviation: 'SPO', handle: 'stocking_purchase_order' },
  FO: { id: 5, name: 'Fulfillment Order', abbreviation: 'FO', handle: 'fulfillment_order' },
} as const;

/** The one account the sandbox serves. */
const ACCOUNT_ID = 70_001;

export function renderPurchaseOrder(po: FlxpointPoRecord) {
  const { request } = po;
  const totalQuantity = po.items.reduce((sum, item) => sum + item.quantity, 0);
  return {
    id: po.id,
    purchaseOrderNumber: po.purchaseOrderNumber,
    orderId: request.orderId,
    sourceId: request.sourceId,
    accountId: ACCOUNT_ID,
    purchaseOrderType: PO_TYPES[request.purchaseOrderType ?? 'PO'],
    purchaseOrderStatus: { name: STATUS_NAMES[po.status], handle: po.status },
    purchaseOrderFulfillmentStatus: { name: 'Awaiting Shipment', handle: 'awaiting_shipment' },
    shippedStatus: 'Not Started',
    shippingAddressId: po.shippingAddress.id,
    billingAddressId: po.billingAddress.id,
    shippingAddress: renderAddress(po.shippingAddress),
    billingAddress: renderAddress(po.billingAddress),
    note: request.note ?? null,
    confirmationNumber: null,
    generatedAt: po.generatedAt,
    lastModifiedAt: po.lastModifiedAt,
    sentAt: po.sentAt,
    acknowledgedAt: po.acknowledgedAt,
    canceledAt: po.canceledAt,
    voidedAt: po.voidedAt,
    cancelReason: po.cancelReason,
    voidedReason: po.voidedReason,
    processingErrorReason: po.processingErrorReason,
    holdUntil: request.holdUntil ?? null,
    totalItems: po.items.length,
    totalQuantity,
    shippedQuantity: 0,
    totalCost: request.totalCost ?? po.items.reduce((sum, item) => sum + (item.cost ?? 0) * item.quantity, 0),
    estimatedShippingCost: request.estimatedShippingCost ?? 0,
    estimatedDropshipFee: request.estimatedDropshipFee ?? 0,
    sourceShippingMethodId: request.sourceShippingMethodId ?? null,
    crossDockPurchaseOrderId: request.crossDockPurchaseOrderId ?? null,
    externalAccountingId: request.externalAccountingId ?? null,
    accountingSynced: request.accountingSynced ?? false,
    purchaseOrderItems: po.items.map((item) => renderItem(po, item)),
    purchaseOrderAttributes: (request.purchaseOrderAttributes ?? []).map((attribute, i) => ({
      id: po.id * 100 + i + 1,
      purchase_order_id: po.id,
      ...attribute,
    })),
    shipments: [],
    invoices: [],
    tags: [],
  };
}

function renderAddress(address: AddressRecord) {
  return {
    id: address.id,
    name: address.name ?? null,
    firstName: address.firstName ?? null,
    lastName: address.lastName ?? null,
    addressLine1: address.addressLine1 ?? null,
    addressLine2: address.addressLine2 ?? null,
    city: address.city ?? null,
    state: address.state ?? null,
    stateCode: address.stateCode ?? null,
    country: address.country ?? null,
    countryCode: address.countryCode ?? null,
    postal: address.postal ?? null,
    email: address.email ?? null,
    phone: address.phone ?? null,
    companyName: address.companyName ?? null,
    redacted: false,
    hash: address.hash,
  };
}

/** Acknowledged, voided and canceled quantities follow the PO's status: the sandbox has no partial ones. */
function renderItem(po: FlxpointPoRecord, item: ItemRecord) {
  const whenStatus = (status: FlxpointPoStatus) => (po.status === status ? item.quantity : 0);
  return {
    id: item.id,
    purchaseOrderId: po.id,
    lineItemNumber: item.lineItemNumber,
    orderItemId: item.orderItemId,
    inventoryVariantId: item.inventoryVariantId ?? null,
    sku: item.sku ?? null,
    title: item.title ?? null,
    quantity: item.quantity,
    cost: item.cost ?? null,
    subtotal: ((item.cost ?? 0) * item.quantity).toFixed(2),
    shippedQuantity: 0,
    acknowledgedQuantity: po.acknowledgedAt ? item.quantity : 0,
    voidedQuantity: whenStatus('voided'),
    canceledQuantity: whenStatus('canceled'),
    upc: item.upc ?? null,
    mpn: item.mpn ?? null,
    attributes: (item.attributes ?? []).map((attribute, i) => ({
      id: item.id * 100 + i + 1,
      purchaseOrderItemId: item.id,
      ...attribute,
    })),
  };
}
