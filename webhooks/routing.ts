/**
 * Which PO workflows an event concerns: pure, shared by the receiver and the reconciler.
 *
 * - A purchase-order event (`/purchase_order#...`) concerns the PO it carries.
 * - A shipment, shipment-leg or booking event concerns every PO on that shipment: the names in
 *   the resource's `metadata.purchase_order` when present; otherwise the caller looks the
 *   shipment up (the `PoShipmentIds` search attribute, then the provider).
 * - Anything else concerns no PO (it is acknowledged and dropped).
 */
import { type Provider } from '../workflows/core/choices';
import { purchaseOrderWorkflowId } from '../workflows/core/identity';
import type { ProviderEvent } from '../workflows/flexport/provider-event';

export type EventRoute =
  | { kind: 'purchase_order'; poNames: string[] }
  | { kind: 'shipment'; shipmentId: number | undefined; poNames: string[] }
  | { kind: 'none' };

const SHIPMENT_FAMILIES = new Set(['/shipment', '/shipment_leg', '/booking', '/booking_line_item']);

export function routeEvent(event: ProviderEvent): EventRoute {
  const family = event.type.split('#')[0]!;
  const resources = resourcesOf(event.data);
  if (family === '/purchase_order') {
    const names = resources.filter((r) => r._object === '/purchase_order').map((r) => r.name);
    return { kind: 'purchase_order', poNames: unique(names.filter(isText)) };
  }
  if (SHIPMENT_FAMILIES.has(family)) {
    const shipment = resources.find((r) => r._object === '/shipment');
    const shipmentId = typeof shipment?.id === 'number' ? shipment.id : undefined;
    const poNames = unique(resources.flatMap(purchaseOrderNamesOf));
    return shipmentId === undefined && poNames.length === 0
      ? { kind: 'none' }
      : { kind: 'shipment', shipmentId, poNames };
  }
  return { kind: 'none' };
}

export function workflowIdsFor(provider: Provider, poNames: readonly string[]): string[] {
  return poNames.map((name) => purchaseOrderWorkflowId(provider, name));
}

/** The visibility query for the POs whose workflows recorded this shipment. */
export function shipmentVisibilityQuery(provider: Provider, shipmentId: number): string {
  return `PoProvider = "${provider}" AND PoShipmentIds = "${shipmentId}"`;
}

type Resource = Record<string, unknown>;

/**
 * The resources an event's data carries, wherever the provider puts them: the data itself, its
 * `resource`, and the `purchase_order` / `shipment` it names (PO webhooks nest the PO under
 * `purchase_order`; leg and booking events reference their shipment under `shipment`).
 */
function resourcesOf(data: Resource): Resource[] {
  const found = [data, data.resource, data.purchase_order, data.shipment];
  return found.filter((r): r is Resource => typeof r === 'object' && r !== null && !Array.isArray(r));
}

/** A shipment's POs: its `metadata.purchase_order` (Flexport metadata is `{ key: [values] }`). */
export function purchaseOrderNamesOf(resource: Record<string, unknown>): string[] {
  const metadata = resource.metadata;
  if (typeof metadata !== 'object' || metadata === null) return [];
  const value = (metadata as Record<string, unknown>).purchase_order;
  const values = Array.isArray(value) ? value : [value];
  return values.filter(isText);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
