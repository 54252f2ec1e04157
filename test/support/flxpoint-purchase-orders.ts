/** Valid Flxpoint create requests for the suites. */
import type { FlxpointPurchaseOrder } from '../../workflows/flxpoint-purchase-order';

/** Order 5001 to source 77: two items, one matched by SKU, one by inventory variant. */
export function sampleFlxpointPurchaseOrder(
  purchaseOrderNumber: string,
  overrides: Partial<FlxpointPurchaseOrder> = {},
): FlxpointPurchaseOrder {
  const address = {
    name: 'Joe Smith',
    addressLine1: '120 1st Lane',
    city: 'Jacksonville',
    postal: '12345',
    stateCode: 'FL',
    countryCode: 'US',
    email: 'person@example.com',
  };
  return {
    purchaseOrderNumber,
    orderId: 5001,
    sourceId: 77,
    shippingAddress: address,
    billingAddress: { ...address, companyName: 'Acme' },
    purchaseOrderItems: [
      { orderItemId: 9001, quantity: 3, sku: 'WIDGET-1', cost: 2.5 },
      { orderItemId: 9002, quantity: 2, inventoryVariantId: 4242 },
    ],
    ...overrides,
  };
}
