/**
 * The reconciler's durable cursor over `GET /events`. Flexport filters its event log by time
 * (`f.occurred_at.gte`), not by id, and an event may show up in the log after events that
 * occurred later (a milestone reported late, a delivery recorded out of order). So each walk
 * re-reads an overlap window before the high-water mark and skips the ids it has already
 * delivered there. Pure: no IO, unit-tested on its own.
 */

export interface EventCursor {
  /** The latest `occurred_at` among the events delivered; unset: walk from the first event. */
  occurredAt?: string;
  /** Ids already delivered that occurred at or after `occurredAt` minus the overlap, oldest first. */
  deliveredIds: number[];
}

/** An event a walk is done with: delivered now, or by an earlier walk. */
export interface WalkedEvent {
  id: number;
  occurredAt: string;
}

/**
 * More ids than an overlap window of an hour usually holds. Beyond it the oldest are forgotten,
 * and may be signalled a second time: harmless, the PO workflows dedupe by event id.
 */
export const MAX_DELIVERED_IDS = 2000;

/** Where a walk from this cursor reads from: the high-water mark minus the overlap. */
export function windowStart(cursor: EventCursor, overlapMs: number): string | undefined {
  if (cursor.occurredAt === undefined) return undefined;
  return new Date(Date.parse(cursor.occurredAt) - overlapMs).toISOString();
}

/**
 * The cursor after a walk that is done with `walked`. `complete`: the walk read its whole window,
 * so an id of the old cursor it did not meet again has left the window; a walk cut short keeps
 * them, since they may sit on the pages it did not reach.
 *
 * `held`: the `occurred_at` of events the walk passed over and a later walk must meet again (too
 * fresh to deliver yet, or failed and to be tried again). The mark stays at most `overlapMs` after
 * the earliest of them, so the next window still starts at or before it; it never moves back.
 */
export function advanceCursor(
  cursor: EventCursor,
  walked: WalkedEvent[],
  overlapMs: number,
  complete: boolean,
  held: readonly string[] = [],
): EventCursor {
  const time = (e: WalkedEvent) => Date.parse(e.occurredAt);
  const previous = cursor.occurredAt === undefined ? -Infinity : Date.parse(cursor.occurredAt);
  const heldFrom = Math.min(...held.map(Date.parse).filter(Number.isFinite)) + overlapMs;
  const highWater = Math.max(previous, Math.min(heldFrom, Math.max(previous, ...walked.map(time))));
  if (highWater === -Infinity) return cursor;
  const walkedIds = new Set(walked.map((e) => e.id));
  const carried = complete ? [] : cursor.deliveredIds.filter((id) => !walkedIds.has(id));
  const inWindow = walked
    .filter((e) => time(e) >= highWater - overlapMs)
    .sort((a, b) => time(a) - time(b))
    .map((e) => e.id);
  return {
    occurredAt: new Date(highWater).toISOString(),
    deliveredIds: [...carried, ...inWindow].slice(-MAX_DELIVERED_IDS),
  };
}
