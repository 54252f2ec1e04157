/**
 * What every PO has whatever its provider: its status, whether that status is final, and the
 * history of its moves. Both providers' reducers build on these. Pure: no Temporal, no IO.
 */

export type PoStatus = 'submitting' | 'open' | 'needs_attention' | 'booked' | 'closed' | 'cancelled';
export const TERMINAL_STATUSES: readonly PoStatus[] = ['closed', 'cancelled'];

/** Every lifecycle status, with what it means for someone choosing a filter. */
export const STATUS_MEANINGS: Record<PoStatus, string> = {
  submitting: 'sent to the provider, not yet accepted',
  open: 'accepted by the provider, nothing booked',
  needs_attention: 'refused by the provider; amend or cancel it',
  booked: 'at least one booking',
  closed: 'closed (terminal)',
  cancelled: 'cancelled (terminal)',
};

export interface HistoryEntry {
  at: string;
  from: PoStatus;
  to: PoStatus;
  /** What changed beside the status, e.g. `late`, `acknowledged`, `departed`. */
  change?: string;
  cause: string;
}

/** Transitions kept in the state (newest last), so a long life cannot outgrow a payload. */
export const MAX_HISTORY_ENTRIES = 500;

export function isTerminal(status: PoStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Moves to `to` with a history entry; a `change` beside the status is recorded even without a move. */
export function transition<S extends { status: PoStatus; history: HistoryEntry[] }>(
  state: S,
  to: PoStatus,
  at: string,
  cause: string,
  change?: string,
): S {
  if (to === state.status && !change) return state;
  const entry: HistoryEntry = { at, from: state.status, to, cause, ...(change ? { change } : {}) };
  const history = [...state.history, entry];
  if (history.length > MAX_HISTORY_ENTRIES) history.splice(0, history.length - MAX_HISTORY_ENTRIES);
  return { ...state, status: to, history };
}
