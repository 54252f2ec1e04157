/**
 * Every request the Flxpoint API answered, with when it arrived and how it was answered, so a
 * test can check any window it likes (e.g. no 5 seconds with more than 10 requests) and that a
 * request answered 429 was not sent again before its Retry-After. The last 10,000 are kept.
 */
const KEPT = 10_000;

export interface LoggedRequest {
  /** Arrival, epoch milliseconds. */
  at: number;
  /** When the client says it sent it (poflow's `X-Poflow-Sent-At`), epoch milliseconds. */
  sentAt?: number;
  method: string;
  /** Path and query below `/flxpoint`, e.g. `/purchase-orders/12`. */
  url: string;
  status: number;
}

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > KEPT) this.entries.splice(0, this.entries.length - KEPT);
  }

  snapshot(): LoggedRequest[] {
    return [...this.entries];
  }
}
