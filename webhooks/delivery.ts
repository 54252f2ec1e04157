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
  adopt(poName: string, events: ProviderEvent[]): Promise<{ adopted: true } | { refused: string } | { closed: true }>; // prettier-ignore
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
}

type Outcome = { kind: 'signalled' | 'closed' | 'unknown' | 'adopted'; reason?: string };

export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

export async function deliverEvent(event: ProviderEvent, options: DeliveryOptions): Promise<DeliveryReport> {
  const workflowIds = await targetWorkflowIds(routeEvent(event), options);
  const settled = await Promise.allSettled(workflowIds.map((id) => signalOne(id, event, options)));
  const report: DeliveryReport = {
    eventId: event.id,
    eventType: event.type,
    signalled: [],
    closed: [],
    unknown: [],
    adopted: [],
    notAdopted: {},
  };
  settled.forEach((result, i) => {
    if (result.status === 'rejected') throw result.reason;
    const id = workflowIds[i]!;
    const { kind, reason } = result.value;
    if (kind === 'adopted') report.adopted.push(id);
    report[kind === 'adopted' ? 'signalled' : kind].push(id);
    if (reason) report.notAdopted[id] = reason;
  });
  return report;
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
  const updateId = `${events.length} provider events #${events[0]!.id}…#${events.at(-1)!.id} ${randomUUID().slice(0, 8)}`; // prettier-ignore
  const taken = await withDeadline(options, () =>
    handle.executeUpdate(takeProviderEventsUpdate, { args: [events], updateId }),
  ).then(
    () => true,
    () => false,
  );
  if (!taken) await withDeadline(options, () => handle.signal(providerEventsSignal, events));
}

export const MAX_EVENTS_PER_SIGNAL = 100;

interface Waiting {
  event: ProviderEvent;
  settle: (result: { outcome: Outcome } | { err: unknown }) => void;
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
    const settle: Waiting['settle'] = (result) => ('err' in result ? reject(result.err) : resolve(result.outcome)); // prettier-ignore
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
    const batch = waiting.splice(0, MAX_EVENTS_PER_SIGNAL);
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
 * it), and a warning per event for a PO poflow does not know and did not adopt, with the reason.
 */
export function logDelivery(logger: Logger, report: DeliveryReport, source: 'receiver' | 'reconciler'): void {
  const { eventId, eventType } = report;
  if (report.unknown.length > 0) {
    const adoptionRefused = Object.keys(report.notAdopted).length > 0;
    logger.warn(
      { eventId, eventType, workflowIds: report.unknown, source, rule: adoptionRefused ? 'adopt' : 'record-and-drop', ...(adoptionRefused ? { notAdopted: report.notAdopted } : {}) }, // prettier-ignore
      adoptionRefused
        ? 'event for a PO poflow can not adopt: dropped'
        : 'event for a PO poflow does not know: dropped',
    );
  }
  logger.info(
    { eventId, eventType, workflowIds: report.signalled, closedWorkflowIds: report.closed, adoptedWorkflowIds: report.adopted, source }, // prettier-ignore
    concernsNoPo(report) ? 'event concerns no PO: acknowledged' : 'event delivered',
  );
}

/** The PO name in a workflow id `po/<provider>/<name>` (names may hold slashes). */
function poNameOf(workflowId: string): string {
  return workflowId.split('/').slice(2).join('/');
}
