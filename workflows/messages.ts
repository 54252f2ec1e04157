/**
 * Everything the client and the worker share about a PO workflow: its message definitions and
 * its search-attribute keys. Imported by workflow code, so it stays deterministic and IO-free.
 */
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { buildOnce } from './shared-schemas';
import type { FlxpointPoState } from './flxpoint-lifecycle';
import type { Deadline, PoState } from './lifecycle';
import type { DeliveriesView } from './notification-outbox';
import { partyRef, type Booking, type Provider, type PurchaseOrder } from './purchase-order';

export const SearchAttributes = {
  PoName: defineSearchAttributeKey('PoName', SearchAttributeType.KEYWORD),
  PoStatus: defineSearchAttributeKey('PoStatus', SearchAttributeType.KEYWORD),
  PoProvider: defineSearchAttributeKey('PoProvider', SearchAttributeType.KEYWORD),
  PoBuyerRef: defineSearchAttributeKey('PoBuyerRef', SearchAttributeType.KEYWORD),
  PoSellerRef: defineSearchAttributeKey('PoSellerRef', SearchAttributeType.KEYWORD),
  PoCargoReadyDate: defineSearchAttributeKey('PoCargoReadyDate', SearchAttributeType.DATETIME),
  PoMustArriveDate: defineSearchAttributeKey('PoMustArriveDate', SearchAttributeType.DATETIME),
  PoLate: defineSearchAttributeKey('PoLate', SearchAttributeType.BOOL),
  PoShipmentIds: defineSearchAttributeKey('PoShipmentIds', SearchAttributeType.KEYWORD_LIST),
} as const;

/** What the search attributes say about a PO, whatever its provider. */
interface SearchFields {
  name: string;
  provider: Provider;
  status: PoState['status'];
  buyerRef?: string;
  sellerRef?: string;
  cargoReadyDate?: string | null;
  mustArriveDate?: string | null;
  late: boolean;
  shipmentIds: number[];
}

/**
 * The search attributes of a PO in this state, `null` where a value is absent (the workflow
 * removes it). The client sets them at start, the workflow keeps them current. Search attributes
 * are never encrypted: this is the one place that fills them, and only with what may show in
 * clear (name, provider, status, party refs, dates, shipment ids), never prices, addresses or
 * contacts (README, Security).
 */
function searchAttributesOf(fields: SearchFields): SearchAttributeUpdatePair[] {
  const day = (date: string | null | undefined) => (date ? new Date(`${date}T00:00:00.000Z`) : null);
  return [
    { key: SearchAttributes.PoName, value: fields.name },
    { key: SearchAttributes.PoStatus, value: fields.status },
    { key: SearchAttributes.PoProvider, value: fields.provider },
    { key: SearchAttributes.PoBuyerRef, value: fields.buyerRef ?? null },
    { key: SearchAttributes.PoSellerRef, value: fields.sellerRef ?? null },
    { key: SearchAttributes.PoCargoReadyDate, value: day(fields.cargoReadyDate) },
    { key: SearchAttributes.PoMustArriveDate, value: day(fields.mustArriveDate) },
    { key: SearchAttributes.PoLate, value: fields.late },
    { key: SearchAttributes.PoShipmentIds, value: fields.shipmentIds.map(String) },
  ];
}

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

/**
 * One Flexport `/event` envelope, as webhooks deliver it and `GET /events` lists it. New event
 * types and fields appear at any time, so everything beyond the envelope passes through.
 */
export const ProviderEvent = buildOnce('provider-event', () =>
  z.looseObject({
    _object: z.literal('/event'),
    id: z.number().int(),
    version: z.union([z.number(), z.string()]).optional(),
    type: z.string().min(1),
    created_at: z.string().optional(),
    occurred_at: z.string().optional(),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
);
export type ProviderEvent = z.output<typeof ProviderEvent>;

/**
 * The whole lifecycle view: status, flags, provider ids, bookings, milestones, deadlines, history,
 * and the notifications delivered and waiting (POs started before notifications have none).
 */
export type PoView = PoState & { nextDeadlines: Deadline[]; notifications?: DeliveriesView };

export const stateQuery = defineQuery<PoView>('state');
/** Full replacement of the PO (the create body); answers the state once the provider has it. */
export const amendUpdate = defineUpdate<PoView, [po: unknown]>('amend');
/** What to book; `{}` books every unit left with the PO's dates and mode. */
export const bookUpdate = defineUpdate<PoView, [booking: z.input<typeof Booking>]>('book');
export const closeUpdate = defineUpdate<PoView, []>('close');
/** Cancel before any booking; the reason lands in the transition history. */
export const cancelUpdate = defineUpdate<PoView, [reason: string | undefined]>('cancel');
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

/**
 * A Flxpoint PO's view. It shares PoView's core (provider, name, status, acknowledged, providerId,
 * pending, lastError, history, createdAt, notifications) and adds what Flxpoint has instead of
 * bookings and milestones: its own status handle and the polling schedule.
 */
export type FlxpointPoView = FlxpointPoState & { notifications?: DeliveriesView };

// The Flxpoint workflow answers the same `state`, `amend` and `cancel` messages, with its own view.
export const flxpointStateQuery = defineQuery<FlxpointPoView>(stateQuery.name);
/** Only a PO Flxpoint refused: the corrected request is submitted again under the same number. */
export const flxpointAmendUpdate = defineUpdate<FlxpointPoView, [po: unknown]>(amendUpdate.name);
export const flxpointCancelUpdate = defineUpdate<FlxpointPoView, [reason: string | undefined]>(
  cancelUpdate.name,
);
