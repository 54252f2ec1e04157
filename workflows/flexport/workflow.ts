/**
 * The workflow shell around the lifecycle reducer: it feeds the reducer events (requests,
 * provider results, webhook events, deadlines), carries out the commands it returns one at a time,
 * and keeps the search attributes and the Web UI's current details in step with the state.
 *
 * Over 300 lines because it still carries its own main loop, command queue, update handlers and
 * continue-as-new beside Flxpoint's: one shell in workflows/core/ for both is the open part of
 * issue 17 (it must keep every recorded history's command order, or go behind `patched`).
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { reduce, startLifecycle } from './lifecycle';
import { checkAmend, checkBook, checkCancel, checkClose } from './checks';
import { nextDeadlines } from './deadlines';
import { type Command, type LifecycleEvent, type PoState } from './state';
import { isTerminal } from '../core/status';
import {
  amendUpdate,
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  providerEventSignal,
  providerEventsSignal,
  stateQuery,
  takeProviderEventsUpdate,
  type PoView,
} from './messages';
import { ProviderEvent } from './provider-event';
import { Booking, parsePurchaseOrder, type PurchaseOrder } from './purchase-order';
import { parseWith } from '../core/parsing';
import { DEFAULT_QUIET_CHECK_HOURS, PoSettings, type PoSettingsInput } from '../core/settings';
import {
  describeIssues,
  now,
  PROVIDER_CALL,
  providerRefusal,
  purchaseOrderRejected,
  refuseIf,
} from '../core/workflow-support';
import { FailureTypes } from '../core/provider-failures';
import { startAdopted, type AdoptionSnapshot } from './adoption';
import { DeadlineTimer } from '../core/deadline-timer';
import { EventIdWindow } from '../core/event-id-window';
import { commandSummary, deadlineSummary, publisher } from './ui';
import { NotificationOutbox, type OutboxMemory } from '../core/notification-outbox';
import { NotificationSender } from '../core/notification-sender';
import { notificationsFor } from './notifications';

export interface PurchaseOrderWorkflowInput {
  /** The PO as submitted (the v3 create body); checked again here, so a bad one never reaches the provider. */
  po: unknown;
  settings?: PoSettingsInput;
  /** Set by continue-as-new: the lifecycle so far, the ids of applied provider events included. */
  resume?: PoState;
  /** Set by continue-as-new: the notifications not delivered yet, and the per-PO sequence. */
  outbox?: OutboxMemory;
  /**
   * Set for a PO poflow did not create: what the provider showed of it. `po` is then the PO as the
   * provider has it, and nothing is sent to the provider until an operator asks for a change.
   */
  adopted?: AdoptionSnapshot;
}

type Activities = ReturnType<typeof createActivities>;

const activities = proxyActivities<Activities>(PROVIDER_CALL);

/**
 * A fallback read is a courtesy, not a write: it gives up after a quarter of an hour instead of
 * holding the PO's command queue through a long outage; the quiet check tries again later.
 */
const FALLBACK_READ: ActivityOptions = { ...PROVIDER_CALL, scheduleToCloseTimeout: '15 minutes' };

