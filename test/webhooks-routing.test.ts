import { routeEvent, shipmentVisibilityQuery, workflowIdsFor } from '../webhooks/routing';
import type { ProviderEvent } from '../workflows/flexport/provider-event';

const event = (type: string, data: Record<string, unknown>): ProviderEvent => ({
  _object: '/event',
  id: 7,
  version: 2,
  type,
  created_at: '2024-05-01T10:00:00Z',
  occurred_at: '2024-05-01T10:00:00Z',
  data,
});

test('a PO event goes to the PO it carries, as a bare resource or nested as in PO webhooks', () => {
  expect(routeEvent(event('/purchase_order#created', { _object: '/purchase_order', name: 'PO-1' }))).toEqual({
    kind: 'purchase_order',
    poNames: ['PO-1'],
  });
  const acknowledged = event('/purchase_order#acknowledged', {
    _object: '/order_management_event_data',
    context: { purchase_order_version_id: 123 },
    purchase_order: { _object: '/purchase_order', name: 'PO-2' },
  });
  expect(routeEvent(acknowledged)).toEqual({ kind: 'purchase_order', poNames: ['PO-2'] });
});

test('a shipment event goes to every PO in its metadata', () => {
  const shipment = {
    _object: '/shipment',
    id: 1250001,
    metadata: { purchase_order: ['PO-1', 'PO-2', 'PO-1'] },
  };
  expect(routeEvent(event('/shipment#booking_confirmed', { resource: shipment }))).toEqual({
    kind: 'shipment',
    shipmentId: 1250001,
    poNames: ['PO-1', 'PO-2'],
  });
  const leg = { resource: { _object: '/shipment_leg', id: 3400001 }, shipment };
  expect(routeEvent(event('/shipment_leg#departed', leg))).toMatchObject({ shipmentId: 1250001 });
});

test('a shipment event without PO names leaves the lookup to the caller', () => {
  const data = { _object: '/shipment', id: 1250002, metadata: {} };
  expect(routeEvent(event('/shipment#delivered_in_full', data))).toEqual({
    kind: 'shipment',
    shipmentId: 1250002,
    poNames: [],
  });
  expect(shipmentVisibilityQuery('flexport', 1250002)).toBe(
    'PoProvider = "flexport" AND PoShipmentIds = "1250002"',
  );
});

test('events about nothing poflow follows concern no PO', () => {
  expect(routeEvent(event('/invoice#issued', { _object: '/invoice', id: 5 }))).toEqual({ kind: 'none' });
  expect(routeEvent(event('/shipment#created', {}))).toEqual({ kind: 'none' });
});

test('workflow ids follow the PO workflow naming', () => {
  expect(workflowIdsFor('flexport', ['PO-1001'])).toEqual(['po/flexport/PO-1001']);
});
