/**
 * The reconciler's activity: one walk over the provider's event log from a cursor, signalling
 * each event to its PO workflows through the same delivery as the receiver (the workflows dedupe
 * by event id, so re-signalling what the receiver already delivered is harmless).
 *
 * Each event is parsed and handled on its own. One that fails for good (the envelope schema
 * refuses it, its shipment lookup answers 404 or 403, any other non-retryable error) is tried
 * again by later walks, `maxTries` in all, and then dead-lettered: the cursor moves past it. A
 * retryable failure (the provider or Temporal unavailable) still fails the walk, which Temporal
 * retries from the heartbeated cursor.
 */
import { NO_COUNTS, type WalkCounts } from '../../workflows/reconciler-counts';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { concernsNoPo, deliverEvent, logDelivery, type UnknownPoAdoption } from '../delivery';
import { advanceCursor, windowStart, type EventCursor, type WalkedEvent } from '../event-cursor';
import { ProviderEvent } from '../../workflows/flexport/provider-event';
import type { Provider } from '../../workflows/core/choices';
import { FailureTypes } from '../../workflows/core/provider-failures';
import { reconcilerCaughtUp, reconcilerDeadLetters, reconcilerEventsRecovered } from '../../infra/metrics';

/** What a walk needs of the provider: its event log, and a shipment's POs. */
export interface EventFeed {
  /**
   * One page of the events that occurred at or after `since` (every event without it), or the
   * page a previous one links to as `next`. The events as the log lists them, unparsed: the walk
   * parses each on its own.
   */
  eventPage(from: { since?: string } | { next: string }): Promise<{ events: unknown[]; next?: string }>;
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
  /** Events that failed in earlier walks, with their tries so far. */
  retrying?: FailedEvent[];
  /** Keys of events already dead-lettered: passed over without another try. */
  deadLettered?: string[];
  /** Tries of a failing event, across walks, before it is dead-lettered. */
  maxTries?: number;
}

/** Why an event failed for good: its envelope, the provider refusing a lookup (4xx), anything else. */
export type EventFailureKind = 'schema' | 'rejected' | 'failed';

/**
 * An event that failed: what identifies it and why, never its payload (which may carry parties,
 * prices and addresses, and would land in the workflow's history and in logs).
 */
export interface FailedEvent {
  /** `#<id>`, or for an event without a readable id a digest of it. */
  key: string;
  id?: number;
  type?: string;
  occurredAt?: string;
  kind: EventFailureKind;
  /** The last failure's message (the schema issue, or the provider's status and message). */
  reason: string;
  tries: number;
  lastTriedAt: string;
}

export type DeadLetter = FailedEvent;

export interface WalkResult {
  cursor: EventCursor;
  counts: WalkCounts;
  /** More events are waiting: walk again at once. */
  more: boolean;
  /** Every failed event still to be tried again (those of `retrying` not yet resolved among them). */
  retrying: FailedEvent[];
  /** The events this walk gave up on, oldest first. */
  deadLetters: DeadLetter[];
}

/** What a walk heartbeats: a retried attempt resumes from it. */
interface WalkProgress {
  cursor: EventCursor;
  retrying: FailedEvent[];
  deadLetters: DeadLetter[];
}

