/**
 * Turns one provider event into messages to the PO workflows it concerns; used by the receiver and
 * the reconciler alike. Resolves only when Temporal has accepted every message (or a workflow is
 * known not to be running); throws otherwise, so the caller answers 503 or retries. An event for a
 * PO whose workflow has ended never starts it again; an event for a PO poflow does not follow is
 * dropped, or with `adoption` (POFLOW_UNKNOWN_PO_EVENTS=adopt) the PO is read at the provider and
 * its workflow started with the events (signal-with-start: `delivery-adoption.ts`).
 *
 * The messages are the provider's, from the registry (`delivery-messages.ts`: a provider that
 * pushes nothing has no delivery). Events for one PO that arrive while a message to it is on its
 * way travel together in the next one (`delivery-batches.ts`).
 *
 * One event reaches at most MAX_POS_PER_EVENT POs (a shipment's `metadata.purchase_order` is the
 * customer's free text: one event could name thousands); the POs beyond are counted, not
 * delivered. Its POs are signalled, looked up and adopted EVENT_FAN_OUT_CONCURRENCY at a time.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Provider } from '../workflows/core/choices';
import { routeEvent, shipmentVisibilityQuery, workflowIdsFor, type EventRoute } from './routing';
import { eventPosBeyondCap } from '../infra/metrics';
import { adoptUnknownPo, type UnknownPoAdoption } from './delivery-adoption';
import { PoEventBatches } from './delivery-batches';
import {
  eventMessagesOf,
  reachWorkflow,
  withDeadline,
  type DeliveredEvent,
  type PoEventMessages,
  type TemporalCalls,
} from './delivery-messages';

// The delivery's names, wherever they live: importers know this file.
export type { UnknownPoAdoption } from './delivery-adoption';
export { MAX_BATCH_BYTES, MAX_EVENTS_PER_SIGNAL, nextBatchLength } from './delivery-batches';
export { DEFAULT_RPC_TIMEOUT_MS } from './delivery-messages';

export interface DeliveryOptions extends TemporalCalls {
  provider: Provider;
  /**
   * Last resort for a shipment event that names no PO and no workflow has recorded yet: the POs
   * the provider has on the shipment. The reconciler has a provider client; the receiver uses the
   * adoption's (under the rule `adopt` only: a PO no workflow recorded is one to adopt).
   */
  shipmentPoNames?: (shipmentId: number) => Promise<string[]>;
  /** The rule `adopt` for POs poflow does not follow; unset: record and drop. */
  adoption?: UnknownPoAdoption;
}

export interface DeliveryReport {
  eventId: number;
  eventType: string;
  /** Workflows that accepted the signal. */
  signalled: string[];
  /** Workflows that exist but have completed: delivered and ignored. */
  closed: string[];
  /** Workflow ids with no execution: POs poflow does not know, recorded and dropped. */
  unknown: string[];
  /** Of the signalled ones, those started by adoption with this event (or with others that came with it). */
  adopted: string[];
  /** Why each unknown PO was not adopted (under the rule `adopt`). */
  notAdopted: Record<string, string>;
  /** How many POs the event concerned beyond MAX_POS_PER_EVENT: not delivered, counted only. */
  beyondCap: number;
}

type Outcome = { kind: 'signalled' | 'closed' | 'unknown' | 'adopted'; reason?: string };

/**
 * The most POs one event reaches, in the order the event (or the lookup) names them. A real
 * shipment carries tens of POs, a consolidation a few hundred; beyond this the event is taken for
 * a mistake or an abuse of the shipment's metadata, and the rest are logged by count and counted
 * in `poflow_webhook_event_pos_beyond_cap_total`.
 */
export const MAX_POS_PER_EVENT = 500;

/** How many of one event's POs are signalled, looked up or adopted at once. */
export const EVENT_FAN_OUT_CONCURRENCY = 16;

export async function deliverEvent(event: DeliveredEvent, options: DeliveryOptions): Promise<DeliveryReport> {
  const messages = eventMessagesOf(options.provider);
  const concerned = await targetWorkflowIds(routeEvent(event), options);
  const workflowIds = concerned.slice(0, MAX_POS_PER_EVENT);
  const beyondCap = concerned.length - workflowIds.length;
  const outcomes = await mapBounded(workflowIds, EVENT_FAN_OUT_CONCURRENCY, (id) =>
    signalOne(id, event, messages, options),
  );
  const report: DeliveryReport = {
    eventId: event.id,
    eventType: event.type,
    signalled: [],
    closed: [],
    unknown: [],
    adopted: [],
    notAdopted: {},
    beyondCap,
  };
  outcomes.forEach(({ kind, reason }, i) => {
    const id = workflowIds[i]!;
    if (kind === 'adopted') report.adopted.push(id);
    report[kind === 'adopted' ? 'signalled' : kind].push(id);
    if (reason) report.notAdopted[id] = reason;
  });
  if (beyondCap > 0) eventPosBeyondCap.inc({ provider: options.provider }, beyondCap);
  return report;
}

