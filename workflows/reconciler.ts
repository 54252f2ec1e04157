/**
 * The event reconciler: one long-running workflow per provider that walks the provider's
 * `GET /events` from a durable cursor (a high-water mark of `occurred_at` and the ids delivered
 * within the overlap window before it, see webhooks/event-cursor.ts) and signals what the
 * webhook receiver missed. Each walk is one activity; between walks it waits for the poll
 * interval (or a `reconcileNow` signal); it continues as new well before its history grows large,
 * carrying the cursor.
 */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeadLetter, FailedEvent, ReconcilerActivities } from '../webhooks/reconciler/activities';
import { NO_COUNTS, type WalkCounts } from './reconciler-counts';
import type { EventCursor } from '../webhooks/event-cursor';
import type { Provider } from './core/choices';

export const RECONCILER_TASK_QUEUE = 'poflow-reconciler';
/** Walks per run before continuing as new: about ten history events each. */
const WALKS_PER_RUN = 200;
/** Dead letters kept in the state (the newest); `totals.deadLettered` counts them all. */
export const MAX_DEAD_LETTERS = 200;

export function reconcilerWorkflowId(provider: Provider): string {
  return `reconciler/${provider}`;
}

export interface ReconcilerInput {
  provider: Provider;
  /** Where the next walk starts; unset: from the first event. */
  cursor?: EventCursor;
  /** Pause between walks once caught up. */
  pollIntervalMs?: number;
  /** Events younger than this are left to the receiver for now, which saves duplicate signals. */
  settleMs?: number;
  /**
   * How far before the newest `occurred_at` delivered each walk reads again: an event that shows
   * up in the log this much later than events that occurred after it is still delivered.
   */
  overlapMs?: number;
  /** Tries of an event that fails for good (schema, a refused lookup) before it is dead-lettered. */
  maxEventTries?: number;
  /** Carried across continue-as-new. */
  totals?: WalkCounts;
  retrying?: FailedEvent[];
  deadLetters?: DeadLetter[];
}

export interface ReconcilerState {
  provider: Provider;
  cursor: EventCursor;
  walks: number;
  lastWalkAt?: string;
  lastError?: string;
  totals: WalkCounts;
  /** Events that failed and a later walk tries again, with their tries so far. */
  retrying: FailedEvent[];
  /**
   * The events given up on (id, type, why, tries; never the payload), the newest MAX_DEAD_LETTERS,
   * oldest first: `poflow reconciler dead-letters` lists them.
   */
  deadLetters: DeadLetter[];
}

export const reconcilerStateQuery = defineQuery<ReconcilerState>('reconcilerState');
/** Walks now instead of at the end of the poll interval. */
export const reconcileNowSignal = defineSignal('reconcileNow');

export const RECONCILER_DEFAULTS = {
  pollIntervalMs: 60_000,
  settleMs: 30_000,
  overlapMs: 3_600_000,
  maxEventTries: 5,
} as const;

export async function eventReconcilerWorkflow(input: ReconcilerInput): Promise<never> {
  const { reconcileEvents } = proxyActivities<ReconcilerActivities>({
    startToCloseTimeout: '10 minutes',
    // The walk heartbeats its cursor, so a retry resumes where the last attempt stopped.
    heartbeatTimeout: '1 minute',
    retry: { maximumInterval: '1 minute' },
    summary: `walk ${input.provider} GET /events`,
  });
  const pollIntervalMs = input.pollIntervalMs ?? RECONCILER_DEFAULTS.pollIntervalMs;
  const settleMs = input.settleMs ?? RECONCILER_DEFAULTS.settleMs;
  const overlapMs = input.overlapMs ?? RECONCILER_DEFAULTS.overlapMs;
  const maxTries = input.maxEventTries ?? RECONCILER_DEFAULTS.maxEventTries;
  const state: ReconcilerState = {
    provider: input.provider,
    cursor: input.cursor ?? { deliveredIds: [] },
    walks: 0,
    // A run continued from one before dead letters carries totals without their count.
    totals: { ...NO_COUNTS, ...input.totals },
    retrying: input.retrying ?? [],
    deadLetters: input.deadLetters ?? [],
  };
  let wake = false;
  setHandler(reconcileNowSignal, () => void (wake = true));
  setHandler(reconcilerStateQuery, () => state);

  while (state.walks < WALKS_PER_RUN && !workflowInfo().continueAsNewSuggested) {
    state.walks++;
    state.lastWalkAt = new Date().toISOString();
    let more = false;
    try {
      const walk = await reconcileEvents({
        provider: input.provider,
        cursor: state.cursor,
        settleMs,
        overlapMs,
        retrying: state.retrying,
        deadLettered: state.deadLetters.map((d) => d.key),
        maxTries,
      });
      state.cursor = walk.cursor;
      // A walk recorded before dead letters returns neither these lists nor their count.
      for (const key of Object.keys(state.totals) as (keyof WalkCounts)[])
        state.totals[key] += walk.counts[key] ?? 0;
      state.retrying = walk.retrying ?? state.retrying;
      state.deadLetters = [...state.deadLetters, ...(walk.deadLetters ?? [])].slice(-MAX_DEAD_LETTERS);
      more = walk.more;
      state.lastError = undefined;
    } catch (err) {
      // Only a non-retryable failure gets here (a refused token, an unreadable event log): the
      // reconciler must outlive it, so it waits for the poll interval and walks again.
      state.lastError = err instanceof Error ? err.message : String(err);
      log.warn('reconciler walk failed; walking again after the poll interval', { error: state.lastError });
    }
    if (!more) {
      await condition(() => wake, pollIntervalMs, { summary: 'until the next walk' });
      wake = false;
    }
  }
  return continueAsNew<typeof eventReconcilerWorkflow>({
    ...input,
    cursor: state.cursor,
    totals: state.totals,
    retrying: state.retrying,
    deadLetters: state.deadLetters,
  });
}
