/**
 * A shaped rate limit: requests go one at a time, each at least `intervalMs` after the one
 * before was let go, with no burst. A token bucket (Temporal's task-queue limit, and the
 * worker's `maxActivitiesPerSecond`, which only paces polls) lets a burst through after an idle
 * spell; spacing every request bounds any window: at most ceil(W / intervalMs) requests in W ms.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class RequestPacer {
  private lastTurn = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly intervalMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Resolves when the caller may send its request; rejects, taking no turn, if `signal` aborts first. */
  turn(signal?: AbortSignal): Promise<void> {
    const mine = this.queue.then(() => this.wait(signal));
    this.queue = mine.catch(() => undefined);
    return mine;
  }

  private async wait(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    // A loop, not one sleep: a timer may fire a millisecond before the clock says it is due.
    while (this.dueInMs() > 0) await sleep(this.dueInMs(), undefined, { signal });
    this.lastTurn = this.clock();
  }

  private dueInMs(): number {
    return this.lastTurn + this.intervalMs - this.clock();
  }
}
