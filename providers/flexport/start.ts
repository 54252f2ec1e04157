/** Starting a Flexport PO's workflow, with what the Web UI shows of it before any payload is decoded. */
import type { Client } from '@temporalio/client';
import { purchaseOrderWorkflowId } from '../../workflows/core/identity';
import type { PoSettings } from '../../workflows/core/settings';
import { flexportWorkflowSide } from '../../workflows/flexport/provider';
import { partyRef, type PurchaseOrder } from '../../workflows/flexport/purchase-order';
import { purchaseOrderWorkflow } from '../../workflows/flexport/workflow';
import { startOnce, type StartedPurchaseOrder } from '../start-once';

export function startFlexport(
  client: Client,
  po: PurchaseOrder,
  settings: PoSettings,
): Promise<StartedPurchaseOrder> {
  return startOnce(
    client,
    po.name,
    purchaseOrderWorkflowId('flexport', po.name),
    flexportWorkflowSide.searchAttributes(po, 'submitting'),
    (options) =>
      client.workflow.start(purchaseOrderWorkflow, {
        ...options,
        args: [{ po, settings }],
        staticSummary: staticSummary(po),
        staticDetails: staticDetails(po, settings),
      }),
  );
}

export function staticSummary(po: PurchaseOrder): string {
  const seller = partyRef(po, 'seller');
  const buyer = partyRef(po, 'buyer') ?? 'primary entity';
  return (
    `PO ${po.name} at flexport: ${seller} → ${buyer}, ${po.line_items.length} line(s), ` +
    `${po.transportation_mode} ${po.incoterm}`
  );
}

export function staticDetails(po: PurchaseOrder, settings: PoSettings): string {
  const autoClose = settings.autoClose
    ? `${settings.autoClose.days} days after ${settings.autoClose.after.replace(/_/g, ' ')}`
    : 'off';
  const from = po.origin_port ? `, from ${po.origin_port.code}` : '';
  const to = po.destination_port ? ` to ${po.destination_port.code}` : '';
  return [
    `## Purchase order ${po.name}`,
    `- provider: ${settings.provider}; buyer ${partyRef(po, 'buyer') ?? '(primary entity)'}; ` +
      `seller ${partyRef(po, 'seller')}`,
    `- cargo ready ${po.cargo_ready_date ?? '—'}; must arrive ${po.must_arrive_date ?? '—'}`,
    `- ${po.transportation_mode}, ${po.incoterm}${from}${to}`,
    `- auto-close: ${autoClose}`,
    '',
    '| item_key | sku | units | uom |',
    '| --- | --- | --- | --- |',
    ...po.line_items.map((l) => `| ${l.item_key} | ${l.product.sku} | ${l.units} | ${l.unit_of_measure} |`),
  ].join('\n');
}
