/**
 * The messages a delivery sends a PO's workflow, as the provider registry names them
 * (`capabilities.webhooks` in `workflows/providers.ts`): one event as the event signal; more as
 * the update that answers once the PO has taken them in, or, should the update fail, as the events
 * signal, whose failures mean what a single one's do. And, when no workflow runs under the id,
 * the describe() probe that tells a PO whose workflow has ended from one poflow does not follow.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Provider } from '../workflows/core/choices';
import type { EventMessages } from '../workflows/core/provider';
import { PROVIDER_WORKFLOWS, type ProviderWorkflows } from '../workflows/providers';
import type { routeEvent } from './routing';

/** An event as a delivery takes it in: the webhook envelope routing reads (its type named there). */
export type DeliveredEvent = Parameters<typeof routeEvent>[0];

/** An event as the pushing providers' messages take it (the registry's `EventMessages<Event>`). */
type PushedEvent = ProviderWorkflows[Provider]['capabilities']['webhooks'] extends infer Webhooks
  ? Webhooks extends EventMessages<infer Event>
    ? Event
    : never
  : never;

export type PoEventMessages = EventMessages<PushedEvent>;

export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/** What each Temporal call of a delivery is made with. */
export interface TemporalCalls {
  client: Client;
  /** Deadline of each Temporal call; past it the delivery fails (and is retried by its caller). */
  rpcTimeoutMs?: number;
}

/**
 * The messages that hand `provider`'s events to its POs. A provider that pushes nothing has no
 * delivery: this throws with the registry's reason.
 */
export function eventMessagesOf(provider: Provider): PoEventMessages {
  const webhooks = PROVIDER_WORKFLOWS[provider].capabilities.webhooks;
  if ('refused' in webhooks) throw new Error(`no webhook delivery for ${provider}: ${webhooks.refused}`);
  return webhooks;
}

/**
 * Hands `events` to the workflow `workflowId`: `signalled`; or, with none running under the id,
 * `closed` when one ran and has ended, `unknown` when none ever did. Any other failure is thrown
 * (the delivery fails and is retried whole; the workflows dedupe).
 */
export async function reachWorkflow(
  calls: TemporalCalls,
  messages: PoEventMessages,
  workflowId: string,
  events: DeliveredEvent[],
): Promise<'signalled' | 'closed' | 'unknown'> {
  const handle = calls.client.workflow.getHandle(workflowId);
  try {
    await sendEvents(calls, messages, handle, events);
    return 'signalled';
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // Nothing running under this id: a finished PO, or none at all.
  try {
    await withDeadline(calls, () => handle.describe());
    return 'closed';
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  return 'unknown';
}

/** One event as a signal; more as the update, or as one signal should it fail. */
async function sendEvents(
  calls: TemporalCalls,
  messages: PoEventMessages,
  handle: WorkflowHandle,
  events: DeliveredEvent[],
): Promise<void> {
  if (events.length === 1) return withDeadline(calls, () => handle.signal(messages.eventSignal, events[0]!));
  // The update id says what it carries: the timeline shows it.
  const carried = `${events.length} provider events #${events[0]!.id}…#${events.at(-1)!.id}`;
  const updateId = `${carried} ${randomUUID().slice(0, 8)}`;
  const taken = await withDeadline(calls, () =>
    handle.executeUpdate(messages.takeEventsUpdate, { args: [events], updateId }),
  ).then(
    () => true,
    () => false,
  );
  if (!taken) await withDeadline(calls, () => handle.signal(messages.eventsSignal, events));
}

export function withDeadline<T>(calls: TemporalCalls, call: () => Promise<T>): Promise<T> {
  return calls.client.withDeadline(Date.now() + (calls.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS), call);
}
