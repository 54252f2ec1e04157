/**
 * Adopting POs poflow did not create: read at the provider, then the PO's workflow started in the
 * state the provider shows, under the same workflow id a submission would have, so a PO poflow
 * already follows starts nothing. `poflow adopt` starts it; the webhook receiver and the
 * reconciler start it with the event that revealed it (signal-with-start).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { readByName, readResource, type AdoptionRead } from '../../activities/flexport/adoption-read';
import { FlexportClient } from '../../activities/flexport/client';
import type { AdoptionSnapshot } from '../../workflows/flexport/adoption';
import type { ProviderEvent } from '../../workflows/flexport/provider-event';
import { providerEventsSignal, purchaseOrderSearchAttributes } from '../../workflows/flexport/messages';
import { PO_STATUSES, type PurchaseOrder } from '../../workflows/flexport/purchase-order';
import { purchaseOrderWorkflowId } from '../../workflows/core/identity';
import { type PoSettings, type PoSettingsInput } from '../../workflows/core/settings';
import { purchaseOrderWorkflow } from '../../workflows/flexport/workflow';
import type { AdoptAllWalk, ProviderConnection } from '../provider';
import {
  followedAlready,
  settableAttributes,
  startOnce,
  TASK_QUEUE,
  type AdoptionResult,
} from '../start-once';
import { staticDetails, staticSummary } from './start';

/**
 * An adopted PO is the provider's: poflow closes it only when an operator says so, unless the
 * adoption asks for auto-close (`--auto-close`).
 */
export const ADOPTION_DEFAULTS = { autoClose: false } as const satisfies PoSettingsInput;

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

/** `adopt --all`: Flexport's POs by status and update time, page by page. */
export function adoptAllAtFlexport(connection: ProviderConnection): AdoptAllWalk {
  const flexport = new FlexportClient(connection);
  return {
    statuses: PO_STATUSES,
    async *list(filters, onTotal) {
      for await (const resource of flexport.listPurchaseOrders(filters, onTotal)) {
        yield { name: String(resource.name), resource };
      }
    },
    async adopt(client, { name, resource }, settings) {
      return (
        (await followedAlready(client, name, settings)) ??
        adoptRead(client, await readResource(flexport, resource, 'poflow adopt --all'), name, settings)
      );
    },
  };
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

/** What webhook delivery asks of the rule `adopt`: the PO started with its events, or why not. */
export interface EventAdoption {
  adopt(
    poName: string,
    events: ProviderEvent[],
  ): Promise<{ adopted: true } | { refused: string } | { closed: true }>;
}

/**
 * The rule `adopt` for events about POs poflow does not follow: the PO is read at the provider
 * and its workflow started with the events (signal-with-start), so however many events for it
 * arrive at once, from the receiver and the reconciler, one workflow starts and each event is
 * applied once (it dedupes by event id, and what the snapshot already shows changes nothing).
 */
export function eventAdoption(client: Client, flexport: FlexportClient, settings: PoSettings): EventAdoption {
  return {
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
    typedSearchAttributes: settableAttributes(searchAttributes),
    staticSummary: `${staticSummary(po)}; adopted from ${settings.provider} id ${snapshot.providerId}`,
    staticDetails: [
      staticDetails(po, settings),
      '',
      `**Adopted** from ${settings.provider} purchase order ${snapshot.providerId}` +
        (snapshot.version === undefined ? '' : ` version ${snapshot.version}`) +
        ` (created there ${snapshot.createdAt}, last changed ${snapshot.updatedAt ?? 'unknown'}): ` +
        `${snapshot.trigger}.`,
      'poflow sends nothing to the provider until an operator amends, books, closes or cancels it.',
    ].join('\n'),
  };
}
