/** Starting a Flxpoint PO's workflow: submitted (created at Flxpoint) or adopted (made there). */
import type { Client } from '@temporalio/client';
import { purchaseOrderWorkflowId } from '../../workflows/core/identity';
import { PollSchedule, type PoSettings } from '../../workflows/core/settings';
import type { FlxpointAdoptionSnapshot } from '../../workflows/flxpoint/adoption';
import { flxpointWorkflowSide } from '../../workflows/flxpoint/provider';
import {
  flxpointAddressLabel,
  flxpointItemLabel,
  type FlxpointPurchaseOrder,
} from '../../workflows/flxpoint/purchase-order';
import { flxpointLifecycle } from '../../workflows/flxpoint/status';
import { flxpointPurchaseOrderWorkflow } from '../../workflows/flxpoint/workflow';
import { startOnce, type StartedPurchaseOrder } from '../start-once';
import { FLXPOINT_TASK_QUEUE } from './task-queue';

/**
 * Starts a Flxpoint PO's workflow unless it has one: a submitted PO (created at Flxpoint), or an
 * adopted one (`adopted`: made there, nothing to create), which the Web UI says.
 */
export async function startFlxpoint(
  client: Client,
  po: FlxpointPurchaseOrder,
  settings: PoSettings,
  adopted?: FlxpointAdoptionSnapshot,
): Promise<StartedPurchaseOrder> {
  const number = po.purchaseOrderNumber;
  const status = adopted ? flxpointLifecycle(adopted.po).status : 'submitting';
  const summary =
    `PO ${number} at flxpoint: order ${po.orderId} to source ${po.sourceId}, ` +
    `${po.purchaseOrderItems.length} item(s)`;
  const adoption = adopted && [
    '',
    `**Adopted** from flxpoint purchase order ${adopted.po.id}, ` +
      `status ${adopted.po.purchaseOrderStatus.handle}` +
      ` (created there ${adopted.createdAt ?? 'unknown'}, last changed ${adopted.updatedAt ?? 'unknown'}): ` +
      `${adopted.trigger}.`,
    'poflow sends nothing to Flxpoint until an operator cancels it (Flxpoint has no update).',
  ];
  return startOnce(
    client,
    number,
    purchaseOrderWorkflowId('flxpoint', number),
    flxpointWorkflowSide.searchAttributes(po, status),
    (options) =>
      client.workflow.start(flxpointPurchaseOrderWorkflow, {
        ...options,
        args: [{ po, settings, flxpointTaskQueue: FLXPOINT_TASK_QUEUE, ...(adopted ? { adopted } : {}) }],
        staticSummary: adopted ? `${summary}; adopted from flxpoint id ${adopted.po.id}` : summary,
        staticDetails: [staticDetails(po, settings), ...(adoption ?? [])].join('\n'),
      }),
  );
}

function staticDetails(po: FlxpointPurchaseOrder, settings: PoSettings): string {
  const poll = settings.poll ?? PollSchedule.parse({});
  const type = po.purchaseOrderType ? `; type ${po.purchaseOrderType}` : '';
  return [
    `## Purchase order ${po.purchaseOrderNumber}`,
    `- provider: flxpoint; order ${po.orderId}; source ${po.sourceId}${type}`,
    `- ships to: ${flxpointAddressLabel(po.shippingAddress)}`,
    `- status read every ${poll.firstSeconds} s after a change, doubling to ${poll.maxSeconds} s`,
    '',
    '| orderItemId | sku / variant | quantity |',
    '| --- | --- | --- |',
    ...po.purchaseOrderItems.map((i) => `| ${i.orderItemId} | ${flxpointItemLabel(i)} | ${i.quantity} |`),
  ].join('\n');
}
