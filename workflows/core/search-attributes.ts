/**
 * The search-attribute keys of a PO workflow and the one function that fills them, whichever the
 * provider. Imported by workflow code and the client, so it stays deterministic and IO-free.
 */
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';
import type { Provider } from './choices';
import type { PoStatus } from './status';

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
export interface SearchFields {
  name: string;
  provider: Provider;
  status: PoStatus;
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
 * contacts (docs/security.md).
 */
export function searchAttributesOf(fields: SearchFields): SearchAttributeUpdatePair[] {
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
