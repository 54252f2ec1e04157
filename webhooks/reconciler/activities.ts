/**
 * The reconciler's activity: one walk over the provider's event log from a cursor, signalling
 * each event to its PO workflows through the same delivery as the receiver (the workflows dedupe
 * by event id, so re-signalling what the receiver already delivered is harmless).
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { concernsNoPo, deliverEvent, logDelivery, type UnknownPoAdoption } from '../delivery';
import { advanceCursor, windowStart, type EventCursor, type WalkedEvent } from '../event-cursor';
import type { ProviderEvent } from '../../workflows/flexport/provider-event';
import type { Provider } from '../../workflows/core/choices';
import { reconcilerCaughtUp, reconcilerEventsRecovered } from '../../activities/metrics';

/** What a walk needs of the provider: its event log, and a shipment's POs. */
export interface EventFeed {
  /**
   * One page of the events that occurred at or after `since` (every event without it), or the
   * page a previous one links to as `next`.
   */
  eventPage(from: { since?: string } | { next: string }): Promise<{ events: ProviderEvent[]; next?: string }>;
  /** The names of the POs the provider lists on a shipment. */
  shipmentPoNames(shipmentId: number): Promise<string[]>;
}

export interface WalkInput {
  provider: Provider;
  cursor: EventCursor;
  settleMs: number;
  /** How far before the cursor's high-water mark each walk reads again, for events that arrive late. */
  overlapMs: number;
  /** Events per walk before handing back to the workflow (which records the cursor). */
  maxEvents?: number;
}

export interface WalkCounts {
  events: number;
  signalled: number;
  closedPo: number;
  unknownPo: number;
  unrouted: number;
}

export interface WalkResult {
  cursor: EventCursor;
  counts: WalkCounts;
  /** More events are waiting: walk again at once. */
  more: boolean;
}

export interface ReconcilerDependencies {
  client: Client;
  feeds: Partial<Record<Provider, EventFeed>>;
  logger: Logger;
  /** The rule `adopt` for events about POs poflow does not follow; unset: they are dropped. */
  adoption?: UnknownPoAdoption;
}

export function createReconcilerActivities({ client, feeds, logger, adoption }: ReconcilerDependencies) {
  async function reconcileEvents(input: WalkInput): Promise<WalkResult> {
    const feed = feeds[input.provider];
    if (!feed) throw new Error(`no event feed configured for provider ${input.provider}`);
    const context = Context.current();
    // A retried attempt resumes from the cursor the previous one heartbeated.
    const cursor = (context.info.heartbeatDetails as EventCursor | undefined) ?? input.cursor;
    const delivered = new Set(cursor.deliveredIds);
    const walked: WalkedEvent[] = [];
    const progress = (complete: boolean) => advanceCursor(cursor, walked, input.overlapMs, complete);
    const counts: WalkCounts = { events: 0, signalled: 0, closedPo: 0, unknownPo: 0, unrouted: 0 };
    const settledBefore = Date.now() - input.settleMs;
    const maxEvents = input.maxEvents ?? 1000;
    const shipmentPoNames = (id: number) => feed.shipmentPoNames(id);

    let page = await feed.eventPage({ since: windowStart(cursor, input.overlapMs) });
    for (;;) {
      for (const event of page.events) {
        // Recent events are the receiver's; a later walk delivers any it missed.
        if (Date.parse(event.created_at ?? '') > settledBefore) continue;
        const fresh = !delivered.has(event.id);
        if (fresh) {
          if (counts.events === maxEvents) return { cursor: progress(false), counts, more: true };
          const report = await deliverEvent(event, { client, provider: input.provider, shipmentPoNames, adoption }); // prettier-ignore
          counts.events++;
          counts.signalled += report.signalled.length;
          counts.closedPo += report.closed.length;
          counts.unknownPo += report.unknown.length;
          if (concernsNoPo(report)) counts.unrouted++;
          logDelivery(logger, report, 'reconciler');
          if (report.signalled.length > 0) reconcilerEventsRecovered.inc({ provider: input.provider });
          delivered.add(event.id);
        }
        const occurredAt = event.occurred_at ?? event.created_at;
        if (occurredAt) walked.push({ id: event.id, occurredAt });
        if (fresh) context.heartbeat(progress(false));
      }
      if (!page.next) {
        reconcilerCaughtUp(input.provider);
        return { cursor: progress(true), counts, more: false };
      }
      context.heartbeat(progress(false));
      page = await feed.eventPage({ next: page.next });
    }
  }

  return { reconcileEvents };
}

export type ReconcilerActivities = ReturnType<typeof createReconcilerActivities>;
