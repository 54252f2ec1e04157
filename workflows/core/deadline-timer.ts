/**
 * One durable timer for a workflow's next deadline, restarted only when that deadline moves
 * earlier (or after it fired). A deadline that moves later keeps the running timer: it fires
 * early, the reducer finds nothing due, and the next timer is set for the new time. So a PO that
 * takes in a stream of events shows one timer per deadline in its history, not one per event.
 * Workflow code only.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

export class DeadlineTimer {
  /** When the running timer fires, as ISO text; undefined when none runs. */
  private at?: string;
  private scope?: CancellationScope;
  private firedFlag = false;

  /** True once the running timer has fired; the caller handles it and calls `follow` again. */
  get fired(): boolean {
    return this.firedFlag;
  }

  /** Keeps a timer running for `at` (or an earlier time); none when there is no deadline. */
  follow(at: string | undefined, summary: () => string): void {
    if (at === undefined) return this.cancel();
    if (this.at !== undefined && !this.firedFlag && at >= this.at) return;
    this.cancel();
    const scope = new CancellationScope();
    this.scope = scope;
    this.at = at;
    const wait = Math.max(Date.parse(at) - Date.now(), 1);
    scope
      .run(() => sleep(wait, { summary: summary() }))
      .then(
        () => {
          if (this.scope === scope) this.firedFlag = true;
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  }

  cancel(): void {
    if (this.scope && !this.firedFlag) this.scope.cancel();
    this.scope = undefined;
    this.at = undefined;
    this.firedFlag = false;
  }
}
