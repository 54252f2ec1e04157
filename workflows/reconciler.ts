/**
 * The event reconciler: one long-running workflow per provider that walks the provider's
 * `GET /events` from a durable cursor (the id of the last event it delivered) and signals what
 * the webhook receiver missed. Each walk is one activity; between walks it waits for the poll
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
import type { ReconcilerActivities, WalkCounts } from '../activities/reconciler';
import type { Provider } from './purchase-order';

export const RECONCILER_TASK_QUEUE = 'poflow-reconciler';
/** Walks per run before continuing as new: about ten history events each. */
const WALKS_PER_RUN = 200;

export function reconcilerWorkflowId(provider: Provider): string {
  return `reconciler/${provider}`;
}

export interface ReconcilerInput {
  provider: Provider;
  /** Id of the last event delivered; the next walk starts after it. 0: from the first event. */
  cursor?: number;
  /** Pause between walks once caught up. */
  pollIntervalMs?: number;
  /** Events younger than this are left to the receiver for now, which saves duplicate signals. */
  settleMs?: number;
  /** Carried across continue-as-new. */
  totals?: WalkCounts;
}

export interface ReconcilerState {
  provider: Provider;
  cursor: number;
  walks: number;
  lastWalkAt?: string;
  lastError?: string;
  totals: WalkCounts;
}

export const reconcilerStateQuery = defineQuery<ReconcilerState>('reconcilerState');
/** Walks now instead of at the end of the poll interval. */
export const reconcileNowSignal = defineSignal('reconcileNow');

export const RECONCILER_DEFAULTS = { pollIntervalMs: 60_000, settleMs: 30_000 } as const;

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
  const state: ReconcilerState = {
    provider: input.provider,
    cursor: input.cursor ?? 0,
    walks: 0,
    totals: input.totals ?? { events: 0, signalled: 0, closedPo: 0, unknownPo: 0, unrouted: 0 },
  };
  let wake = false;
  setHandler(reconcileNowSignal, () => void (wake = true));
  setHandler(reconcilerStateQuery, () => state);

  while (state.walks < WALKS_PER_RUN && !workflowInfo().continueAsNewSuggested) {
    state.walks++;
    state.lastWalkAt = new Date().toISOString();
    let more = false;
    try {
      const walk = await reconcileEvents({ provider: input.provider, after: state.cursor, settleMs });
      state.cursor = walk.cursor;
      for (const key of Object.keys(state.totals) as (keyof WalkCounts)[])
        state.totals[key] += walk.counts[key];
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
  });
}
