/**
 * Turns one provider event into `providerEvent` signals, one per PO workflow it concerns; used by
 * the receiver and the reconciler alike. Resolves only when Temporal has accepted every signal
 * (or a workflow is known not to be running); throws otherwise, so the caller answers 503 or
 * retries. An event for a PO whose workflow has ended never starts it again; an event for a PO
 * poflow does not follow is dropped, or with `adoption` (POFLOW_UNKNOWN_PO_EVENTS=adopt) the PO is
 * read at the provider and its workflow started with the events (signal-with-start).
 *
 * Events for one PO that arrive while a message to it is still on its way travel together in the
 * next one (up to MAX_EVENTS_PER_SIGNAL): the `takeProviderEvents` update, which answers once the
 * PO has taken them in, so a burst reaches the PO batch after batch at the pace it takes them
 * instead of piling onto it (every signal is a history event, Temporal accepts at most 10,000 per
 * history, and the SDK's fixed cost per message is what a flood runs into). Should the update
 * fail, the batch goes as a `providerEvents` signal, whose failures mean what a single one's do.
 * A batch also stays under MAX_BATCH_BYTES of JSON, far below Temporal's 2 MB payload limit.
 *
 * One event reaches at most MAX_POS_PER_EVENT POs (a shipment's `metadata.purchase_order` is the
 * customer's free text: one event could name thousands); the POs beyond are counted, not
 * delivered. Its POs are signalled, looked up and adopted EVENT_FAN_OUT_CONCURRENCY at a time.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import {
  providerEventSignal,
  providerEventsSignal,
  takeProviderEventsUpdate,
} from '../workflows/flexport/messages';
import { type ProviderEvent } from '../workflows/flexport/provider-event';
import type { Provider } from '../workflows/core/choices';
import { routeEvent, shipmentVisibilityQuery, workflowIdsFor, type EventRoute } from './routing';
import { eventPosBeyondCap } from '../infra/metrics';

export interface DeliveryOptions {
  client: Client;
  provider: Provider;
  /** Deadline of each Temporal call; past it the delivery fails (and is retried by its caller). */
  rpcTimeoutMs?: number;
  /**
   * Last resort for a shipment event that names no PO and no workflow has recorded yet: the POs
   * the provider has on the shipment. The reconciler has a provider client; the receiver uses the
   * adoption's (under the rule `adopt` only: a PO no workflow recorded is one to adopt).
   */
  shipmentPoNames?: (shipmentId: number) => Promise<string[]>;
  /** The rule `adopt` for POs poflow does not follow; unset: record and drop. */
  adoption?: UnknownPoAdoption;
}

/**
 * Starts the workflow of a PO poflow does not follow, by adoption, with the events about it; or
 * says why it was not adopted (refused), or that its workflow exists and has ended (closed).
 */
