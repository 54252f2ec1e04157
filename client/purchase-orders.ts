/**
 * Starting a PO's workflow: the one entry the CLI, the importer and the webhook receiver share.
 * A bad PO is refused here, field by field, before anything starts. The provider setting picks
 * the schema and the workflow: Flexport's v3 body, or Flxpoint's create request.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  WorkflowIdReusePolicy,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';
import { FLXPOINT_TASK_QUEUE, TASK_QUEUE } from '../worker/config';
import { BadInput } from './errors';
import type { FlxpointAdoptionSnapshot } from '../workflows/flxpoint/adoption';
import { flxpointPurchaseOrderWorkflow } from '../workflows/flxpoint/workflow';
import { flxpointLifecycle } from '../workflows/flxpoint/status';
import {
  flxpointAddressLabel,
  flxpointItemLabel,
  FlxpointPurchaseOrder,
} from '../workflows/flxpoint/purchase-order';
import { purchaseOrderSearchAttributes } from '../workflows/flexport/messages';
import { flxpointSearchAttributes } from '../workflows/flxpoint/messages';
import { purchaseOrderWorkflow } from '../workflows/flexport/workflow';
import { parsePurchaseOrder, partyRef, type PurchaseOrder } from '../workflows/flexport/purchase-order';
import { type Provider } from '../workflows/core/choices';
import { purchaseOrderWorkflowId } from '../workflows/core/identity';
import { parseWith, type FieldIssue, type Parsed } from '../workflows/core/parsing';
import { PollSchedule, PoSettings, type PoSettingsInput } from '../workflows/core/settings';

/**
 * What one PO may weigh, checked at the boundary before anything starts: the name is part of the
 * workflow id (Temporal allows 1,000 characters) and a search attribute; the PO travels in the
 * workflow's input, its state and every continue-as-new, where Temporal warns above 512 KB and
 * refuses 2 MB.
 */
export const PO_LIMITS = { nameCharacters: 255, lines: 1000, jsonBytes: 256 * 1024 } as const;

/** A provider's PO create body: the fields that name the PO and list its lines, and the checks made before it starts. */
export interface PoBody<T> {
  /** Flexport's `name`, Flxpoint's `purchaseOrderNumber`: the PO's name and its workflow id. */
  nameField: string;
  linesField: string;
  validate(body: unknown): Parsed<T>;
}

/** Issues of a PO over `PO_LIMITS`; checked first, so an oversized document is not parsed further. */
export function sizeIssues(
  body: Pick<PoBody<unknown>, 'nameField' | 'linesField'>,
  raw: unknown,
): FieldIssue[] {
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '');
  if (bytes > PO_LIMITS.jsonBytes) {
    const size = (n: number) => `${Math.ceil(n / 1024)} KB`;
    return [
      {
        path: '',
        message: `the purchase order is ${size(bytes)} of JSON; at most ${size(PO_LIMITS.jsonBytes)} (split it into several POs)`,
      },
    ];
  }
  if (typeof raw !== 'object' || raw === null) return [];
  const fields = raw as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const name = fields[body.nameField];
  if (typeof name === 'string' && name.length > PO_LIMITS.nameCharacters) {
    issues.push({
      path: body.nameField,
      message: `is ${name.length} characters long; at most ${PO_LIMITS.nameCharacters}`,
    });
  }
  const lines = fields[body.linesField];
  if (Array.isArray(lines) && lines.length > PO_LIMITS.lines) {
    issues.push({
      path: body.linesField,
      message: `has ${lines.length} lines; at most ${PO_LIMITS.lines} per purchase order (split it into several POs)`,
    });
  }
  return issues;
}

function withinLimits<T>(
  body: Pick<PoBody<T>, 'nameField' | 'linesField'>,
  parse: (raw: unknown) => Parsed<T>,
) {
  return (raw: unknown): Parsed<T> => {
    const issues = sizeIssues(body, raw);
    return issues.length ? { ok: false, issues } : parse(raw);
  };
}