/**
 * `work` on every item, at most `limit` at a time; the results in the items' order. After a
 * failure no further item is started (the delivery fails and is retried whole; the workflows
 * dedupe): the first failure is thrown once those already started have settled.
 */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failure: { err: unknown } | undefined;
  const runner = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]!);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  if (failure) throw failure.err;
  return results;
}

async function targetWorkflowIds(route: EventRoute, options: DeliveryOptions): Promise<string[]> {
  if (route.kind === 'none') return [];
  if (route.poNames.length > 0) return workflowIdsFor(options.provider, route.poNames);
  if (route.kind !== 'shipment' || route.shipmentId === undefined) return [];
  const recorded = await withDeadline(options, () =>
    listWorkflowIds(options.client, shipmentVisibilityQuery(options.provider, route.shipmentId!)),
  );
  const lookUp = options.shipmentPoNames ?? options.adoption?.shipmentPoNames?.bind(options.adoption);
  if (recorded.length > 0 || !lookUp) return recorded;
  return workflowIdsFor(options.provider, await lookUp(route.shipmentId));
}

async function listWorkflowIds(client: Client, query: string): Promise<string[]> {
  const ids = new Set<string>();
  for await (const execution of client.workflow.list({ query })) ids.add(execution.workflowId);
  return [...ids];
}

/**
 * The events gathering per PO, one set per Temporal client. Module-level because callers deliver
 * event by event with options built per call (the receiver per request, the reconciler per event):
 * the client is what two deliveries to one PO share. Weakly held, so a client let go (a test's, a
 * closed one) takes its lanes with it.
 */
const batchesByClient = new WeakMap<Client, PoEventBatches<DeliveredEvent, Outcome>>();

function batchesOf(client: Client): PoEventBatches<DeliveredEvent, Outcome> {
  const batches = batchesByClient.get(client) ?? new PoEventBatches<DeliveredEvent, Outcome>();
  batchesByClient.set(client, batches);
  return batches;
}

function signalOne(
  workflowId: string,
  event: DeliveredEvent,
  messages: PoEventMessages,
  options: DeliveryOptions,
): Promise<Outcome> {
  // Events travel together only under the same rule for unknown POs: a batch is delivered (or
  // adopted) with the options of the delivery that opened its lane.
  const lane = options.adoption ? `adopt ${workflowId}` : workflowId;
  return batchesOf(options.client).send(lane, event, (events) =>
    deliverBatch(workflowId, events, messages, options),
  );
}

/** Events for one PO: signalled; or, with no workflow running, closed, unknown or adopted. */
async function deliverBatch(
  workflowId: string,
  events: DeliveredEvent[],
  messages: PoEventMessages,
  options: DeliveryOptions,
): Promise<Outcome> {
  const reached = await reachWorkflow(options, messages, workflowId, events);
  if (reached !== 'unknown' || !options.adoption) return { kind: reached };
  return adoptUnknownPo(options.adoption, workflowId, events);
}

export function concernsNoPo(report: DeliveryReport): boolean {
  return report.signalled.length + report.closed.length + report.unknown.length === 0;
}

/**
 * One structured line per delivered event (id, type, the workflows it went to, those adopted with
 * it), a warning per event for a PO poflow does not know and did not adopt, with the reason, and
 * one per event that concerned more POs than MAX_POS_PER_EVENT, with how many were dropped.
 */
export function logDelivery(logger: Logger, report: DeliveryReport, source: 'receiver' | 'reconciler'): void {
  const { eventId, eventType } = report;
  if (report.beyondCap > 0) {
    // By count only: the names are the event's own, thousands of them perhaps.
    logger.warn(
      { eventId, eventType, source, beyondCap: report.beyondCap, maxPosPerEvent: MAX_POS_PER_EVENT },
      'event concerns more POs than one event may reach: those beyond the cap dropped',
    );
  }
  if (report.unknown.length > 0) {
    const adoptionRefused = Object.keys(report.notAdopted).length > 0;
    logger.warn(
      {
        eventId,
        eventType,
        workflowIds: report.unknown,
        source,
        rule: adoptionRefused ? 'adopt' : 'record-and-drop',
        ...(adoptionRefused ? { notAdopted: report.notAdopted } : {}),
      },
      adoptionRefused
        ? 'event for a PO poflow can not adopt: dropped'
        : 'event for a PO poflow does not know: dropped',
    );
  }
  logger.info(
    {
      eventId,
      eventType,
      workflowIds: report.signalled,
      closedWorkflowIds: report.closed,
      adoptedWorkflowIds: report.adopted,
      source,
    },
    concernsNoPo(report) ? 'event concerns no PO: acknowledged' : 'event delivered',
  );
}