export interface UnknownPoAdoption {
  adopt(
    poName: string,
    events: ProviderEvent[],
  ): Promise<{ adopted: true } | { refused: string } | { closed: true }>;
  /** The names of the POs on a shipment, read at the provider: how a shipment event that names none reaches its PO. */
  shipmentPoNames?(shipmentId: number): Promise<string[]>;
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

export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/**
 * The most POs one event reaches, in the order the event (or the lookup) names them. A real
 * shipment carries tens of POs, a consolidation a few hundred; beyond this the event is taken for
 * a mistake or an abuse of the shipment's metadata, and the rest are logged by count and counted
 * in `poflow_webhook_event_pos_beyond_cap_total`.
 */
export const MAX_POS_PER_EVENT = 500;

/** How many of one event's POs are signalled, looked up or adopted at once. */
export const EVENT_FAN_OUT_CONCURRENCY = 16;

export async function deliverEvent(event: ProviderEvent, options: DeliveryOptions): Promise<DeliveryReport> {
  const concerned = await targetWorkflowIds(routeEvent(event), options);
  const workflowIds = concerned.slice(0, MAX_POS_PER_EVENT);
  const beyondCap = concerned.length - workflowIds.length;
  const outcomes = await mapBounded(workflowIds, EVENT_FAN_OUT_CONCURRENCY, (id) =>
    signalOne(id, event, options),
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

function signalOne(workflowId: string, event: ProviderEvent, options: DeliveryOptions): Promise<Outcome> {
  // Events travel together only under the same rule for unknown POs: a batch is delivered (or
  // adopted) with the options of the delivery that opened its lane.
  const lane = options.adoption ? `adopt ${workflowId}` : workflowId;
  return coalesced(options.client, lane, event, (events) => deliverBatch(workflowId, events, options));
}

/** Events for one PO: signalled; or, with no workflow running, closed, unknown or adopted. */
async function deliverBatch(
  workflowId: string,
  events: ProviderEvent[],
  options: DeliveryOptions,
): Promise<Outcome> {
  const handle = options.client.workflow.getHandle(workflowId);
  try {
    await signalBatch(handle, events, options);
    return { kind: 'signalled' };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // Nothing running under this id: a finished PO, or none at all.
  try {
    await withDeadline(options, () => handle.describe());
    return { kind: 'closed' };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (!options.adoption) return { kind: 'unknown' };
  const adopted = await options.adoption.adopt(poNameOf(workflowId), events);
  if ('refused' in adopted) return { kind: 'unknown', reason: adopted.refused };
  return { kind: 'closed' in adopted ? 'closed' : 'adopted' };
}

/** One event as a signal; more as the `takeProviderEvents` update, or as one signal should it fail. */
async function signalBatch(
  handle: WorkflowHandle,
  events: ProviderEvent[],
  options: DeliveryOptions,
): Promise<void> {
  if (events.length === 1) return withDeadline(options, () => handle.signal(providerEventSignal, events[0]!));
  // The update id says what it carries: the timeline shows it.
  const updateId = `${events.length} provider events #${events[0]!.id}…#${events.at(-1)!.id} ${randomUUID().slice(0, 8)}`;
  const taken = await withDeadline(options, () =>
    handle.executeUpdate(takeProviderEventsUpdate, { args: [events], updateId }),
  ).then(
    () => true,
    () => false,
  );
  if (!taken) await withDeadline(options, () => handle.signal(providerEventsSignal, events));
}

export const MAX_EVENTS_PER_SIGNAL = 100;

/**
 * The most JSON one message carries when it carries more than one event: Temporal refuses a
 * payload over 2 MB (and warns from 512 KB), and 100 events of a few KiB fit many times over. An
 * event larger than this goes alone, as the single-event signal it would be without batching (the
 * receiver's body limit, 1 MiB by default, keeps a webhook's under Temporal's 2 MB).
 */
export const MAX_BATCH_BYTES = 256 * 1024;

interface Waiting {
  event: ProviderEvent;
  settle: (result: { outcome: Outcome } | { err: unknown }) => void;
  /** The event's JSON size, measured once when a batch is made. */
  bytes?: number;
}

/**
 * How many of the `waiting` events (`sizeAt(i)`: the JSON size of the i-th) the next message
 * takes: at most MAX_EVENTS_PER_SIGNAL and MAX_BATCH_BYTES between them, and always the first
 * (alone when it is larger than MAX_BATCH_BYTES itself). Sizes are asked for only when more than
 * one event waits, and no further than the batch reaches.
 */
export function nextBatchLength(waiting: number, sizeAt: (i: number) => number): number {
  const available = Math.min(waiting, MAX_EVENTS_PER_SIGNAL);
  if (available <= 1) return available;
  let bytes = sizeAt(0);
  let taken = 1;
  for (; taken < available; taken++) {
    const size = sizeAt(taken);
    if (bytes + size > MAX_BATCH_BYTES) break;
    bytes += size;
  }
  return taken;
}

/** Per client and lane (a workflow id, and the rule): the events waiting for the signal in flight to be accepted. */
const lanesByClient = new WeakMap<Client, Map<string, Waiting[]>>();

/**
 * Sends `event` at once when nothing is on its way to this workflow, or with the events that
 * gather behind the signal in flight; resolves (or fails) with the signal that carried it.
 */
function coalesced(
  client: Client,
  lane: string,
  event: ProviderEvent,
  send: (events: ProviderEvent[]) => Promise<Outcome>,
): Promise<Outcome> {
  const lanes = lanesByClient.get(client) ?? new Map<string, Waiting[]>();
  lanesByClient.set(client, lanes);
  return new Promise((resolve, reject) => {
    const settle: Waiting['settle'] = (result) =>
      'err' in result ? reject(result.err) : resolve(result.outcome);
    const open = lanes.get(lane);
    if (open) return void open.push({ event, settle });
    const waiting: Waiting[] = [{ event, settle }];
    lanes.set(lane, waiting);
    void drainLane(waiting, send, () => lanes.delete(lane));
  });
}

/** Sends what waits, batch after batch; `idle` runs in the same tick the lane is found empty. */
async function drainLane(
  waiting: Waiting[],
  send: (events: ProviderEvent[]) => Promise<Outcome>,
  idle: () => void,
): Promise<void> {
  while (waiting.length > 0) {
    const sizeAt = (i: number) =>
      (waiting[i]!.bytes ??= Buffer.byteLength(JSON.stringify(waiting[i]!.event)));
    const batch = waiting.splice(0, nextBatchLength(waiting.length, sizeAt));
    const result = await send(batch.map((w) => w.event)).then(
      (outcome) => ({ outcome }),
      (err: unknown) => ({ err: err ?? new Error('signal failed') }),
    );
    for (const w of batch) w.settle(result);
  }
  idle();
}

function withDeadline<T>(options: DeliveryOptions, call: () => Promise<T>): Promise<T> {
  return options.client.withDeadline(Date.now() + (options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS), call);
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

/** The PO name in a workflow id `po/<provider>/<name>` (names may hold slashes). */
function poNameOf(workflowId: string): string {
  return workflowId.split('/').slice(2).join('/');
}
