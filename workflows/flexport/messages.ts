/**
 * Everything the client and the worker share about a Flexport PO workflow: its view, its message
 * definitions and its search attributes. Imported by workflow code, so it stays deterministic and IO-free.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { z } from 'zod';
import { poMessages, type Requester } from '../core/messages';
import { searchAttributesOf } from '../core/search-attributes';
import type { ProviderEvent } from './provider-event';
import type { Deadline, PoState } from './state';
import type { DeliveriesView } from '../core/notification-outbox';
import { partyRef, type Booking, type PurchaseOrder } from './purchase-order';
import { type Provider } from '../core/choices';

export function purchaseOrderSearchAttributes(view: {
  po: PurchaseOrder;
  provider: Provider;
  status: PoState['status'];
  late: boolean;
  shipmentIds: number[];
}): SearchAttributeUpdatePair[] {
  return searchAttributesOf({
    ...view,
    name: view.po.name,
    buyerRef: partyRef(view.po, 'buyer'),
    sellerRef: partyRef(view.po, 'seller'),
    cargoReadyDate: view.po.cargo_ready_date,
    mustArriveDate: view.po.must_arrive_date,
  });
}

/**
 * The whole lifecycle view: status, flags, provider ids, bookings, milestones, deadlines, history,
 * and the notifications delivered and waiting (POs started before notifications have none).
 */
export type PoView = PoState & { nextDeadlines: Deadline[]; notifications?: DeliveriesView };

export const { stateQuery, amendUpdate, cancelUpdate } = poMessages<PoView>();
/** What to book; `{}` books every unit left with the PO's dates and mode. */
export const bookUpdate = defineUpdate<PoView, [booking: z.input<typeof Booking>, requester?: Requester]>(
  'book',
);
/** `[{}]` or `[undefined]` from the command line (an operator); the HTTP API names its token. */
export const closeUpdate = defineUpdate<PoView, [requester: Requester | undefined]>('close');
export const providerEventSignal = defineSignal<[event: z.input<typeof ProviderEvent>]>('providerEvent');
/** Several provider events at once: what the webhook delivery sends when events for one PO pile up. */
export const providerEventsSignal = defineSignal<[events: z.input<typeof ProviderEvent>[]]>('providerEvents');
/**
 * The same, answered once the PO has taken them in (with how many were well-formed): webhook
 * delivery uses it for a burst, so the next batch waits for the PO instead of piling onto it.
 */
export const takeProviderEventsUpdate = defineUpdate<number, [events: z.input<typeof ProviderEvent>[]]>(
  'takeProviderEvents',
);