const FLEXPORT_FIELDS = { nameField: 'name', linesField: 'line_items' };
const FLXPOINT_FIELDS = { nameField: 'purchaseOrderNumber', linesField: 'purchaseOrderItems' };

export const PO_BODIES: { flexport: PoBody<PurchaseOrder>; flxpoint: PoBody<FlxpointPurchaseOrder> } = {
  flexport: {
    ...FLEXPORT_FIELDS,
    // A PO made today may not have to arrive before today.
    validate: withinLimits(FLEXPORT_FIELDS, (raw) =>
      parsePurchaseOrder(raw, { createdOn: new Date().toISOString().slice(0, 10) }),
    ),
  },
  flxpoint: {
    ...FLXPOINT_FIELDS,
    validate: withinLimits(FLXPOINT_FIELDS, (raw) => parseWith(FlxpointPurchaseOrder, raw)),
  },
};

/** The body of a PO at this provider (Flexport when none is given). */
export function poBodyOf(provider: Provider = 'flexport'): PoBody<PurchaseOrder | FlxpointPurchaseOrder> {
  return PO_BODIES[provider];
}

/** A PO the shared schemas refuse at start: bad input, like any other. */
export class PurchaseOrderRejected extends BadInput {
  constructor(issues: FieldIssue[]) {
    super(
      `purchase order refused: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
      issues,
    );
    this.name = 'PurchaseOrderRejected';
  }
}

export interface StartedPurchaseOrder {
  /** The PO's name at its provider, as validated. */
  name: string;
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
  const parsedSettings = parseWith(PoSettings, settings);
  const settingsIssues = parsedSettings.ok
    ? []
    : parsedSettings.issues.map((i) => ({ ...i, path: `settings.${i.path}` }));
  if (settings.provider === 'flxpoint') {
    const parsed = PO_BODIES.flxpoint.validate(po);
    if (!parsed.ok || !parsedSettings.ok) {
      throw new PurchaseOrderRejected([...(parsed.ok ? [] : parsed.issues), ...settingsIssues]);
    }
    return startFlxpointOnce(client, parsed.value, parsedSettings.value);
  }
  const parsed = PO_BODIES.flexport.validate(po);
  if (!parsed.ok || !parsedSettings.ok) {
    throw new PurchaseOrderRejected([...(parsed.ok ? [] : parsed.issues), ...settingsIssues]);
  }
  const value = parsed.value;
  const provider = parsedSettings.value.provider;
  const searchAttributes = purchaseOrderSearchAttributes({
    po: value,
    provider,
    status: 'submitting',
    late: false,
    shipmentIds: [],
  });
  return startOnce(
    client,
    value.name,
    purchaseOrderWorkflowId(provider, value.name),
    searchAttributes,
    (options) =>
      client.workflow.start(purchaseOrderWorkflow, {
        ...options,
        args: [{ po: value, settings: parsedSettings.value }],
        staticSummary: staticSummary(value, provider),
        staticDetails: staticDetails(value, parsedSettings.value),
      }),
  );
}

/**
 * Starts a Flxpoint PO's workflow unless it has one: a submitted PO (created at Flxpoint), or an
 * adopted one (`adopted`: made there, nothing to create), which the Web UI says.
 */
export async function startFlxpointOnce(
  client: Client,
  po: FlxpointPurchaseOrder,
  settings: PoSettings,
  adopted?: FlxpointAdoptionSnapshot,
): Promise<StartedPurchaseOrder> {
  const number = po.purchaseOrderNumber;
  const status = adopted ? flxpointLifecycle(adopted.po).status : 'submitting';
  const summary = `PO ${number} at flxpoint: order ${po.orderId} to source ${po.sourceId}, ${po.purchaseOrderItems.length} item(s)`;
  const adoption = adopted && [
    '',
    `**Adopted** from flxpoint purchase order ${adopted.po.id}, status ${adopted.po.purchaseOrderStatus.handle}` +
      ` (created there ${adopted.createdAt ?? 'unknown'}, last changed ${adopted.updatedAt ?? 'unknown'}): ${adopted.trigger}.`,
    'poflow sends nothing to Flxpoint until an operator cancels it (Flxpoint has no update).',
  ];
  return startOnce(
    client,
    number,
    purchaseOrderWorkflowId('flxpoint', number),
    flxpointSearchAttributes({ po, status }),
    (options) =>
      client.workflow.start(flxpointPurchaseOrderWorkflow, {
        ...options,
        args: [{ po, settings, flxpointTaskQueue: FLXPOINT_TASK_QUEUE, ...(adopted ? { adopted } : {}) }],
        staticSummary: adopted ? `${summary}; adopted from flxpoint id ${adopted.po.id}` : summary,
        staticDetails: [flxpointStaticDetails(po, settings), ...(adoption ?? [])].join('\n'),
      }),
  );
}

export interface StartOptions {
  taskQueue: string;
  workflowId: string;
  workflowIdReusePolicy: WorkflowIdReusePolicy;
  typedSearchAttributes: SearchAttributePair[];
}

/** Starts the PO's workflow unless it has one already (running or finished). */
export async function startOnce(
  client: Client,
  name: string,
  workflowId: string,
  searchAttributes: SearchAttributeUpdatePair[],
  start: (options: StartOptions) => Promise<{ firstExecutionRunId: string }>,
): Promise<StartedPurchaseOrder> {
  try {
    const handle = await start({
      taskQueue: TASK_QUEUE,
      workflowId,
      // A PO name is used once per provider, ever: a second submission is the same PO.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: searchAttributes.filter(
        (pair): pair is SearchAttributePair => pair.value !== null,
      ),
    });
    return { name, workflowId, alreadyStarted: false, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { name, workflowId, alreadyStarted: true };
    throw err;
  }
}

export function staticSummary(po: PurchaseOrder, provider: string): string {
  const seller = partyRef(po, 'seller');
  const buyer = partyRef(po, 'buyer') ?? 'primary entity';
  return `PO ${po.name} at ${provider}: ${seller} → ${buyer}, ${po.line_items.length} line(s), ${po.transportation_mode} ${po.incoterm}`;
}

export function staticDetails(po: PurchaseOrder, settings: PoSettings): string {
  const autoClose = settings.autoClose
    ? `${settings.autoClose.days} days after ${settings.autoClose.after.replace(/_/g, ' ')}`
    : 'off';
  return [
    `## Purchase order ${po.name}`,
    `- provider: ${settings.provider}; buyer ${partyRef(po, 'buyer') ?? '(primary entity)'}; seller ${partyRef(po, 'seller')}`,
    `- cargo ready ${po.cargo_ready_date ?? '—'}; must arrive ${po.must_arrive_date ?? '—'}`,
    `- ${po.transportation_mode}, ${po.incoterm}${po.origin_port ? `, from ${po.origin_port.code}` : ''}${po.destination_port ? ` to ${po.destination_port.code}` : ''}`,
    `- auto-close: ${autoClose}`,
    '',
    '| item_key | sku | units | uom |',
    '| --- | --- | --- | --- |',
    ...po.line_items.map((l) => `| ${l.item_key} | ${l.product.sku} | ${l.units} | ${l.unit_of_measure} |`),
  ].join('\n');
}

function flxpointStaticDetails(po: FlxpointPurchaseOrder, settings: PoSettings): string {
  const poll = settings.poll ?? PollSchedule.parse({});
  return [
    `## Purchase order ${po.purchaseOrderNumber}`,
    `- provider: flxpoint; order ${po.orderId}; source ${po.sourceId}${po.purchaseOrderType ? `; type ${po.purchaseOrderType}` : ''}`,
    `- ships to: ${flxpointAddressLabel(po.shippingAddress)}`,
    `- status read every ${poll.firstSeconds} s after a change, doubling to ${poll.maxSeconds} s`,
    '',
    '| orderItemId | sku / variant | quantity |',
    '| --- | --- | --- |',
    ...po.purchaseOrderItems.map((i) => `| ${i.orderItemId} | ${flxpointItemLabel(i)} | ${i.quantity} |`),
  ].join('\n');
}
