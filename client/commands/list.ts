/** `poflow list`: POs through a visibility query on their search attributes. */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { SearchAttributes } from '../../workflows/core/search-attributes';
import { BadInput } from '../errors';
import { queryUiUrl, table, workflowUiUrl } from '../format';
import { listQuery, type ListFilters } from '../list-query';
import { print, type Session } from '../session';

export interface PoSummary {
  name: string;
  provider?: string;
  status?: string;
  late: boolean;
  buyerRef?: string;
  sellerRef?: string;
  cargoReadyDate?: string;
  mustArriveDate?: string;
  shipmentIds: string[];
  workflowId: string;
  uiUrl?: string;
}

export async function listPurchaseOrders(
  session: Session,
  filters: ListFilters,
  options: { limit: number },
): Promise<void> {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new BadInput('--limit: must be a whole number of at least 1');
  }
  const query = listQuery(filters);
  const pos: PoSummary[] = [];
  for await (const execution of session.client.workflow.list({
    query,
    pageSize: Math.min(options.limit, 1000),
  })) {
    pos.push(summaryOf(session, execution));
    if (pos.length === options.limit) break;
  }
  const uiUrl = queryUiUrl(session.config, query);
  print(session, { query, uiUrl, purchaseOrders: pos }, () => {
    const rows = pos.map((po) => [
      po.name,
      po.provider ?? '-',
      po.status ?? '-',
      po.late ? 'LATE' : '',
      po.buyerRef ?? '-',
      po.sellerRef ?? '-',
      po.cargoReadyDate ?? '-',
      po.mustArriveDate ?? '-',
      po.shipmentIds.join(' '),
    ]);
    // A Flxpoint PO has no buyer, dates or shipments; its seller is the Flxpoint source id.
    const header = [
      'NAME',
      'PROVIDER',
      'STATUS',
      'LATE',
      'BUYER',
      'SELLER',
      'CARGO READY',
      'MUST ARRIVE',
      'SHIPMENTS',
    ];
    const found = pos.length === options.limit ? `first ${pos.length}` : `${pos.length}`;
    const body = pos.length ? `${table([header, ...rows])}\n` : '';
    return `${body}${found} purchase order${pos.length === 1 ? '' : 's'}${uiUrl ? `\nWeb UI: ${uiUrl}` : ''}`;
  });
}

function summaryOf(session: Session, execution: WorkflowExecutionInfo): PoSummary {
  const { workflowId, typedSearchAttributes } = execution;
  return poSummaryOf(workflowId, typedSearchAttributes, workflowUiUrl(session.config, workflowId));
}

/** A PO as visibility lists it, from its search attributes: `poflow list` and the ERP API's list. */
export function poSummaryOf(
  workflowId: string,
  attributes: TypedSearchAttributes,
  uiUrl: string | undefined,
): PoSummary {
  const day = (date: Date | undefined) => date?.toISOString().slice(0, 10);
  return {
    name: attributes.get(SearchAttributes.PoName) ?? workflowId,
    provider: attributes.get(SearchAttributes.PoProvider),
    status: attributes.get(SearchAttributes.PoStatus),
    late: attributes.get(SearchAttributes.PoLate) ?? false,
    buyerRef: attributes.get(SearchAttributes.PoBuyerRef),
    sellerRef: attributes.get(SearchAttributes.PoSellerRef),
    cargoReadyDate: day(attributes.get(SearchAttributes.PoCargoReadyDate)),
    mustArriveDate: day(attributes.get(SearchAttributes.PoMustArriveDate)),
    shipmentIds: attributes.get(SearchAttributes.PoShipmentIds) ?? [],
    workflowId,
    uiUrl,
  };
}
