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
import type { Deadline, PoState } from './lifecycle';
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

/**
 * The search attributes of a PO in this state, `null` where a value is absent (the workflow
 * removes it). The client sets them at start, the workflow keeps them current.
 */
export function purchaseOrderSearchAttributes(view: {
  po: PurchaseOrder;
  provider: Provider;
  status: PoState['status'];
  late: boolean;
  shipmentIds: number[];
}): SearchAttributeUpdatePair[] {
  const day = (date: string | null | undefined) => (date ? new Date(`${date}T00:00:00.000Z`) : null);
  return [
    { key: SearchAttributes.PoName, value: view.po.name },
    { key: SearchAttributes.PoStatus, value: view.status },
    { key: SearchAttributes.PoProvider, value: view.provider },
    { key: SearchAttributes.PoBuyerRef, value: partyRef(view.po, 'buyer') ?? null },
    { key: SearchAttributes.PoSellerRef, value: partyRef(view.po, 'seller') ?? null },
    { key: SearchAttributes.PoCargoReadyDate, value: day(view.po.cargo_ready_date) },
    { key: SearchAttributes.PoMustArriveDate, value: day(view.po.must_arrive_date) },
    { key: SearchAttributes.PoLate, value: view.late },
    { key: SearchAttributes.PoShipmentIds, value: view.shipmentIds.map(String) },
  ];
}

/**
 * One Flexport `/event` envelope, as webhooks deliver it and `GET /events` lists it. New event
 * types and fields appear at any time, so everything beyond the envelope passes through.
 */
export const ProviderEvent = z.looseObject({
  _object: z.literal('/event'),
  id: z.number().int(),
  version: z.union([z.number(), z.string()]).optional(),
  type: z.string().min(1),
  created_at: z.string().optional(),
  occurred_at: z.string().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type ProviderEvent = z.output<typeof ProviderEvent>;

/** The whole lifecycle view: status, flags, provider ids, bookings, milestones, deadlines, history. */
export type PoView = PoState & { nextDeadlines: Deadline[] };

export const stateQuery = defineQuery<PoView>('state');
/** Full replacement of the PO (the create body); answers the state once the provider has it. */
export const amendUpdate = defineUpdate<PoView, [po: unknown]>('amend');
/** What to book; `{}` books every unit left with the PO's dates and mode. */
export const bookUpdate = defineUpdate<PoView, [booking: z.input<typeof Booking>]>('book');
export const closeUpdate = defineUpdate<PoView, []>('close');
/** Cancel before any booking; the reason lands in the transition history. */
export const cancelUpdate = defineUpdate<PoView, [reason: string | undefined]>('cancel');
export const providerEventSignal = defineSignal<[event: z.input<typeof ProviderEvent>]>('providerEvent');