export async function purchaseOrderWorkflow(input: PurchaseOrderWorkflowInput): Promise<PoView> {
  const started = input.resume
    ? { state: input.resume, commands: [] }
    : input.adopted
      ? startAdopted(input.adopted, input.po, input.settings, now())
      : begin(input);
  let state = withQuietCheck(started.state, patched('quiet-po-fallback-read'));
  // Requests wait for provider writes in flight; POs started before replay as they ran.
  state = { ...state, waitsForProviderCalls: patched('requests-wait-for-provider-calls') };
  /**
   * POs started before batched intake replay the way they ran: each signal reduced in its handler,
   * the deadline timer restarted on every change, search attributes published per change.
   */
  const batched = patched(BATCHED_INTAKE);
  /** Notifications to the ERP and alerts to people go through an outbox; older POs raise alerts inline. */
  const outbox =
    batched && patched(NOTIFICATIONS)
      ? new NotificationOutbox(workflowInfo().workflowId, state, state.settings, input.outbox)
      : undefined;
  const sender = outbox && new NotificationSender(outbox);
  const seen = new EventIdWindow(state.seenEventIds);
  state = { ...state, seenEventIds: [] };
  /** Bumped on every change, so the main loop re-reads the deadlines and republishes. */
  let revision = 0;
  /** Provider events signalled and not yet applied: the main loop drains it every activation. */
  const intake: ProviderEvent[] = [];
  let signalsThisRun = 0;
  let updatesThisRun = 0;
  let eventsThisRun = 0;
  const jobs: Job[] = [];
  let running = false;
  const publish = publisher();
  let publishedRevision = -1;

  /** Reduces one event and queues its commands (on the request's ticket, for an update). */
  function apply(event: LifecycleEvent, ticket?: Ticket): void {
    const reduced = reduce(state, event);
    if (reduced.state !== state) {
      const dropped = outbox?.record(state, reduced.state, notificationsFor(state, reduced, event, outbox.announced), event.at); // prettier-ignore
      if (dropped) log.warn('oldest undelivered notifications dropped', { dropped });
      state = reduced.state;
      revision += 1;
      if (!batched) publish(state);
    }
    for (const command of reduced.commands) {
      if (ticket) ticket.open += 1;
      jobs.push({ command, ticket });
    }
  }

  /** A provider event, unless this PO has applied its id already. */
  function applyProviderEvent(event: ProviderEvent): void {
    if (seen.add(event.id)) apply({ type: 'provider_event', at: now(), event });
  }

  function drain(): void {
    for (const event of intake) applyProviderEvent(event);
    intake.length = 0;
  }

  /**
   * An operator's request: events signalled before it apply first, the rule is checked again on
   * the state they left, then the request waits for its own commands only.
   */
  function request(event: LifecycleEvent, check?: () => string | undefined): Promise<string | undefined> {
    drain();
    if (check) refuseIf(check());
    return new Promise((settle) => {
      const ticket: Ticket = { open: 0, settle };
      apply(event, ticket);
      if (ticket.open === 0) settle(undefined);
    });
  }

  function settle(job: Job, refusal: string | undefined): void {
    const { ticket } = job;
    if (!ticket) return;
    ticket.refusal ??= refusal;
    ticket.open -= 1;
    if (ticket.open === 0) ticket.settle(ticket.refusal);
  }

  /** Runs one command; resolves with the provider's refusal, if any. */
  async function run(command: Command): Promise<string | undefined> {
    const summary = commandSummary(state, command);
    switch (command.type) {
      case 'submit':
        try {
          const result = await activities.submitPurchaseOrder.executeWithOptions(
            { ...PROVIDER_CALL, summary },
            [{ intent: command.intent, body: command.body }],
          );
          apply({ type: 'submission_accepted', at: now(), intent: command.intent, ...result });
          return undefined;
        } catch (err) {
          return refused(err, command.intent);
        }
      case 'book':
        try {
          const booking = await activities.bookPurchaseOrder.executeWithOptions(
            { ...PROVIDER_CALL, summary },
            [command.plan],
          );
          apply({ type: 'booking_created', at: now(), ...booking });
          return undefined;
        } catch (err) {
          return refused(err, 'book');
        }
      case 'alert':
        if (outbox) return undefined; // the outbox carries it
        await activities.raiseAlert.executeWithOptions({ ...PROVIDER_CALL, summary }, [command.alert]);
        return undefined;
      case 'read':
        try {
          const snapshot = await activities.readPurchaseOrder.executeWithOptions(
            { ...FALLBACK_READ, summary },
            [command.read],
          );
          apply({ type: 'provider_snapshot', at: now(), snapshot });
        } catch (err) {
          log.warn('fallback read failed; the quiet check tries again later', { error: String(err) });
        }
        return undefined;
    }
  }

  function refused(err: unknown, during: SubmissionOrBook): string {
    const { status, message } = providerRefusal(err);
    apply({ type: 'provider_rejected', at: now(), during, status, message });
    return message;
  }

  /** The queued commands, one at a time, beside the main loop (which keeps taking events in). */
  async function runJobs(): Promise<void> {
    running = true;
    for (let job = jobs.shift(); job && !isTerminal(state.status); job = jobs.shift()) {
      settle(job, await run(job.command));
    }
    running = false;
  }

  function resumeInput(): Parameters<typeof purchaseOrderWorkflow>[0] {
    const resume = { ...state, seenEventIds: seen.ids() };
    return { po: state.po, settings: state.settings, resume, outbox: outbox?.snapshot() };
  }

  /** The server's suggestion, or this PO's own limits: events and signals per run, history length and size. */
  function continueAsNewDue(): boolean {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      eventsThisRun >= MAX_EVENTS_PER_RUN ||
      signalsThisRun >= MAX_SIGNALS_PER_RUN ||
      updatesThisRun >= MAX_UPDATES_PER_RUN ||
      info.historyLength >= MAX_HISTORY_EVENTS ||
      info.historySize >= MAX_HISTORY_BYTES
    );
  }

  setHandler(stateQuery, () => view(state, seen, outbox));

  setHandler(
    amendUpdate,
    async (raw) => {
      const po = parsedOrRefused(raw, state);
      await request({ type: 'amend_requested', at: now(), po }, () => checkAmend(state, po));
      return view(state, seen, outbox);
    },
    { validator: (raw) => refuseIf(checkAmend(state, parsedOrRefused(raw, state))) },
  );

  setHandler(
    bookUpdate,
    async (raw) => {
      const booking = bookingOrRefused(raw);
      const refusal = await request({ type: 'book_requested', at: now(), booking }, () => checkBook(state, booking)); // prettier-ignore
      if (refusal)
        throw ApplicationFailure.create({
          type: FailureTypes.rejected,
          message: refusal,
          nonRetryable: true,
        });
      return view(state, seen, outbox);
    },
    { validator: (raw) => refuseIf(checkBook(state, bookingOrRefused(raw))) },
  );

  setHandler(
    closeUpdate,
    async () => {
      await request({ type: 'close_requested', at: now(), cause: 'closed by operator' }, () => checkClose(state)); // prettier-ignore
      return view(state, seen, outbox);
    },
    { validator: () => refuseIf(checkClose(state)) },
  );

  setHandler(
    cancelUpdate,
    async (reason) => {
      const cause = reason ? `cancelled: ${reason}` : 'cancelled by operator';
      await request({ type: 'cancel_requested', at: now(), cause }, () => checkCancel(state));
      return view(state, seen, outbox);
    },
    { validator: (_reason) => refuseIf(checkCancel(state)) },
  );

  /** O(1) per event and no promise: parsed, then buffered (or, replaying an older PO, applied). */
  function receive(raw: unknown): void {
    const parsed = ProviderEvent.safeParse(raw);
    // An envelope without an id cannot be deduplicated or traced: log it and drop it.
    if (!parsed.success) return log.warn('malformed provider event dropped', { issues: parsed.error.issues });
    eventsThisRun += 1;
    if (batched) intake.push(parsed.data);
    else applyProviderEvent(parsed.data);
  }

  setHandler(providerEventSignal, (raw) => {
    signalsThisRun += 1;
    receive(raw);
  });

  setHandler(providerEventsSignal, (raws) => {
    signalsThisRun += 1;
    if (!Array.isArray(raws)) return log.warn('provider events dropped: not a list');
    for (const raw of raws) receive(raw);
  });

  setHandler(
    takeProviderEventsUpdate,
    (raws) => {
      updatesThisRun += 1;
      const before = eventsThisRun;
      for (const raw of raws) receive(raw);
      return eventsThisRun - before;
    },
    { validator: (raws) => refuseIf(Array.isArray(raws) ? undefined : 'events: expected a list of provider events') }, // prettier-ignore
  );

  publish(state);
  for (const command of started.commands) jobs.push({ command });

  if (batched) {
    const timer = new DeadlineTimer();
    let publishedOutbox = -1;
    if (sender) void sender.run();
    for (;;) {
      drain();
      if (revision !== publishedRevision || (outbox && outbox.revision !== publishedOutbox)) {
        publish(state, outbox?.view());
        publishedRevision = revision;
        publishedOutbox = outbox?.revision ?? -1;
      }
      // A closed or cancelled PO ends once it has told the ERP so.
      const ended = isTerminal(state.status) && (outbox?.idle ?? true);
      if (ended && !running) break;
      if (!running && jobs.length > 0) void runJobs();
      if (!running && !sender?.busy && continueAsNewDue() && allHandlersFinished()) {
        return continueAsNew<typeof purchaseOrderWorkflow>(resumeInput());
      }
      const deadline = nextDeadlines(state)[0];
      const alertAt = outbox?.deadline(state);
      if (alertAt && (!deadline || alertAt < deadline.at)) {
        timer.follow(alertAt, () => `needs-attention alert for PO ${state.name} at ${alertAt}`);
      } else {
        timer.follow(deadline?.at, () => deadlineSummary(state, deadline!));
      }
      const seenRevision = revision;
      const seenOutbox = outbox?.revision;
      await condition(
        () =>
          intake.length > 0 ||
          revision !== seenRevision ||
          outbox?.revision !== seenOutbox ||
          timer.fired ||
          (!running && (jobs.length > 0 || ended || (continueAsNewDue() && allHandlersFinished()))),
      );
      if (timer.fired) {
        apply({ type: 'deadline_reached', at: now() });
        outbox?.deadlineReached(state, now());
      }
    }
  } else {
    while (!isTerminal(state.status)) {
      const job = jobs.shift();
      if (job) {
        settle(job, await run(job.command));
        continue;
      }
      if (workflowInfo().continueAsNewSuggested) {
        // Finish in-flight handlers first; one that queued new work keeps us going instead.
        await condition(() => allHandlersFinished() || jobs.length > 0);
        if (jobs.length === 0) return continueAsNew<typeof purchaseOrderWorkflow>(resumeInput());
        continue;
      }
      const seenRevision = revision;
      const wake = () =>
        jobs.length > 0 || revision !== seenRevision || workflowInfo().continueAsNewSuggested;
      const deadline = nextDeadlines(state)[0];
      if (!deadline) {
        await condition(wake);
      } else {
        const wait = Math.max(Date.parse(deadline.at) - Date.now(), 1);
        if (!(await condition(wake, wait, { summary: deadlineSummary(state, deadline) }))) {
          apply({ type: 'deadline_reached', at: now() });
        }
      }
    }
  }
  // Work queued behind the end (e.g. an amendment when the provider cancelled) is refused.
  for (const job of jobs.splice(0)) settle(job, `Purchase order ${state.name} is already ${state.status}`);
  await condition(allHandlersFinished);
  drain();
  publish(state, outbox?.view());
  return view(state, seen, outbox);
}

