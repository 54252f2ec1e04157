/**
 * What the client and the worker share about a Flxpoint PO workflow: its view, its messages and
 * its search attributes. Imported by workflow code, so it stays deterministic and IO-free.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { DeliveriesView } from '../core/notification-outbox';
import { poMessages } from '../core/messages';
import { searchAttributesOf } from '../core/search-attributes';
import type { FlxpointPoState } from './lifecycle';

/**
 * A Flxpoint PO's view. It shares PoView's core (provider, name, status, acknowledged, providerId,
 * pending, lastError, history, createdAt, notifications) and adds what Flxpoint has instead of
 * bookings and milestones: its own status handle and the polling schedule.
 */
export type FlxpointPoView = FlxpointPoState & { notifications?: DeliveriesView };

/**
 * Flxpoint's `amend` takes only a PO Flxpoint refused: the corrected request is submitted again
 * under the same number.
 */
export const {
  stateQuery: flxpointStateQuery,
  amendUpdate: flxpointAmendUpdate,
  cancelUpdate: flxpointCancelUpdate,
} = poMessages<FlxpointPoView>();

/**
 * A Flxpoint PO has no parties, dates or shipments: the seller is its source (`PoSellerRef` is the
 * source id), and it is never late.
 */
export function flxpointSearchAttributes(
  view: Pick<FlxpointPoState, 'po' | 'status'>,
): SearchAttributeUpdatePair[] {
  return searchAttributesOf({
    name: view.po.purchaseOrderNumber,
    provider: 'flxpoint',
    status: view.status,
    sellerRef: String(view.po.sourceId),
    late: false,
    shipmentIds: [],
  });
}
