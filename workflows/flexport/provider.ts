/** Flexport on the workflow side: its v3 PO body, its messages and what it can do. Workflow-safe. */
import type { ProviderWorkflowSide } from '../core/provider';
import type { z } from 'zod';
import {
  amendUpdate,
  cancelUpdate,
  providerEventSignal,
  providerEventsSignal,
  purchaseOrderSearchAttributes,
  stateQuery,
  takeProviderEventsUpdate,
  type PoView,
} from './messages';
import type { ProviderEvent } from './provider-event';
import { parsePurchaseOrder, type PurchaseOrder } from './purchase-order';

export const flexportWorkflowSide: ProviderWorkflowSide<
  PurchaseOrder,
  PoView,
  'flexport',
  z.input<typeof ProviderEvent>
> = {
  provider: 'flexport',
  label: 'Flexport',
  body: {
    nameField: 'name',
    linesField: 'line_items',
    parse: (raw, createdOn) => parsePurchaseOrder(raw, createdOn === undefined ? {} : { createdOn }),
    nameOf: (po) => po.name,
    linesOf: (po) => po.line_items,
  },
  messages: { stateQuery, amendUpdate, cancelUpdate },
  amendment: 'amend it to change it',
  capabilities: {
    book: true,
    close: true,
    csvImport: true,
    webhooks: {
      eventSignal: providerEventSignal,
      eventsSignal: providerEventsSignal,
      takeEventsUpdate: takeProviderEventsUpdate,
    },
    polling: { refused: 'Flexport pushes its changes' },
    quietCheck: true,
  },
  searchAttributes: (po, status) =>
    purchaseOrderSearchAttributes({ po, provider: 'flexport', status, late: false, shipmentIds: [] }),
};