export const DEFAULT_MAX_TRIES = 5;
/** At most this many failing events wait for another try; past it a failure is a dead letter at once. */
export const MAX_RETRYING = 500;
const MAX_REASON_LENGTH = 300;

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
    // A retried attempt resumes from what the previous one heartbeated.
    const resumed = resumedFrom(context.info.heartbeatDetails);
    const cursor = resumed?.cursor ?? input.cursor;
    const delivered = new Set(cursor.deliveredIds);
    const retrying = new Map((resumed?.retrying ?? input.retrying ?? []).map((f) => [f.key, f]));
    const deadLetters: DeadLetter[] = resumed?.deadLetters ?? [];
    const deadLettered = new Set([...(input.deadLettered ?? []), ...deadLetters.map((d) => d.key)]);
    const maxTries = Math.max(1, input.maxTries ?? DEFAULT_MAX_TRIES);
    const walked: WalkedEvent[] = [];
    // Too fresh to deliver yet: the cursor's mark must not leave them behind.
    const fresh: string[] = [];
    const held = () => [
      ...fresh,
      ...[...retrying.values()].flatMap((f) => (f.occurredAt ? [f.occurredAt] : [])),
    ];
    const progress = (complete: boolean): WalkProgress => ({
      cursor: advanceCursor(cursor, walked, input.overlapMs, complete, held()),
      retrying: [...retrying.values()],
      deadLetters,
    });
    const counts: WalkCounts = { ...NO_COUNTS };
    const settledBefore = Date.now() - input.settleMs;
    const maxEvents = input.maxEvents ?? 1000;
    const shipmentPoNames = (id: number) => feed.shipmentPoNames(id);
    let tried = 0;
    // Keys met this walk: a complete walk that did not meet a failed event's key no longer lists it.
    const met = new Set<string>();
    const result = (complete: boolean): WalkResult => {
      if (complete) for (const [key, failed] of retrying) if (!met.has(key)) forget(failed);
      return { ...progress(complete), counts, more: !complete };
    };
    const forget = (failed: FailedEvent) => {
      retrying.delete(failed.key);
      logger.warn(
        {
          eventId: failed.id,
          eventKey: failed.key,
          eventType: failed.type,
          tries: failed.tries,
          source: 'reconciler',
        },
        'failed event no longer listed in its window: not tried again',
      );
    };

    let page = await feed.eventPage({ since: windowStart(cursor, input.overlapMs) });
    for (;;) {
      for (const raw of page.events) {
        const seen = factsOf(raw);
        met.add(seen.key);
        // Recent events are the receiver's; a later walk delivers any it missed.
        if (seen.createdAt !== undefined && Date.parse(seen.createdAt) > settledBefore) {
          if (seen.occurredAt) fresh.push(seen.occurredAt);
          continue;
        }
        const done = (seen.id !== undefined && delivered.has(seen.id)) || deadLettered.has(seen.key);
        if (!done) {
          if (tried === maxEvents) return result(false);
          tried++;
          try {
            const event = parseEvent(raw);
            const report = await deliverEvent(event, {
              client,
              provider: input.provider,
              shipmentPoNames,
              adoption,
            });
            counts.events++;
            counts.signalled += report.signalled.length;
            counts.closedPo += report.closed.length;
            counts.unknownPo += report.unknown.length;
            if (concernsNoPo(report)) counts.unrouted++;
            logDelivery(logger, report, 'reconciler');
            if (report.signalled.length > 0) reconcilerEventsRecovered.inc({ provider: input.provider });
            delivered.add(event.id);
            retrying.delete(seen.key);
          } catch (err) {
            const failure = failureOf(err);
            if (!failure) throw err;
            const tries = (retrying.get(seen.key)?.tries ?? 0) + 1;
            const { key, id, type, occurredAt } = seen;
            const failed: FailedEvent = {
              key,
              id,
              type,
              occurredAt,
              ...failure,
              tries,
              lastTriedAt: new Date().toISOString(),
            };
            const log = {
              eventId: id,
              eventKey: key,
              eventType: type,
              kind: failure.kind,
              reason: failure.reason,
              tries,
              source: 'reconciler',
            };
            if (tries < maxTries && (retrying.has(key) || retrying.size < MAX_RETRYING)) {
              retrying.set(key, failed);
              logger.warn(log, 'event failed; a later walk tries it again');
              context.heartbeat(progress(false));
              continue;
            }
            retrying.delete(key);
            deadLetters.push(failed);
            deadLettered.add(key);
            counts.deadLettered++;
            reconcilerDeadLetters.inc({ provider: input.provider, kind: failure.kind });
            logger.error(log, 'event failed for good: dead-lettered, the reconciler moves past it');
          }
        }
        if (seen.id !== undefined && seen.occurredAt)
          walked.push({ id: seen.id, occurredAt: seen.occurredAt });
        if (!done) context.heartbeat(progress(false));
      }
      if (!page.next) {
        reconcilerCaughtUp(input.provider);
        return result(true);
      }
      context.heartbeat(progress(false));
      page = await feed.eventPage({ next: page.next });
    }
  }

  return { reconcileEvents };
}

/** What a walk reads of an event before (and whether or not) it parses. */
interface EventFacts {
  key: string;
  id?: number;
  type?: string;
  occurredAt?: string;
  createdAt?: string;
}

function factsOf(raw: unknown): EventFacts {
  const fields = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const id = Number.isSafeInteger(fields.id) ? (fields.id as number) : undefined;
  const time = (value: unknown) =>
    typeof value === 'string' && Number.isFinite(Date.parse(value)) ? value : undefined;
  return {
    key:
      id !== undefined
        ? `#${id}`
        : `sha256:${createHash('sha256')
            .update(JSON.stringify(raw) ?? '')
            .digest('hex')
            .slice(0, 16)}`,
    id,
    type: typeof fields.type === 'string' ? fields.type.slice(0, 100) : undefined,
    occurredAt: time(fields.occurred_at) ?? time(fields.created_at),
    createdAt: time(fields.created_at),
  };
}

class EventSchemaError extends Error {}

/** The event as its envelope schema reads it; the first issues name where it broke, not what it held. */
function parseEvent(raw: unknown): ProviderEvent {
  const parsed = ProviderEvent.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new EventSchemaError(`not a provider event: ${issues.join('; ')}`);
}

/**
 * An event's failure that trying the walk again cannot cure: its envelope, a lookup the provider
 * refuses (4xx), a non-retryable failure, a TypeError on data shaped as nobody expected.
 * Undefined for the rest (the provider or Temporal unavailable): those fail the walk.
 */
function failureOf(err: unknown): { kind: EventFailureKind; reason: string } | undefined {
  const short = (text: string) => text.slice(0, MAX_REASON_LENGTH);
  if (err instanceof EventSchemaError) return { kind: 'schema', reason: short(err.message) };
  if (err instanceof ApplicationFailure && err.nonRetryable) {
    const status = (err.details?.[0] as { status?: number } | undefined)?.status;
    const reason = status === undefined ? err.message : `${status}: ${err.message}`;
    return { kind: err.type === FailureTypes.rejected ? 'rejected' : 'failed', reason: short(reason) };
  }
  if (err instanceof TypeError) return { kind: 'failed', reason: short(`${err.name}: ${err.message}`) };
  return undefined;
}

/** The heartbeat of an earlier attempt; a bare cursor from a worker that ran before dead letters. */
function resumedFrom(details: unknown): (Partial<WalkProgress> & { cursor: EventCursor }) | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  if ('cursor' in details) return details as WalkProgress;
  return { cursor: details as EventCursor };
}

export type ReconcilerActivities = ReturnType<typeof createReconcilerActivities>;
