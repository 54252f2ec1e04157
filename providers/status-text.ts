/**
 * Pieces of `poflow status` every provider's rows use: times for people, what a PO waits for, its
 * last refusal.
 */

/** `2027-01-21 00:00 UTC (in 3 days)` */
export function when(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  const days = Math.round((time - now) / 86_400_000);
  const relative =
    days === 0
      ? 'today'
      : days > 0
        ? `in ${days} day${days === 1 ? '' : 's'}`
        : `${-days} day${days === -1 ? '' : 's'} ago`;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC (${relative})`;
}

/** `2027-01-21 00:00:42 UTC (in 40 s)`: for what comes within the hour, such as a status read. */
export function soon(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const relative =
    seconds <= 0 ? 'due now' : seconds < 120 ? `in ${seconds} s` : `in ${Math.round(seconds / 60)} min`;
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC (${relative})`;
}

/** What every provider's view says about a request under way and the provider's last refusal. */
interface CommonView {
  acknowledged: boolean;
  pending?: { intent: string; cause: string; since: string };
  lastError?: { during: string; status: number | string; message: string };
}

export function acknowledgedFlag(view: CommonView): string {
  return view.acknowledged ? 'acknowledged' : 'not acknowledged';
}

export function waitingFor(view: CommonView): string | undefined {
  return view.pending
    ? `${view.pending.intent}: ${view.pending.cause} (since ${view.pending.since})`
    : undefined;
}

export function lastError(view: CommonView): string | undefined {
  return view.lastError
    ? `${view.lastError.during} refused (${view.lastError.status}): ${view.lastError.message}`
    : undefined;
}