/** The patch that brought batched intake and the quiet deadline timer. */
const BATCHED_INTAKE = 'po-batched-intake';
/** The patch that brought the notification outbox (and took alerts off the command queue). */
const NOTIFICATIONS = 'po-notifications';
/**
 * A run's own limits. Events: the run's history (and so a replay after an eviction, or after a
 * continue-as-new the server refused because signals came in meanwhile) stays short. Signals: a
 * fifth of Temporal's 10,000 per history, leaving room for those that arrive while a provider call
 * holds the run open.
 */
const MAX_EVENTS_PER_RUN = 1_000;
const MAX_SIGNALS_PER_RUN = 2_000;
/** Half the server's default limit on updates in one run (2,000). */
const MAX_UPDATES_PER_RUN = 1_000;
const MAX_HISTORY_EVENTS = 10_000;
const MAX_HISTORY_BYTES = 10 * 1024 * 1024;

/** An update waiting for the commands its request produced; it settles with the first refusal. */
interface Ticket {
  open: number;
  refusal?: string;
  settle: (refusal: string | undefined) => void;
}

interface Job {
  command: Command;
  ticket?: Ticket;
}

type SubmissionOrBook = Extract<LifecycleEvent, { type: 'provider_rejected' }>['during'];

/**
 * POs whose history began before the quiet check replay without it (their histories hold no such
 * timer). A run resumed from state written before it existed gets the default.
 */
