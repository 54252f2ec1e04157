/**
 * What both providers' PO workflows keep around their reducer: the state and its revision, the
 * notification outbox and its sender, the Web UI's publication, the one timer for the next
 * wake-up (the provider's next deadline or read, or the needs-attention alert, whichever is
 * earlier), the run's counts and when it continues as new (`run-budget.ts`), and when it ends.
 * Each provider's workflow says what differs: its reducer, its notifications, its next wake-up and
 * its limits.
 *
 * The main loops stay in each workflow because recorded histories fix their order of commands:
 * Flexport runs its commands beside the loop and publishes once per activation, Flxpoint runs them
 * inside it and publishes on every change. They await their conditions in the workflow function
 * itself: a helper's extra `await` resumes the loop a few microtasks later, so a handler woken in
 * the same activation could issue its commands first. Workflow code only.
 */
import { allHandlersFinished, log, workflowInfo } from '@temporalio/workflow';
import { DeadlineTimer } from './deadline-timer';
import { NotificationOutbox, type DeliveriesView, type OutboxMemory } from './notification-outbox';
import { NotificationSender } from './notification-sender';
import type { NotificationDraft, NotifiedPo, NotifySettings } from './notifications';
import { RunBudget, type RunLimits } from './run-budget';
import { isTerminal } from './status';
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
}

export interface ShellOptions<K extends string> {
  /** Absent: a PO started before notifications, replaying without an outbox. */
  notify?: { settings: NotifySettings; memory?: OutboxMemory };
  /** Absent: a PO started before its provider bounded runs (the server's suggestion only). */
  limits?: RunLimits<K>;
  /** Each change is shown as it is made, before the main loop sees it (else when the loop shows it). */
  showEveryChange?: boolean;
}

/** `K`: what the provider counts per run (`RunBudget`). */
export class PoShell<S extends NotifiedPo, E extends { at: string }, C, K extends string = never> {
  /** Bumped on every change, so the main loop re-reads the next wake-up and republishes. */
  revision = 0;
  readonly outbox?: NotificationOutbox;
  readonly sender?: NotificationSender;
  readonly timer = new DeadlineTimer();
  readonly budget: RunBudget<K>;
  private shownRevision = -1;
  private shownOutbox?: number;
  private readonly showEveryChange: boolean;

  constructor(
    public state: S,
    private readonly lifecycle: PoLifecycle<S, E, C>,
    { notify, limits, showEveryChange = false }: ShellOptions<K>,
  ) {
    this.budget = new RunBudget(limits);
    this.showEveryChange = showEveryChange;
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
      if (this.showEveryChange) this.show();
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

  /** Whether the state or the deliveries changed since this call: what a main loop waits for. */
  watchChanges(): () => boolean {
    const { revision } = this;
    const outboxRevision = this.outbox?.revision;
    return () => this.revision !== revision || this.outbox?.revision !== outboxRevision;
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

  /** A notification activity is on its way. */
  get deliveryInFlight(): boolean {
    return this.sender?.busy ?? false;
  }

  /** Due to continue as new, and no delivery on its way (the next run would send it again). */
  get newRunDue(): boolean {
    return this.budget.spent && !this.deliveryInFlight;
  }

  /** Due, and every handler has finished: the run may continue as new now. */
  readyForNewRun(): boolean {
    return this.newRunDue && allHandlersFinished();
  }

  /** Notifications are waiting to be delivered. */
  get undelivered(): boolean {
    return this.outbox !== undefined && !this.outbox.idle;
  }

  /** A closed or cancelled PO ends once it has told the ERP so. */
  get ended(): boolean {
    return isTerminal(this.state.status) && !this.undelivered;
  }
}
