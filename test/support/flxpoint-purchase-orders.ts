/** Valid Flxpoint create requests for the suites. */
import type { FlxpointPurchaseOrder } from '../../workflows/flxpoint/purchase-order';

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

/** Moves the PO at Flxpoint, as its source or an operator there would (the sandbox's counterpart side). */
export async function flxpointMoves(
  sandboxUrl: string,
  number: string,
  status: string,
  reason?: string,
): Promise<void> {
  const url = `${sandboxUrl}/_sandbox/flxpoint/purchase-orders/${encodeURIComponent(number)}/status`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status, reason }),
  });
  if (!response.ok)
    throw new Error(`moving ${number} to ${status}: ${response.status} ${await response.text()}`);
}

/**
 * The sample PO made by a person in Flxpoint's UI (the sandbox's counterpart side, no token), then
 * moved to `status` there unless that is `unprocessed`. Answers Flxpoint's id.
 */
export async function madeAtFlxpoint(
  sandboxUrl: string,
  number: string,
  status = 'unprocessed',
  reason?: string,
): Promise<number> {
  const response = await fetch(`${sandboxUrl}/_sandbox/flxpoint/purchase-orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sampleFlxpointPurchaseOrder(number)),
  });
  if (response.status !== 201) throw new Error(`making ${number}: ${response.status} ${await response.text()}`); // prettier-ignore
  const { id } = (await response.json()) as { id: number };
  if (status !== 'unprocessed') await flxpointMoves(sandboxUrl, number, status, reason);
  return id;
}
