/**
 * What one run of a PO has taken, and when it is due to continue as new: on the server's
 * suggestion, or past the run's own limits: its provider's counts (events, signals, updates,
 * reads), its history length or its history size. Short runs keep the replay after an eviction
 * short. Workflow code only.
 */
import { workflowInfo } from '@temporalio/workflow';

/** A run's own limits, past which the PO continues as new even without the server's suggestion. */
export interface RunLimits<K extends string> {
  historyEvents: number;
  historyBytes: number;
  /** The most of each count one run takes. */
  counts: Record<K, number>;
}

export class RunBudget<K extends string> {
  private readonly taken = new Map<K, number>();

  /** Without `limits` (a PO started before its provider bounded runs): the server's suggestion only. */
  constructor(private readonly limits?: RunLimits<K>) {}

  /** Counts what the run took; O(1), so a handler may call it per event. */
  take(kind: K, n = 1): void {
    this.taken.set(kind, this.count(kind) + n);
  }

  count(kind: K): number {
    return this.taken.get(kind) ?? 0;
  }

  /** The server suggests a new run, or this run is past one of its own limits. */
  get spent(): boolean {
    const info = workflowInfo();
    if (info.continueAsNewSuggested) return true;
    const { limits } = this;
    if (!limits) return false;
    for (const kind in limits.counts) if (this.count(kind) >= limits.counts[kind]) return true;
    return info.historyLength >= limits.historyEvents || info.historySize >= limits.historyBytes;
  }
}
