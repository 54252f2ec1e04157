/**
 * What both providers' PO workflows keep around their reducer: the state and its revision, the
 * notification outbox and its sender, the Web UI's publication, the one timer for the next
 * wake-up (the provider's next deadline or read, or the needs-attention alert, whichever is
 * earlier) and the run's limits for continue-as-new. Each provider's workflow says what differs:
 * its reducer, its notifications, its next wake-up and its limits.
 *
 * The main loops stay in each workflow because recorded histories fix their order of commands:
 * Flexport runs its commands beside the loop and publishes once per activation, Flxpoint runs them
 * inside it and publishes on every change. Workflow code only.
 */
import { log, workflowInfo } from '@temporalio/workflow';
import { DeadlineTimer } from './deadline-timer';
import { NotificationOutbox, type DeliveriesView, type OutboxMemory } from './notification-outbox';
import { NotificationSender } from './notification-sender';
import type { NotificationDraft, NotifiedPo, NotifySettings } from './notifications';
import { now } from './workflow-support';

export interface Reduction<S, C> {
  state: S;
  commands: C[];
}

/** A provider's pure lifecycle, as the shell drives it. */
export interface PoLifecycle<S, E, C> {
  reduce(state: S, event: E): Reduction<S, C>;
  /** The notifications a change produces (`announced`: the PO's `opened` went out already). */
  notifications(previous: S, reduced: Reduction<S, C>, event: E, announced: boolean): NotificationDraft[];
  /** Search attributes and current details for the Web UI. */
  publish(state: S, deliveries?: DeliveriesView): void;
  /** Called after each change of state (before the main loop sees it). */
  changed?(): void;
}

/** A run's own limits, past which the PO continues as new even without the server's suggestion. */
export interface RunLimits {
  historyEvents: number;
  historyBytes: number;
}

export class PoShell<S extends NotifiedPo, E extends { at: string }, C> {
  /** Bumped on every change, so the main loop re-reads the next wake-up and republishes. */
  revision = 0;
  readonly outbox?: NotificationOutbox;
  readonly sender?: NotificationSender;
  readonly timer = new DeadlineTimer();
  private shownRevision = -1;
  private shownOutbox?: number;

  /** `notify` absent: a PO started before notifications, replaying without an outbox. */
  constructor(
    public state: S,
    private readonly lifecycle: PoLifecycle<S, E, C>,
    notify?: { settings: NotifySettings; memory?: OutboxMemory },
  ) {
    if (notify) {
      const { workflowId } = workflowInfo();
      this.outbox = new NotificationOutbox(workflowId, state, notify.settings, notify.memory);
      this.sender = new NotificationSender(this.outbox);
    }
  }

  /** Reduces one event, records the notifications of the change, and returns its commands. */
  apply(event: E): C[] {
    const { state, outbox } = this;
    const reduced = this.lifecycle.reduce(state, event);
    if (reduced.state !== state) {
      const dropped = outbox?.record(
        state,
        reduced.state,
        this.lifecycle.notifications(state, reduced, event, outbox.announced),
        event.at,
      );
      if (dropped) log.warn('oldest undelivered notifications dropped', { dropped });
      this.state = reduced.state;
      this.revision += 1;
      this.lifecycle.changed?.();
    }
    return reduced.commands;
  }

  /** Starts delivering the outbox beside the lifecycle. */
  sendNotifications(): void {
    if (this.sender) void this.sender.run();
  }

  /** The state or the deliveries changed since the Web UI last showed them. */
  get outdated(): boolean {
    return this.revision !== this.shownRevision || this.outbox?.revision !== this.shownOutbox;
  }

  /** Shows the state and the deliveries in the Web UI. */
  show(): void {
    this.lifecycle.publish(this.state, this.outbox?.view());
    this.shownRevision = this.revision;
    this.shownOutbox = this.outbox?.revision;
  }

  /** The deliveries, for the `state` query. */
  notifications(): { notifications?: DeliveriesView } {
    return this.outbox ? { notifications: this.outbox.view() } : {};
  }

  /** Keeps the one timer on the earlier of the PO's next wake-up and the needs-attention alert. */
  followWakeUp(at: string | undefined, summary: () => string): void {
    const alertAt = this.outbox?.deadline(this.state);
    if (alertAt && (!at || alertAt < at)) {
      this.timer.follow(alertAt, () => `needs-attention alert for PO ${this.state.name} at ${alertAt}`);
    } else {
      this.timer.follow(at, summary);
    }
  }

  /** After the timer fired: the provider's event for it (none if it fired early), then the alert. */
  wokeUp(event: E | undefined): C[] {
    const commands = event ? this.apply(event) : [];
    this.outbox?.deadlineReached(this.state, now());
    return commands;
  }

  /** Not while a delivery is on its way: the next run would send it again. */
  get deliveryInFlight(): boolean {
    return this.sender?.busy ?? false;
  }
}

/**
 * The server's suggestion, or (with `limits`) the run's own: `overCount` (the provider's counters),
 * history length and size.
 */
export function continueAsNewDue(limits: RunLimits | undefined, overCount: boolean): boolean {
  const info = workflowInfo();
  if (info.continueAsNewSuggested) return true;
  return (
    limits !== undefined &&
    (overCount || info.historyLength >= limits.historyEvents || info.historySize >= limits.historyBytes)
  );
}
