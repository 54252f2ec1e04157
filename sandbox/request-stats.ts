/** Requests per second per route family (first path segment), kept for the last minute. */

const WINDOW_SECONDS = 60;

export interface FamilyStats {
  total: number;
  maxPerSecond: number;
  /** Counts for the seconds of the last minute that saw requests, oldest first. */
  perSecond: Array<{ second: number; count: number }>;
}

export class RequestStats {
  private readonly families = new Map<
    string,
    { total: number; maxPerSecond: number; seconds: Map<number, number> }
  >();

  record(family: string, nowMs = Date.now()): void {
    const second = Math.floor(nowMs / 1000);
    let stats = this.families.get(family);
    if (!stats) {
      stats = { total: 0, maxPerSecond: 0, seconds: new Map() };
      this.families.set(family, stats);
    }
    const count = (stats.seconds.get(second) ?? 0) + 1;
    stats.seconds.set(second, count);
    stats.total += 1;
    stats.maxPerSecond = Math.max(stats.maxPerSecond, count);
    for (const old of stats.seconds.keys()) if (old <= second - WINDOW_SECONDS) stats.seconds.delete(old);
  }

  snapshot(): Record<string, FamilyStats> {
    const out: Record<string, FamilyStats> = {};
    for (const [family, stats] of this.families) {
      out[family] = {
        total: stats.total,
        maxPerSecond: stats.maxPerSecond,
        perSecond: [...stats.seconds].sort(([a], [b]) => a - b).map(([second, count]) => ({ second, count })),
      };
    }
    return out;
  }
}
