/**
 * Everything the client and the worker share about a PO workflow: its message definitions and
 * its search-attribute keys. Imported by workflow code, so it stays deterministic and IO-free.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
