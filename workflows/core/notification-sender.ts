/**
 * The PO's one notification sender: beside the lifecycle, it takes the outbox's head, delivers it
 * with an activity (a few quick attempts), and after a failed round records why, where the `state`
 * query and the Web UI show it, and waits longer before the next round, for as long as it takes.
 * The lifecycle never waits for it. Workflow code only.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  sleep,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { NotificationOutbox } from './notification-outbox';
import { now } from './workflow-support';

/** One round: four attempts 1, 2 and 4 seconds apart; the outbox spaces the rounds. */
const NOTIFY_CALL: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 4,
  },
};
const { deliverNotification } = proxyActivities<ReturnType<typeof createActivities>>(NOTIFY_CALL);

export class NotificationSender {
  private sending = false;

  constructor(private readonly outbox: NotificationOutbox) {}

  /** An activity is on its way: continue-as-new waits for it rather than send it twice. */
  get busy(): boolean {
    return this.sending;
  }

  async run(): Promise<void> {
    for (;;) {
      await condition(() => !this.outbox.idle);
      const head = this.outbox.head()!;
      this.sending = true;
      try {
        const summary = `notify ${head.event?.type ?? `alert ${head.alert!.kind}`} (${head.id})`;
        await deliverNotification.executeWithOptions({ ...NOTIFY_CALL, summary }, [head]);
        this.sending = false;
        this.outbox.delivered();
      } catch (err) {
        this.sending = false;
        const failure = roundFailure(err);
        this.outbox.failed(failure.answered, failure.message, now());
        log.warn('notification round failed; retrying later', { id: head.id, error: failure.message });
        await sleep(this.outbox.retryDelayMs(), { summary: `next delivery round of ${head.id}` });
      }
    }
  }
}

/** The activity's last failure: what it said, and the endpoints that answered 2xx anyway. */
function roundFailure(err: unknown): { answered: string[]; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { answered?: string[] } | undefined;
    return { answered: details?.answered ?? [], message: cause.message };
  }
  return { answered: [], message: cause instanceof Error ? cause.message : String(cause) };
}
