/**
 * Flxpoint's documented limit of 2 requests/second per token, as a fixed window per epoch
 * second, and a count of what each token sent per second so a test can check the client kept
 * under it. Rejected requests count too: they are requests the client should not have sent.
 */
import { createHash } from 'node:crypto';
import { RequestStats, type FamilyStats } from '../request-stats';

export const REQUESTS_PER_SECOND = 2;

export interface TokenStats extends FamilyStats {
  rateLimited: number;
}

export interface RateLimitStats {
  limitPerSecond: number;
  /** The most requests any token sent within one epoch second. */
  maxPerSecond: number;
  /** Keyed by a fingerprint of the token, never the token itself. */
  tokens: Record<string, TokenStats>;
}

export class TokenRateLimit {
  private readonly received = new RequestStats();
  private readonly windows = new Map<string, { second: number; admitted: number }>();
  private readonly rateLimited = new Map<string, number>();

  constructor(private readonly perSecond = REQUESTS_PER_SECOND) {}

  /** Records one request; answers how long to wait when it is over the token's limit. */
  admit(token: string, nowMs = Date.now()): { retryAfterSeconds: number } | undefined {
    const key = fingerprint(token);
    const second = Math.floor(nowMs / 1000);
    this.received.record(key, nowMs);
    const window = this.windows.get(key);
    if (!window || window.second !== second) {
      this.windows.set(key, { second, admitted: 1 });
      return undefined;
    }
    if (window.admitted < this.perSecond) {
      window.admitted += 1;
      return undefined;
    }
    this.rateLimited.set(key, (this.rateLimited.get(key) ?? 0) + 1);
    // The window reopens at the next epoch second; Retry-After counts whole seconds.
    return { retryAfterSeconds: 1 };
  }

  snapshot(): RateLimitStats {
    const tokens: Record<string, TokenStats> = {};
    for (const [key, stats] of Object.entries(this.received.snapshot())) {
      tokens[key] = { ...stats, rateLimited: this.rateLimited.get(key) ?? 0 };
    }
    const maxPerSecond = Math.max(0, ...Object.values(tokens).map((t) => t.maxPerSecond));
    return { limitPerSecond: this.perSecond, maxPerSecond, tokens };
  }
}

function fingerprint(token: string): string {
  return `token-${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}
