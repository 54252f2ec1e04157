/** Flxpoint on the workflow side: its create request, its messages and what it can do. Workflow-safe. */
import type { ProviderWorkflowSide } from '../core/provider';
import { parseWith } from '../core/parsing';
import {
  flxpointAmendUpdate,
  flxpointCancelUpdate,
  flxpointSearchAttributes,
  flxpointStateQuery,
  type FlxpointPoView,
} from './messages';
import { FlxpointPurchaseOrder } from './purchase-order';

export const flxpointWorkflowSide: ProviderWorkflowSide<FlxpointPurchaseOrder, FlxpointPoView, 'flxpoint'> = {
  provider: 'flxpoint',
  label: 'Flxpoint',
  body: {
    nameField: 'purchaseOrderNumber',
    linesField: 'purchaseOrderItems',
    parse: (raw) => parseWith(FlxpointPurchaseOrder, raw),
    nameOf: (po) => po.purchaseOrderNumber,
    linesOf: (po) => po.purchaseOrderItems,
  },
  messages: {
    stateQuery: flxpointStateQuery,
    amendUpdate: flxpointAmendUpdate,
    cancelUpdate: flxpointCancelUpdate,
  },
  amendment: 'Flxpoint has no update: cancel it and submit a new PO number',
  capabilities: {
    book: { refused: 'Flxpoint has no bookings: it sends the PO to its source as a whole' },
    close: { refused: 'Flxpoint has no close: a Flxpoint PO ends when it is cancelled or voided' },
    csvImport: {
      refused: 'CSV import is Flexport-only; give Flxpoint POs as a JSON array of create requests',
    },
    webhooks: { refused: 'Flxpoint pushes nothing: poflow reads its POs on a schedule' },
    polling: true,
    quietCheck: { refused: 'Flxpoint POs are read on a schedule' },
  },
  searchAttributes: (po, status) => flxpointSearchAttributes({ po, status }),
};
