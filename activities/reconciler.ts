/**
 * The reconciler's activity: one walk over the provider's event log from a cursor, signalling
 * each event to its PO workflows through the same delivery as the receiver (the workflows dedupe
 * by event id, so re-signalling what the receiver already delivered is harmless).
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { concernsNoPo, deliverEvent, logDelivery } from '../webhooks/delivery';
import { purchaseOrderNamesOf } from '../webhooks/routing';
import type { FlexportClient } from './flexport';
import type { ProviderEvent } from '../workflows/messages';
import type { Provider } from '../workflows/purchase-order';

/** What a walk needs of the provider: its event log, and a shipment's POs. */
export interface EventFeed {
  /** One page of events with an id above `afterId`, oldest first. */
  eventsAfter(afterId: number, per: number): Promise<{ events: ProviderEvent[]; hasMore: boolean }>;
  /** The names of the POs the provider lists on a shipment. */
  shipmentPoNames(shipmentId: number): Promise<string[]>;
}

export interface WalkInput {
  provider: Provider;
  after: number;
  settleMs: number;
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
  cursor: number;
  counts: WalkCounts;
  /** More events are waiting: walk again at once. */
  more: boolean;
}

export interface ReconcilerDependencies {
  client: Client;
  feeds: Partial<Record<Provider, EventFeed>>;
  logger: Logger;
}

const PAGE_SIZE = 100;

export function createReconcilerActivities({ client, feeds, logger }: ReconcilerDependencies) {
  async function reconcileEvents(input: WalkInput): Promise<WalkResult> {
    const feed = feeds[input.provider];
    if (!feed) throw new Error(`no event feed configured for provider ${input.provider}`);
    const context = Context.current();
    // A retried attempt resumes from the last cursor the previous one heartbeated.
    let cursor = Math.max(input.after, Number(context.info.heartbeatDetails ?? 0));
    const counts: WalkCounts = { events: 0, signalled: 0, closedPo: 0, unknownPo: 0, unrouted: 0 };
    const settledBefore = Date.now() - input.settleMs;
    const maxEvents = input.maxEvents ?? 1000;
    const shipmentPoNames = (id: number) => feed.shipmentPoNames(id);

    while (counts.events < maxEvents) {
      const page = await feed.eventsAfter(cursor, PAGE_SIZE);
      for (const event of page.events) {
        // Recent events are the receiver's; the next walk picks up any it missed.
        if (Date.parse(event.created_at ?? '') > settledBefore) return { cursor, counts, more: false };
        const report = await deliverEvent(event, { client, provider: input.provider, shipmentPoNames });
        counts.events++;
        counts.signalled += report.signalled.length;
        counts.closedPo += report.closed.length;
        counts.unknownPo += report.unknown.length;
        if (concernsNoPo(report)) counts.unrouted++;
        logDelivery(logger, report, 'reconciler');
        cursor = event.id;
        context.heartbeat(cursor);
      }
      if (!page.hasMore || page.events.length === 0) return { cursor, counts, more: false };
    }
    return { cursor, counts, more: true };
  }

  return { reconcileEvents };
}

export type ReconcilerActivities = ReturnType<typeof createReconcilerActivities>;

/** Flexport's event log as a feed, read after the last event id the reconciler has seen. */
export function flexportEventFeed(flexport: FlexportClient): EventFeed {
  return {
    async eventsAfter(afterId, per) {
      const page = await flexport.listEvents({ afterId, per });
      return { events: page.events, hasMore: page.next !== undefined };
    },
    async shipmentPoNames(shipmentId) {
      return purchaseOrderNamesOf(await flexport.getShipment(shipmentId));
    },
  };
}
