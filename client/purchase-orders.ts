/**
 * Starting a PO's workflow: the one entry the CLI, the importer and the webhook receiver share.
 * A bad PO is refused here, field by field, before anything starts.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { TASK_QUEUE } from '../worker/config';
import { purchaseOrderSearchAttributes } from '../workflows/messages';
import { purchaseOrderWorkflow } from '../workflows/purchase-order-workflow';
import {
  parsePurchaseOrder,
  parseWith,
  partyRef,
  PoSettings,
  purchaseOrderWorkflowId,
  type FieldIssue,
  type PoSettingsInput,
  type PurchaseOrder,
} from '../workflows/purchase-order';

export class PurchaseOrderRejected extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(
      `purchase order refused: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
    this.name = 'PurchaseOrderRejected';
  }
}

export interface StartedPurchaseOrder {
  workflowId: string;
  /** True when this PO already has a workflow (running or finished): nothing new was started. */
  alreadyStarted: boolean;
  runId?: string;
}

export async function startPurchaseOrder(
  client: Client,
  po: unknown,
  settings: PoSettingsInput = {},
): Promise<StartedPurchaseOrder> {
  const parsed = parsePurchaseOrder(po, { createdOn: new Date().toISOString().slice(0, 10) });
  const parsedSettings = parseWith(PoSettings, settings);
  if (!parsed.ok || !parsedSettings.ok) {
    throw new PurchaseOrderRejected([
      ...(parsed.ok ? [] : parsed.issues),
      ...(parsedSettings.ok ? [] : parsedSettings.issues.map((i) => ({ ...i, path: `settings.${i.path}` }))),
    ]);
  }
  const value = parsed.value;
  const provider = parsedSettings.value.provider;
  const workflowId = purchaseOrderWorkflowId(provider, value.name);
  const searchAttributes = purchaseOrderSearchAttributes({
    po: value,
    provider,
    status: 'submitting',
    late: false,
    shipmentIds: [],
  }).filter((pair): pair is SearchAttributePair => pair.value !== null);
  try {
    const handle = await client.workflow.start(purchaseOrderWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ po: value, settings: parsedSettings.value }],
      // A PO name is used once per provider, ever: a second submission is the same PO.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: searchAttributes,
      staticSummary: staticSummary(value, provider),
      staticDetails: staticDetails(value, parsedSettings.value),
    });
    return { workflowId, alreadyStarted: false, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, alreadyStarted: true };
    throw err;
  }
}

function staticSummary(po: PurchaseOrder, provider: string): string {
  const seller = partyRef(po, 'seller');
  const buyer = partyRef(po, 'buyer') ?? 'primary entity';
  return `PO ${po.name} at ${provider}: ${seller} → ${buyer}, ${po.line_items.length} line(s), ${po.transportation_mode} ${po.incoterm}`; // prettier-ignore
}

function staticDetails(po: PurchaseOrder, settings: PoSettings): string {
  const autoClose = settings.autoClose
    ? `${settings.autoClose.days} days after ${settings.autoClose.after.replace(/_/g, ' ')}`
    : 'off';
  return [
    `## Purchase order ${po.name}`,
    `- provider: ${settings.provider}; buyer ${partyRef(po, 'buyer') ?? '(primary entity)'}; seller ${partyRef(po, 'seller')}`,
    `- cargo ready ${po.cargo_ready_date ?? '—'}; must arrive ${po.must_arrive_date ?? '—'}`,
    `- ${po.transportation_mode}, ${po.incoterm}${po.origin_port ? `, from ${po.origin_port.code}` : ''}${po.destination_port ? ` to ${po.destination_port.code}` : ''}`, // prettier-ignore
    `- auto-close: ${autoClose}`,
    '',
    '| item_key | sku | units | uom |',
    '| --- | --- | --- | --- |',
    ...po.line_items.map((l) => `| ${l.item_key} | ${l.product.sku} | ${l.units} | ${l.unit_of_measure} |`),
  ].join('\n');
}