function withQuietCheck(state: PoState, quietCheckPatched: boolean): PoState {
  const quietCheckHours = quietCheckPatched
    ? (state.settings.quietCheckHours ?? DEFAULT_QUIET_CHECK_HOURS)
    : false;
  return { ...state, settings: { ...state.settings, quietCheckHours } };
}

function begin(input: PurchaseOrderWorkflowInput) {
  const createdOn = now().slice(0, 10);
  const po = parsePurchaseOrder(input.po, { createdOn });
  const settings = parseWith(PoSettings, input.settings ?? {});
  if (!po.ok || !settings.ok) {
    throw purchaseOrderRejected([...(po.ok ? [] : po.issues), ...(settings.ok ? [] : settings.issues)]);
  }
  return startLifecycle(po.value, settings.value, now());
}

function parsedOrRefused(raw: unknown, state: PoState): PurchaseOrder {
  const parsed = parsePurchaseOrder(raw, { createdOn: state.createdAt.slice(0, 10) });
  if (parsed.ok) return parsed.value;
  throw purchaseOrderRejected(parsed.issues);
}

function bookingOrRefused(raw: unknown) {
  const parsed = parseWith(Booking, raw ?? {});
  if (parsed.ok) return parsed.value;
  throw ApplicationFailure.create({
    type: FailureTypes.requestRefused,
    message: describeIssues(parsed.issues),
    nonRetryable: true,
  });
}

function view(state: PoState, seen: EventIdWindow, outbox: NotificationOutbox | undefined): PoView {
  const notifications = outbox ? { notifications: outbox.view() } : {};
  return { ...state, seenEventIds: seen.ids(), nextDeadlines: nextDeadlines(state), ...notifications };
}
