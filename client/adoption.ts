/**
 * Adopting POs poflow did not create: read at the provider, then the PO's workflow started in the
 * state the provider shows, under the same workflow id a submission would have, so a PO poflow
 * already follows starts nothing. `poflow adopt` starts it; the webhook receiver and the
 * reconciler start it with the event that revealed it (signal-with-start).
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { readByName, type AdoptionRead } from '../activities/flexport/adoption-read';
import type { FlexportClient } from '../activities/flexport/client';
import { shipmentPurchaseOrderNames } from '../webhooks/reconciler/flexport-event-feed';
import type { UnknownPoAdoption } from '../webhooks/delivery';
import { TASK_QUEUE } from '../worker/config';
import type { AdoptionSnapshot } from '../workflows/flexport/adoption';
import { providerEventsSignal, purchaseOrderSearchAttributes } from '../workflows/flexport/messages';
import { type PurchaseOrder } from '../workflows/flexport/purchase-order';
import { purchaseOrderWorkflowId } from '../workflows/core/identity';
import { parseWith } from '../workflows/core/parsing';
import { PoSettings, type PoSettingsInput } from '../workflows/core/settings';
import { purchaseOrderWorkflow } from '../workflows/flexport/workflow';
import { BadInput } from './errors';
import { startOnce, staticDetails, staticSummary } from './purchase-orders';

/**
 * An adopted PO is the provider's: poflow closes it only when an operator says so, unless the
 * adoption asks for auto-close (`--auto-close`).
 */
export const ADOPTION_DEFAULTS = { autoClose: false } as const satisfies PoSettingsInput;

export type AdoptionOutcome = 'adopted' | 'already_followed' | 'refused';

export interface AdoptionResult {
  name: string;
  workflowId: string;
  outcome: AdoptionOutcome;
  /** Why a PO was refused. */
  reason?: string;
  /** The status it was adopted in. */
  status?: string;
  /** The provider's own status, where it differs from poflow's (Flxpoint's handle). */
  providerStatus?: string;
}

/** The settings of adopted POs: the adoption defaults under what the operator gave (Flxpoint POs never close). */
export function adoptionSettings(settings: PoSettingsInput = {}): PoSettings {
  const defaults = settings.provider === 'flxpoint' ? {} : ADOPTION_DEFAULTS;
  const parsed = parseWith(PoSettings, { ...defaults, ...settings });
  if (!parsed.ok) throw new BadInput(parsed.issues.map((i) => `settings.${i.path}: ${i.message}`).join('; '));
  return parsed.value;
}

/** One PO by name: nothing is read when poflow already follows it. */
export async function adoptByName(
  client: Client,
  flexport: FlexportClient,
  name: string,
  settings: PoSettings,
): Promise<AdoptionResult> {
  return (
    (await followedAlready(client, name, settings)) ??
    adoptRead(client, await readByName(flexport, name, 'poflow adopt'), name, settings)
  );
}

/** `already_followed` when the PO has a workflow (running or ended), so nothing needs reading. */
export async function followedAlready(
  client: Client,
  name: string,
  settings: PoSettings,
): Promise<AdoptionResult | undefined> {
  const workflowId = purchaseOrderWorkflowId(settings.provider, name);
  if (await hasWorkflow(client, workflowId)) return { name, workflowId, outcome: 'already_followed' };
  return undefined;
}

/** Starts the workflow of a PO read for adoption, unless it has one already. */
export async function adoptRead(
  client: Client,
  read: AdoptionRead,
  name: string,
  settings: PoSettings,
): Promise<AdoptionResult> {
  const workflowId = purchaseOrderWorkflowId(settings.provider, name);
  if (!read.ok) return { name, workflowId, outcome: 'refused', reason: read.reason };
  const { args, staticSummary, staticDetails, ...start } = adoptionStart(read.snapshot, read.po, settings);
  const started = await startOnce(client, name, workflowId, [], (options) =>
    client.workflow.start(purchaseOrderWorkflow, {
      ...options,
      ...start,
      args,
      staticSummary,
      staticDetails,
    }),
  );
  if (started.alreadyStarted) return { name, workflowId, outcome: 'already_followed' };
  return {
    name,
    workflowId,
    outcome: 'adopted',
    status: read.snapshot.bookings.length > 0 ? 'booked' : 'open',
  };
}

/**
 * The rule `adopt` for events about POs poflow does not follow: the PO is read at the provider
 * and its workflow started with the events (signal-with-start), so however many events for it
 * arrive at once, from the receiver and the reconciler, one workflow starts and each event is
 * applied once (it dedupes by event id, and what the snapshot already shows changes nothing).
 */
export function unknownPoAdoption(
  client: Client,
  flexport: FlexportClient,
  settings: PoSettings = adoptionSettings(),
): UnknownPoAdoption {
  return {
    shipmentPoNames: (shipmentId) => shipmentPurchaseOrderNames(flexport, shipmentId),
    async adopt(name, events) {
      const first = events[0]!;
      const read = await readByName(
        flexport,
        name,
        `event ${first.type} #${first.id} about a PO poflow did not follow`,
      );
      if (!read.ok) return { refused: read.reason };
      const start = adoptionStart(read.snapshot, read.po, settings);
      try {
        await client.workflow.signalWithStart(purchaseOrderWorkflow, {
          ...start,
          taskQueue: TASK_QUEUE,
          workflowId: purchaseOrderWorkflowId(settings.provider, name),
          // A PO whose workflow has ended is not started again by a late event.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          signal: providerEventsSignal,
          signalArgs: [events],
        });
        return { adopted: true };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { closed: true };
        throw err;
      }
    },
  };
}

/** What `start` and `signalWithStart` share: the input, search attributes and the Web UI's texts. */
function adoptionStart(snapshot: AdoptionSnapshot, po: PurchaseOrder, settings: PoSettings) {
  const status = snapshot.bookings.length > 0 ? 'booked' : 'open';
  const searchAttributes = purchaseOrderSearchAttributes({
    po,
    provider: settings.provider,
    status,
    late: false,
    shipmentIds: snapshot.shipments.map((s) => s.id),
  });
  return {
    args: [{ po, settings, adopted: snapshot }] as [Parameters<typeof purchaseOrderWorkflow>[0]],
    typedSearchAttributes: searchAttributes.filter(
      (pair): pair is SearchAttributePair => pair.value !== null,
    ),
    staticSummary: `${staticSummary(po, settings.provider)}; adopted from ${settings.provider} id ${snapshot.providerId}`,
    staticDetails: [
      staticDetails(po, settings),
      '',
      `**Adopted** from ${settings.provider} purchase order ${snapshot.providerId}` +
        (snapshot.version === undefined ? '' : ` version ${snapshot.version}`) +
        ` (created there ${snapshot.createdAt}, last changed ${snapshot.updatedAt ?? 'unknown'}): ${snapshot.trigger}.`,
      'poflow sends nothing to the provider until an operator amends, books, closes or cancels it.',
    ].join('\n'),
  };
}

async function hasWorkflow(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
